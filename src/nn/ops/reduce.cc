// Private plans of ReduceSum (local, 0 rounds) and ReduceMean (the local sum, then one division
// by the public count: 1 truncation round, exact shift when the count is a power of two).
#include "ops/families.h"
#include "ops/plan_helpers.h"

namespace sotto::nn::ops {
namespace {

using Acts = const std::vector<std::string>&;

OpPlan reducePlan(std::string type, bool mean) {
  return {.type = std::move(type), .plan = [mean](PlanContext&, const Node& n, Acts acts, Acts) {
            const auto axes = n.attrInts("axes", {});
            const bool keep = n.attrInt("keepdims", 1) != 0;
            return oneOutput(acts, [axes, keep, mean, n](In in) {
              ArithTensor y = *in[0];
              const int64_t r = y.shape().rank();
              int64_t count = 1;
              std::vector<int64_t> out;
              for (int64_t k = 0; k < r; ++k) {
                bool reduced = false;
                for (int64_t a : axes) reduced = reduced || normAxis(a, r, n) == k;
                if (reduced) {
                  count *= y.shape().dim(k);
                  y = y.sum(k, true);
                  if (keep) out.push_back(1);
                } else {
                  out.push_back(y.shape().dim(k));
                }
              }
              if (mean && count > 1) y = y.divPublicCount(count);
              return y.reshape(out);
            });
          }};
}

}  // namespace

void addReducePlans(PlanRegistry& r) {
  r.add(reducePlan("ReduceSum", false));
  r.add(reducePlan("ReduceMean", true));
}

}  // namespace sotto::nn::ops
