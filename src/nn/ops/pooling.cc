// Private plans of the pooling family. MaxPool: 4·ceil(log2(kh·kw)) rounds (compare.h); with the
// ReLU after it (the executor's fusion): maxPool2dRelu.
// AveragePool, GlobalAveragePool: one public product + truncation: a shift for a power-of-two
// count, else dealer-assisted (1 round).
#include "ops/families.h"
#include "ops/plan_helpers.h"
#include "sotto/error.h"
#include "sotto/mpc/compare.h"

namespace sotto::nn::ops {
namespace {

enum class Pool { kMax, kMaxRelu, kAverage };

StepPlan planWindowPool(const Node& n, const std::vector<std::string>& acts, Pool pool,
                        int truncate_bits = 0) {
  const auto kernel = pair2(n, n.attrInts("kernel_shape", {}), "kernel_shape", 0);
  SOTTO_ENFORCE(kernel[0] > 0 && kernel[1] > 0, nodeLabel(n), ": kernel_shape is required");
  const auto stride = pair2(n, n.attrInts("strides", {}), "strides", 1);
  const auto pads = symmetricPads(n, n.attrInts("pads", {}));
  SOTTO_ENFORCE(n.attrInt("ceil_mode", 0) == 0, nodeLabel(n), ": ceil_mode=1 is not supported");
  if (pool != Pool::kAverage) {
    const bool with_relu = pool == Pool::kMaxRelu;
    return oneOutput(acts, [kernel, stride, pads, with_relu, truncate_bits](In in) {
      return with_relu ? maxPool2dRelu(*in[0], kernel, stride, pads, truncate_bits)
                       : maxPool2d(*in[0], kernel, stride, pads);
    });
  }
  const bool include_pad = n.attrInt("count_include_pad", 0) != 0;
  return oneOutput(acts, [kernel, stride, pads, include_pad](In in) {
    return avgPool2d(*in[0], kernel, stride, pads, include_pad);
  });
}

OpPlan windowPlan(std::string type, Pool pool) {
  return {
      .type = std::move(type),
      .plan = [pool](PlanContext&, const Node& n, const std::vector<std::string>& acts,
                     const std::vector<std::string>&) { return planWindowPool(n, acts, pool); }};
}

}  // namespace

StepPlan planMaxPoolRelu(const Node& n, const std::vector<std::string>& acts, int truncate_bits) {
  return planWindowPool(n, acts, Pool::kMaxRelu, truncate_bits);
}

void addPoolingPlans(PlanRegistry& r) {
  r.add(windowPlan("MaxPool", Pool::kMax));
  r.add(windowPlan("AveragePool", Pool::kAverage));
  r.add({.type = "GlobalAveragePool",
         .plan = [](PlanContext&, const Node&, const std::vector<std::string>& acts,
                    const std::vector<std::string>&) {
           return oneOutput(acts, [](In in) {
             const auto& d = in[0]->shape().dims();
             SOTTO_ENFORCE(d.size() == 4, "GlobalAveragePool needs [N, C, H, W], got ",
                           in[0]->shape().toString());
             return in[0]
                 ->reshape({d[0], d[1], d[2] * d[3]})
                 .sum(2)
                 .divPublicCount(d[2] * d[3])
                 .reshape({d[0], d[1], 1, 1});
           });
         }});
}

}  // namespace sotto::nn::ops
