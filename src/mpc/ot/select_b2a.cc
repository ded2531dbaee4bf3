// B2A and the multiplexer by additive correlated OT (CrypTFlow2, Rathee et al., CCS 2020).
#include "bit_stream.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

std::vector<uint64_t> OtKernels::b2a(std::span<const uint8_t> b, int bits) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::b2a: bits = ", bits, " not in [1, 64]");
  const size_t n = b.size();
  std::vector<uint64_t> out(n);
  // b = b0 + b1 − 2·b0·b1; party 0 sends b0 into the COT, party 1 chooses with b1.
  if (rank() == 0) {
    std::vector<uint64_t> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = b[i] & 1;
    const std::vector<uint64_t> s = send_->additiveCot(x, bits);
    for (size_t i = 0; i < n; ++i) out[i] = detail::lowBits(x[i] - 2 * s[i], bits);
  } else {
    std::vector<uint8_t> c(n);
    for (size_t i = 0; i < n; ++i) c[i] = b[i] & 1;
    const std::vector<uint64_t> y = recv_->additiveCot(c, bits);
    for (size_t i = 0; i < n; ++i) out[i] = detail::lowBits(c[i] - 2 * y[i], bits);
  }
  return out;
}

std::pair<std::vector<uint64_t>, std::vector<uint64_t>> OtKernels::additiveCotsBothWays(
    std::span<const uint64_t> offer, std::span<const uint8_t> choice) {
  const size_t ns = offer.size(), nr = choice.size();
  // Random OTs, party 0's sender direction first on both (as randomOtsBothWays).
  std::vector<std::array<ot::Block, 2>> sent;
  ot::ChoiceBlocks got;
  if (rank() == 0) {
    sent = send_->randomOt(ns);
    got = recv_->randomOt(nr);
  } else {
    got = recv_->randomOt(nr);
    sent = send_->randomOt(ns);
  }
  // Exchange 1: the choice flips d = c ⊕ b_rot, each way.
  std::vector<uint8_t> flip(nr);
  for (size_t i = 0; i < nr; ++i) flip[i] = (choice[i] & 1) ^ got.choices[i];
  const std::vector<std::byte> flip_out = detail::packBits(flip);
  std::vector<std::byte> flip_in(detail::bitBytes(ns));
  comm_.exchange(1 - rank(), flip_out, flip_in);
  const std::vector<uint8_t> their_flip = detail::unpackBits(flip_in, ns);
  // Exchange 2: as sender, k_s = m_{s ⊕ d} (low 64 bits), u = k0 + x − k1, my share −k0.
  std::vector<uint64_t> u(ns), as_sender(ns);
  for (size_t i = 0; i < ns; ++i) {
    const uint64_t k0 = sent[i][their_flip[i]].lo, k1 = sent[i][their_flip[i] ^ 1].lo;
    u[i] = k0 + offer[i] - k1;
    as_sender[i] = uint64_t{0} - k0;
  }
  std::vector<uint64_t> their_u(nr), as_receiver(nr);
  comm_.exchange(1 - rank(), std::as_bytes(std::span<const uint64_t>(u)),
                 std::as_writable_bytes(std::span<uint64_t>(their_u)));
  // As receiver: y = m_{b_rot} + c·u = k0 + c·x.
  for (size_t i = 0; i < nr; ++i)
    as_receiver[i] = got.blocks[i].lo + ((choice[i] & 1) ? their_u[i] : 0);
  return {std::move(as_sender), std::move(as_receiver)};
}

std::vector<uint64_t> OtKernels::select(std::span<const uint8_t> b, std::span<const uint64_t> x) {
  SOTTO_ENFORCE(b.size() == x.size(), "OtKernels::select: sizes ", b.size(), " and ", x.size());
  const size_t n = x.size();
  // Each party offers (1 − 2·b_p)·x_p to the other, which chooses with b_q: the shares of
  // b_q·(1 − 2·b_p)·x_p add to b_p·x_p. Both directions share the two exchanges.
  std::vector<uint8_t> c(n);
  std::vector<uint64_t> offer(n);
  for (size_t i = 0; i < n; ++i) {
    c[i] = b[i] & 1;
    offer[i] = c[i] ? uint64_t{0} - x[i] : x[i];  // (1 − 2·b_p)·x_p
  }
  const auto [s, y] = additiveCotsBothWays(offer, c);
  std::vector<uint64_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = (c[i] ? x[i] : 0) + s[i] + y[i];  // b_p·x_p + …
  return out;
}

std::vector<uint64_t> OtKernels::selectTruncatePositive(std::span<const uint8_t> b,
                                                        std::span<const uint64_t> x, int f,
                                                        int bits) {
  SOTTO_ENFORCE(b.size() == x.size(), "OtKernels::selectTruncatePositive: sizes ", b.size(),
                " and ", x.size());
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::selectTruncatePositive: bits = ", bits,
                " not in [1, 64]");
  const int lowest = bits == 64 ? 1 : 0;  // f = 0 on the whole ring is select's
  SOTTO_ENFORCE(f >= lowest && f < bits, "OtKernels::selectTruncatePositive: f = ", f, " not in [",
                lowest, ", ", bits - 1, "]");
  return selectTruncatePositive(b, x, std::vector<int>(x.size(), f), bits);
}

std::vector<uint64_t> OtKernels::selectTruncatePositive(std::span<const uint8_t> b,
                                                        std::span<const uint64_t> x,
                                                        std::span<const int> f, int bits) {
  SOTTO_ENFORCE(b.size() == x.size() && f.size() == x.size(),
                "OtKernels::selectTruncatePositive: sizes ", b.size(), ", ", x.size(), " and ",
                f.size());
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::selectTruncatePositive: bits = ", bits,
                " not in [1, 64]");
  for (int fi : f)
    SOTTO_ENFORCE(fi >= 0 && fi < bits, "OtKernels::selectTruncatePositive: f = ", fi,
                  " not in [0, ", bits - 1, "]");
  const size_t n = x.size();
  // On the ℓ-bit shares (ℓ = bits, x_p their low ℓ bits) with s_p = x_p >> f, m_p = bit ℓ − 1 of
  // x_p, β = b0 ⊕ b1, w = m0 ∨ m1 (the wrap when 0 ≤ x < 2^(ℓ−1)), K = 2^(ℓ−f):
  // β·(x >> f) ≈ β·(s0 + s1) − K·β·w. β·(s0 + s1) as select's; β·w = b0·m0 +
  // m1·b0(1 − m0) + b1·m0(1 − 2b0) + b1m1·(1 − m0)(1 − 2b0): party 1 chooses with b1, m1 and b1·m1
  // over party 0's offers (the b1 one merged with select's), party 0 with b0 over party 1's.
  // Where ℓ = 64 and f = 0 (K = 2^64 = 0) the wrap's two COTs are left out: select's alone. The
  // elements with a wrap term, t of them, take the offers and choices n + j and n + t + j.
  std::vector<size_t> wrapped;
  for (size_t i = 0; i < n; ++i)
    if (bits - f[i] < 64) wrapped.push_back(i);
  const size_t t = wrapped.size();
  std::vector<uint8_t> c(rank() == 0 ? n : n + 2 * t);
  std::vector<uint64_t> offer(rank() == 0 ? n + 2 * t : n), out(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t bp = b[i] & 1, s = detail::lowBits(x[i], bits) >> f[i], sign = 1 - 2 * bp;
    c[i] = static_cast<uint8_t>(bp);
    offer[i] = sign * s;  // chosen with b1 (party 0's, less its wrap term below) or b0
    out[i] = bp * s;
  }
  for (size_t j = 0; j < t; ++j) {
    const size_t i = wrapped[j];
    const uint64_t k = uint64_t{1} << (bits - f[i]);
    const uint64_t bp = b[i] & 1, m = (x[i] >> (bits - 1)) & 1, sign = 1 - 2 * bp;
    if (rank() == 0) {
      offer[i] -= k * (m * sign);
      offer[n + j] = uint64_t{0} - k * (bp * (1 - m));        // chosen with m1
      offer[n + t + j] = uint64_t{0} - k * ((1 - m) * sign);  // chosen with b1·m1
      out[i] -= k * (bp * m);
    } else {
      c[n + j] = static_cast<uint8_t>(m);
      c[n + t + j] = static_cast<uint8_t>(bp & m);
    }
  }
  const auto [as_sender, as_receiver] = additiveCotsBothWays(offer, c);
  auto element = [&](size_t j) { return j < n ? j : wrapped[(j - n) % t]; };
  for (size_t j = 0; j < as_sender.size(); ++j) out[element(j)] += as_sender[j];
  for (size_t j = 0; j < as_receiver.size(); ++j) out[element(j)] += as_receiver[j];
  return out;
}

}  // namespace sotto
