#include "ggm.h"

#include "sotto/error.h"

namespace sotto::ot::detail {
namespace {

void checkDepth(int depth) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "GGM tree: depth ", depth, " not in [1, 24]");
}

// Level i + 1 (2·n nodes) from level i (the first n nodes), in place, with the level's tweak:
// children written from the last parent down, so no parent is overwritten before it is read.
void grow(CrHash& hash, std::span<Block> nodes, std::vector<Block>& h, size_t n, Block tweak) {
  h.resize(n);
  hash.hashFixed(nodes.first(n), tweak, h);
  for (size_t k = n; k-- > 0;) {
    const Block parent = nodes[k];
    nodes[2 * k] = h[k];               // left = H(x, τ)
    nodes[2 * k + 1] = parent ^ h[k];  // right = x ⊕ H(x, τ)
  }
}

Block levelTweak(Block tweak, int level) {
  return Block{tweak.lo + static_cast<uint64_t>(level - 1), tweak.hi};
}

}  // namespace

void ggmExpand(CrHash& hash, Block s, Block delta, int depth, Block tweak, std::span<Block> leaves,
               std::span<Block> left_sums, std::vector<Block>& scratch) {
  checkDepth(depth);
  SOTTO_ENFORCE(
      leaves.size() == size_t{1} << depth && left_sums.size() == static_cast<size_t>(depth),
      "GGM tree: ", leaves.size(), " leaves and ", left_sums.size(), " level sums for depth ",
      depth);
  leaves[0] = s;
  leaves[1] = s ^ delta;
  left_sums[0] = s;
  for (int i = 2; i <= depth; ++i) {
    const size_t n = size_t{1} << (i - 1);  // parents
    grow(hash, leaves, scratch, n, levelTweak(tweak, i - 1));
    Block k0{};
    for (size_t k = 0; k < n; ++k) k0 ^= leaves[2 * k];  // the left children are the H outputs
    left_sums[static_cast<size_t>(i - 1)] = k0;
  }
}

void ggmPuncture(CrHash& hash, uint64_t alpha, int depth, Block tweak, std::span<const Block> known,
                 std::span<Block> leaves, std::vector<Block>& scratch) {
  checkDepth(depth);
  SOTTO_ENFORCE(alpha < (uint64_t{1} << depth), "GGM tree: point ", alpha, " not below 2^", depth);
  SOTTO_ENFORCE(known.size() == static_cast<size_t>(depth), "GGM tree: ", known.size(),
                " level sums for depth ", depth);
  SOTTO_ENFORCE(leaves.size() == size_t{1} << depth, "GGM tree: ", leaves.size(),
                " leaves for depth ", depth);
  for (int i = 1; i <= depth; ++i) {
    const size_t n = size_t{1} << (i - 1);
    // level i; the path node's children are garbage until overwritten below
    if (i > 1) grow(hash, leaves, scratch, n, levelTweak(tweak, i - 1));
    const uint64_t path = alpha >> (depth - i), sibling = path ^ 1;
    // sibling = K^i of its side ⊕ every other node of that side (children of known parents)
    Block v = known[static_cast<size_t>(i - 1)];
    for (size_t k = sibling & 1; k < 2 * n; k += 2) {
      if (k != sibling) v ^= leaves[k];
    }
    leaves[sibling] = v;
    leaves[path] = Block{};
  }
  // the leaves XOR to Δ: w_α = ⊕_{k ≠ α} v_k = v_α ⊕ Δ
  Block w{};
  for (const Block& x : leaves) w ^= x;
  leaves[alpha] = w;
}

}  // namespace sotto::ot::detail
