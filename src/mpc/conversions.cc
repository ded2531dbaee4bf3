#include "sotto/mpc/conversions.h"

#include <cstddef>

namespace sotto {

// ---- Binary adder ----------------------------------------------------------------------------

BinaryTensor addBinary(const BinaryTensor& x, const BinaryTensor& y) {
  BinaryTensor p = x ^ y;  // checks shapes and contexts
  // g = x & y: bit i generates a carry; p: bit i propagates one.
  BinaryTensor g = std::move(andTogether({x}, {y})[0]);
  // Kogge-Stone: after the level of shift k, (g, p) at bit i describe the window of 2k bits
  // ending at i (windows that would reach below bit 0 see p = 0 there, i.e. carry-in 0).
  for (int k = 1; k < 64; k *= 2) {
    if (k < 32) {
      // g' = g ^ (p & (g << k)), p' = p & (p << k): one round for both.
      auto r = andTogether({p, p}, {g << k, p << k});
      g = g ^ r[0];
      p = std::move(r[1]);
    } else {
      g = g ^ std::move(andTogether({p}, {g << k})[0]);  // the last level needs no p
    }
  }
  // g_i is now the carry out of bits [0, i], so the carry into bit i is g_(i-1).
  return (x ^ y) ^ (g << 1);
}

// ---- Arithmetic to binary --------------------------------------------------------------------

BinaryTensor a2b(const ArithTensor& x) {
  const Party& party = x.party();
  auto scope = party.comm().tag("a2b");
  const int64_t n = x.numel();
  const Shape flat{n};
  // Party i's share x_i as a number held by party i alone: x = Σ_i x_i = the sum of the terms.
  std::vector<BinaryTensor> terms;
  for (int i = 0; i < party.numParties(); ++i) {
    terms.push_back(BinaryTensor::fromHolder(
        party, i, party.id() == i ? x.share().reshape({n}) : RingTensor(), flat));
  }
  // Pairwise tree; all additions of one level in one adder over the concatenated operands.
  while (terms.size() > 1) {
    const size_t half = terms.size() / 2;
    std::vector<RingTensor> left, right;
    for (size_t k = 0; k < half; ++k) {
      left.push_back(terms[k].share());
      right.push_back(terms[half + k].share());
    }
    const BinaryTensor sum =
        addBinary(BinaryTensor(party, concat(left, 0)), BinaryTensor(party, concat(right, 0)));
    std::vector<BinaryTensor> next;
    for (size_t k = 0; k < half; ++k) {
      const auto start = static_cast<int64_t>(k) * n;
      next.emplace_back(party, sum.share().slice(0, start, start + n));
    }
    if (terms.size() % 2 == 1) next.push_back(terms.back());
    terms = std::move(next);
  }
  return terms[0].reshape(x.shape().dims());
}

// ---- Binary to arithmetic --------------------------------------------------------------------

namespace {

void checkScale(int frac_bits) {
  SOTTO_ENFORCE(frac_bits >= 0 && frac_bits <= kMaxFracBits, "b2a: frac_bits ", frac_bits,
                " is outside [0, ", kMaxFracBits, "]");
}

}  // namespace

ArithTensor b2aBit(const BinaryTensor& bit, int frac_bits) {
  checkScale(frac_bits);
  const Party& party = bit.party();
  auto scope = party.comm().tag("b2a");
  const auto bs = bit.share().data();
  const auto n = bs.size();
  // Bit 0 of every element, 64 elements per word (element i is bit i % 64 of word i / 64).
  RingTensor packed(Shape{static_cast<int64_t>((n + 63) / 64)});
  auto ps = packed.data();
  for (size_t i = 0; i < n; ++i) ps[i / 64] ^= (bs[i] & 1) << (i % 64);
  RingTensor out = party.protocol().b2a(party, packed, bit.shape());
  for (auto& v : out.data()) v <<= frac_bits;
  return ArithTensor(party, std::move(out), frac_bits);
}

ArithTensor b2a(const BinaryTensor& x, int frac_bits) {
  checkScale(frac_bits);
  const Party& party = x.party();
  auto scope = party.comm().tag("b2a");
  const auto n = static_cast<size_t>(x.numel());
  // 64 bits per element; bit k of element i is bit i·64 + k: the packed bits are the words.
  const RingTensor bits = party.protocol().b2a(party, x.share().reshape({x.numel()}),
                                               Shape{static_cast<int64_t>(n), 64});
  RingTensor out(x.shape());
  auto os = out.data();
  const auto bs = bits.data();
  for (size_t i = 0; i < n; ++i) {
    uint64_t acc = 0;
    for (size_t k = 0; k < 64; ++k) acc += bs[i * 64 + k] << k;  // x_A = Σ_k 2^k · b_k
    os[i] = acc;
  }
  return ArithTensor(party, std::move(out), frac_bits);
}

}  // namespace sotto
