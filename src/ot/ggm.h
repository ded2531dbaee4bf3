#pragma once
// The GGM tree of the single-point COT (Ferret's SPCOT; Boyle, Couteau, Gilboa, Ishai, Kohl,
// Scholl, CCS 2019, and Yang, Weng, Lan, Zhang, Wang, "Ferret", CCS 2020, section 4): node k of
// level i has children 2k and 2k + 1 at level i + 1, G_b(x) = H(x, (0, kGgmDomain − b)) with the
// engine's TCCR hash as the length-doubling PRG. Private to src/ot.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "cr_hash.h"
#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// Tweak domain of the tree's PRG (far from the OT domains 0 … 256).
inline constexpr uint64_t kGgmDomain = ~uint64_t{0};

/// The 2^depth leaves of the tree grown from `seed`, and for each level i = 1 … depth the XOR of
/// its left (even) and right (odd) nodes: sums[i − 1] = {K_0^i, K_1^i}.
void ggmExpand(CrHash& hash, Block seed, int depth, std::vector<Block>& leaves,
               std::vector<std::array<Block, 2>>& sums);

/// The leaves of the same tree except leaf alpha (left as zero), from known[i − 1] = K^i of the
/// side off alpha's path at level i (the side of the sibling of alpha's ancestor).
void ggmPuncture(CrHash& hash, uint64_t alpha, int depth, std::span<const Block> known,
                 std::vector<Block>& leaves);

}  // namespace sotto::ot::detail
