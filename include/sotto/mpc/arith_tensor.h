#pragma once
/// @file arith_tensor.h
/// ArithTensor: a fixed-point tensor additively secret-shared over Z_2^64 among all parties
/// (x = Σ_i x_i mod 2^64, scale 2^frac_bits). Every operation is collective: all parties call it in
/// the same order with the same shapes. Costs are per party; n is the number of elements,
/// N the number of parties.

#include <span>
#include <vector>

#include "sotto/mpc/party.h"
#include "sotto/tensor/linear.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto {

class ArithTensor {
 public:
  /// Shares `values` (only read on `owner`) of `shape` at the party's fixed-point scale.
  /// Cost: 1 round; the owner sends (N-1)·n words.
  /// @throws InvalidArgument if owner does not exist or the owner's values do not fill `shape`.
  static ArithTensor share(const Party& party, int owner, std::span<const double> values,
                           const Shape& shape);
  /// Shares an already encoded ring tensor (read on `owner` only) with scale 2^frac_bits.
  static ArithTensor shareEncoded(const Party& party, int owner, const RingTensor& encoded,
                                  const Shape& shape, int frac_bits);
  /// A public value known to every party (party 0 holds it, the others 0). No communication.
  static ArithTensor fromPublic(const Party& party, const RingTensor& encoded, int frac_bits);
  /// Wraps this party's share (no communication).
  ArithTensor(const Party& party, RingTensor share, int frac_bits);

  /// Opens the value to every party. 1 round; 2 parties: n words each way (exchange);
  /// N parties: an allReduce.
  RingTensor reveal() const;
  /// reveal() decoded to doubles.
  std::vector<double> revealDoubles() const;
  /// Opens the value to `receiver` only (the others get an empty tensor). 1 round; every other
  /// party sends n words. @throws InvalidArgument if receiver does not exist.
  RingTensor revealTo(int receiver) const;

  const RingTensor& share() const { return share_; }
  const Shape& shape() const { return share_.shape(); }
  int64_t numel() const { return share_.numel(); }
  int fracBits() const { return frac_bits_; }
  const Party& party() const { return *party_; }

  // Local operations (no communication). Shapes must be equal (broadcasting: see RingTensor) and
  // scales must match. @throws InvalidArgument naming both shapes or both scales.
  ArithTensor operator+(const ArithTensor& o) const;
  ArithTensor operator-(const ArithTensor& o) const;
  ArithTensor operator-() const;
  /// Adds a public encoded tensor at this tensor's scale (party 0 adds it).
  ArithTensor addPublic(const RingTensor& encoded) const;
  /// Multiplies by a public integer (exact, no truncation).
  ArithTensor mulPublicInt(int64_t k) const;
  /// Multiplies by a public fixed-point value, then truncates. Cost: that of truncate().
  ArithTensor mulPublic(double k) const;
  /// Sum along `dim` (local).
  ArithTensor sum(int64_t dim, bool keepdim = false) const;
  ArithTensor reshape(const std::vector<int64_t>& dims) const;
  ArithTensor transpose(const std::vector<int64_t>& perm) const;
  ArithTensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  ArithTensor slice(int64_t dim, int64_t start, int64_t stop, int64_t step = 1) const;
  /// Zero padding per dim ({before, after} pairs).
  ArithTensor pad(const std::vector<std::pair<int64_t, int64_t>>& pads) const;
  /// Mean along `dim`: the local sum divided by its size with divPublicCount(n), within 1 ULP.
  /// Cost: one truncation (1 round, n words, dealer-assisted unless the size is a power of two).
  ArithTensor mean(int64_t dim, bool keepdim = false) const;
  /// Divides by a public count n >= 1: an exact shift by log2(n) when n is a power of two (one
  /// truncation of that many bits), else a product by round(2^28 / n) and a 28-bit truncation
  /// (within 1 ULP for |x / n| < 2^(34 - f), i.e. 2^18 at f = 16). The one-argument form shifts
  /// with the party's default method (a local shift fails no more often than a product's local
  /// truncation) but always takes the 28-bit path dealer-assisted (1 round, n words, never a
  /// large error), even when the party's default is kLocal: a local 28-bit truncation fails with
  /// probability up to |x / n| · 2^(f + 28 - 63) per element (2^-19 for values near 1 at f = 16,
  /// about one garbage element per 2^19), so it is only taken when asked for explicitly.
  /// @throws InvalidArgument if n < 1, or kLocal with N != 2.
  ArithTensor divPublicCount(int64_t n) const;
  ArithTensor divPublicCount(int64_t n, Truncation method) const;

  /// Elementwise product (Beaver): opens x - a and y - b in one round (2n words sent per party
  /// with 2 parties), then truncates (see truncate()). Rounds: 1 + truncation's. Shapes broadcast
  /// as NumPy's (n is then the broadcast size). @throws InvalidArgument naming both shapes if they
  /// do not broadcast.
  ArithTensor mul(const ArithTensor& o) const;
  /// x·x with a mul triple. Same cost as mul.
  ArithTensor square() const;
  /// Matrix product [.., m, k] x [.., k, n] (Beaver with a matmul triple): opens both operands
  /// masked in one round, then truncates the [.., m, n] result.
  ArithTensor matmul(const ArithTensor& o) const;
  /// 2-D convolution (this is the input [N, C, H, W], `weight` is [O, C/g, kh, kw]); Beaver with a
  /// convolution triple, one round, then truncation of the output.
  ArithTensor conv2d(const ArithTensor& weight, const Conv2dOptions& options = {}) const;

  /// Divides by 2^bits (arithmetic shift of the shared value), with the party's default method
  /// or an explicit one. kDealer: 1 round, n words, within 1 ULP for |x| < 2^62 ring units;
  /// kLocal: 0 rounds, 2 parties only, fails with probability up to |x| / 2^63 per element (the
  /// party records it: Party::localTruncations()).
  /// @throws InvalidArgument if kLocal is asked for with N != 2, or bits outside (0, 62).
  ArithTensor truncate(int bits) const;
  ArithTensor truncate(int bits, Truncation method) const;
  /// Divides by 2^bits when the caller knows the value is >= 0 (after a ReLU): the protocol's
  /// fast path (Protocol::truncatePositive; the OT family: Cheetah's, 1 ULP below at most,
  /// garbage for a negative value; the dealer family: as truncate()).
  /// @throws InvalidArgument if bits is outside (0, 62).
  ArithTensor truncatePositive(int bits) const;

 private:
  void checkCompatible(const ArithTensor& o, const char* op) const;
  ArithTensor withShare(RingTensor share) const {
    return ArithTensor(*party_, std::move(share), frac_bits_);
  }

  const Party* party_;
  RingTensor share_;
  int frac_bits_;
};

/// Concatenation along `dim` (local). @throws InvalidArgument on mixed scales or shapes.
ArithTensor concat(const std::vector<ArithTensor>& parts, int64_t dim);

/// cond ? a : b elementwise, cond a fixed-point 0/1 (as the comparisons return):
/// b + cond·(a - b), one Beaver product (2 rounds with the dealer truncation).
ArithTensor where(const ArithTensor& cond, const ArithTensor& a, const ArithTensor& b);

/// Batch normalisation in inference form on [N, C, ...]: y = x·scale_c + shift_c with public
/// per-channel scale = gamma / sqrt(var + eps) and shift = beta - mean·scale. One public product
/// and its truncation (1 round).
/// @throws InvalidArgument if the parameter vectors do not have C entries.
ArithTensor batchNormInference(const ArithTensor& x, const std::vector<double>& gamma,
                               const std::vector<double>& beta, const std::vector<double>& mean,
                               const std::vector<double>& var, double eps = 1e-5);

/// Opens several shared ring tensors at once (one round, their words concatenated): every party
/// gets the sums. The building block of Beaver multiplication.
std::vector<RingTensor> openTogether(const Party& party, std::vector<RingTensor> shares);

}  // namespace sotto
