// Private plans of the activation family. Relu: 4 rounds (compare.h). Sigmoid, Tanh, Erf, Gelu,
// Exp, Log, Reciprocal, Sqrt, Softmax, LogSoftmax: the math functions (sotto/math/functions.h), by
// the model's MathMethod (the table method by default).
#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "sotto/mpc/compare.h"

namespace sotto::nn::ops {
namespace {

using MathFn = ArithTensor (*)(const ArithTensor&, MathMethod);

OpPlan mathPlan(std::string type, MathFn fn) {
  return {.type = std::move(type),
          .plan = [fn](PlanContext& ctx, const Node&, const std::vector<std::string>& acts,
                       const std::vector<std::string>&) {
            const MathMethod mm = ctx.math();
            return oneOutput(acts, [fn, mm](In in) { return fn(*in[0], mm); });
          }};
}

// Softmax / LogSoftmax along one axis; before opset 13 the input is coerced to 2-D at `axis`
// (default 1) and normalised over the inner part.
StepPlan planSoftmax(PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                     bool log_sm) {
  const bool legacy = ctx.architecture().opset < 13;
  const int64_t axis = n.attrInt("axis", legacy ? 1 : -1);
  const MathMethod mm = ctx.math();
  return oneOutput(acts, [axis, legacy, log_sm, mm, n](In in) {
    const auto& d = in[0]->shape().dims();
    const int64_t a = normAxis(axis, static_cast<int64_t>(d.size()), n);
    auto f = [&](const ArithTensor& x, int64_t dim) {
      return log_sm ? logSoftmax(x, dim, mm) : softmax(x, dim, mm);
    };
    if (!legacy || a == static_cast<int64_t>(d.size()) - 1) return f(*in[0], a);
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < static_cast<int64_t>(d.size()); ++i)
      (i < a ? outer : inner) *= d[static_cast<size_t>(i)];
    return f(in[0]->reshape({outer, inner}), 1).reshape(d);
  });
}

OpPlan softmaxPlan(std::string type, bool log_sm) {
  return {.type = std::move(type),
          .plan = [log_sm](PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                           const std::vector<std::string>&) {
            return planSoftmax(ctx, n, acts, log_sm);
          }};
}

}  // namespace

void addActivationPlans(PlanRegistry& r) {
  r.add({.type = "Relu",
         .plan = [](PlanContext&, const Node&, const std::vector<std::string>& acts,
                    const std::vector<std::string>&) {
           return oneOutput(acts, [](In in) { return relu(*in[0]); });
         }});
  r.add(mathPlan("Sigmoid", &sotto::sigmoid));
  r.add(mathPlan("Tanh", &sotto::tanh));
  r.add(mathPlan("Erf", &sotto::erf));
  r.add({.type = "Gelu",
         .plan = [](PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                    const std::vector<std::string>&) {
           const auto a = n.attrString("approximate", "none") == "tanh" ? GeluApproximation::kTanh
                                                                        : GeluApproximation::kNone;
           const MathMethod mm = ctx.math();
           return oneOutput(acts, [a, mm](In in) { return gelu(*in[0], a, mm); });
         }});
  r.add(mathPlan("Exp", &sotto::exp));
  r.add(mathPlan("Log", &sotto::log));
  r.add(mathPlan("Reciprocal", &sotto::reciprocal));
  r.add(mathPlan("Sqrt", &sotto::sqrt));
  r.add(softmaxPlan("Softmax", false));
  r.add(softmaxPlan("LogSoftmax", true));
}

}  // namespace sotto::nn::ops
