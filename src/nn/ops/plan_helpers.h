#pragma once
// Helpers shared by the private plans of the op families (src/nn/ops/*.cc).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sotto/nn/plan_registry.h"

namespace sotto::nn::ops {

using In = const std::vector<const ArithTensor*>&;

// "node '<name>' (<op>)".
std::string nodeLabel(const Node& n);
// An axis in [-rank, rank) made non-negative. @throws InvalidArgument naming the node.
int64_t normAxis(int64_t axis, int64_t rank, const Node& n);
// [t, l, t, l] -> {t, l}; empty -> {0, 0}. @throws InvalidArgument if not symmetric 2-D.
std::array<int64_t, 2> symmetricPads(const Node& n, const std::vector<int64_t>& pads);
// Two entries (2-D), or {fallback, fallback} if empty.
std::array<int64_t, 2> pair2(const Node& n, const std::vector<int64_t>& v, const char* what,
                             int64_t fallback);
// dims of a weight broadcast against a rank-r activation, as a bias or scale [1, C, 1, 1].
std::vector<int64_t> channelDims(int64_t channels, int64_t rank);

// A step of one output computed by f from the node's activation inputs.
template <typename F>
StepPlan oneOutput(std::vector<std::string> inputs, F f) {
  return {std::move(inputs), [f](In in) {
            std::vector<ArithTensor> out;
            out.push_back(f(in));
            return out;
          }};
}

}  // namespace sotto::nn::ops
