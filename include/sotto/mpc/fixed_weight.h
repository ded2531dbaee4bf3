#pragma once
/// @file fixed_weight.h
/// A model owner's weight W, shared once and reused by every inference (protocols.md, "Linear
/// layers"). At load the parties open f = W - B for a fixed dealer mask B (once: safe because B is
/// never reused for anything else); each product x @ W then opens only e = x - A, half the online
/// traffic of a product of two private operands.

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/dealer.h"

namespace sotto {

class FixedWeight {
 public:
  /// Shares W (read on `owner` only, fixed point at the party's scale) of `shape` with a fixed
  /// mask. Collective. Cost: the dealer's fixed mask, then 1 round opening W - B
  /// (2 parties: numel words each way).
  /// @throws InvalidArgument if owner does not exist or the owner's values do not fill `shape`.
  static FixedWeight load(const Party& party, int owner, std::span<const double> values,
                          const Shape& shape);
  static FixedWeight loadEncoded(const Party& party, int owner, const RingTensor& encoded,
                                 const Shape& shape, int frac_bits);

  /// x @ W (x [.., m, k], W [k, n]). Cost: 1 round opening x - A (2 parties: x.numel words each
  /// way), then the truncation of the [.., m, n] result.
  ArithTensor matmulFrom(const ArithTensor& x) const;
  /// conv2d(x, W) (W [O, C/g, kh, kw]). Cost: 1 round opening x - A, then truncation.
  ArithTensor conv2dFrom(const ArithTensor& x, const Conv2dOptions& options = {}) const;

  const Shape& shape() const { return mask_.b.shape(); }
  int fracBits() const { return frac_bits_; }

 private:
  FixedWeight(const Party& party, FixedMask mask, RingTensor opened, int frac_bits)
      : party_(&party), mask_(std::move(mask)), opened_(std::move(opened)), frac_bits_(frac_bits) {}

  const Party* party_;
  FixedMask mask_;     // this party's share of B
  RingTensor opened_;  // f = W - B, public
  int frac_bits_;
};

}  // namespace sotto
