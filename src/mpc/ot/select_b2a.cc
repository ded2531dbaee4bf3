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
  std::vector<uint8_t> c(n);
  std::vector<uint64_t> offer(n), out(n);
  for (size_t i = 0; i < n; ++i) {
    c[i] = b[i] & 1;
    offer[i] = c[i] ? uint64_t{0} - x[i] : x[i];  // (1 − 2·b_p)·x_p
    out[i] = c[i] ? x[i] : 0;                     // b_p·x_p
  }
  // Each party offers (1 − 2·b_p)·x_p to the other, which chooses with b_q: the shares of
  // b_q·(1 − 2·b_p)·x_p add to b_p·x_p. Party 0's direction first.
  std::vector<uint64_t> s, y;
  if (rank() == 0) {
    s = send_->additiveCot(offer, 64);
    y = recv_->additiveCot(c, 64);
  } else {
    y = recv_->additiveCot(c, 64);
    s = send_->additiveCot(offer, 64);
  }
  for (size_t i = 0; i < n; ++i) out[i] += s[i] + y[i];
  return out;
}

}  // namespace sotto
