// The elementwise family: Add, Sub, Mul and Div with NumPy broadcasting (Div by a constant
// only), and Neg.
#include <functional>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

std::vector<MaybeDims> inferBroadcast(ImportContext& ctx, const Node& n,
                                      const std::vector<MaybeDims>& in) {
  if (!in[1]) return {};
  return {broadcastShape(ctx, n, *in[0], *in[1])};
}

std::vector<Node> normalizeDiv(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {});
  if (!ctx.isWeight(n.inputs[1])) {
    ctx.failNode(n, "only division by a constant is supported; the divisor '", n.inputs[1],
                 "' is computed (use Reciprocal and Mul)");
  }
  for (double v : ctx.constInput(n, 1, "the divisor").values) {
    if (v == 0) ctx.failNode(n, "the constant divisor '", n.inputs[1], "' holds a zero");
  }
  return keep(std::move(n));
}

template <typename F>
OpSchema binaryOp(std::string type, F f) {
  return {.type = std::move(type),
          .min_inputs = 2,
          .max_inputs = 2,
          .normalize = noAttrs,
          .infer = inferBroadcast,
          .evaluate = [f](const Node& n, const Inputs& in) {
            return one(binary(n, need(n, in, 0), need(n, in, 1), f));
          }};
}

}  // namespace

void addElementwiseOps(OpRegistry& r) {
  r.add(binaryOp("Add", std::plus<double>()));
  r.add(binaryOp("Sub", std::minus<double>()));
  r.add(binaryOp("Mul", std::multiplies<double>()));
  OpSchema div = binaryOp("Div", std::divides<double>());
  div.normalize = normalizeDiv;
  r.add(std::move(div));
  r.add({.type = "Neg",
         .normalize = noAttrs,
         .infer = sameShape,
         .evaluate = [](const Node& n, const Inputs& in) {
           return one(unary(need(n, in, 0), [](double v) { return -v; }));
         }});
}

}  // namespace sotto::nn::ops
