#include "sotto/mpc/fixed_weight.h"

namespace sotto {

FixedWeight FixedWeight::loadEncoded(const Party& party, int owner, const RingTensor& encoded,
                                     const Shape& shape, int frac_bits) {
  SOTTO_ENFORCE(owner >= 0 && owner < party.numParties(), "party ", owner, " does not exist (",
                party.numParties(), " parties)");
  if (party.id() == owner) {
    SOTTO_ENFORCE(encoded.shape() == shape, "fixed weight: the owner's tensor has shape ",
                  encoded.shape().toString(), ", expected ", shape.toString());
  }
  auto scope = party.comm().tag("load weight");
  auto kernel = party.protocol().loadWeight(party, owner, encoded, shape, frac_bits);
  return FixedWeight(party, std::move(kernel), shape, frac_bits);
}

FixedWeight FixedWeight::load(const Party& party, int owner, std::span<const double> values,
                              const Shape& shape) {
  const int f = party.options().frac_bits;
  RingTensor encoded;
  if (party.id() == owner) {
    SOTTO_ENFORCE(static_cast<int64_t>(values.size()) == shape.numel(),
                  "fixed weight: ", values.size(), " values do not fill shape ", shape.toString());
    encoded = RingTensor::encode(values, shape, f);
  }
  return loadEncoded(party, owner, encoded, shape, f);
}

ArithTensor FixedWeight::finish(RingTensor z) const {
  return ArithTensor(*party_, std::move(z), frac_bits_).truncate(frac_bits_);
}

// The products before their truncation (the tags as the truncated ones: one per layer kind).
RingTensor FixedWeight::rawMatmul(const ArithTensor& x) const {
  SOTTO_ENFORCE(x.fracBits() == frac_bits_, "fixed weight: mixing fixed-point scales 2^",
                x.fracBits(), " and 2^", frac_bits_);
  return kernel_->matmul(*party_, x.share());
}

RingTensor FixedWeight::rawConv2d(const ArithTensor& x, const Conv2dOptions& options) const {
  SOTTO_ENFORCE(x.fracBits() == frac_bits_, "fixed weight: mixing fixed-point scales 2^",
                x.fracBits(), " and 2^", frac_bits_);
  return kernel_->conv2d(*party_, x.share(), options);
}

void FixedWeight::prepareMatmul(const Shape& x_shape) const {
  kernel_->prepareMatmul(*party_, x_shape);
}

void FixedWeight::prepareConv2d(const Shape& x_shape, const Conv2dOptions& options) const {
  kernel_->prepareConv2d(*party_, x_shape, options);
}

ArithTensor FixedWeight::matmulFrom(const ArithTensor& x) const {
  auto scope = party_->comm().tag("matmul (fixed)");
  return finish(rawMatmul(x));
}

ArithTensor FixedWeight::conv2dFrom(const ArithTensor& x, const Conv2dOptions& options) const {
  auto scope = party_->comm().tag("conv2d (fixed)");
  return finish(rawConv2d(x, options));
}

ArithTensor FixedWeight::matmulUntruncated(const ArithTensor& x) const {
  auto scope = party_->comm().tag("matmul (fixed)");
  return ArithTensor(*party_, rawMatmul(x), frac_bits_);
}

ArithTensor FixedWeight::conv2dUntruncated(const ArithTensor& x,
                                           const Conv2dOptions& options) const {
  auto scope = party_->comm().tag("conv2d (fixed)");
  return ArithTensor(*party_, rawConv2d(x, options), frac_bits_);
}

}  // namespace sotto
