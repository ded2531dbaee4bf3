// The public half of the composed engine (piecewise_engine.h): each piece's polynomial fitted at
// Chebyshev nodes, quantized, and its error measured at every input of the domain's grid exactly
// as the protocol's Horner steps compute it (floors included).
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "piecewise_engine.h"
#include "sotto/error.h"

namespace sotto::math_detail {
namespace {

constexpr int kMaxDegree = 4;
using Coefficients = std::array<double, kMaxDegree + 1>;

// The polynomial of `degree` through g at the Chebyshev nodes of [0, 1), in monomials of τ.
Coefficients chebyshevFit(const std::function<double(double)>& g, int degree) {
  const int m = degree + 1;
  std::array<std::array<double, kMaxDegree + 2>, kMaxDegree + 1> a{};  // [V | g] rows
  for (int i = 0; i < m; ++i) {
    const double t = (1 - std::cos(std::numbers::pi * (2 * i + 1) / (2.0 * m))) / 2;
    double p = 1;
    for (int j = 0; j < m; ++j, p *= t) a[i][j] = p;
    a[i][m] = g(t);
  }
  for (int c = 0; c < m; ++c) {  // Gauss-Jordan with partial pivoting (m <= 5)
    int piv = c;
    for (int r = c + 1; r < m; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    std::swap(a[c], a[piv]);
    for (int r = 0; r < m; ++r) {
      if (r == c) continue;
      const double k = a[r][c] / a[c][c];
      for (int j = c; j <= m; ++j) a[r][j] -= k * a[c][j];
    }
  }
  Coefficients out{};
  for (int j = 0; j < m; ++j) out[j] = a[j][m] / a[j][j];
  return out;
}

int64_t quantize(double v, int scale) { return std::llround(std::ldexp(v, scale)); }

// ⌊acc·u / 2^P⌋ + c, as the protocol's Horner step (without Cheetah's occasional -1).
int64_t hornerStep(int64_t acc, int64_t u, int piece_bits, int64_t c) {
  return static_cast<int64_t>(std::floor(std::ldexp(static_cast<double>(acc) * u, -piece_bits))) +
         c;
}

}  // namespace

ProductScales productScales(int out) {
  const int scale = std::min(out + 12, 28);
  return {scale, std::min(out + 6, 56 - scale)};
}

PiecewiseFunction fitPiecewise(const PiecewiseSpec& spec) {
  PiecewiseFunction f;
  f.spec = spec;
  const int k = spec.index_bits, d = spec.degree, in = spec.in_frac;
  const int out = spec.out_frac > 0 ? spec.out_frac : in;  // the error's ULP: 2^-out
  f.piece_bits = spec.width_log2 + in - k;
  SOTTO_ENFORCE(
      k >= 1 && k <= 12 && d >= 1 && d <= kMaxDegree && f.piece_bits >= 1 && f.piece_bits <= 24,
      "piecewise function: index bits ", k, ", degree ", d, ", piece bits ", f.piece_bits,
      " out of range");
  const int p = f.piece_bits;
  const double h = std::ldexp(1.0, p - in);  // a piece's width, real units
  const double start = domainStart(spec);
  const int64_t rows = int64_t{1} << k;
  f.columns = spec.product_form ? 1 : d + 1;
  // Scales: generic, 12 bits below the pieces' ULP (2^-out); the product form's: productScales.
  f.scale = spec.product_form ? productScales(out).scale : out + 12;
  f.offset_bits = std::max(f.scale + 3, p);
  f.q_scale = spec.product_form ? productScales(out).q_scale : 0;
  f.value_scale = spec.product_form ? f.scale + f.q_scale : f.scale;
  SOTTO_ENFORCE(f.offset_bits + 1 + p <= 61, "piecewise function: scale ", f.scale,
                " and piece bits ", p, " leave no headroom in the ring");
  const int s = f.scale;
  if (spec.product_form) {
    const Coefficients q = chebyshevFit([&](double t) { return std::exp(h * t); }, d);
    for (int j = 0; j <= d; ++j) f.q.push_back(quantize(q[j], s));
    SOTTO_ENFORCE(std::exp(h) < 2, "piecewise function: the product form needs pieces < ln 2");
  }
  for (int64_t r = 0; r < rows; ++r) {
    const double x0 = start + h * static_cast<double>(r);
    if (spec.product_form) {
      f.table.push_back(static_cast<uint64_t>(quantize(spec.fn(x0), s)));
      continue;
    }
    const Coefficients c = chebyshevFit([&](double t) { return spec.fn(x0 + h * t); }, d);
    for (int j = 0; j <= d; ++j) {
      const int64_t q = quantize(c[j], s);
      SOTTO_ENFORCE(std::llabs(q) < (int64_t{1} << (f.offset_bits - 1)),
                    "piecewise function: coefficient ", c[j], " too large for the offset 2^",
                    f.offset_bits - s);
      f.table.push_back(static_cast<uint64_t>(q));
    }
  }
  return f;
}

PiecewiseFunction buildPiecewise(const PiecewiseSpec& spec, double give_up_ulp) {
  PiecewiseFunction f = fitPiecewise(spec);
  const int d = spec.degree, in = spec.in_frac, p = f.piece_bits, s = f.scale;
  const int out = spec.out_frac > 0 ? spec.out_frac : in;
  const int64_t rows = int64_t{1} << spec.index_bits;
  const double start = domainStart(spec);
  // The error at every input of the grid, as the protocol computes it (before its last rounding).
  const int64_t per = int64_t{1} << p;
  for (int64_t r = 0; r < rows && f.max_error_ulp <= give_up_ulp; ++r) {
    const uint64_t* c = f.table.data() + r * f.columns;
    for (int64_t u = 0; u < per; ++u) {
      double got;
      if (spec.product_form) {
        int64_t acc = f.q[d];
        for (int j = d - 1; j >= 0; --j) acc = hornerStep(acc, u, p, f.q[j]);
        const int64_t q = acc >> (s - f.q_scale);
        got = std::ldexp(static_cast<double>(static_cast<int64_t>(c[0])) * q, -s - f.q_scale);
      } else {
        int64_t acc = static_cast<int64_t>(c[d]);
        for (int j = d - 1; j >= 0; --j) acc = hornerStep(acc, u, p, static_cast<int64_t>(c[j]));
        got = std::ldexp(static_cast<double>(acc), -s);
      }
      const double x = start + std::ldexp(static_cast<double>(r * per + u), -in);
      f.max_error_ulp = std::max(f.max_error_ulp, std::ldexp(std::fabs(got - spec.fn(x)), out));
    }
  }
  return f;
}

}  // namespace sotto::math_detail
