#pragma once
// The correlated GGM tree of the single-point COT: Half-Tree (Guo, Yang, Wang, Zhang, Xie, Liu,
// Wang, "Half-Tree: Halving the Cost of Tree Expansion in COT and DPF", EUROCRYPT 2023, ePrint
// 2022/1431, section 4), used in place of the plain GGM tree of Ferret's SPCOT (Yang, Weng, Lan,
// Zhang, Wang, "Ferret", CCS 2020, section 4). Private to src/ot.
//
//   level 1:              (s, s ⊕ Δ)
//   children of x:        left = H(x, τ_i),  right = x ⊕ H(x, τ_i)    (x at level i < depth)
//   τ_i = (tweak.lo + i − 1, tweak.hi): one tweak per tree and level, unique in the session
//   (the callers give each tree its own range of indices in a domain of its own)
//
// left ⊕ right = parent, so every level XORs to what level 1 does: Δ. So the sums of the left
// (even) and right (odd) nodes of a level, K_0^i and K_1^i, satisfy K_1^i = K_0^i ⊕ Δ: the pair
// is itself a correlated OT under Δ, and the receiver gets the side off α's path with ONE block
// per level (K_0^i ⊕ q_i, opened with its COT t_i = q_i ⊕ b_i·Δ) instead of two (mpcot.h). The
// leaves XOR to Δ as well, so the receiver also gets the punctured leaf with no final correction:
// w_α = v_α ⊕ Δ = ⊕_{k ≠ α} v_k. One hash per parent instead of two.
//
// Why it stays secure (semi-honest; H is the TCCR hash of cr_hash.h, Guo, Katz, Wang, Yu, S&P
// 2020, whose security is that O(x, τ, a) = H(x ⊕ Δ, τ) ⊕ a·Δ looks random to anyone who does not
// know Δ, as long as no (x, τ) is queried twice). The receiver knows every node off α's path, and
// each node p_i on the path is (a value it knows) ⊕ Δ: true at level 1 (p_1 = sibling ⊕ Δ); and if
// p_i = y ⊕ Δ, its children are H(y ⊕ Δ, τ_i) = O(y, τ_i, 0) and y ⊕ Δ ⊕ H(y ⊕ Δ, τ_i) =
// y ⊕ O(y, τ_i, 1); the receiver learns one of them, the next sibling (one query of O), and the
// other is p_{i+1} = sibling ⊕ y ⊕ Δ (right = left ⊕ parent), again known ⊕ Δ. So all the
// receiver learns about the path is one answer of O per level, each under its own tweak τ_i:
// by TCCR these are indistinguishable from fresh uniform blocks independent of Δ, and then its
// view (its COTs, the corrections K_0^i ⊕ q_i = K_{b_i}^i ⊕ t_i, the siblings) is a function of
// its own output w and uniform values: it learns nothing of Δ nor of v_α = w_α ⊕ Δ. This is the
// argument of Half-Tree's theorem for its COT-based SPCOT, with our TCCR hash as its CCR hash.
// The sender learns nothing of α: the only message goes sender → receiver (mpcot.h), or, for a
// chosen α, is a flip d_i = b_i ⊕ ¬α_i under uniform b_i (session.h). Not protected: a malicious
// sender (inconsistent corrections make the receiver's outputs depend on α; no check).
#include <cstdint>
#include <span>
#include <vector>

#include "cr_hash.h"
#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// Tweak domain of the session's single-point COT trees (session.h; far from the session's
/// domains 0 … 256 and from Ferret's MPCOT, mpcot.h).
inline constexpr uint64_t kGgmDomain = ~uint64_t{0};

/// The 2^depth leaves of the tree with level 1 = (s, s ⊕ Δ), written into `leaves` (2^depth
/// blocks: the tree grows in place there, so callers expand straight into their output), and
/// left_sums[i − 1] = K_0^i, the XOR of the even nodes of level i, i = 1 … depth (K_1^i = K_0^i ⊕
/// Δ). Tweaks (tweak.lo + 0 … depth − 2, tweak.hi). `scratch` is the hash outputs' buffer, kept
/// by the caller across trees. @throws InvalidArgument depth ∉ [1, 24] or on sizes.
void ggmExpand(CrHash& hash, Block s, Block delta, int depth, Block tweak, std::span<Block> leaves,
               std::span<Block> left_sums, std::vector<Block>& scratch);

/// The receiver's leaves w of the same tree for point alpha, from known[i − 1] = K^i of the side
/// off alpha's path at level i (side 1 − bit (depth − i) of alpha): w_k = v_k for k ≠ alpha and
/// w_alpha = ⊕_{k ≠ alpha} v_k = v_alpha ⊕ Δ, written into `leaves` (2^depth blocks), `scratch`
/// as ggmExpand's. @throws InvalidArgument on sizes or alpha ≥ 2^depth.
void ggmPuncture(CrHash& hash, uint64_t alpha, int depth, Block tweak, std::span<const Block> known,
                 std::span<Block> leaves, std::vector<Block>& scratch);

}  // namespace sotto::ot::detail
