// Truncation: Cheetah's when the sign is known (Huang et al., USENIX Security 2022, section 4)
// and SiRnn's exact one (Rathee et al., S&P 2021) with the wrap and carry bits from the
// millionaires' comparison.
#include <algorithm>
#include <cstddef>

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

// Shares of b0·b1 mod 2^widths[i] (party 0 holds b0, party 1 b1) by one random OT each, party 0
// the sender: as additiveCot with x = b0, but every instance its own width (0: no OT at all).
// Party 1 sends d = b1 ⊕ c (c its random choice), party 0 u = k0 + b0 − k1, k_s = m_{s ⊕ d}.
std::vector<uint64_t> OtKernels::crossProducts(std::span<const uint8_t> mine,
                                               std::span<const int> widths) {
  std::vector<size_t> used;  // the instances with a width
  for (size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] > 0) used.push_back(i);
  }
  std::vector<uint64_t> out(mine.size());
  const size_t m = used.size();
  if (m == 0) return out;
  std::vector<std::byte> d_bytes(detail::bitBytes(m));
  if (rank() == 0) {
    const auto sent = send_->randomOt(m);
    comm_.recv(1, d_bytes);
    const std::vector<uint8_t> d = detail::unpackBits(d_bytes, m);
    detail::BitWriter writer;
    for (size_t j = 0; j < m; ++j) {
      const size_t i = used[j];
      const uint64_t k0 = sent[j][d[j]].lo, k1 = sent[j][d[j] ^ 1].lo;
      writer.put(k0 + (mine[i] & 1) - k1, widths[i]);
      out[i] = detail::lowBits(uint64_t{0} - k0, widths[i]);
    }
    comm_.send(1, writer.bytes());
  } else {
    const ot::ChoiceBlocks got = recv_->randomOt(m);
    std::vector<uint8_t> d(m);
    for (size_t j = 0; j < m; ++j) d[j] = (mine[used[j]] & 1) ^ (got.choices[j] & 1);
    comm_.send(0, detail::packBits(d));
    size_t total = 0;
    for (size_t i : used) total += static_cast<size_t>(widths[i]);
    std::vector<std::byte> u_bytes(detail::bitBytes(total));
    comm_.recv(0, u_bytes);
    detail::BitReader reader(u_bytes);
    for (size_t j = 0; j < m; ++j) {
      const size_t i = used[j];
      // y = m_c + b1·u: k0 if b1 = 0, k1 + u = k0 + b0 if b1 = 1
      const uint64_t u = reader.get(widths[i]);
      out[i] = detail::lowBits(got.blocks[j].lo + ((mine[i] & 1) ? u : 0), widths[i]);
    }
  }
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
  // wrap = [x'0 + x'1 ≥ 2^64] = [2^64 − 1 − x'0 < x'1]; carry = [low_f(x'0) + low_f(x'1) ≥ 2^f]
  // = [2^f − 1 − low_f(x'0) < low_f(x'1)]: the same comparison on the low f bits, so the tree's
  // prefix below bit f.
  std::vector<uint64_t> mine(n);
  for (size_t i = 0; i < n; ++i) mine[i] = rank() == 0 ? ~xs[i] : xs[i];
  const Comparison cmp = compare(mine, 64, f, kTruncateLeafBits);
  // carry = k0 + k1 − 2·k0k1 (mod 2^64: k0k1 mod 2^63); wrap = w0 + w1 − 2·w0w1, needed mod 2^f
  // only (it is multiplied by 2^(64−f)): w0w1 mod 2^(f−1).
  BitShares both(cmp.prefix_lt);
  both.insert(both.end(), cmp.lt.begin(), cmp.lt.end());
  std::vector<int> widths(2 * n, 63);
  std::fill(widths.begin() + static_cast<std::ptrdiff_t>(n), widths.end(), f - 1);
  const std::vector<uint64_t> cross = crossProducts(both, widths);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t carry = both[i] - 2 * cross[i], wrap = both[n + i] - 2 * cross[n + i];
    // ⌊x/2^f⌋ = (x'0 >> f) + (x'1 >> f) + carry − 2^(64−f)·wrap − 2^(63−f)
    out[i] = (xs[i] >> f) + carry - (wrap << (64 - f));
    if (rank() == 0) out[i] -= uint64_t{1} << (63 - f);
  }
  return out;
}

}  // namespace sotto
