// Private plans of the recurrent family: GRU and LSTM (private_recurrent.h). The model owner's
// W, R, B and initial states are loaded once; each step costs one product with R, one table
// sigmoid, one table tanh and two elementwise products (12 rounds with dealer truncation).
#include <memory>

#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "private_recurrent.h"
#include "sotto/error.h"

namespace sotto::nn::ops {
namespace {

StepPlan planRecurrent(PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                       const std::vector<std::string>&) {
  SOTTO_ENFORCE(acts.size() == 1 && n.inputs.size() >= 3 && acts[0] == n.inputs[0], nodeLabel(n),
                ": X must be the only activation input (W, R, B and the initial states model "
                "weights)");
  const Graph& g = ctx.architecture();
  auto input = [&](size_t i) -> const std::string* {
    return i < n.inputs.size() && !n.inputs[i].empty() ? &n.inputs[i] : nullptr;
  };
  // The spec from the weights' shapes; X's sequence length is read at run time (0 here), its
  // batch is that of the initial states if any.
  const auto& wd = ctx.weight(n.inputs[1]).dims;
  SOTTO_ENFORCE(wd.size() == 3, nodeLabel(n), ": W must be 3-D");
  int64_t batch = 0;
  const bool batch_first = n.attrInt("layout", 0) == 1;
  if (const std::string* h0 = input(5)) {
    const auto& hd = ctx.weight(*h0).dims;
    SOTTO_ENFORCE(hd.size() == 3, nodeLabel(n), ": initial_h must be 3-D");
    batch = batch_first ? hd[0] : hd[1];
  }
  const std::vector<int64_t> x_dims =
      batch_first ? std::vector<int64_t>{batch, 0, wd[2]} : std::vector<int64_t>{0, batch, wd[2]};
  std::vector<const std::vector<int64_t>*> dims{&x_dims};
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    const std::string* v = input(i);
    SOTTO_ENFORCE(v == nullptr || g.isWeight(*v), nodeLabel(n), ": input ", i,
                  " must be a model weight");
    dims.push_back(v ? &ctx.weight(*v).dims : nullptr);
  }
  const PlainTensor* lens = input(4) ? &ctx.weight(*input(4)) : nullptr;
  const RecurrentSpec spec = recurrentSpec(n, dims, lens);
  RecurrentWeights w;
  auto values = [&](size_t i) {
    return input(i) ? ctx.ownerValues(*input(i)) : std::span<const double>{};
  };
  w.w = values(1);
  w.r = values(2);
  w.b = values(3);
  w.initial_h = values(5);
  w.initial_c = values(6);
  auto rnn =
      std::make_shared<const PrivateRecurrent>(ctx.party(), ctx.owner(), spec, w, ctx.math());
  const size_t outputs = n.outputs.size();
  return {acts, [rnn, outputs](In in) { return rnn->run(*in[0], outputs); }};
}

}  // namespace

void addRecurrentPlans(PlanRegistry& r) {
  r.add({.type = "GRU", .structural_inputs = {4}, .plan = planRecurrent});
  r.add({.type = "LSTM", .structural_inputs = {4}, .plan = planRecurrent});
}

}  // namespace sotto::nn::ops
