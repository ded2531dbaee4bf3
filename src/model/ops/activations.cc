// The activation family: Relu, Sigmoid, Tanh, Erf, Gelu, Exp, Log, Reciprocal, Sqrt (elementwise) and
// Softmax, LogSoftmax along one axis (opset 13 semantics; older opsets are rewritten to them).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

PlainTensor softmax(const Node& node, const PlainTensor& x, bool take_log) {
  const int64_t r = static_cast<int64_t>(x.dims.size());
  if (r == 0) fail(node, "scalar input");
  const int64_t axis = normAxis(node, node.attrInt("axis", -1), r, "axis");
  const int64_t len = x.dims[axis], inner = product(x.dims, axis + 1),
                outer = product(x.dims, 0, axis);
  PlainTensor y = make(x.dims);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const size_t base = static_cast<size_t>(o * len * inner + in);
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < len; ++i) mx = std::max(mx, x.values[base + i * inner]);
      double sum = 0;
      for (int64_t i = 0; i < len; ++i) sum += std::exp(x.values[base + i * inner] - mx);
      for (int64_t i = 0; i < len; ++i) {
        const double z = x.values[base + i * inner] - mx;
        y.values[base + i * inner] = take_log ? z - std::log(sum) : std::exp(z) / sum;
      }
    }
  }
  return y;
}

// Ops whose private evaluation has a restricted domain (sotto/math/functions.h): a constant
// input outside it is an error; otherwise one warning per node saying what comes back there.
// `bad` is the test of a value outside the domain.
std::vector<Node> normalizeRestricted(ImportContext& ctx, Node n, const char* outside,
                                      bool (*bad)(double)) {
  allowAttrs(ctx, n, {});
  if (ctx.isWeight(n.inputs[0])) {
    for (double v : ctx.constInput(n, 0, "the input").values) {
      if (bad(v)) {
        ctx.failNode(n, "the constant input '", n.inputs[0], "' holds ", v, ", outside the domain");
      }
    }
    return keep(std::move(n));
  }
  ctx.warn(n, std::string("has a restricted domain in private inference: ") + outside);
  return keep(std::move(n));
}

double gelu(double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }
double geluTanh(double v) {
  const double k = std::sqrt(2 / std::numbers::pi);
  return 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v)));
}

OpSchema elementwise(std::string type, double (*f)(double)) {
  return {
      .type = std::move(type),
      .normalize = noAttrs,
      .infer = sameShape,
      .evaluate = [f](const Node& n, const Inputs& in) { return one(unary(need(n, in, 0), f)); }};
}

OpSchema restricted(std::string type, double (*f)(double), const char* outside,
                    bool (*bad)(double)) {
  OpSchema s = elementwise(std::move(type), f);
  s.normalize = [outside, bad](ImportContext& ctx, Node n) {
    return normalizeRestricted(ctx, std::move(n), outside, bad);
  };
  return s;
}

// Softmax before opset 13 works on the input coerced to 2-D at `axis` (default 1). Where that
// is the same as one axis (every dimension after `axis` but the last is 1... or axis is last),
// only the axis changes; otherwise Flatten -> Softmax(axis 1) -> Reshape back.
std::vector<Node> rewriteLegacySoftmax(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"axis"});
  if (n.inputs.size() != 1) ctx.failNode(n, "needs one input");
  const auto s = ctx.shapeOf(n.inputs[0]);
  if (!s)
    ctx.failNode(n, "opset ", ctx.opset(), " semantics need the input's rank, which is unknown");
  const int64_t r = static_cast<int64_t>(s->size());
  int64_t axis = n.attrInt("axis", 1);
  if (axis < -r || axis >= r) ctx.failNode(n, "axis ", axis, " is out of range for rank ", r);
  if (axis < 0) axis += r;
  bool single = true;
  for (int64_t i = axis; i + 1 < r; ++i) single = single && (*s)[i] == 1;
  if (single) {
    n.attrs = {{"axis", int64_t{r - 1}}};
    return keep(std::move(n));
  }
  Node flat{n.name + "/flatten",
            "Flatten",
            {n.inputs[0]},
            {ctx.uniqueName(n.name + "/flat")},
            {{"axis", axis}}};
  Node soft{
      n.name, n.op, {flat.outputs[0]}, {ctx.uniqueName(n.name + "/2d")}, {{"axis", int64_t{1}}}};
  Dims back = *s;
  int64_t syms = 0;
  for (auto& d : back) {
    if (isSymbolicDim(d)) {
      d = -1;
      ++syms;
    }
  }
  if (syms > 1) {
    ctx.failNode(n, "opset ", ctx.opset(), " semantics on the symbolic shape ",
                 symbolicDimsStr(*s));
  }
  PlainTensor shape;
  shape.dims = {r};
  for (int64_t d : back) shape.values.push_back(static_cast<double>(d));
  const std::string shape_name = ctx.addWeight(n.name + ".shape", std::move(shape));
  Node reshape{n.name + "/reshape", "Reshape", {soft.outputs[0], shape_name}, {n.outputs[0]}, {}};
  std::vector<Node> out;
  out.push_back(std::move(flat));
  out.push_back(std::move(soft));
  out.push_back(std::move(reshape));
  return out;
}

// Softmax or LogSoftmax: the legacy entry (opsets 1 to 12, rewritten) and the current one.
void addSoftmax(OpRegistry& r, const std::string& type, bool take_log) {
  auto evaluate = [take_log](const Node& n, const Inputs& in) {
    return one(softmax(n, need(n, in, 0), take_log));
  };
  r.add({.type = type,
         .min_opset = 1,
         .max_opset = 12,
         .min_inputs = 0,
         .max_inputs = std::numeric_limits<size_t>::max(),
         .normalize = rewriteLegacySoftmax,
         .infer = sameShape,
         .evaluate = evaluate});
  r.add({.type = type,
         .min_opset = 13,
         .normalize =
             [](ImportContext& ctx, Node n) {
               allowAttrs(ctx, n, {"axis"});
               n.attrs = {{"axis", n.attrInt("axis", -1)}};
               return keep(std::move(n));
             },
         .infer = sameShape,
         .evaluate = evaluate});
}

}  // namespace

void addActivationOps(OpRegistry& r) {
  r.add(elementwise("Relu", [](double v) { return v > 0 ? v : 0.0; }));
  r.add(elementwise("Sigmoid", [](double v) { return 1.0 / (1.0 + std::exp(-v)); }));
  r.add(elementwise("Tanh", [](double v) { return std::tanh(v); }));
  OpSchema erf = elementwise("Erf", [](double v) { return std::erf(v); });
  erf.min_opset = 9;
  r.add(std::move(erf));
  r.add({.type = "Gelu",
         .min_opset = 20,
         .normalize =
             [](ImportContext& ctx, Node n) {
               allowAttrs(ctx, n, {"approximate"});
               const std::string a = n.attrString("approximate", "none");
               if (a != "none" && a != "tanh") {
                 ctx.failNode(n, "attribute 'approximate' is '", a, "' (takes none or tanh)");
               }
               n.attrs = {{"approximate", a}};
               return keep(std::move(n));
             },
         .infer = sameShape,
         .evaluate =
             [](const Node& n, const Inputs& in) {
               const bool tanh_form = n.attrString("approximate", "none") == "tanh";
               return one(unary(need(n, in, 0), tanh_form ? geluTanh : gelu));
             }});
  r.add(restricted(
      "Exp", [](double v) { return std::exp(v); },
      "Exp(x) past ln(2^(63-f)) (32.58 at 16 bits) gives the largest value 2^(63-f) - 2^-f",
      [](double) { return false; }));
  r.add(restricted(
      "Log", [](double v) { return std::log(v); },
      "Log(x <= 0) gives log(2^-f) (-11.09 at 16 bits)", [](double v) { return v <= 0; }));
  r.add(restricted(
      "Reciprocal", [](double v) { return 1.0 / v; }, "Reciprocal(0) gives 0",
      [](double v) { return v == 0; }));
  r.add(restricted(
      "Sqrt", [](double v) { return std::sqrt(v); }, "Sqrt(x < 0) gives 0",
      [](double v) { return v < 0; }));
  addSoftmax(r, "Softmax", false);
  addSoftmax(r, "LogSoftmax", true);
}

}  // namespace sotto::nn::ops
