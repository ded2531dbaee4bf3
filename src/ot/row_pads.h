#pragma once
// The pads of the 1-of-2^k OT of rows (session.h, oneOfNRows), shared by both ends: the seed of
// entry x of an instance is ⊕_j H(key_j, (g_j, 1 + x)) over its k random-OT keys (Naor-Pinkas
// with the engine's TCCR hash as the PRF); a row of w values takes one 64-bit pad word per value:
// the seed's lo and hi if w <= 2, else the words of H(seed, (b, kDomainRowExpand)) for
// b < ⌈w / 2⌉ (the seed is uniform and unknown to the receiver for x ≠ its choice). Private to
// src/ot.
#include <cstddef>
#include <cstdint>
#include <span>

#include "cr_hash.h"
#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// Tweak domain of the expansion of a row's seed (distinct from 1 + x for x < 2^16, from
/// kDomainOneOfTwo, kGgmDomain and kMpcotDomain).
inline constexpr uint64_t kDomainRowExpand = ~uint64_t{0} - 4;

/// Writes seeds.size() · width pad words into `out`: the `width` words of seed i at i · width.
void expandRowPads(CrHash& hash, std::span<const Block> seeds, size_t width,
                   std::span<uint64_t> out);

}  // namespace sotto::ot::detail
