// Private plans of the elementwise family. Add, Sub, Neg: local (0 rounds). Mul of two
// activations, and Mul or Div by a weight (shared once at load): Beaver, 1 round + truncation.
// x*x: one Beaver square.
#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "sotto/error.h"

namespace sotto::nn::ops {
namespace {

enum class Arith { kAdd, kSub, kMul, kDiv };

// One operand a weight: shared once by the owner (Div: its reciprocal).
StepPlan planWithWeight(PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                        const std::string& w_name, Arith op) {
  const bool weight_first = ctx.architecture().isWeight(n.inputs[0]);
  SOTTO_ENFORCE(!(op == Arith::kDiv && weight_first), nodeLabel(n),
                ": dividing by an activation is not supported (use Reciprocal)");
  std::vector<double> v;
  if (ctx.isOwner()) {
    const auto values = ctx.ownerValues(w_name);
    v.assign(values.begin(), values.end());
    if (op == Arith::kDiv) {
      for (auto& d : v) {
        SOTTO_ENFORCE(d != 0, nodeLabel(n), ": division by a zero weight");
        d = 1.0 / d;
      }
    }
  }
  const ArithTensor* w = ctx.shareWeight(v, ctx.weight(w_name).dims);
  switch (op) {
    case Arith::kAdd:
      return oneOutput(acts, [w](In in) { return *in[0] + *w; });
    case Arith::kSub:
      return oneOutput(
          acts, [w, weight_first](In in) { return weight_first ? *w - *in[0] : *in[0] - *w; });
    default:
      return oneOutput(acts, [w](In in) { return in[0]->mul(*w); });
  }
}

StepPlan planActivations(const Node& n, const std::vector<std::string>& acts, Arith op) {
  SOTTO_ENFORCE(op != Arith::kDiv, nodeLabel(n), ": dividing two activations is not supported");
  if (op == Arith::kAdd) return oneOutput(acts, [](In in) { return *in[0] + *in[1]; });
  if (op == Arith::kSub) return oneOutput(acts, [](In in) { return *in[0] - *in[1]; });
  if (n.inputs[0] == n.inputs[1]) {
    return oneOutput({n.inputs[0]}, [](In in) { return in[0]->square(); });
  }
  return oneOutput(acts, [](In in) { return in[0]->mul(*in[1]); });
}

OpPlan binaryPlan(std::string type, Arith op) {
  return {.type = std::move(type),
          .plan = [op](PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                       const std::vector<std::string>& ws) {
            SOTTO_ENFORCE(n.inputs.size() == 2, nodeLabel(n), ": needs two inputs");
            if (ws.size() == 1) return planWithWeight(ctx, n, acts, ws[0], op);
            return planActivations(n, acts, op);
          }};
}

}  // namespace

void addElementwisePlans(PlanRegistry& r) {
  r.add(binaryPlan("Add", Arith::kAdd));
  r.add(binaryPlan("Sub", Arith::kSub));
  r.add(binaryPlan("Mul", Arith::kMul));
  r.add(binaryPlan("Div", Arith::kDiv));
  r.add({.type = "Neg",
         .plan = [](PlanContext&, const Node&, const std::vector<std::string>& acts,
                    const std::vector<std::string>&) {
           return oneOutput(acts, [](In in) { return -*in[0]; });
         }});
}

}  // namespace sotto::nn::ops
