// The normalisation a = 2^e·μ of the composed math (normalization.h): only seam kernels.
#include "normalization.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>
#include <vector>

#include "sotto/error.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

void checkNormalizedScale(const ArithTensor& x, const char* name, int max_frac) {
  SOTTO_ENFORCE(x.fracBits() >= 12 && x.fracBits() <= max_frac, name, " (composed): supports 12..",
                max_frac, " fractional bits, the input has ", x.fracBits());
}
namespace {

constexpr int kGroups = 8;     // byte groups of a 63-bit value
constexpr int kGroupBits = 8;  // bits per group

// Row b of the leading-bit lookup: 2^(7 - m) for the byte b's leading bit m (0 for b = 0), then
// each extra column's entry for m (m = -1 for b = 0).
std::vector<uint64_t> leadingBitTable(const std::vector<ByLeadingBit>& extra) {
  std::vector<uint64_t> t;
  for (unsigned b = 0; b < 256; ++b) {
    const int m = std::bit_width(b) - 1;
    t.push_back(b == 0 ? 0 : uint64_t{1} << (7 - m));
    for (const ByLeadingBit& column : extra) t.push_back(column(m) & 0xff);
  }
  return t;
}

}  // namespace

Normalized normalize(const Party& p, const RingTensor& a, const std::vector<ByLeadingBit>& extra) {
  Protocol& proto = p.protocol();
  const int64_t n = a.numel();
  // [a < 2^(8j)], j = 1..7, in one call, then the bands h_g.
  std::vector<uint64_t> shifted;
  shifted.reserve(static_cast<size_t>((kGroups - 1) * n));
  for (int j = 1; j < kGroups; ++j) {
    const RingTensor d = a - constant(p, n, int64_t{1} << (kGroupBits * j));
    shifted.insert(shifted.end(), d.data().begin(), d.data().end());
  }
  const SignBits below(p, flat(std::move(shifted)));
  SignBits groups = below.bands(n, kGroups - 1);
  // Z = Σ_g h_g·(a << (56 - 8g)): the leading non-zero byte at bits 56..63.
  std::vector<uint64_t> candidates;
  candidates.reserve(static_cast<size_t>(kGroups * n));
  for (int g = 0; g < kGroups; ++g) {
    const RingTensor c = a.shiftLeft(kGroupBits * (kGroups - 1 - g));
    candidates.insert(candidates.end(), c.data().begin(), c.data().end());
  }
  const RingTensor picked = groups.select(0, flat(std::move(candidates)));
  RingTensor z = slice(picked, 0, n);
  for (int g = 1; g < kGroups; ++g) z += slice(picked, g * n, n);
  // The byte's leading bit: 2^(7 - m) by one lookup, then Z' = 2^(7 - m)·Z in [2^63, 2^64).
  const int top = 64 - kGroupBits;
  const RingTensor byte = exactFloor(p, z, top).quotient;
  const int cols = 1 + static_cast<int>(extra.size());
  const RingTensor looked = proto.lookup(p, byte, kGroupBits, cols, leadingBitTable(extra), 8);
  std::vector<RingTensor> columns;
  for (int j = 0; j < cols; ++j) {
    std::vector<uint64_t> c(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) c[static_cast<size_t>(i)] = looked[i * cols + j];
    columns.push_back(flat(std::move(c)));
  }
  RingTensor pow = std::move(columns.front());
  columns.erase(columns.begin());
  const RingTensor zn = proto.mulNarrow(p, pow, kGroupBits, z);
  // μ - 1 = (Z' - 2^63) / 2^63, at B fractional bits.
  const RingTensor frac = zn - constant(p, n, std::numeric_limits<int64_t>::min());
  RingTensor mantissa = exactFloor(p, frac, 63 - kMantissaBits).quotient;
  return {std::move(groups), std::move(pow), std::move(mantissa), std::move(columns)};
}

RingTensor applyGroups(const Party& p, const SignBits& groups, const RingTensor& v, int c, int step,
                       int v_bits) {
  const int64_t n = v.numel();
  // The groups kept (k >= 0, or ⌊(v + 2^(-k-1)) / 2^-k⌋ for -k <= v_bits; beyond: 0) are
  // consecutive (k is monotone in g): one selection of them all, each group's shift its own.
  std::vector<uint64_t> values;
  std::vector<int> shifts;
  int first = -1, kept = 0;
  for (int g = 0; g < kGroups; ++g) {
    const int k = c + step * g;
    if (k < 0 && -k > v_bits) continue;
    if (first < 0) first = g;
    ++kept;
    const RingTensor w = k >= 0 ? v.shiftLeft(k) : v + constant(p, n, int64_t{1} << (-k - 1));
    values.insert(values.end(), w.data().begin(), w.data().end());
    shifts.insert(shifts.end(), static_cast<size_t>(n), std::max(0, -k));
  }
  RingTensor out = RingTensor::zeros(Shape{n});
  if (kept == 0) return out;
  const RingTensor picked = groups.selectShifted(first * n, flat(std::move(values)), shifts);
  for (int g = 0; g < kept; ++g) out += slice(picked, g * n, n);
  return out;
}

}  // namespace sotto::math_detail
