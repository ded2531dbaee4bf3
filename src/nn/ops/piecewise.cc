// Private plans of the piecewise-linear activations, from relu (compare.h, 4 rounds) and public
// products (one truncation round each); rounds as measured under the TTP dealer:
//   LeakyRelu:   t = a·x; t + relu(x - t) (a <= 1) or x - relu(x - t)    5 rounds
//   Clip:        lo + relu(x - lo) - relu(x - hi), both relus at once      4 rounds
//   HardSigmoid: Clip(a·x + b, 0, 1)                                       5 rounds
//   HardSwish:   x · HardSigmoid(x; 1/6, 1/2), product then truncation    7 rounds
#include <limits>
#include <optional>

#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "sotto/mpc/compare.h"
#include "sotto/tensor/fixed_point.h"

namespace sotto::nn::ops {
namespace {

using Acts = const std::vector<std::string>&;

ArithTensor plusConst(const ArithTensor& x, double c) {
  return x.addPublic(RingTensor::full(x.shape(), encode(c, x.fracBits())));
}

std::optional<double> bound(const Node& n, const char* key) {
  if (!n.attrs.count(key)) return std::nullopt;
  return n.attrFloat(key, 0.0);
}

// clip(x, lo, hi) = lo + relu(x - lo) - relu(x - hi) for lo <= hi: both relus in one call
// (stacked), 4 rounds; with one bound, lo + relu(x - lo) or hi - relu(hi - x).
ArithTensor clip(const ArithTensor& x, std::optional<double> lo, std::optional<double> hi) {
  if (lo && hi) {
    std::vector<int64_t> one = x.shape().dims();
    one.insert(one.begin(), 1);
    const ArithTensor both =
        relu(concat({plusConst(x, -*lo).reshape(one), plusConst(x, -*hi).reshape(one)}, 0));
    return plusConst(both.slice(0, 0, 1) - both.slice(0, 1, 2), *lo).reshape(x.shape().dims());
  }
  if (lo) return plusConst(relu(plusConst(x, -*lo)), *lo);
  if (hi) return plusConst(-relu(plusConst(-x, *hi)), *hi);
  return x;
}

ArithTensor hardSigmoid(const ArithTensor& x, double alpha, double beta) {
  return clip(plusConst(x.mulPublic(alpha), beta), 0.0, 1.0);
}

StepPlan planLeakyRelu(PlanContext&, const Node& n, Acts acts, Acts) {
  const double a = n.attrFloat("alpha", 0.01);
  // max(x, a·x) for a <= 1, min(x, a·x) above: one truncation, then one comparison.
  return oneOutput(acts, [a](In in) {
    const ArithTensor& x = *in[0];
    const ArithTensor t = x.mulPublic(a);
    return a <= 1 ? t + relu(x - t) : x - relu(x - t);
  });
}

StepPlan planClip(PlanContext&, const Node& n, Acts acts, Acts) {
  const auto lo = bound(n, "min"), hi = bound(n, "max");
  return oneOutput(acts, [lo, hi](In in) { return clip(*in[0], lo, hi); });
}

StepPlan planHardSigmoid(PlanContext&, const Node& n, Acts acts, Acts) {
  const double a = n.attrFloat("alpha", 0.2), b = n.attrFloat("beta", 0.5);
  return oneOutput(acts, [a, b](In in) { return hardSigmoid(*in[0], a, b); });
}

StepPlan planHardSwish(PlanContext&, const Node&, Acts acts, Acts) {
  return oneOutput(acts, [](In in) { return in[0]->mul(hardSigmoid(*in[0], 1.0 / 6, 0.5)); });
}

}  // namespace

void addPiecewisePlans(PlanRegistry& r) {
  r.add({.type = "LeakyRelu", .plan = planLeakyRelu});
  r.add({.type = "Clip", .plan = planClip});
  r.add({.type = "HardSigmoid", .plan = planHardSigmoid});
  r.add({.type = "HardSwish", .plan = planHardSwish});
}

}  // namespace sotto::nn::ops
