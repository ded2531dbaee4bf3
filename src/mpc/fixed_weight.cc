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
  // The others hand their shares of B to the owner, who alone learns B (it knows W anyway), and
  // the owner publishes f = W - B. One round each way, once per weight.
  RingTensor b = ArithTensor(party, std::move(mask.b), frac_bits).revealTo(owner);
  RingTensor f(shape);
  Communicator& comm = party.comm();
  if (party.id() == owner) {
    f = encoded - b;
    for (int p = 0; p < party.numParties(); ++p) {
      if (p != owner) comm.send(p, std::as_bytes(f.data()));
    }
  } else {
    comm.recv(owner, std::as_writable_bytes(f.data()));
  }
  mask.b = std::move(b);  // the owner: B itself; the others: nothing
  return FixedWeight(party, owner, std::move(mask), std::move(f), frac_bits);
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

// B known to the owner only, f = W - B public, c = A ⊛ B shared: open e = x - A to the owner
// only; z_owner = c_o + e ⊛ B + a_o ⊛ f + e ⊛ f, z_i = c_i + a_i ⊛ f for the others.
template <typename Map>
static ArithTensor fixedProduct(const Party& party, int owner, const ArithTensor& x,
                                const BeaverTriple& t, const FixedMask& mask, const RingTensor& f,
                                int frac_bits, Map&& map) {
  SOTTO_ENFORCE(x.fracBits() == frac_bits, "fixed weight: mixing fixed-point scales 2^",
                x.fracBits(), " and 2^", frac_bits);
  RingTensor e = ArithTensor(party, x.share() - t.a, frac_bits).revealTo(owner);
  RingTensor z = t.c + map(t.a, f);
  if (party.id() == owner) z += map(e, mask.b) + map(e, f);
  return ArithTensor(party, std::move(z), frac_bits).truncate(frac_bits);
}

ArithTensor FixedWeight::matmulFrom(const ArithTensor& x) const {
  auto scope = party_->comm().tag("matmul (fixed)");
  const BeaverTriple t = party_->dealer().matmulTripleFixed(mask_, x.shape());
  return fixedProduct(*party_, owner_, x, t, mask_, opened_, frac_bits_,
                      [](const RingTensor& a, const RingTensor& b) { return matmul(a, b); });
}

ArithTensor FixedWeight::conv2dFrom(const ArithTensor& x, const Conv2dOptions& options) const {
  auto scope = party_->comm().tag("conv2d (fixed)");
  const BeaverTriple t = party_->dealer().conv2dTripleFixed(mask_, x.shape(), options);
  return fixedProduct(
      *party_, owner_, x, t, mask_, opened_, frac_bits_,
      [&](const RingTensor& a, const RingTensor& b) { return conv2d(a, b, options); });
}

}  // namespace sotto
