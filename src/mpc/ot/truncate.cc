// Truncation: Cheetah's when the sign is known (Huang et al., USENIX Security 2022, section 4)
// and SiRnn's exact one (Rathee et al., S&P 2021) with the wrap and carry bits from the
// millionaires' comparison.
#include "bit_stream.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

std::vector<uint64_t> OtKernels::truncatePositive(std::span<const uint64_t> x, int f) {
  SOTTO_ENFORCE(f >= 0 && f <= 63, "OtKernels::truncatePositive: f = ", f, " not in [0, 63]");
  const size_t n = x.size();
  std::vector<uint64_t> out(x.begin(), x.end());
  if (f == 0) return out;
  // With msb(x) = 0, x0 + x1 wraps iff msb(x0) ∨ msb(x1) = m0 + m1 − m0·m1; only its value mod
  // 2^f matters (it is multiplied by 2^(64 − f)), so the COT for m0·m1 carries f bits.
  std::vector<uint64_t> wrap(n);
  if (rank() == 0) {
    std::vector<uint64_t> m0(n);
    for (size_t i = 0; i < n; ++i) m0[i] = x[i] >> 63;
    const std::vector<uint64_t> s = send_->additiveCot(m0, f);
    for (size_t i = 0; i < n; ++i) wrap[i] = m0[i] - s[i];
  } else {
    std::vector<uint8_t> m1(n);
    for (size_t i = 0; i < n; ++i) m1[i] = static_cast<uint8_t>(x[i] >> 63);
    const std::vector<uint64_t> y = recv_->additiveCot(m1, f);
    for (size_t i = 0; i < n; ++i) wrap[i] = m1[i] - y[i];
  }
  for (size_t i = 0; i < n; ++i) out[i] = (x[i] >> f) - (wrap[i] << (64 - f));
  return out;
}

std::vector<uint64_t> OtKernels::truncate(std::span<const uint64_t> x, int f) {
  SOTTO_ENFORCE(f >= 0 && f <= 63, "OtKernels::truncate: f = ", f, " not in [0, 63]");
  const size_t n = x.size();
  std::vector<uint64_t> out(x.begin(), x.end());
  if (f == 0) return out;
  // x' = x + 2^63 (on party 0's share) maps the signed range onto [0, 2^64) in order.
  std::vector<uint64_t> xs(x.begin(), x.end());
  if (rank() == 0) {
    for (auto& v : xs) v += uint64_t{1} << 63;
  }
  // wrap = [x'0 + x'1 ≥ 2^64] = [2^64 − 1 − x'0 < x'1];
  // carry = [low_f(x'0) + low_f(x'1) ≥ 2^f] = [2^f − 1 − low_f(x'0) < low_f(x'1)].
  std::vector<uint64_t> a(n), b(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = rank() == 0 ? ~xs[i] : xs[i];
    const uint64_t low = detail::lowBits(xs[i], f);
    b[i] = rank() == 0 ? detail::lowBits(~low, f) : low;
  }
  const BitShares wrap = lessThan(a, 64);
  const BitShares carry = lessThan(b, f);
  BitShares both(carry);
  both.insert(both.end(), wrap.begin(), wrap.end());
  const std::vector<uint64_t> arith = b2a(both, 64);
  for (size_t i = 0; i < n; ++i) {
    // ⌊x/2^f⌋ = (x'0 >> f) + (x'1 >> f) + carry − 2^(64−f)·wrap − 2^(63−f)
    out[i] = (xs[i] >> f) + arith[i] - (arith[n + i] << (64 - f));
    if (rank() == 0) out[i] -= uint64_t{1} << (63 - f);
  }
  return out;
}

}  // namespace sotto
