// softmax and log-softmax composed from seam kernels (composed_functions.h).
#include <utility>

#include "composed_functions.h"
#include "composed_kernels.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

ArithTensor composedSoftmax(const ArithTensor& x, int64_t dim, bool log) {
  const Party& p = x.party();
  const int f = x.fracBits(), g = f + 4;
  // z = x - max (<= 0: the composed exp's domain), exp(z) at g = f + 4 fractional bits (the
  // pieces' output: kExpSum), the row sum and its log there.
  const ArithTensor m = max(x, dim, /*keepdim=*/true);
  const ArithTensor z(p, x.share() - m.share(), f);
  const ArithTensor e = evaluatePiecewise(z, composedFunction(Composed::kExpSum, f));
  const ArithTensor l = composedLogUpTo(e.sum(dim, /*keepdim=*/true), g);
  // log Σ rounded to f: ⌊(l + 2^(g-f-1)) / 2^(g-f)⌋ exactly (one row's worth of the exact floor).
  const RingTensor ls = l.share().reshape({l.numel()});
  const RingTensor half = constant(p, ls.numel(), int64_t{1} << (g - f - 1));
  const RingTensor lf = exactFloor(p, ls + half, g - f).quotient.reshape(l.shape().dims());
  const ArithTensor arg(p, z.share() - lf, f);  // z - log Σ exp(z)
  if (log) return arg;
  return evaluatePiecewise(arg, composedFunction(Composed::kExp, f));  // arg <= 0 up to l's error
}

}  // namespace sotto::math_detail
