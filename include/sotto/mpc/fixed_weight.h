#pragma once
/// @file fixed_weight.h
/// A model owner's weight W, shared once and reused by every inference (protocols.md, "Linear
/// layers"). At load the other parties hand their shares of a fixed dealer mask B to the owner
/// (who alone learns B; it knows W anyway) and the owner publishes f = W - B (safe: B is uniform,
/// unknown to the others, and masks nothing else). Each product x @ W then only sends the
/// others' shares of e = x - A to the owner: with 2 parties one direction of x.numel words, a
/// quarter of the traffic of a product of two private operands.

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/dealer.h"

namespace sotto {

class FixedWeight {
 public:
  /// Loads W (read on `owner` only, fixed point at the party's scale) of `shape` with a fixed
  /// mask. Collective. Cost: the dealer's fixed mask, then 2 rounds: the others send their share
  /// of B to the owner, the owner sends f = W - B to each (numel words each way, 2 parties).
  /// @throws InvalidArgument if owner does not exist or the owner's values do not fill `shape`.
  static FixedWeight load(const Party& party, int owner, std::span<const double> values,
                          const Shape& shape);
  static FixedWeight loadEncoded(const Party& party, int owner, const RingTensor& encoded,
                                 const Shape& shape, int frac_bits);

  /// x @ W (x [.., m, k], W [k, n]). Cost: 1 round in which every non-owner sends x.numel words
  /// to the owner, then the truncation of the [.., m, n] result (0 rounds with local truncation).
  ArithTensor matmulFrom(const ArithTensor& x) const;
  /// conv2d(x, W) (W [O, C/g, kh, kw]). Cost: as matmulFrom.
  ArithTensor conv2dFrom(const ArithTensor& x, const Conv2dOptions& options = {}) const;

  const Shape& shape() const { return opened_.shape(); }
  int fracBits() const { return frac_bits_; }

 private:
  FixedWeight(const Party& party, int owner, FixedMask mask, RingTensor opened, int frac_bits)
      : party_(&party),
        owner_(owner),
        mask_(std::move(mask)),
        opened_(std::move(opened)),
        frac_bits_(frac_bits) {}

  const Party* party_;
  int owner_;
  FixedMask mask_;     // the owner: B; the others: empty
  RingTensor opened_;  // f = W - B, public
  int frac_bits_;
};

}  // namespace sotto
