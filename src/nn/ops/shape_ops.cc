// Private plans of the shape family: Flatten, Reshape, Transpose, Squeeze, Unsqueeze. Local
// (0 rounds): shares are rearranged as the plaintext would be. Their shape inputs (a Reshape
// target, Squeeze/Unsqueeze axes) are structural: every party knows their values.
#include <algorithm>

#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "sotto/error.h"

namespace sotto::nn::ops {
namespace {

using Acts = const std::vector<std::string>&;

StepPlan planFlatten(PlanContext&, const Node& n, Acts acts, Acts) {
  const int64_t axis = n.attrInt("axis", 1);
  return oneOutput(acts, [axis, n](In in) {
    const auto& d = in[0]->shape().dims();
    const int64_t a = axis < 0 ? axis + static_cast<int64_t>(d.size()) : axis;
    SOTTO_ENFORCE(a >= 0 && a <= static_cast<int64_t>(d.size()), nodeLabel(n), ": bad axis");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < static_cast<int64_t>(d.size()); ++i)
      (i < a ? outer : inner) *= d[static_cast<size_t>(i)];
    return in[0]->reshape({outer, inner});
  });
}

StepPlan planReshape(PlanContext& ctx, const Node& n, Acts acts, Acts) {
  SOTTO_ENFORCE(n.inputs.size() == 2 && ctx.architecture().isWeight(n.inputs[1]), nodeLabel(n),
                ": the target shape must be a constant");
  std::vector<int64_t> target;
  for (double v : ctx.weight(n.inputs[1]).values) target.push_back(static_cast<int64_t>(v));
  return oneOutput(acts, [target, n](In in) {
    const auto& d = in[0]->shape().dims();
    std::vector<int64_t> out = target;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == 0) {
        SOTTO_ENFORCE(i < d.size(), nodeLabel(n), ": 0 refers to a missing input dim");
        out[i] = d[i];
      }
      if (out[i] == -1) {
        SOTTO_ENFORCE(infer < 0, nodeLabel(n), ": more than one -1 in the target shape");
        infer = static_cast<int64_t>(i);
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) {
      SOTTO_ENFORCE(known > 0 && in[0]->numel() % known == 0, nodeLabel(n), ": cannot reshape ",
                    in[0]->shape().toString(), " with a -1");
      out[static_cast<size_t>(infer)] = in[0]->numel() / known;
    }
    return in[0]->reshape(out);
  });
}

StepPlan planTranspose(PlanContext&, const Node& n, Acts acts, Acts) {
  const auto perm = n.attrInts("perm", {});
  return oneOutput(acts, [perm](In in) {
    std::vector<int64_t> p = perm;
    if (p.empty())
      for (int64_t i = in[0]->shape().rank() - 1; i >= 0; --i) p.push_back(i);
    return in[0]->transpose(p);
  });
}

StepPlan planAxes(PlanContext& ctx, const Node& n, Acts acts, bool squeeze) {
  std::vector<int64_t> axes = n.attrInts("axes", {});
  if (n.inputs.size() >= 2 && ctx.architecture().isWeight(n.inputs[1])) {
    for (double v : ctx.weight(n.inputs[1]).values) axes.push_back(static_cast<int64_t>(v));
  }
  return oneOutput(acts, [axes, squeeze, n](In in) {
    std::vector<int64_t> d = in[0]->shape().dims();
    if (squeeze) {
      const int64_t r = static_cast<int64_t>(d.size());
      std::vector<bool> drop(d.size(), false);
      for (int64_t a : axes) drop[static_cast<size_t>(normAxis(a, r, n))] = true;
      std::vector<int64_t> out;
      for (size_t i = 0; i < d.size(); ++i) {
        if (axes.empty() ? d[i] == 1 : drop[i]) {
          SOTTO_ENFORCE(d[i] == 1, nodeLabel(n), ": cannot squeeze a dim of size ", d[i]);
        } else {
          out.push_back(d[i]);
        }
      }
      return in[0]->reshape(out);
    }
    const int64_t r = static_cast<int64_t>(d.size() + axes.size());
    std::vector<int64_t> sorted;
    for (int64_t a : axes) sorted.push_back(normAxis(a, r, n));
    std::sort(sorted.begin(), sorted.end());
    for (int64_t a : sorted) d.insert(d.begin() + a, 1);
    return in[0]->reshape(d);
  });
}

// Gather by constant indices (normalised to attributes): the selected slices side by side.
StepPlan planGather(PlanContext&, const Node& n, Acts acts, Acts) {
  const int64_t axis = n.attrInt("axis", 0);
  const std::vector<int64_t> indices = n.attrInts("indices", {});
  const bool scalar = n.attrInt("scalar_index", 0) != 0;
  SOTTO_ENFORCE(!indices.empty(), nodeLabel(n), ": no indices");
  return oneOutput(acts, [axis, indices, scalar, n](In in) {
    const auto& d = in[0]->shape().dims();
    const int64_t a = normAxis(axis, static_cast<int64_t>(d.size()), n);
    std::vector<ArithTensor> parts;
    for (int64_t i : indices) {
      const int64_t k = i < 0 ? i + d[a] : i;
      SOTTO_ENFORCE(k >= 0 && k < d[a], nodeLabel(n), ": index ", i, " outside a dimension of ",
                    d[a]);
      parts.push_back(in[0]->slice(a, k, k + 1));
    }
    ArithTensor y = parts.size() == 1 ? parts[0] : concat(parts, a);
    if (!scalar) return y;
    std::vector<int64_t> out = d;
    out.erase(out.begin() + a);
    return y.reshape(out);
  });
}

}  // namespace

void addShapePlans(PlanRegistry& r) {
  r.add({.type = "Gather", .plan = planGather});
  r.add({.type = "Flatten", .plan = planFlatten});
  r.add({.type = "Reshape", .structural_inputs = {1}, .plan = planReshape});
  r.add({.type = "Transpose", .plan = planTranspose});
  r.add({.type = "Squeeze",
         .structural_inputs = {1},
         .plan = [](PlanContext& ctx, const Node& n, Acts acts, Acts) {
           return planAxes(ctx, n, acts, true);
         }});
  r.add({.type = "Unsqueeze",
         .structural_inputs = {1},
         .plan = [](PlanContext& ctx, const Node& n, Acts acts, Acts) {
           return planAxes(ctx, n, acts, false);
         }});
}

}  // namespace sotto::nn::ops
