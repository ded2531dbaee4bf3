#pragma once
// Private: the normalisation of a shared positive value a = 2^e·μ, μ in [1, 2), e found
// obliviously, for the composed reciprocal, rsqrt, sqrt and log (after SiRnn, Rathee et al.,
// S&P 2021: the most significant non-zero bit, normalisation, then the mantissa's function by
// the piecewise engine; semi-honest, as the family's kernels). In this shape, e = 8g + m:
//
//   the byte group g: the sign bits of a - 2^(8j), j = 1..7, in one call; their bands
//     h_g = [2^(8g) <= a < 2^(8g + 8)] locally
//   Z = Σ_g h_g·(a << (56 - 8g)): a's leading non-zero byte at bits 56..63 (8 selections)
//   that byte by the exact floor ⌊Z / 2^56⌋ (its low 8 bits), then ONE lookup of 8 index bits
//     and 8 output bits: 2^(7 - m), m its leading bit (0 for the byte 0: a = 0)
//   Z' = 2^(7 - m)·Z by mulNarrow(8 bits): a·2^(63 - e) in [2^63, 2^64)
//   μ - 1 at kMantissaBits fractional bits: the exact floor ⌊(Z' - 2^63) / 2^(63 - B)⌋
// and back: Σ_g h_g·⌊v·2^(c - 8g)⌉ by one selection of all the groups (with the positive
// truncation of the OT family's multiplexer where c - 8g < 0, each group's own shift).

#include <cstdint>
#include <functional>
#include <vector>

#include "composed_kernels.h"
#include "sotto/mpc/arith_tensor.h"

namespace sotto::math_detail {

/// μ's fractional bits B: the mantissa's functions are tabulated on [0, 1) at B bits.
constexpr int kMantissaBits = 20;

struct Normalized {
  SignBits groups;      ///< 8n band bits, h_{g·n + i} = [2^(8g) <= a_i < 2^(8g + 8)]
  RingTensor pow;       ///< 2^(7 - m) in [1, 128] (0 where a = 0); only its low 8 bits count
  RingTensor mantissa;  ///< ⌊(μ - 1)·2^B⌋ in [0, 2^B) (garbage where a = 0)
  std::vector<RingTensor> extra;  ///< the extra columns' entries; only their low 8 bits count
};

/// @throws InvalidArgument naming `name` unless x has 12..max_frac fractional bits (the public
/// functions' scales: 12..20; softmax's log of its row sum: 4 more).
void checkNormalizedScale(const ArithTensor& x, const char* name, int max_frac = 20);

/// An extra column of the leading-bit lookup: its entry (8 bits) for e mod 8 = m (m = -1: a = 0).
using ByLeadingBit = std::function<uint64_t(int m)>;

/// a (flat shares, every a in [0, 2^63)) normalised, with the extra columns' entries for e's low
/// 3 bits (e.g. e's parity). Cost (n elements): signBits on 7n values, selectBits on 8n, the
/// exact floor by 56 bits, lookup(8, 1 + extra columns, 8 bits), mulNarrow of 8
/// bits, the exact floor by 63 - B bits (composed_kernels.h: exact floors are one truncate in
/// the OT family).
Normalized normalize(const Party& p, const RingTensor& a,
                     const std::vector<ByLeadingBit>& extra = {});

/// Σ_g h_g·⌊v·2^(c + step·g)⌉ for v in [0, 2^v_bits) and 8 one-hot band bits h_g (layout
/// h_{g·n + i}: Normalized::groups, or exp's byte of 2^i): the groups' powers of two applied to v
/// (step -8 for 2^-e, ±4 for 2^(∓e/2), +8 for exp's 2^i; rounded to nearest where the power is
/// below 1, within 1.5 ULP: half an ULP for the rounding and one for the multiplexer's
/// truncation, which may take one less; exactly 0 for the groups where it is below 2^-v_bits).
/// Cost: one selectBitsShifted on n values per group kept (the groups kept are consecutive; the
/// shifts in the same exchanges).
RingTensor applyGroups(const Party& p, const SignBits& groups, const RingTensor& v, int c, int step,
                       int v_bits);

}  // namespace sotto::math_detail
