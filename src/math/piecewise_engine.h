#pragma once
// Private: functions of shared fixed-point values composed from the protocol seam's kernels alone
// (sign bits, selections, truncations, one lookup, narrow products), for a family without
// function tables (Protocol::hasFunctionTables() false: the OT family); it runs on every family.
// SiRnn's recipe (Rathee et al., "SiRnn", S&P 2021: a lookup of a piece's coefficients, then
// products of mixed widths), in this shape; semi-honest, as the family's kernels:
//
//   a = x + W (one-sided: the domain [-W, 0)) or |x| (symmetric: [0, W) on |x|), W = 2^(k+P)
//   the sign bits of x and of a (one-sided, one call) or of a - W (symmetric, after |x|)
//   r = ⌊a / 2^P⌋ exactly (truncate), u = a - 2^P·r in [0, 2^P) inside the domain
//   ONE lookup of row r mod 2^k: the D + 1 coefficients of the piece's polynomial in τ = u/2^P
//   Horner at scale 2^-s: acc = c_j + ⌊acc·u / 2^P⌋ by narrowOperand(u, P bits) (its wrap once)
//     and truncatePositive on acc·u + 2^b·u (b > the bits of |acc|: the offset's 2^(b-P)·u is
//     removed locally)
//   the constants beyond the domain and the symmetry by selections, then one rounding to 2^-f.
// The product form (exp): one column E_r = F(piece start) and a public polynomial Q(τ) for the
// factor F(x)/E_r common to every piece (e^x: Q(τ) ≈ e^(h·τ)), then the one product E_r·Q(u).

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "composed_kernels.h"
#include "sotto/mpc/arith_tensor.h"

namespace sotto::math_detail {

/// How a piecewise function extends over x < 0.
enum class Symmetry {
  kOneSided,  ///< tabulated on [-W, 0): `below` for x < -W, `above` for x >= 0
  /// tabulated on [-W/2, W/2): `below` for x < -W/2, `above` for x >= W/2. Twice the rows of a
  /// symmetric table of the same pieces, but no sign of x and no selection before the floor (its
  /// sign call takes both ends): 6 rounds fewer than kOdd or kComplement under the dealers.
  kTwoSided,
  kOdd,         ///< tabulated on |x| < W: F(-x) = -F(x); `above` for |x| >= W
  kComplement,  ///< tabulated on |x| < W: F(-x) = 1 - F(x) (sigmoid); `above` for |x| >= W
  kEven,        ///< tabulated on |x| < W: F(-x) = F(x); `above` for |x| >= W
};

struct PiecewiseSpec {
  std::function<double(double)> fn;  // F on the domain (real units)
  int in_frac = 16;                  // x's fractional bits
  int width_log2 = 4;                // W = 2^width_log2 real units
  int index_bits = 5;                // 2^k pieces
  int degree = 3;                    // D
  Symmetry symmetry = Symmetry::kOdd;
  double below = 0, above = 0;  // the constants beyond the domain
  bool product_form = false;    // F(x) = E_r·Q(τ), Q public (F = e^x only)
  bool plus_relu = false;       // add max(x, 0) to the result (GELU: kEven with its gap)
  int out_frac = 0;  // the pieces' precision and evaluatePiecewise's result scale (0: in_frac)
};

/// Where the table starts, in real units: -W (one-sided), -W/2 (two-sided) or 0 (|x|).
inline double domainStart(const PiecewiseSpec& spec) {
  const double w = std::ldexp(1.0, spec.width_log2);
  if (spec.symmetry == Symmetry::kOneSided) return -w;
  return spec.symmetry == Symmetry::kTwoSided ? -w / 2 : 0.0;
}

/// The spec's public tables and constants.
struct PiecewiseFunction {
  PiecewiseSpec spec;
  int piece_bits = 0;           // P
  int scale = 0;                // s: coefficients and the accumulator at 2^-s
  int offset_bits = 0;          // b: Horner's positive offset 2^b
  int q_scale = 0;              // the product form's Q, truncated to 2^-q before E_r·Q
  int value_scale = 0;          // the result at 2^-value_scale before the last rounding
  std::vector<uint64_t> table;  // 2^k rows of `columns` words (at 2^-s)
  int columns = 0;              // D + 1, or 1 in the product form
  std::vector<int64_t> q;       // the product form's public Q coefficients (at 2^-s)
  double max_error_ulp = 0;     // the polynomials' largest error on the domain's grid, in ULPs
                                // of 2^-out_frac (of 2^-in_frac where out_frac is 0)
};

/// The product form's scales for pieces of precision 2^-out: E_r and Q's Horner at 2^-scale
/// (min(out + 12, 28)), Q truncated to 2^-q_scale before E_r·Q (6 bits below 2^-out, so that E_r·Q
/// takes a narrower operand, as long as scale + q_scale <= 56: the last rounding's offset stays
/// below 2^60).
struct ProductScales {
  int scale, q_scale;
};
ProductScales productScales(int out);

/// The spec's tables (each piece's polynomial fitted at Chebyshev nodes and quantized), with
/// max_error_ulp left 0: what the runtime builds for a recorded choice (composed_choices.h).
/// @throws InvalidArgument if the spec does not fit (P < 1, values past the ring's headroom).
PiecewiseFunction fitPiecewise(const PiecewiseSpec& spec);

/// fitPiecewise, then max_error_ulp measured over the whole grid (2^(width_log2 + in_frac)
/// inputs), or stopped once it passes give_up_ulp. @throws as fitPiecewise.
PiecewiseFunction buildPiecewise(const PiecewiseSpec& spec, double give_up_ulp = 1e300);

/// F(x) elementwise, x at spec.in_frac fractional bits, the result at spec.out_frac (in_frac where
/// 0), within max_error_ulp + 1.5 ULP of 2^-out_frac (the last rounding, with a truncation that
/// errs by one ULP either way) on the domain and 1.5 ULP of the constants beyond it. With
/// plus_relu, x + F where F rounds to +1 ULP may wrap at the largest value (2^63 - 1 ring units) in
/// a family whose truncation rounds up (the dealer's; the OT family's rounds down or is exact).
/// Cost (n elements): the family's sign on 2n values (one-sided) or on n twice with a selection
/// between, truncate, lookup of k index bits and `columns` 64-bit columns, narrowOperand(u, P bits)
/// and D products with it + D truncatePositive (product form: D - 1, then one truncatePositive and
/// a mulNarrow of q + 1 bits), 2 selections (one-sided, kEven) or 3, one truncatePositive; the OT
/// family's figures: sotto/math/functions.h's table.
ArithTensor evaluatePiecewise(const ArithTensor& x, const PiecewiseFunction& f);

/// The pieces alone: F at a (flat shares, every a in [0, W) as an offset into the domain, at
/// spec.in_frac fractional bits), at f.value_scale fractional bits, before any constant, symmetry
/// or rounding, within max_error_ulp (at in_frac) plus Horner's truncations (the OT family's
/// truncatePositive may take one less per step, at 2^-s). Cost: the exact floor by P bits
/// (composed_kernels.h), the lookup and Horner as above.
/// With `also` (flat) and `also_signs`, also the sign bits of those values, in the floor's own
/// sign call where it takes one (exactFloor: no extra round on the dealer family).
RingTensor evaluatePieces(const Party& p, const PiecewiseFunction& f, const RingTensor& a,
                          const RingTensor* also = nullptr,
                          std::unique_ptr<SignBits>* also_signs = nullptr);

}  // namespace sotto::math_detail
