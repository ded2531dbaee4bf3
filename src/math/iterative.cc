#include "sotto/math/iterative.h"

#include "sotto/mpc/compare.h"

namespace sotto::crypten_style {
namespace {

// x + c for a public constant c.
ArithTensor addConst(const ArithTensor& x, double c) {
  return x.addPublic(RingTensor::full(x.shape(), encode(c, x.fracBits())));
}

// Newton steps for 1/x from y: y <- 2y - x·y².
ArithTensor newtonReciprocal(const ArithTensor& x, ArithTensor y, int iterations) {
  for (int i = 0; i < iterations; ++i) y = y.mulPublicInt(2) - x.mul(y.square());
  return y;
}

}  // namespace

ArithTensor exp(const ArithTensor& x) {
  auto scope = x.party().comm().tag("exp (iterative)");
  ArithTensor y = addConst(x.mulPublic(1.0 / 256), 1.0);  // 1 + x / 2^8
  for (int i = 0; i < 8; ++i) y = y.square();
  return y;
}

ArithTensor reciprocal(const ArithTensor& x) {
  auto scope = x.party().comm().tag("reciprocal (iterative)");
  // y0 = 3·exp(0.5 - x) + 0.003
  ArithTensor y = addConst(exp(addConst(-x, 0.5)).mulPublicInt(3), 0.003);
  return newtonReciprocal(x, std::move(y), 10);
}

ArithTensor rsqrt(const ArithTensor& x) {
  auto scope = x.party().comm().tag("rsqrt (iterative)");
  // y0 = 2.2·exp(-(x/2 + 0.2)) + 0.2 - x/1024
  ArithTensor y = exp(addConst(x.mulPublic(-0.5), -0.2)).mulPublic(2.2);
  y = addConst(y, 0.2) - x.mulPublic(1.0 / 1024);
  for (int i = 0; i < 3; ++i) {
    // y <- y·(3 - x·y²) / 2
    ArithTensor t = addConst(-x.mul(y.square()), 3.0);
    y = y.mul(t).mulPublic(0.5);
  }
  return y;
}

ArithTensor sqrt(const ArithTensor& x) { return x.mul(rsqrt(x)); }

ArithTensor log(const ArithTensor& x) {
  auto scope = x.party().comm().tag("log (iterative)");
  // y0 = x/120 - 20·exp(-2x - 1) + 3
  ArithTensor y = x.mulPublic(1.0 / 120) - exp(addConst(x.mulPublicInt(-2), -1.0)).mulPublicInt(20);
  y = addConst(y, 3.0);
  for (int i = 0; i < 2; ++i) {
    // h = 1 - x·exp(-y); y <- y - Σ_{k=1..8} h^k / k
    ArithTensor h = addConst(-x.mul(exp(-y)), 1.0);
    ArithTensor power = h;
    ArithTensor series = h;
    for (int k = 2; k <= 8; ++k) {
      power = power.mul(h);
      series = series + power.mulPublic(1.0 / k);
    }
    y = y - series;
  }
  return y;
}

ArithTensor sigmoid(const ArithTensor& x) {
  auto scope = x.party().comm().tag("sigmoid (iterative)");
  const ArithTensor neg = ltz(x);                                // 1 where x < 0
  const ArithTensor sign = addConst(-neg.mulPublicInt(2), 1.0);  // -1 or +1
  const ArithTensor pos = x.mul(sign);                           // |x|
  const ArithTensor denominator = addConst(exp(-pos), 1.0);      // in (1, 2]
  ArithTensor y0 = ArithTensor::fromPublic(
      x.party(), RingTensor::full(x.shape(), encode(0.75, x.fracBits())), x.fracBits());
  const ArithTensor p = newtonReciprocal(denominator, std::move(y0), 10);  // sigmoid(|x|)
  return where(neg, addConst(-p, 1.0), p);
}

ArithTensor tanh(const ArithTensor& x) {
  return addConst(sigmoid(x.mulPublicInt(2)).mulPublicInt(2), -1.0);
}

ArithTensor softmax(const ArithTensor& x, int64_t dim) {
  auto scope = x.party().comm().tag("softmax (iterative)");
  const int64_t r = x.shape().rank();
  if (dim < 0) dim += r;
  const ArithTensor m = max(x, dim, /*keepdim=*/true);
  // x - max (broadcast along dim), then exp, sum, one reciprocal, multiply.
  const ArithTensor shifted(x.party(), x.share() - m.share(), x.fracBits());
  const ArithTensor e = exp(shifted);
  const ArithTensor s = e.sum(dim, /*keepdim=*/true);
  const ArithTensor inv = reciprocal(s);
  return e.mul(inv);
}

}  // namespace sotto::crypten_style
