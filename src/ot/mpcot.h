#pragma once
// Multi-point COT with regular noise (Ferret's MPCOT; Yang, Weng, Lan, Zhang, Wang, "Ferret",
// CCS 2020, section 4, the regular-noise variant): t single-point COTs, one per bin of 2^depth
// positions, each a correlated GGM tree of ggm.h (Half-Tree, EUROCRYPT 2023), all in ONE message
// sender → receiver and nothing back:
//
//   sender:   v (t·2^depth blocks);   receiver: points α_j < 2^depth, w = v ⊕ e·Δ
//   e_i = 1 exactly at i = j·2^depth + α_j, one per bin.
//
// Inputs: t·depth COTs with the session's Δ (q on the sender; t, b on the receiver), tree j using
// COTs g = j·depth + i − 1 for its levels i = 1 … depth. The receiver's point is read off its
// uniform COT choice bits, as emp-ot's SPCOT does: bit (depth − i) of α_j = 1 ⊕ b_g, so no flips
// are sent. Level 1 of tree j is the COT itself, (q_g, q_g ⊕ Δ): the receiver's t_g = q_g ⊕ b_g·Δ
// is the node off its path; for levels i ≥ 2 the sender sends c = K_0^i ⊕ q_g and the receiver
// opens c ⊕ t_g = K_0^i ⊕ b_g·Δ = K_{b_g}^i, the side off its path (K_1^i = K_0^i ⊕ Δ, ggm.h).
// The leaves XOR to Δ, so the punctured leaf needs no correction (ggm.h).
// Tree j's hash tweaks are (first + j·depth + i − 1, domain), i < depth: unique as long as the
// COT indices are (Ferret: its own counter, in kMpcotDomain; the session's SPCOT: the session's
// COT index, in kGgmDomain).
// Cost: 16·t·(depth − 1) bytes sender → receiver in one message (none if depth = 1), nothing
// back; 2^depth − 1 hashes per tree on each side.
// Security: ggm.h. The receiver's points are as uniform as its tree COTs' choice bits (IKNP's:
// uniform; in Ferret's main rounds, the last round's LPN outputs: pseudorandom, as in emp-ot) and
// independent of its other COTs' choices as long as the tree COTs are used for nothing else. Not
// protected: a malicious sender (no consistency check). Private to src/ot.
#include <cstdint>
#include <span>

#include "cr_hash.h"
#include "sotto/comm/communicator.h"
#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// Tweak domain of Ferret's MPCOT trees (apart from the session's 0 … 256 and its SPCOT's).
inline constexpr uint64_t kMpcotDomain = ~uint64_t{0} - 2;

/// The sender's computation: v (t·2^depth blocks) and the message msg (t·(depth − 1) blocks)
/// from q (t·depth COTs). No communication (mpcotSend sends msg).
/// @throws InvalidArgument on sizes.
void mpcotSenderCompute(CrHash& hash, Block delta, int depth, std::span<const Block> q,
                        uint64_t first, uint64_t domain, std::span<Block> v, std::span<Block> msg);

/// The receiver's computation from the sender's msg: w (t·2^depth blocks) and the points alphas
/// (t of them), from t, b (t·depth COTs, b_i ∈ {0, 1}). No communication.
/// @throws InvalidArgument on sizes.
void mpcotReceiverCompute(CrHash& hash, int depth, std::span<const Block> t,
                          std::span<const uint8_t> b, std::span<const Block> msg, uint64_t first,
                          uint64_t domain, std::span<Block> w, std::span<uint64_t> alphas);

/// Blocks of the sender's message for `trees` trees of `depth`.
constexpr size_t mpcotMessageBlocks(size_t trees, int depth) {
  return trees * static_cast<size_t>(depth - 1);
}

/// The sender's end (tweak domain kMpcotDomain): v.size() must be t·2^depth and q.size() t·depth.
/// @throws InvalidArgument on sizes; CommError / Timeout.
void mpcotSend(Communicator& comm, int peer, CrHash& hash, Block delta, int depth,
               std::span<const Block> q, uint64_t first, std::span<Block> v);

/// The receiver's end (kMpcotDomain): t.size() = b.size() = t·depth COTs, w.size() = t·2^depth,
/// alphas.size() = t (the points it gets, each < 2^depth).
/// @throws InvalidArgument on sizes; CommError / Timeout.
void mpcotRecv(Communicator& comm, int peer, CrHash& hash, int depth, std::span<const Block> t,
               std::span<const uint8_t> b, uint64_t first, std::span<Block> w,
               std::span<uint64_t> alphas);

}  // namespace sotto::ot::detail
