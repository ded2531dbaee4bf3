// 1 / x composed from seam kernels (composed_functions.h): 1/x = 2^-e·(1/μ) for |x| = 2^e·μ.
#include <utility>

#include "composed_functions.h"
#include "normalization.h"
#include "sotto/error.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

ArithTensor composedReciprocal(const ArithTensor& x) {
  const int f = x.fracBits();
  checkNormalizedScale(x, "reciprocal");
  const Party& p = x.party();
  const RingTensor xs = x.share().reshape({x.numel()});
  // |x| = x - 2·[x < 0]·x
  const SignBits negative(p, xs);
  const RingTensor neg = negative.select(0, xs);
  const RingTensor a = xs - neg - neg;
  const Normalized norm = normalize(p, a);
  // G = 1/μ at 2^-s, W = G·2^(7 - m) (< 2^(s + 8)), then 1/x = 2^(2f - e)·G/2^s in ring units:
  // W·2^(2f - s - 7 - 8g).
  const PiecewiseFunction& fm = composedFunction(Composed::kReciprocalMantissa, kMantissaBits);
  const int s = fm.value_scale;
  const RingTensor g = evaluatePieces(p, fm, norm.mantissa);
  const RingTensor w = p.protocol().mulNarrow(p, norm.pow, 8, g);
  RingTensor r = applyGroups(p, norm.groups, w, 2 * f - s - 7, -8, s + 8);
  // The sign back: r - 2·[x < 0]·r.
  const RingTensor back = negative.select(0, r);
  r = r - back - back;
  return ArithTensor(p, std::move(r).reshape(x.shape().dims()), f);
}

}  // namespace sotto::math_detail
