#include "winner_bits.h"

#include <algorithm>
#include <vector>

#include "sotto/error.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/protocol.h"
#include "sotto/mpc/range_check.h"

namespace sotto::detail {
namespace {

uint8_t bitAt(const RingTensor& words, int64_t i) {
  return static_cast<uint8_t>((words[i / 64] >> (i % 64)) & 1);
}

// Bits (one byte 0/1 each) packed 64 per word, as Protocol::signBits gives them.
RingTensor packWords(const std::vector<uint8_t>& bits) {
  RingTensor out(Shape{(static_cast<int64_t>(bits.size()) + 63) / 64});
  for (size_t i = 0; i < bits.size(); ++i)
    out[static_cast<int64_t>(i / 64)] |= uint64_t{bits[i]} << (i % 64);
  return out;
}

}  // namespace

RingTensor winnerBits(const Party& p, const RingTensor& v, bool with_zero, const char* what) {
  SOTTO_ENFORCE(v.rank() == 2 && v.dim(1) >= 1, what, ": candidates must be [rows, k >= 1], got ",
                v.shape().toString());
  Protocol& protocol = p.protocol();
  const int64_t rows = v.dim(0), k = v.dim(1), pairs = k * (k - 1) / 2;
  const int64_t per_row = pairs + (with_zero ? k : 0), n = rows * k;
  const int64_t factors = k - 1 + (with_zero ? 1 : 0);
  const uint8_t one = p.id() == 0 ? 1 : 0;  // ¬b = b ⊕ 1 on party 0
  if (factors == 0) return packWords(std::vector<uint8_t>(static_cast<size_t>(n), one));
  // [v_i − v_j >= 0] for the pairs i < j of each row (row-major upper triangle), then [v_i >= 0].
  RingTensor diff(Shape{rows * per_row});
  for (int64_t r = 0, at = 0; r < rows; ++r) {
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = i + 1; j < k; ++j) diff[at++] = v[r * k + i] - v[r * k + j];
    if (with_zero)
      for (int64_t i = 0; i < k; ++i) diff[at++] = v[r * k + i];
  }
  RangeCheckLog::recordBeyond62(ArithTensor(p, diff, 0), what);
  const RingTensor b = protocol.signBits(p, diff, /*nonneg=*/true);
  // f[e·m + c]: candidate e's c-th factor (its win or the complement of its loss against each
  // other candidate, then its win against 0); ANDed pairwise, column halves, until one is left.
  int64_t m = factors;
  std::vector<uint8_t> f(static_cast<size_t>(n * m));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < k; ++i) {
      uint8_t* out = f.data() + (r * k + i) * m;
      for (int64_t j = 0; j < k; ++j) {
        if (j == i) continue;
        const int64_t a = std::min(i, j), c = std::max(i, j);
        const uint8_t bit = bitAt(b, r * per_row + a * (2 * k - a - 1) / 2 + (c - a - 1));
        *out++ = i < j ? bit : bit ^ one;
      }
      if (with_zero) *out = bitAt(b, r * per_row + pairs + i);
    }
  }
  while (m > 1) {
    const int64_t h = m / 2, next = h + m % 2;
    std::vector<uint8_t> x(static_cast<size_t>(n * h)), y(x.size());
    for (int64_t e = 0; e < n; ++e)
      for (int64_t c = 0; c < h; ++c) {
        x[e * h + c] = f[e * m + c];
        y[e * h + c] = f[e * m + h + c];
      }
    const RingTensor z = protocol.andWords(p, packWords(x), packWords(y));
    std::vector<uint8_t> g(static_cast<size_t>(n * next));
    for (int64_t e = 0; e < n; ++e) {
      for (int64_t c = 0; c < h; ++c) g[e * next + c] = bitAt(z, e * h + c);
      if (m % 2 == 1) g[e * next + h] = f[e * m + m - 1];  // the odd one goes on
    }
    f = std::move(g);
    m = next;
  }
  return packWords(f);
}

}  // namespace sotto::detail
