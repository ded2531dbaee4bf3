#include "ops/plan_helpers.h"

#include <algorithm>

#include "sotto/error.h"

namespace sotto::nn::ops {

std::string nodeLabel(const Node& n) { return "node '" + n.name + "' (" + n.op + ")"; }

int64_t normAxis(int64_t axis, int64_t rank, const Node& n) {
  SOTTO_ENFORCE(axis >= -rank && axis < rank, nodeLabel(n), ": axis ", axis,
                " is outside a tensor of rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

std::array<int64_t, 2> symmetricPads(const Node& n, const std::vector<int64_t>& pads) {
  if (pads.empty()) return {0, 0};
  SOTTO_ENFORCE(pads.size() == 4 && pads[0] == pads[2] && pads[1] == pads[3], nodeLabel(n),
                ": only symmetric 2-D pads [t, l, t, l] are supported");
  return {pads[0], pads[1]};
}

std::array<int64_t, 2> pair2(const Node& n, const std::vector<int64_t>& v, const char* what,
                             int64_t fallback) {
  if (v.empty()) return {fallback, fallback};
  SOTTO_ENFORCE(v.size() == 2, nodeLabel(n), ": ", what, " must have 2 entries (2-D only)");
  return {v[0], v[1]};
}

std::vector<int64_t> channelDims(int64_t channels, int64_t rank) {
  std::vector<int64_t> d(static_cast<size_t>(std::max<int64_t>(rank, 2)), 1);
  d[1] = channels;
  return d;
}

}  // namespace sotto::nn::ops
