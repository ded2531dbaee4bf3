// The online half of the composed engine (piecewise_engine.h): only protocol-seam kernels.
#include "piecewise_engine.h"

#include <cmath>
#include <span>
#include <utility>

#include "composed_kernels.h"
#include "sotto/error.h"
#include "sotto/mpc/party.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {
namespace {

// ⌊acc·u / 2^P⌋ from the product acc·u: truncatePositive on acc·u + 2^b·u (>= 0 for |acc| <
// 2^b), less 2^(b - P)·u.
RingTensor floorProduct(const Party& p, RingTensor product, const RingTensor& u, int piece_bits,
                        int offset_bits) {
  product += u.shiftLeft(offset_bits);
  RingTensor t = p.protocol().truncatePositive(p, product, piece_bits);
  return t - u.shiftLeft(offset_bits - piece_bits);
}

// Horner in fixed point: Σ_j c_j·τ^j, τ = u / 2^P, coefficients column j of `coef` ([n, cols]).
RingTensor horner(const Party& p, const PiecewiseFunction& f, const RingTensor& coef,
                  const RingTensor& u) {
  const int64_t n = u.numel();
  const int d = f.spec.degree, cols = f.columns, pb = f.piece_bits;
  auto column = [&](int j) {
    std::vector<uint64_t> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = coef[i * cols + j];
    return flat(std::move(v));
  };
  const auto narrow_u = p.protocol().narrowOperand(p, u, pb);  // u's wrap once
  if (f.spec.product_form) {  // Q(u) with public coefficients, then E_r·Q(u)
    RingTensor acc = u * static_cast<uint64_t>(f.q[d]);
    for (int j = d - 1; j >= 0; --j) {
      if (j < d - 1) acc = narrow_u->mul(p, acc);
      acc = floorProduct(p, std::move(acc), u, pb, f.offset_bits) + constant(p, n, f.q[j]);
    }
    if (f.q_scale < f.scale) acc = p.protocol().truncatePositive(p, acc, f.scale - f.q_scale);
    return p.protocol().mulNarrow(p, acc, f.q_scale + 1, column(0));
  }
  RingTensor acc = column(d);
  for (int j = d - 1; j >= 0; --j) {
    RingTensor product = narrow_u->mul(p, acc);
    acc = floorProduct(p, std::move(product), u, pb, f.offset_bits) + column(j);
  }
  return acc;
}

}  // namespace

RingTensor evaluatePieces(const Party& p, const PiecewiseFunction& f, const RingTensor& a,
                          const RingTensor* also, std::unique_ptr<SignBits>* also_signs) {
  // The piece r = ⌊a / 2^P⌋ (exact), u = a - 2^P·r, then the piece's coefficients and Horner.
  Floor piece = exactFloor(p, a, f.piece_bits, also);
  if (also_signs != nullptr) *also_signs = std::move(piece.also_signs);
  const RingTensor coef =
      p.protocol().lookup(p, piece.quotient, f.spec.index_bits, f.columns, f.table, 64);
  return horner(p, f, coef, piece.remainder);
}

ArithTensor evaluatePiecewise(const ArithTensor& x, const PiecewiseFunction& f) {
  const PiecewiseSpec& spec = f.spec;
  SOTTO_ENFORCE(x.fracBits() == spec.in_frac, "piecewise function: the input has ", x.fracBits(),
                " fractional bits, the tables ", spec.in_frac);
  const Party& p = x.party();
  Protocol& proto = p.protocol();
  const RingTensor xs = x.share().reshape({x.numel()});
  const int64_t n = xs.numel();
  const int64_t width = int64_t{1} << (spec.width_log2 + spec.in_frac);  // W in ring units
  // Tabulated from `start` to `end` on x itself (one- or two-sided) or on |x| (symmetric).
  const bool two_sided = spec.symmetry == Symmetry::kTwoSided;
  const bool one_sided = spec.symmetry == Symmetry::kOneSided || two_sided;
  const int64_t start = std::llround(std::ldexp(domainStart(spec), spec.in_frac)),
                end = one_sided ? start + width : 0;
  // a: x - start (one- or two-sided) or |x|; the sign bits: [x < end] and [a < 0] (one call) or
  // [x < 0] then [a - W < 0] (symmetric).
  RingTensor a, relu;
  std::unique_ptr<SignBits> signs, inside;
  if (one_sided) {
    a = xs - constant(p, n, start);
  } else {
    signs = std::make_unique<SignBits>(p, xs);
    const RingTensor neg = signs->select(0, xs);  // [x < 0]·x
    a = xs - neg - neg;
    if (spec.plus_relu) relu = xs - neg;
  }
  // [x < end] and [a < 0] (one- or two-sided; two-sided also [x < 0]) or [a - W < 0] (symmetric)
  // with the floor's own sign where it takes one (the dealer family: no extra round).
  const RingTensor also = two_sided   ? concat2(concat2(xs - constant(p, n, end), a), xs)
                          : one_sided ? concat2(xs, a)
                                      : a - constant(p, n, width);
  RingTensor v = evaluatePieces(p, f, a, &also, one_sided ? &signs : &inside);
  // The constants beyond the domain and the symmetry, at the value's scale vs.
  const int vs = f.value_scale;
  auto at = [vs](double c) { return std::llround(std::ldexp(c, vs)); };
  if (two_sided) {
    // [x < end] and [a < 0] both say "outside" where x - end (x near -2^63) or a (x near 2^63)
    // wraps; each is right on its own side of 0, and [x < 0] picks the side. One selection on 2n
    // values (both sides), then one on n.
    const RingTensor above = constant(p, n, at(spec.above));
    const RingTensor both =
        signs->select(0, concat2(v - above, constant(p, n, at(spec.below)) - v));
    const RingTensor upper = above + slice(both, 0, n);  // x >= 0: v, or above for x >= end
    const RingTensor lower = v + slice(both, n, n);      // x < 0: v, or below for x < start
    v = upper + signs->select(2 * n, lower - upper);
  } else if (one_sided) {
    v = v + signs->select(n, constant(p, n, at(spec.below)) - v);  // [x < start]: below
    v = chooseOr(p, *signs, 0, v, at(spec.above));                 // [x >= end]: above
  } else {
    v = chooseOr(p, *inside, 0, v, at(spec.above));  // |x| >= W: above
    if (spec.symmetry == Symmetry::kOdd) {
      const RingTensor t = signs->select(0, v);  // F(-x) = -F(x)
      v = v - t - t;
    } else if (spec.symmetry == Symmetry::kComplement) {
      v = v + signs->select(0, constant(p, n, at(1)) - v - v);  // F(-x) = 1 - F(x)
    }
  }
  // Rounding to 2^-o (o = out_frac): ⌊(v + 2^(e-1) + 2^(vs+3)) / 2^e⌋ - 2^(vs+3-e), e = vs - o:
  // within 1.5 ULP with the truncation's 1-ULP error either way (the positive offset lets the
  // cheap truncation take it).
  const int o = spec.out_frac > 0 ? spec.out_frac : spec.in_frac;
  const int e = vs - o;
  const int64_t offset = int64_t{1} << (vs + 3);
  v += constant(p, n, offset + (int64_t{1} << (e - 1)));
  RingTensor out = proto.truncatePositive(p, v, e) - constant(p, n, offset >> e);
  if (spec.plus_relu) out += relu.shiftLeft(o - spec.in_frac);
  return ArithTensor(p, std::move(out).reshape(x.shape().dims()), o);
}

}  // namespace sotto::math_detail
