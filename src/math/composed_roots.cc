// sqrt and 1/sqrt composed from seam kernels (composed_functions.h): for x = a / 2^f, a = 2^e·μ, in
// ring units sqrt(x)·2^f = 2^(t/2)·sqrt(μ) with t = f + e, and 2^f / sqrt(x) = 2^(t/2) / sqrt(μ)
// with t = 3f - e; with ρ = t mod 2 (the same parity, f + e, for both) the power of two is made
// whole and the pieces' first half (ρ = 0: μ^(±1/2)) or second (ρ = 1: (2μ)^(±1/2)) takes the rest.
#include <utility>

#include "composed_functions.h"
#include "normalization.h"
#include "sotto/error.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

ArithTensor composedRoot(const ArithTensor& x, bool inverse) {
  const int f = x.fracBits();
  const char* name = inverse ? "rsqrt" : "sqrt";
  checkNormalizedScale(x, name);
  const Party& p = x.party();
  const int64_t n = x.numel();
  const RingTensor xs = x.share().reshape({n});
  // a = x, or where x <= 0: 1 ring unit (rsqrt: its value at one ULP), 0 (sqrt).
  const RingTensor ones = constant(p, n, inverse ? 1 : 0);
  const SignBits outside(p, inverse ? xs - ones : xs);
  const RingTensor a = xs + outside.select(0, ones - xs);
  // In ring units, with t = 3f - e (rsqrt) or f + e (sqrt), e = 8g + m:
  //   R = 2^((t ± ρ)/2)·F_ρ(μ), ρ = t mod 2, F_0 = μ^(∓1/2), F_1 = (2μ)^(∓1/2)
  //   (t ± ρ)/2 = ∓4g + q(m): q(m) = q_0 + (its excess over q_0, a lookup column, <= 4)
  auto parity = [f, inverse](int m) { return ((inverse ? 3 * f - m : f + m) % 2 + 2) % 2; };
  auto q = [&](int m) { return inverse ? (3 * f - m + parity(m)) / 2 : (f + m - parity(m)) / 2; };
  const int q0 = inverse ? q(7) : q(0);
  const Normalized norm =
      normalize(p, a,
                {[&](int m) -> uint64_t { return m < 0 ? 0 : static_cast<uint64_t>(parity(m)); },
                 [&](int m) -> uint64_t { return m < 0 ? 0 : uint64_t{1} << (q(m) - q0); }});
  const PiecewiseFunction& fm =
      composedFunction(inverse ? Composed::kRsqrtMantissa : Composed::kSqrtMantissa, kMantissaBits);
  const int s = fm.value_scale;
  // The pieces' second half for ρ = 1 (ρ's shares count mod 2^8: the floor's index bits do).
  const RingTensor at = norm.mantissa + norm.extra[0].shiftLeft(kMantissaBits);
  const RingTensor g = evaluatePieces(p, fm, at);
  const RingTensor w = p.protocol().mulNarrow(p, norm.extra[1], 5, g);
  RingTensor r = applyGroups(p, norm.groups, w, q0 - s, inverse ? -4 : 4, s + 6);
  return ArithTensor(p, std::move(r).reshape(x.shape().dims()), f);
}

}  // namespace sotto::math_detail
