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

std::vector<uint64_t> OtKernels::select(std::span<const uint8_t> b, std::span<const uint64_t> x) {
  SOTTO_ENFORCE(b.size() == x.size(), "OtKernels::select: sizes ", b.size(), " and ", x.size());
  const size_t n = x.size();
  // Each party offers (1 − 2·b_p)·x_p to the other, which chooses with b_q: the shares of
  // b_q·(1 − 2·b_p)·x_p add to b_p·x_p. The two additive COTs (one per direction) are derandomised
  // from random OTs together, so both directions share each exchange: the choice flips, then the
  // sender's corrections.
  auto [sent, got] = randomOtsBothWays(n);
  std::vector<uint8_t> c(n), flip(n);
  for (size_t i = 0; i < n; ++i) {
    c[i] = b[i] & 1;
    flip[i] = c[i] ^ got.choices[i];  // d = c ⊕ b_rot
  }
  const std::vector<std::byte> flip_out = detail::packBits(flip);
  std::vector<std::byte> flip_in(flip_out.size());
  comm_.exchange(1 - rank(), flip_out, flip_in);
  const std::vector<uint8_t> their_flip = detail::unpackBits(flip_in, n);
  // As sender: k_s = m_{s ⊕ d} (low 64 bits); u = k0 + (1 − 2·b_p)·x_p − k1, my share −k0.
  std::vector<uint64_t> u(n), out(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k0 = sent[i][their_flip[i]].lo, k1 = sent[i][their_flip[i] ^ 1].lo;
    const uint64_t offer = c[i] ? uint64_t{0} - x[i] : x[i];
    u[i] = k0 + offer - k1;
    out[i] = (c[i] ? x[i] : 0) - k0;  // b_p·x_p − k0
  }
  std::vector<uint64_t> their_u(n);
  comm_.exchange(1 - rank(), std::as_bytes(std::span<const uint64_t>(u)),
                 std::as_writable_bytes(std::span<uint64_t>(their_u)));
  // As receiver: y = m_{b_rot} + c·u = k0 + c·offer.
  for (size_t i = 0; i < n; ++i) out[i] += got.blocks[i].lo + (c[i] ? their_u[i] : 0);
  return out;
}

}  // namespace sotto
