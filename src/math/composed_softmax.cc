// softmax and log-softmax composed from seam kernels (composed_functions.h).
#include <algorithm>
#include <utility>

#include "composed_functions.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

ArithTensor composedSoftmax(const ArithTensor& x, int64_t dim, bool log) {
  const Party& p = x.party();
  const int f = x.fracBits(), g = std::min(f + 4, 20);
  // z = x - max (<= 0: the composed exp's domain), shifted to g bits (differences below
  // 2^(63 - g + f) ring units), the row sum of exp(z) and its log at g.
  const ArithTensor m = max(x, dim, /*keepdim=*/true);
  const ArithTensor z(p, x.share() - m.share(), f);
  const ArithTensor zg(p, z.share().shiftLeft(g - f), g);
  const ArithTensor e = evaluatePiecewise(zg, composedFunction(Composed::kExp, g));
  const ArithTensor l = composedLog(e.sum(dim, /*keepdim=*/true));
  // log Σ rounded to f: +1 so that the positive truncation holds a log a little below 0.
  RingTensor lg = l.share();
  if (p.id() == 0)
    lg += RingTensor::full(lg.shape(), (uint64_t{1} << g) + (uint64_t{1} << (g - f) >> 1));
  RingTensor lf = g > f ? p.protocol().truncatePositive(p, lg, g - f) : std::move(lg);
  if (p.id() == 0) lf -= RingTensor::full(lf.shape(), uint64_t{1} << f);
  const ArithTensor arg(p, z.share() - lf, f);  // z - log Σ exp(z)
  if (log) return arg;
  return evaluatePiecewise(arg, composedFunction(Composed::kExp, f));  // arg <= 0 up to l's error
}

}  // namespace sotto::math_detail
