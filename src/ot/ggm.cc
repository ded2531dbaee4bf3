#include "ggm.h"

#include "sotto/error.h"

namespace sotto::ot::detail {
namespace {

// Level i + 1 (2·n nodes) from level i (its first n nodes), in place: children written from the
// last parent down so that no parent is overwritten before it is read.
void grow(CrHash& hash, std::vector<Block>& nodes, size_t n) {
  std::vector<Block> parents(nodes.begin(), nodes.begin() + static_cast<std::ptrdiff_t>(n));
  std::vector<Block> left(n), right(n);
  const std::vector<Block> tl(n, Block{0, kGgmDomain}), tr(n, Block{0, kGgmDomain - 1});
  hash.hash(parents, tl, left);
  hash.hash(parents, tr, right);
  for (size_t k = 0; k < n; ++k) {
    nodes[2 * k] = left[k];
    nodes[2 * k + 1] = right[k];
  }
}

}  // namespace

void ggmExpand(CrHash& hash, Block seed, int depth, std::vector<Block>& leaves,
               std::vector<std::array<Block, 2>>& sums) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "GGM tree: depth ", depth, " not in [1, 24]");
  leaves.assign(size_t{1} << depth, Block{});
  sums.assign(static_cast<size_t>(depth), {});
  leaves[0] = seed;
  for (int i = 1; i <= depth; ++i) {
    const size_t n = size_t{1} << (i - 1);
    grow(hash, leaves, n);
    for (size_t k = 0; k < 2 * n; ++k) sums[i - 1][k & 1] ^= leaves[k];
  }
}

void ggmPuncture(CrHash& hash, uint64_t alpha, int depth, std::span<const Block> known,
                 std::vector<Block>& leaves) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "GGM tree: depth ", depth, " not in [1, 24]");
  SOTTO_ENFORCE(alpha < (uint64_t{1} << depth), "GGM tree: point ", alpha, " not below 2^", depth);
  SOTTO_ENFORCE(known.size() == static_cast<size_t>(depth), "GGM tree: ", known.size(),
                " level sums for depth ", depth);
  leaves.assign(size_t{1} << depth, Block{});
  for (int i = 1; i <= depth; ++i) {
    const size_t n = size_t{1} << (i - 1);
    if (i > 1) grow(hash, leaves, n);  // level i; the path node's children are garbage for now
    const uint64_t path = alpha >> (depth - i), sibling = path ^ 1;
    // sibling = K^i of its side ⊕ every other node of that side (all children of known parents)
    Block v = known[i - 1];
    for (size_t k = sibling & 1; k < 2 * n; k += 2) {
      if (k != sibling) v ^= leaves[k];
    }
    leaves[sibling] = v;
    leaves[path] = Block{};
  }
}

}  // namespace sotto::ot::detail
