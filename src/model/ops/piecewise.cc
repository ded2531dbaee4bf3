// The piecewise-linear activations: LeakyRelu, Clip (ReLU6), HardSigmoid, HardSwish. Normalised
// to float attributes (Clip's bounds are attributes before opset 11 and constant inputs since;
// an absent bound is an absent attribute).
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double hardSigmoid(double v, double alpha, double beta) {
  return std::clamp(alpha * v + beta, 0.0, 1.0);
}

// Keeps the float attributes in `keys` with their defaults written out.
std::vector<Node> floatAttrs(ImportContext& ctx, Node n,
                             std::initializer_list<std::pair<const char*, double>> keys) {
  for (const auto& [key, value] : n.attrs) {
    bool known = false;
    for (const auto& k : keys) known = known || key == k.first;
    if (!known) {
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + std::string(k.first);
      ctx.failNode(n, "attribute '", key, "' is not supported (", n.op, " takes ", list, ")");
    }
  }
  std::map<std::string, AttrValue> attrs;
  for (const auto& [key, fallback] : keys) attrs[key] = n.attrFloat(key, fallback);
  n.attrs = std::move(attrs);
  return keep(std::move(n));
}

// Clip: bounds from attributes (opset < 11) or constant inputs 1 and 2 (either may be absent).
std::vector<Node> normalizeClip(ImportContext& ctx, Node n) {
  attributesBefore(ctx, n, 11, "min and max");
  if (ctx.opset() < 11) {
    allowAttrs(ctx, n, {"min", "max"});
  } else {
    allowAttrs(ctx, n, {});
    const char* what[] = {"", "the min input", "the max input"};
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      if (n.inputs[i].empty()) continue;
      const PlainTensor& b = ctx.constInput(n, i, what[i]);
      if (b.values.size() != 1) ctx.failNode(n, what[i], " must be a scalar");
      n.attrs[i == 1 ? "min" : "max"] = b.values[0];
    }
  }
  n.inputs.resize(1);
  if (n.attrFloat("min", -kInf) > n.attrFloat("max", kInf)) {
    ctx.failNode(n, "min ", n.attrFloat("min", -kInf), " exceeds max ", n.attrFloat("max", kInf));
  }
  return keep(std::move(n));
}

OpSchema pointwise(std::string type, std::function<std::vector<Node>(ImportContext&, Node)> norm,
                   double (*f)(const Node&, double)) {
  return {.type = std::move(type),
          .normalize = std::move(norm),
          .infer = sameShape,
          .evaluate = [f](const Node& n, const Inputs& in) {
            return one(unary(need(n, in, 0), [&n, f](double v) { return f(n, v); }));
          }};
}

}  // namespace

void addPiecewiseOps(OpRegistry& r) {
  r.add(pointwise(
      "LeakyRelu",
      [](ImportContext& ctx, Node n) {
        return floatAttrs(ctx, std::move(n), {{"alpha", 0.01}});
      },
      [](const Node& n, double v) { return v >= 0 ? v : n.attrFloat("alpha", 0.01) * v; }));
  OpSchema clip = pointwise("Clip", normalizeClip, [](const Node& n, double v) {
    return std::min(std::max(v, n.attrFloat("min", -kInf)), n.attrFloat("max", kInf));
  });
  clip.max_inputs = 3;
  r.add(std::move(clip));
  r.add(pointwise(
      "HardSigmoid",
      [](ImportContext& ctx, Node n) {
        return floatAttrs(ctx, std::move(n), {{"alpha", 0.2}, {"beta", 0.5}});
      },
      [](const Node& n, double v) {
        return hardSigmoid(v, n.attrFloat("alpha", 0.2), n.attrFloat("beta", 0.5));
      }));
  OpSchema hswish = pointwise(
      "HardSwish", noAttrs, [](const Node&, double v) { return v * hardSigmoid(v, 1.0 / 6, 0.5); });
  hswish.min_opset = 14;
  r.add(std::move(hswish));
}

}  // namespace sotto::nn::ops
