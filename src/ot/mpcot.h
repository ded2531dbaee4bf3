#pragma once
// Multi-point COT with regular noise (Ferret's MPCOT; Yang, Weng, Lan, Zhang, Wang, "Ferret",
// CCS 2020, section 4, the regular-noise variant): t single-point COTs (the GGM trees of ggm.h),
// one per bin of 2^depth positions, all in one round trip: the receiver sends the choice flips of
// every tree in one message, the sender answers with every tree's level sums in one message.
//
//   sender:   v (t·2^depth blocks);   receiver: points α_j < 2^depth, w = v ⊕ e·Δ
//   e_i = 1 exactly at i = j·2^depth + α_j, one per bin.
//
// Inputs: t·depth COTs with the session's Δ (q on the sender; t, b on the receiver), tree j
// using COTs [j·depth, (j+1)·depth); H is keyed by the tweak (first + i, kMpcotDomain).
// Cost: ⌈t·depth / 8⌉ bytes receiver → sender, 16·t·(2·depth + 1) bytes back, 2 messages;
// 2^(depth+1) hashes per tree on each side. Semi-honest: a sender sending inconsistent sums is
// not caught (no consistency check). Private to src/ot.
#include <cstdint>
#include <span>

#include "cr_hash.h"
#include "sotto/comm/communicator.h"
#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// Tweak domain of the MPCOT's COT pads (apart from the session's 0 … 256 and the GGM PRG's).
inline constexpr uint64_t kMpcotDomain = ~uint64_t{0} - 2;

/// The sender's end: v.size() must be t·2^depth and q.size() t·depth.
/// @throws InvalidArgument on sizes; CommError / Timeout.
void mpcotSend(Communicator& comm, int peer, CrHash& hash, Block delta, int depth,
               std::span<const Block> q, uint64_t first, std::span<Block> v);

/// The receiver's end: alphas.size() = t points (each < 2^depth), w.size() = t·2^depth,
/// t.size() = b.size() = t·depth COTs (b_i ∈ {0, 1}).
/// @throws InvalidArgument on sizes or a point out of its bin; CommError / Timeout.
void mpcotRecv(Communicator& comm, int peer, CrHash& hash, int depth,
               std::span<const uint64_t> alphas, std::span<const Block> t,
               std::span<const uint8_t> b, uint64_t first, std::span<Block> w);

}  // namespace sotto::ot::detail
