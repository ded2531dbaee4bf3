#pragma once
// Private: small compositions of the protocol seam's kernels that the composed table math
// (piecewise_engine.h, normalization.h) shares: sign bits kept as the family selects with them,
// selections of public constants, and the floor with its remainder. Semi-honest, as the family's
// kernels; every call is collective.

#include <cstdint>
#include <memory>
#include <vector>

#include "sotto/mpc/party.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto::math_detail {

/// A flat tensor of the words v.
RingTensor flat(std::vector<uint64_t> v);
/// Elements [first, first + count) of t, flat.
RingTensor slice(const RingTensor& t, int64_t first, int64_t count);
/// a's elements then b's, flat.
RingTensor concat2(const RingTensor& a, const RingTensor& b);
/// Shares of a public constant (party 0 holds it), n elements.
RingTensor constant(const Party& p, int64_t n, int64_t value);

/// The sign bits [v < 0] of a flat tensor, kept as the family selects with them: XOR shares packed
/// 64 per word (signBits, selectBits) where it has them, else additive 0/1 shares (sign)
/// multiplied in (mul). Cost: one signBits (or sign) on v.
class SignBits {
 public:
  SignBits(const Party& p, const RingTensor& v);

  /// Shares of b_{first + i}·⌊values_i / 2^shift⌋ (shift > 0: only where b = 1 implies
  /// values_i >= 0; within 1 ULP below, Protocol::selectBits / truncatePositive). One selectBits
  /// (or mul, and truncatePositive if shift > 0).
  RingTensor select(int64_t first, const RingTensor& values, int shift = 0) const;
  /// As select with a shift per value (shifts.size() == values.numel(), each >= 0): one
  /// selectBitsShifted (or mul, and truncatePositive per run of equal shifts > 0).
  RingTensor selectShifted(int64_t first, const RingTensor& values,
                           const std::vector<int>& shifts) const;
  /// For count·n bits b_{j·n + i} monotone in j (b_{j·n + i} <= b_{(j+1)·n + i}: [v_i < t_j] for
  /// increasing thresholds t_j), the (count + 1)·n band bits h_{g·n + i} = b_g - b_{g-1}
  /// (b_{-1} = 0, b_count = 1): [t_{g-1} <= v_i < t_g]. Local.
  SignBits bands(int64_t n, int64_t count) const;
  /// The public bits T[index_i mod 2^index_bits][j] (table: 2^index_bits rows of `columns` 0/1
  /// words) as count = columns·n bits b_{j·n + i}: one lookup with 1-bit entries (their shares
  /// mod 2 are XOR shares: the families with selectBits) or 64-bit ones (additive 0/1 shares).
  static SignBits lookedUp(const Party& p, const RingTensor& index, int index_bits, int columns,
                           const std::vector<uint64_t>& table);
  /// Bits already held as additive 0/1 shares (Protocol::sign's), as a family without signBits
  /// keeps them.
  static SignBits fromAdditive(const Party& p, RingTensor bits);

 private:
  SignBits(const Party& p, bool xor_shares, RingTensor bits);
  RingTensor packed(int64_t first, int64_t n) const;  // bits [first, first + n), XOR, packed

  const Party& p_;
  bool xor_;
  RingTensor bits_;
};

/// y = c + b_{first + i}·(v_i - c) for a public constant c (the constant where the bit is 0).
RingTensor chooseOr(const Party& p, const SignBits& s, int64_t first, const RingTensor& v,
                    int64_t c);

/// q = ⌊a / 2^bits⌋ exactly (a signed) and r = a - 2^bits·q in [0, 2^bits): the family's truncate,
/// and where it is not exact (Protocol::exactTruncation() false) one sign on n values that
/// corrects it by one downward where it errs only upward (Protocol::truncationRoundsUp(), the
/// dealer family: the sign's 0/1 shares used as they are), else one signBits call on 2n values
/// and two selections that correct it by one either way.
struct Floor {
  RingTensor quotient, remainder;
  /// The sign bits of `also` (exactFloor's last argument), if given.
  std::unique_ptr<SignBits> also_signs;
};
/// With `also` (flat), also the sign bits of those values: in the same call as the floor's own
/// sign where the floor takes one (the dealer family: one call on n + also.numel() values, no
/// extra round), else one SignBits call after the floor.
Floor exactFloor(const Party& p, const RingTensor& a, int bits, const RingTensor* also = nullptr);

}  // namespace sotto::math_detail
