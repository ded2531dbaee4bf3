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
  FixedMask mask = party.dealer().fixedMask(shape);
  // f = W - B = (W on the owner) - Σ_i b_i: one opening.
  RingTensor part = -mask.b;
  if (party.id() == owner) part += encoded;
  RingTensor f = std::move(openTogether(party, {std::move(part)})[0]);
  return FixedWeight(party, std::move(mask), std::move(f), frac_bits);
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

// With a fixed B and f = W - B public: open only e = x - A; then
// z_i = c_i + e ⊛ b_i + a_i ⊛ f (+ e ⊛ f on party 0), c = A ⊛ B.
template <typename Map>
static ArithTensor fixedProduct(const Party& party, const ArithTensor& x, const BeaverTriple& t,
                                const FixedMask& mask, const RingTensor& f, int frac_bits,
                                Map&& map) {
  SOTTO_ENFORCE(x.fracBits() == frac_bits, "fixed weight: mixing fixed-point scales 2^",
                x.fracBits(), " and 2^", frac_bits);
  RingTensor e = std::move(openTogether(party, {x.share() - t.a})[0]);
  RingTensor z = t.c + map(e, mask.b) + map(t.a, f);
  if (party.id() == 0) z += map(e, f);
  return ArithTensor(party, std::move(z), frac_bits).truncate(frac_bits);
}

ArithTensor FixedWeight::matmulFrom(const ArithTensor& x) const {
  auto scope = party_->comm().tag("matmul (fixed)");
  const BeaverTriple t = party_->dealer().matmulTripleFixed(mask_, x.shape());
  return fixedProduct(*party_, x, t, mask_, opened_, frac_bits_,
                      [](const RingTensor& a, const RingTensor& b) { return matmul(a, b); });
}

ArithTensor FixedWeight::conv2dFrom(const ArithTensor& x, const Conv2dOptions& options) const {
  auto scope = party_->comm().tag("conv2d (fixed)");
  const BeaverTriple t = party_->dealer().conv2dTripleFixed(mask_, x.shape(), options);
  return fixedProduct(
      *party_, x, t, mask_, opened_, frac_bits_,
      [&](const RingTensor& a, const RingTensor& b) { return conv2d(a, b, options); });
}

}  // namespace sotto
