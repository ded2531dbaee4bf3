// ln x composed from seam kernels (composed_functions.h): ln(2^e·μ) = ln μ + e·ln 2.
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include "composed_functions.h"
#include "normalization.h"
#include "sotto/error.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

ArithTensor composedLog(const ArithTensor& x) { return composedLogUpTo(x, 20); }

ArithTensor composedLogUpTo(const ArithTensor& x, int max_frac) {
  const int f = x.fracBits();
  checkNormalizedScale(x, "log", max_frac);
  const Party& p = x.party();
  const int64_t n = x.numel();
  const RingTensor xs = x.share().reshape({n});
  // a = x, or 1 ring unit where x <= 0 (ln of the value at one ULP).
  const RingTensor ones = constant(p, n, 1);
  const SignBits outside(p, xs - ones);
  const RingTensor a = xs + outside.select(0, ones - xs);
  const Normalized norm =
      normalize(p, a, {[](int m) -> uint64_t { return m < 0 ? 0 : static_cast<uint64_t>(m); }});
  const PiecewiseFunction& fm = composedFunction(Composed::kLogMantissa, kMantissaBits);
  const int s = fm.value_scale;
  const auto ln2 = [s](double k) { return std::llround(std::ldexp(k * std::numbers::ln2, s)); };
  // ln μ + m·ln 2 + (8g - f)·ln 2, at 2^-s
  RingTensor v = evaluatePieces(p, fm, norm.mantissa);
  v += p.protocol().mulNarrow(p, norm.extra[0], 3, constant(p, n, ln2(1)));
  std::vector<uint64_t> by_group;
  for (int g = 0; g < 8; ++g) {
    const RingTensor c = constant(p, n, ln2(8 * g - f));
    by_group.insert(by_group.end(), c.data().begin(), c.data().end());
  }
  const RingTensor picked = norm.groups.select(0, flat(std::move(by_group)));
  for (int g = 0; g < 8; ++g) v += slice(picked, g * n, n);
  // Rounding to 2^-f: ⌊(v + 2^(e-1) + 2^(s+6)) / 2^e⌋ - 2^(s+6-e), e = s - f (|v| < 2^(s+6)).
  const int e = s - f;
  const int64_t offset = int64_t{1} << (s + 6);
  v += constant(p, n, offset + (int64_t{1} << (e - 1)));
  RingTensor out = p.protocol().truncatePositive(p, v, e) - constant(p, n, offset >> e);
  return ArithTensor(p, std::move(out).reshape(x.shape().dims()), f);
}

}  // namespace sotto::math_detail
