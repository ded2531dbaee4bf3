#pragma once
/// @file fixed_weight.h
/// A model owner's weight W, loaded once by the party's protocol (Protocol::loadWeight) and
/// reused by every inference. The dealer family (protocols.md, "Linear layers"): at load the
/// other parties hand their shares of a fixed dealer mask B to the owner (who alone learns B; it
/// knows W anyway) and the owner publishes f = W - B; each product x @ W then only sends the
/// others' shares of e = x - A to the owner: with 2 parties one direction of x.numel words. The
/// OT family: Cheetah's RLWE products (he_matmul.h, he_conv2d.h on one HeSession), the owner
/// must be party 0.

#include <memory>

#include "sotto/mpc/arith_tensor.h"

namespace sotto {

class FixedWeight {
 public:
  /// Loads W (read on `owner` only, fixed point at the party's scale) of `shape`. Collective.
  /// Cost (dealer family): the dealer's fixed mask, then 2 rounds: the others send their share
  /// of B to the owner, the owner sends f = W - B to each (numel words each way, 2 parties);
  /// OT family: none (the RLWE key is set up at the first load: 217,113 B, 1 message).
  /// @throws InvalidArgument if owner does not exist or the owner's values do not fill `shape`.
  static FixedWeight load(const Party& party, int owner, std::span<const double> values,
                          const Shape& shape);
  static FixedWeight loadEncoded(const Party& party, int owner, const RingTensor& encoded,
                                 const Shape& shape, int frac_bits);

  /// x @ W (x [.., m, k], W [k, n]). Cost (dealer family): 1 round in which every non-owner sends
  /// x.numel words to the owner; OT family: he_matmul.h (1 round trip); then the truncation of
  /// the [.., m, n] result (0 rounds with local truncation).
  ArithTensor matmulFrom(const ArithTensor& x) const;
  /// conv2d(x, W) (W [O, C/g, kh, kw]). Cost: as matmulFrom.
  ArithTensor conv2dFrom(const ArithTensor& x, const Conv2dOptions& options = {}) const;
  /// The same products without their truncation: the result has scale 2^(2f) and is labelled
  /// fracBits() (as a product before its truncation); the caller truncates it by fracBits(), e.g.
  /// with truncatePositive after a ReLU. Cost: as above without the truncation.
  ArithTensor matmulUntruncated(const ArithTensor& x) const;
  ArithTensor conv2dUntruncated(const ArithTensor& x, const Conv2dOptions& options = {}) const;

  /// The input-independent one-time work of the products above for an x of `x_shape` (and
  /// `options`), done now rather than in the first such product (WeightKernel::prepareMatmul,
  /// prepareConv2d): OT family, party 0 encodes W for that shape; dealer family nothing. Local:
  /// no message; the products' results do not change.
  /// @throws InvalidArgument (OT family) if x_shape does not chain with W.
  void prepareMatmul(const Shape& x_shape) const;
  void prepareConv2d(const Shape& x_shape, const Conv2dOptions& options = {}) const;

  const Shape& shape() const { return shape_; }
  int fracBits() const { return frac_bits_; }

 private:
  FixedWeight(const Party& party, std::unique_ptr<WeightKernel> kernel, Shape shape, int frac_bits)
      : party_(&party),
        kernel_(std::move(kernel)),
        shape_(std::move(shape)),
        frac_bits_(frac_bits) {}
  ArithTensor finish(RingTensor z) const;
  RingTensor rawMatmul(const ArithTensor& x) const;
  RingTensor rawConv2d(const ArithTensor& x, const Conv2dOptions& options) const;

  const Party* party_;
  std::unique_ptr<WeightKernel> kernel_;
  Shape shape_;
  int frac_bits_;
};

}  // namespace sotto
