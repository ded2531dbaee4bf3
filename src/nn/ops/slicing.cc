// Private plans of the slicing family: Concat, Split, Slice and Pad. Each is local (0 rounds; a
// Concat's constant input is shared once at load, 1 round): shares are cut and joined as the
// plaintext is; Pad's reflect and edge modes join one-wide slices of the input, and a non-zero
// constant is added by party 0 on the padded positions (still local).
#include <algorithm>
#include <limits>

#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "sotto/error.h"
#include "sotto/tensor/fixed_point.h"

namespace sotto::nn::ops {
namespace {

using Acts = const std::vector<std::string>&;

// Constant inputs (the owner's weights) are shared once at load (1 round each) and joined with
// the computed ones in the node's input order.
StepPlan planConcat(PlanContext& ctx, const Node& n, Acts acts, Acts) {
  const int64_t axis = n.attrInt("axis", 0);
  std::vector<const ArithTensor*> fixed;  // per node input: a shared weight, or nullptr
  for (const std::string& in : n.inputs) {
    const bool w = ctx.architecture().isWeight(in);
    fixed.push_back(w ? ctx.shareWeight(ctx.ownerValues(in), ctx.weight(in).dims) : nullptr);
  }
  return oneOutput(acts, [axis, fixed, n](In in) {
    std::vector<ArithTensor> parts;
    size_t next = 0;
    for (const ArithTensor* f : fixed) parts.push_back(f ? *f : *in.at(next++));
    return concat(parts, normAxis(axis, parts[0].shape().rank(), n));
  });
}

StepPlan planSplit(PlanContext&, const Node& n, Acts acts, Acts) {
  const int64_t axis = n.attrInt("axis", 0);
  const std::vector<int64_t> split = n.attrInts("split", {});
  const int64_t parts = static_cast<int64_t>(n.outputs.size());
  return {acts, [axis, split, parts, n](In in) {
            const int64_t a = normAxis(axis, in[0]->shape().rank(), n);
            const int64_t len = in[0]->shape().dim(a), part = (len + parts - 1) / parts;
            std::vector<ArithTensor> out;
            int64_t start = 0;
            for (int64_t i = 0; i < parts; ++i) {
              const int64_t size = split.empty() ? std::clamp<int64_t>(len - i * part, 0, part)
                                                 : split[static_cast<size_t>(i)];
              SOTTO_ENFORCE(start + size <= len, nodeLabel(n), ": split past a dimension of ", len);
              out.push_back(in[0]->slice(a, start, start + size));
              start += size;
            }
            return out;
          }};
}

// Positive steps: one strided slice per axis. Negative steps: the one-wide slices from start
// down to end, joined (the specification's bounds were resolved at import).
StepPlan planSlice(PlanContext&, const Node& n, Acts acts, Acts) {
  const auto starts = n.attrInts("starts", {}), ends = n.attrInts("ends", {}),
             axes = n.attrInts("axes", {}), steps = n.attrInts("steps", {});
  SOTTO_ENFORCE(
      starts.size() == axes.size() && ends.size() == axes.size() && steps.size() == axes.size(),
      nodeLabel(n), ": starts, ends, axes and steps of different lengths");
  return oneOutput(acts, [starts, ends, axes, steps, n](In in) {
    ArithTensor y = *in[0];
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = normAxis(axes[i], y.shape().rank(), n), len = y.shape().dim(a);
      SOTTO_ENFORCE(steps[i] != 0, nodeLabel(n), ": a step of 0");
      if (steps[i] > 0) {
        y = y.slice(a, std::min(starts[i], len), std::min(ends[i], len), steps[i]);
        continue;
      }
      std::vector<ArithTensor> parts;
      for (int64_t k = std::min(starts[i], len - 1); k > std::max<int64_t>(ends[i], -1);
           k += steps[i])
        parts.push_back(y.slice(a, k, k + 1));
      SOTTO_ENFORCE(!parts.empty(), nodeLabel(n), ": an empty slice of axis ", a);
      y = parts.size() == 1 ? parts[0] : concat(parts, a);
    }
    return y;
  });
}

// One axis of a reflect or edge pad: the input's one-wide slices around it, joined.
ArithTensor padAxis(const ArithTensor& x, int64_t axis, int64_t before, int64_t after,
                    bool reflect) {
  const int64_t len = x.shape().dim(axis);
  std::vector<ArithTensor> parts;
  auto at = [&](int64_t i) { parts.push_back(x.slice(axis, i, i + 1)); };
  for (int64_t i = before; i > 0; --i) at(reflect ? i : 0);
  parts.push_back(x);
  for (int64_t i = 1; i <= after; ++i) at(reflect ? len - 1 - i : len - 1);
  return parts.size() == 1 ? x : concat(parts, axis);
}

StepPlan planPad(PlanContext&, const Node& n, Acts acts, Acts) {
  const auto pads = n.attrInts("pads", {});
  const std::string mode = n.attrString("mode", "constant");
  const double value = n.attrFloat("value", 0.0);
  return oneOutput(acts, [pads, mode, value, n](In in) {
    ArithTensor y = *in[0];
    const size_t r = static_cast<size_t>(y.shape().rank());
    SOTTO_ENFORCE(pads.size() == 2 * r, nodeLabel(n), ": pads for rank ", pads.size() / 2,
                  " on an input of rank ", r);
    // Negative pads crop first.
    for (size_t k = 0; k < r; ++k) {
      const int64_t len = y.shape().dim(static_cast<int64_t>(k));
      const int64_t lo = std::max<int64_t>(0, -pads[k]),
                    hi = len - std::max<int64_t>(0, -pads[k + r]);
      SOTTO_ENFORCE(lo <= hi, nodeLabel(n), ": pads remove more than axis ", k, "'s ", len);
      if (lo > 0 || hi < len) y = y.slice(static_cast<int64_t>(k), lo, hi);
    }
    std::vector<std::pair<int64_t, int64_t>> grow;
    for (size_t k = 0; k < r; ++k)
      grow.push_back({std::max<int64_t>(0, pads[k]), std::max<int64_t>(0, pads[k + r])});
    if (mode != "constant") {
      for (size_t k = 0; k < r; ++k)
        y = padAxis(y, static_cast<int64_t>(k), grow[k].first, grow[k].second, mode == "reflect");
      return y;
    }
    const RingTensor inner = RingTensor::full(y.shape(), encode(-value, y.fracBits()));
    y = y.pad(grow);
    if (value == 0) return y;
    // value everywhere, minus value inside: value on the padded positions only.
    return y.addPublic(RingTensor::full(y.shape(), encode(value, y.fracBits())) + inner.pad(grow));
  });
}

}  // namespace

void addSlicingPlans(PlanRegistry& r) {
  r.add({.type = "Concat", .plan = planConcat});
  r.add({.type = "Split", .plan = planSplit});
  r.add({.type = "Slice", .plan = planSlice});
  r.add({.type = "Pad", .plan = planPad});
}

}  // namespace sotto::nn::ops
