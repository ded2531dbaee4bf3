// SiRnn's product of operands of different bit widths (Rathee et al., "SiRnn", S&P 2021, section
// 3): the cross terms by Gilboa's COTs of shrinking width, the wrap of each operand's shares by
// the millionaires' comparison and a multiplexer.
#include <algorithm>
#include <tuple>
#include <utility>

#include "bit_stream.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

OtKernels::Cots OtKernels::cotsForMulMixed(size_t n, int m, int n_bits) {
  const size_t wraps = size_t{m < 64} + size_t{n_bits < 64};
  Cots c{static_cast<size_t>(m) * n, static_cast<size_t>(m) * n};  // Gilboa's cross terms
  if (wraps == 0) return c;
  c += cotsForLessThan(wraps * n, std::max(m < 64 ? m : 1, n_bits < 64 ? n_bits : 1));
  c += {wraps * n, wraps * n};  // the select
  return c;
}

std::vector<uint64_t> OtKernels::mulMixed(std::span<const uint64_t> x, int m,
                                          std::span<const uint64_t> y, int n) {
  SOTTO_ENFORCE(x.size() == y.size(), "OtKernels::mulMixed: sizes ", x.size(), " and ", y.size());
  SOTTO_ENFORCE(m >= 1 && m <= 64 && n >= 1 && n <= 64, "OtKernels::mulMixed: widths m = ", m,
                " and n = ", n, " must be in [1, 64]");
  const size_t count = x.size();
  if (n == 64 && m < 64) return mulMixedByWrap(x, m, narrowWrap(x, m), y);
  const int out_bits = std::min(m + n, 64);
  std::vector<uint64_t> xs(count), ys(count);
  for (size_t i = 0; i < count; ++i) {
    xs[i] = detail::lowBits(x[i], m);
    ys[i] = detail::lowBits(y[i], n);
  }
  // x = x0 + x1 − 2^m·wx, y = y0 + y1 − 2^n·wy (as integers), so mod 2^l (l = min(m + n, 64)):
  // x·y = x0·y0 + x1·y1 + x0·y1 + x1·y0 − 2^m·wx·(y0 + y1) − 2^n·wy·(x0 + x1)
  std::vector<uint64_t> z = gilboa(ys, xs, m, out_bits);
  // The wraps wx = [2^m − 1 − x0 < x1] (and wy alike), in one comparison; a wrap term vanishes
  // mod 2^l when its operand has 64 bits.
  const bool wrap_x = m < 64, wrap_y = n < 64;
  if (!wrap_x && !wrap_y) return z;
  std::vector<uint64_t> mine;
  std::vector<uint64_t> values;  // what each wrap selects: y_me for wx, x_me for wy
  int bits = 1;
  for (const auto& [wraps, width, own, other] :
       {std::tuple{wrap_x, m, &xs, &ys}, std::tuple{wrap_y, n, &ys, &xs}}) {
    if (!wraps) continue;
    const uint64_t top = (uint64_t{1} << width) - 1;
    for (size_t i = 0; i < count; ++i) mine.push_back(rank() == 0 ? top - (*own)[i] : (*own)[i]);
    values.insert(values.end(), other->begin(), other->end());
    bits = std::max(bits, width);
  }
  const BitShares w = lessThan(mine, bits);
  const std::vector<uint64_t> sel = select(w, values);  // shares of w·(v0 + v1)
  size_t at = 0;
  for (const auto& [wraps, width] : {std::pair{wrap_x, m}, std::pair{wrap_y, n}}) {
    if (!wraps) continue;
    for (size_t i = 0; i < count; ++i) z[i] -= sel[at + i] << width;
    at += count;
  }
  for (auto& v : z) v = detail::lowBits(v, out_bits);
  return z;
}

BitShares OtKernels::narrowWrap(std::span<const uint64_t> x, int m) {
  SOTTO_ENFORCE(m >= 1 && m <= 63, "OtKernels::narrowWrap: width m = ", m, " not in [1, 63]");
  // wx = [2^m − 1 − x0 < x1] on the low m bits of the shares
  const uint64_t top = (uint64_t{1} << m) - 1;
  std::vector<uint64_t> mine(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const uint64_t own = detail::lowBits(x[i], m);
    mine[i] = rank() == 0 ? top - own : own;
  }
  return lessThan(mine, m);
}

std::vector<uint64_t> OtKernels::mulMixedByWrap(std::span<const uint64_t> x, int m,
                                                std::span<const uint8_t> wrap,
                                                std::span<const uint64_t> y) {
  SOTTO_ENFORCE(x.size() == y.size() && wrap.size() == x.size(),
                "OtKernels::mulMixedByWrap: sizes ", x.size(), ", ", wrap.size(), " and ",
                y.size());
  SOTTO_ENFORCE(m >= 1 && m <= 63, "OtKernels::mulMixedByWrap: width m = ", m, " not in [1, 63]");
  std::vector<uint64_t> xs(x.size());
  for (size_t i = 0; i < x.size(); ++i) xs[i] = detail::lowBits(x[i], m);
  // x·y = x0·y + x1·y − 2^m·wx·y mod 2^64 (y on all 64 bits: its wrap vanishes)
  std::vector<uint64_t> z = gilboa(y, xs, m, 64);
  const std::vector<uint64_t> sel = select(wrap, y);
  for (size_t i = 0; i < z.size(); ++i) z[i] -= sel[i] << m;
  return z;
}

}  // namespace sotto
