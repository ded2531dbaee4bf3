// Elementwise products by Gilboa's method (CRYPTO 1999) on random OTs, in the correlated-OT form
// of ABY (Demmler, Schneider, Zohner, NDSS 2015): bit k of the receiver's share selects 2^k times
// the sender's share, a message of 64 − k bits.
#include "bit_stream.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

std::vector<uint64_t> OtKernels::mul(std::span<const uint64_t> x, std::span<const uint64_t> y) {
  SOTTO_ENFORCE(x.size() == y.size(), "OtKernels::mul: sizes ", x.size(), " and ", y.size());
  return gilboa(x, y, 64, 64);
}

// x_me·c_me + Σ_k 2^k·(x_me·c_other[k] + x_other·c_me[k]) mod 2^out_bits: each party sends x_me
// into its COTs and chooses with the low choice_bits bits of c_me.
std::vector<uint64_t> OtKernels::gilboa(std::span<const uint64_t> x, std::span<const uint64_t> c,
                                        int choice_bits, int out_bits) {
  const size_t n = x.size(), per = static_cast<size_t>(choice_bits), m = per * n;
  // Random OTs: as sender (m0, m1) per instance, as receiver (b, m_b). Instance per·i + k.
  auto [sent, got] = randomOtsBothWays(m);
  // As receiver: choices = bits of c, d = choice ⊕ b sent.
  std::vector<uint8_t> d(m);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < per; ++k)
      d[per * i + k] = ((c[i] >> k) & 1) ^ (got.choices[per * i + k] & 1);
  }
  const std::vector<std::byte> d_out = detail::packBits(d);
  std::vector<std::byte> d_in(d_out.size());
  comm_.exchange(1 - rank(), d_out, d_in);
  const std::vector<uint8_t> their_d = detail::unpackBits(d_in, m);
  // As sender: k_s = m_{s ⊕ d} (out_bits − k bits), u = k0 + x − k1; my share of 2^k·b·x is
  // −2^k·k0. z = x·c + Σ_k 2^k·(share as sender + share as receiver)
  std::vector<uint64_t> z(n);
  detail::BitWriter writer;
  for (size_t i = 0; i < n; ++i) {
    uint64_t acc = x[i] * c[i];
    for (int k = 0; k < choice_bits; ++k) {
      const size_t j = per * i + static_cast<size_t>(k);
      const uint64_t k0 = sent[j][their_d[j]].lo, k1 = sent[j][their_d[j] ^ 1].lo;
      writer.put(k0 + x[i] - k1, out_bits - k);
      acc -= k0 << k;
    }
    z[i] = acc;
  }
  const std::vector<std::byte> u_out = writer.bytes();
  std::vector<std::byte> u_in(u_out.size());
  comm_.exchange(1 - rank(), u_out, u_in);
  // As receiver: y_k = m_b + b·u (out_bits − k bits).
  detail::BitReader reader(u_in);
  for (size_t i = 0; i < n; ++i) {
    uint64_t acc = 0;
    for (int k = 0; k < choice_bits; ++k) {
      const size_t j = per * i + static_cast<size_t>(k);
      const uint64_t u = reader.get(out_bits - k);
      const uint64_t b = (c[i] >> k) & 1;
      acc += (got.blocks[j].lo + b * u) << k;
    }
    z[i] = detail::lowBits(z[i] + acc, out_bits);
  }
  return z;
}

}  // namespace sotto
