#include "sotto/math/functions.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <tuple>

#include "composed_functions.h"
#include "sotto/math/domain.h"
#include "sotto/math/iterative.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/protocol.h"
#include "sotto/mpc/range_check.h"
#include "table_engine.h"

namespace sotto {
namespace {

using math_detail::buildTableFunction;
using math_detail::TableFunction;
using math_detail::TableFunctionOptions;
using math_detail::TaylorFn;
using math_detail::WindowPlan;

// The positive-domain functions saturate below this input (and for zero and negatives).
constexpr double kPositiveMin = 1.0 / 16;
// exp is computed up to 4 + 2^-6 and saturates at exp(4 + 2^-5) from 4 + 2^-5 on.
constexpr double kExpTop = 4 + 1.0 / 32;

// ---- Taylor coefficients f^(k)(x)/k! -------------------------------------------------------

void expTaylor(double x, int degree, double* o) {
  const double e = std::exp(x);
  double fact = 1;
  for (int k = 0; k <= degree; ++k) {
    o[k] = e / fact;
    fact *= k + 1;
  }
}

void sigmoidTaylor(double x, int degree, double* o) {
  const double s = 1 / (1 + std::exp(-x));
  const double d1 = s * (1 - s);
  const double d[4] = {s, d1, d1 * (1 - 2 * s) / 2, d1 * (1 - 6 * s + 6 * s * s) / 6};
  for (int k = 0; k <= degree; ++k) o[k] = d[k];
}

void tanhTaylor(double x, int degree, double* o) {
  const double t = std::tanh(x);
  const double d1 = 1 - t * t;
  const double d[4] = {t, d1, -t * d1, d1 * (3 * t * t - 1) / 3};
  for (int k = 0; k <= degree; ++k) o[k] = d[k];
}

void erfTaylor(double x, int degree, double* o) {
  const double d1 = 2 / std::sqrt(std::numbers::pi) * std::exp(-x * x);  // erf'
  const double d[4] = {std::erf(x), d1, -x * d1, (2 * x * x - 1) * d1 / 3};
  for (int k = 0; k <= degree; ++k) o[k] = d[k];
}

// GELU, x·Φ(x) (Φ the normal CDF, φ its density): derivatives Φ + x·φ, (2 - x²)·φ, (x³ - 4x)·φ.
void geluTaylor(double x, int degree, double* o) {
  const double phi = std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi);
  const double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
  const double d[4] = {x * cdf, cdf + x * phi, (2 - x * x) * phi / 2,
                       (x * x * x - 4 * x) * phi / 6};
  for (int k = 0; k <= degree; ++k) o[k] = d[k];
}

// GELU's tanh approximation, 0.5·x·(1 + tanh(u)), u = k·(x + a·x³), k = √(2/π), a = 0.044715;
// t = tanh(u) and its derivatives t1..t3 from u's u1..u3 (s = 1 - t²).
void geluTanhTaylor(double x, int degree, double* o) {
  const double k = std::sqrt(2 / std::numbers::pi), a = 0.044715;
  const double u = k * (x + a * x * x * x), u1 = k * (1 + 3 * a * x * x), u2 = 6 * a * k * x,
               u3 = 6 * a * k;
  const double t = std::tanh(u), s = 1 - t * t;
  const double t1 = s * u1;
  const double t2 = -2 * t * t1 * u1 + s * u2;
  const double t3 = -2 * (t1 * t1 * u1 + t * t2 * u1 + t * t1 * u2) - 2 * t * t1 * u2 + s * u3;
  const double d[4] = {0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * t1, (t1 + 0.5 * x * t2) / 2,
                       (1.5 * t2 + 0.5 * x * t3) / 6};
  for (int i = 0; i < 4 && i <= degree; ++i) o[i] = d[i];
}

// t -> F(-t): both GELU forms satisfy F(x) - max(x, 0) = F(-|x|), so GELU = ReLU + F(-|x|) with
// F(-t) smooth and vanishing as t grows (tabulated for t = |x| >= 0, no kink inside a piece).
TaylorFn mirrored(void (*f)(double, int, double*)) {
  return [f](double t, int degree, double* o) {
    f(-t, degree, o);
    for (int k = 1; k <= degree; k += 2) o[k] = -o[k];
  };
}

// x^p and its Taylor coefficients binom(p, k)·x^(p - k) above x_min; the constant x_min^p below.
TaylorFn powerTaylor(double p, double x_min) {
  return [p, x_min](double x, int degree, double* o) {
    for (int k = 0; k <= degree; ++k) o[k] = 0;
    if (x < x_min) {
      o[0] = std::pow(x_min, p);
      return;
    }
    double binom = 1;
    for (int k = 0; k <= degree; ++k) {
      o[k] = binom * std::pow(x, p - k);
      binom *= (p - k) / (k + 1);
    }
  };
}

TaylorFn logTaylor(double x_min) {
  return [x_min](double x, int degree, double* o) {
    for (int k = 0; k <= degree; ++k) o[k] = 0;
    if (x < x_min) {
      o[0] = std::log(x_min);
      return;
    }
    o[0] = std::log(x);
    double xp = 1;
    for (int k = 1; k <= degree; ++k) {
      xp *= x;
      o[k] = (k % 2 == 1 ? 1.0 : -1.0) / (k * xp);
    }
  };
}

// ---- Whole-domain pieces -----------------------------------------------------------------

// The chord through (x - 2^-in, F(x - 2^-in)) and (x, F(x)) as a degree-1 "Taylor" expansion: in a
// window with one low bit (two inputs per row) the pieces are then exact at every input.
TaylorFn secant(std::function<double(double)> fn, int in_frac) {
  const double ulp = std::ldexp(1.0, -in_frac);
  return [fn, ulp](double x, int degree, double* o) {
    for (int k = 0; k <= degree; ++k) o[k] = 0;
    o[0] = fn(x);
    if (degree >= 1) o[1] = (fn(x) - fn(x - ulp)) / ulp;
  };
}

// g where |x| >= x_min; the constant g(±x_min) nearer zero (the window is never selected there:
// keeps its values, and so its ring, small).
TaylorFn clampAbs(TaylorFn g, double x_min) {
  return [g, x_min](double x, int degree, double* o) {
    if (std::fabs(x) >= x_min) return g(x, degree, o);
    g(x < 0 ? -x_min : x_min, 0, o);
    for (int k = 1; k <= degree; ++k) o[k] = 0;
  };
}

// 1/x for x != 0 (Taylor: (-1)^k / x^(k+1)).
void reciprocalTaylor(double x, int degree, double* o) {
  double p = 1 / x;
  for (int k = 0; k <= degree; ++k) {
    o[k] = k % 2 == 0 ? p : -p;  // (-1)^k / x^(k+1)
    p /= x;
  }
}

// A window y = x + offset in [0, 2^top) ring units with 2^rows rows.
WindowPlan chainWindow(int top, int rows, int degree, int64_t offset = 0, TaylorFn f = {}) {
  WindowPlan w{top - rows, rows, offset, degree};
  w.f = std::move(f);
  return w;
}

// Truncate a window whose values are at least v_min to 2^-rel_bits of v_min (relative precision):
// the output shift e with 2^(e - out_frac) <= v_min·2^-rel_bits.
int relativeShift(double v_min, int out_frac, int rel_bits) {
  return std::max(0, static_cast<int>(std::floor(std::log2(v_min))) + out_frac - rel_bits);
}

// ---- Windows ---------------------------------------------------------------------------------

// One window of 2^(in + log2(range)) ring units: rows of range/2^row_bits, the low bits below.
WindowPlan window(int in_frac, int range_log2, double offset_real, int row_bits = 10) {
  const int top = in_frac + range_log2;
  return {top - row_bits, row_bits, std::llround(std::ldexp(offset_real, in_frac))};
}

// Nested windows [0, t0), [0, 64·t0), ... up to x_max (t0 a power of two): in each, 2048 rows and
// inputs above 1/64 of the window, so the relative step is at most 2^-5; quadratic pieces
// (cubic in the lowest window if `cubic_lowest`: its inputs go down to the saturation point).
std::vector<WindowPlan> positiveWindows(int in_frac, double t0, double x_max, bool cubic_lowest) {
  constexpr int kOctaves = 6, kRows = 11;
  std::vector<WindowPlan> plans;
  int top_log2 = static_cast<int>(std::lround(std::log2(t0)));
  do {
    plans.push_back(window(in_frac, top_log2, 0, kRows));
    top_log2 += kOctaves;
  } while (std::ldexp(1.0, top_log2 - kOctaves) < x_max);
  if (cubic_lowest) plans.front().degree = 3;
  return plans;
}

double windowsTop(const std::vector<WindowPlan>& plans, int in_frac) {
  return std::ldexp(1.0, plans.back().low_bits + plans.back().mid_bits - in_frac);
}

// ---- Whole-domain plans (window tops in ring units of the input, `in` fractional bits) --------

// The fewest rows (2^rows, rows <= 12) of a window [0, 2^top) of polynomials of `degree` in the
// low bits, used from 2^below on (down to one row of the window inside it), its values truncated
// at 2^-comb (less the `jump` F_above - F_below where x >= 0: buildTableFunction). At least
// 2^(k+2) for its k = top - below octaves (rows at most 1/4 of their inputs), and enough that what
// the table adds stays within what the truncation leaves of the error bound (the truncation: 2.25
// ULP of the window, 2^-15 of f where it keeps relative precision): 0.8 of that for
// max(4 ULP, 2^-12·|f|), and 0.2 ULP on [1/16, 256) (within 2 ULP there, 2.5 for 3 parties). What
// the table adds, with the window's ring fitted as buildTableFunction fits it: the remainder
// |f^(D+1)(ξ)/(D+1)!|·u^(D+1) of f's Taylor expansion at a grid point within u = 5/8 of a row of x
// (so ξ >= x - u), the input rounded to 2^g where g low bits are dropped (|f'(ξ)|·2^(g-1)), and the
// coefficients' rounding (function_tables::coefficientShift). 13 if no row count is enough.
int windowRows(int below, int top, int degree, int in, int out, int comb, double jump,
               const std::function<double(double)>& fn, const TaylorFn& exact) {
  constexpr int kSamples = 256;
  auto sample = [&](int i) {
    return std::ldexp(1.0 - 0x1p-6, below - in) *
           std::pow(2.0, (top - below + 0x1p-6) * i / kSamples);
  };
  // The window's values: z, and z or fn from half its inner window's top on, less the jump.
  double lo = fn(0), hi = lo, vmax = std::fabs(lo);
  auto hold = [&](double v) {
    vmax = std::max(vmax, std::fabs(v));
    lo = std::min({lo, v - jump});
    hi = std::max({hi, v - jump});
  };
  hold(fn(0));
  for (int i = 0; i <= kSamples; ++i) hold(fn(sample(i) / 2));
  hold(fn(std::ldexp(1.0, top - in)));
  const int range_bits =
      std::bit_width(static_cast<uint64_t>(std::ceil(std::ldexp((hi - lo) * 1.03, comb) + 64)));
  const int s_max = std::min(
      {62 - comb, 62 - range_bits, static_cast<int>(std::floor(60.99 - std::log2(vmax))) - comb});
  const double ulp = std::ldexp(1.0, -out);
  const int D = degree;
  for (int rows = std::max(1, top - below + 2); rows <= 12; ++rows) {
    const int P = top - rows;
    int g = 0;
    while (g < P - 1 && (P - g - 1) * D + 1 > s_max) ++g;
    // Column j errs by 2^(h_j - 1)·|τ|^j, τ < 2^(P-g-1) (function_tables::coefficientShift).
    const int s = std::min(std::max(11, (P - g - 1) * D + 4), s_max);
    double rounding = 0x1p-8;
    for (int j = 1; j <= D; ++j) rounding += std::ldexp(1.0, std::max(-8, (P - g - 1) * j - 1 - s));
    rounding = std::ldexp(rounding, -comb);
    const double u = 0.625 * std::ldexp(1.0, P - in);
    bool enough = true;
    for (int i = 0; i <= kSamples && enough; ++i) {
      const double x = sample(i);
      double o[5];
      exact(x - u, D + 1, o);
      const double f = std::fabs(fn(x));
      const double allowed = std::max(4 * ulp, std::ldexp(f, -12));
      const double truncation = 2.25 * std::max(ulp, std::ldexp(f, -15));
      const double budget = x < 256 ? 0.2 * ulp : 0.8 * (allowed - truncation);
      const double dropped = g > 0 ? std::fabs(o[1]) * std::ldexp(1.0, g - 1 - in) : 0;
      enough = std::fabs(o[D + 1]) * std::pow(u, D + 1) + dropped + rounding <= budget;
    }
    if (enough) return rows;
  }
  return 13;
}

// log, sqrt, rsqrt: one chain from 0 whose last window holds every x >= 0. [0, 2^12) holds two
// inputs per row and the chords of `fn` (exact at every input; fn(x <= 0) is the documented value
// z), then `count` - 1 windows up to 2^top_max (more where that many cannot hold the domain), each
// quadratic or cubic with windowRows rows, tops and degrees chosen for the fewest coefficients in
// all: the dealer sends every row, and each window costs one in-window index and one truncation
// online. `fine_top`: the last window has at least 2^11 rows (the in-window test may take its
// last row, then 2^-11 of the range, for outside). A window may be selected down to one row of
// the window inside it below that window's top, and for x < 0 down to one of its own rows: each
// gives fn from half the inner window's top on and z below (so every x < 0 gives z; the step lies
// where the window is never selected).
std::vector<WindowPlan> positivePlans(int in, int out, const std::function<double(double)>& fn,
                                      const TaylorFn& exact, int top_max, int count, double jump,
                                      bool relative, bool fine_top) {
  const double z = fn(0);
  auto piece = [&](int below) -> TaylorFn {
    const double from = std::ldexp(1.0, below - 1 - in);
    return [exact, from, z](double x, int degree, double* o) {
      if (x >= from) return exact(x, degree, o);
      for (int k = 0; k <= degree; ++k) o[k] = 0;
      o[0] = z;
    };
  };
  constexpr int kFirst = 12;
  // The window [2^b, 2^t)'s out_shift: from 2^(in+8) on (x >= 256: below, absolute precision)
  // where its values keep one sign and |fn| >= 1, 2^-15 of its smallest (relative: a coarser
  // ring, fewer bits online); if it is the one that mostly takes x in [-1, 0) (`near_zero`: the
  // inner window's rows are at most 1), at most 2^-14·max(|z|, 1), so that fn(x <= 0) is then
  // within 2^-12·max(|z|, 1) of z.
  auto shiftOf = [&](int b, int t, bool near_zero) {
    const double lo = fn(std::ldexp(1.0, b - 1 - in)), hi = fn(std::ldexp(1.0, t - in));
    const double smallest = lo * hi <= 0 ? 0 : std::min(std::fabs(lo), std::fabs(hi));
    if (!relative || b < in + 8 || smallest < 1) return 0;
    const int shift = relativeShift(smallest, out, 15);
    return near_zero ? std::min(shift, relativeShift(std::max(std::fabs(z), 1.0), out, 14)) : shift;
  };
  // rows_of[b][t], degree_of[b][t]: the window [2^b, 2^t) of the fewest coefficients, quadratic
  // or cubic (its ring fitted at the finer shift); cost_of: its coefficients.
  std::vector<std::vector<int>> rows_of(top_max, std::vector<int>(top_max + 1, 13));
  std::vector<std::vector<int>> degree_of(top_max, std::vector<int>(top_max + 1, 3));
  std::vector<std::vector<int64_t>> cost_of(top_max, std::vector<int64_t>(top_max + 1, 0));
  for (int b = kFirst; b < top_max; ++b) {
    for (int t = b + 1; t <= top_max; ++t) {
      for (int d : {3, 2}) {
        int r = windowRows(b, t, d, in, out, out - shiftOf(b, t, true), jump, fn, exact);
        if (t == top_max && fine_top) r = std::max(r, 11);
        const int64_t c = (int64_t{1} << r) * (d + 1);
        if (r <= 12 && (rows_of[b][t] > 12 || c < cost_of[b][t])) {
          rows_of[b][t] = r;
          degree_of[b][t] = d;
          cost_of[b][t] = c;
        }
      }
    }
  }
  // best[j][t]: the fewest coefficients of j windows from 2^12 to 2^t; more windows than `count`
  // where that many cannot hold the domain (at other scales).
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max() / 4;
  const int most = function_tables::kMaxWindows - 1;
  std::vector<std::vector<int64_t>> best(most + 1, std::vector<int64_t>(top_max + 1, kNone));
  std::vector<std::vector<int>> from(most + 1, std::vector<int>(top_max + 1, 0));
  best[0][kFirst] = 0;
  for (int j = 1; j <= most; ++j) {
    for (int t = kFirst + 1; t <= top_max; ++t) {
      for (int b = kFirst; b < t; ++b) {
        if (best[j - 1][b] >= kNone) continue;
        if (rows_of[b][t] > 12) continue;
        const int64_t c = best[j - 1][b] + cost_of[b][t];
        if (c < best[j][t]) {
          best[j][t] = c;
          from[j][t] = b;
        }
      }
    }
  }
  int n = count - 1;
  while (n < most && best[n][top_max] >= kNone) ++n;
  SOTTO_ENFORCE(best[n][top_max] < kNone, "table function: ", n,
                " cubic windows cannot hold the domain up to 2^", top_max);
  std::vector<int> tops(n + 1);
  tops[n] = top_max;
  for (int j = n; j >= 1; --j) tops[j - 1] = from[j][tops[j]];
  std::vector<WindowPlan> plans;
  plans.push_back(chainWindow(kFirst, 11, 1, 0, secant(fn, in)));
  for (int j = 1; j <= n; ++j) {
    const int below = tops[j - 1], top = tops[j];
    plans.push_back(chainWindow(top, rows_of[below][top], degree_of[below][top], 0, piece(below)));
    plans.back().out_shift = shiftOf(below, top, plans[plans.size() - 2].low_bits <= in);
  }
  return plans;
}

// reciprocal: one chain of windows symmetric about 0, [-2^(t-1), 2^(t-1)) for t = 12 (chords,
// 1/0 = 0), 16, 20 (cubic), 25, 31, ... (quadratic) up to 2^(2·in - 1), beyond which
// |1/x| <= 2^-(in - 1) (2 ULP) and the result is 0.
std::vector<WindowPlan> reciprocalPlans(int in) {
  std::vector<WindowPlan> plans;
  auto fn = [](double x) { return x == 0 ? 0.0 : 1 / x; };
  plans.push_back(chainWindow(12, 11, 1, int64_t{1} << 11, secant(fn, in)));
  int below = 12;
  for (int top : {16, 20, 25}) {
    plans.push_back(chainWindow(top, 11, top <= 20 ? 3 : 2, int64_t{1} << (top - 1),
                                clampAbs(reciprocalTaylor, std::ldexp(1.0, below - 2 - in))));
    below = top;
  }
  while (below < 2 * in) {
    const int top = std::min(2 * in, below + 6);
    plans.push_back(chainWindow(top, 11, 2, int64_t{1} << (top - 1),
                                clampAbs(reciprocalTaylor, std::ldexp(1.0, below - 2 - in))));
    below = top;
  }
  return plans;
}

// exp over the whole domain: one chain of three windows around L = ln(largest value), where e^x
// meets the largest representable value M (a kink): [L - 1/32, L + 1/32) with inputs 2^-13 apart
// per row (it holds the row of 1/64 of the next window that holds L, with 1/64 to spare either
// side: 512 rows, as the dealer sends every row; the kink's rows err by at most 2^-13.7 relative,
// and the pieces there aim at
// M·(1 - 2^-13) so that they never pass M), [L - 16, L + 16) and [L - 48, L + 16) (values
// from M·2^-69 = 2^-6 ULP up: absolute precision), the last two with the same low bits and
// offsets 32 apart so that their edges move together. Beyond the chain: 0 below, M above, the
// jump applied outside the windows only (delta_outside: windows over x >= 0 keep small values).
// The last window (rows of 2^-6, τ up to 2^(in-7) units) holds values up to e^(L - 15.5), 2^40.6
// ring units at every scale, to the output's ULP, so it truncates by at most 20 bits: its top
// columns are held finer (fine_columns), where the ring would otherwise drop low input bits (4 at
// 20 bits: 2^-17 relative, 437 ULP at e^4), and it is cubic above 16 bits (quadratic pieces of
// 2^-6 err by up to e^x·2^-22.6: 0.57 ULP at e^4 at 16 bits, 4.5 at 20). The in-window test of
// [L - 16, L + 16) may take the row of 2^-6 below it: there its 2^-15 relative precision holds.
std::vector<WindowPlan> expPlans(int in, int out, double largest) {
  const double log_m = std::log(largest);
  const auto l_units = std::llround(std::ldexp(log_m, in));
  const double target = largest * (1 - 0x1p-13);
  auto clamped = [target](double cap_x) -> TaylorFn {
    return [target, cap_x](double x, int degree, double* o) {
      const double xv = std::min(x, cap_x);
      expTaylor(xv, degree, o);
      if (o[0] >= target || x > cap_x) {
        o[0] = std::min(o[0], target);
        for (int k = 1; k <= degree; ++k) o[k] = 0;
      }
    };
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<WindowPlan> plans;
  const int top_k = in - 4;
  const int mid_k = std::min(9, top_k - 1);
  plans.push_back(
      chainWindow(top_k, mid_k, 2, -(l_units - (int64_t{1} << (top_k - 1))), clamped(inf)));
  plans.back().out_shift = relativeShift(largest * std::exp(-0.25), out, 18);
  plans.push_back(chainWindow(in + 5, 11, 2, -(l_units - (int64_t{16} << in)), clamped(inf)));
  plans.back().out_shift = relativeShift(std::exp(log_m - 16.25), out, 15);
  plans.push_back(chainWindow(in + 6, 12, in <= 16 ? 2 : 3, -(l_units - (int64_t{48} << in)),
                              clamped(log_m - 15.5)));
  plans.back().fine_columns = true;
  plans.back().chain_end = true;
  return plans;
}

enum class Fn {
  kExp,
  kExpWhole,
  kSigmoid,
  kTanh,
  kErf,
  kGeluGap,
  kGeluTanhGap,
  kReciprocal,
  kRsqrt,
  kSqrt,
  kLog,
  kLogRows
};

// Builds (once per process, then cached) the table function for (fn, scales, parties, extra).
const TableFunction& tableFunction(Fn fn, int in_frac, int out_frac, int parties,
                                   int64_t extra = 0) {
  static std::mutex mu;
  static std::map<std::tuple<Fn, int, int, int, int64_t>, std::unique_ptr<TableFunction>> cache;
  const auto key = std::make_tuple(fn, in_frac, out_frac, parties, extra);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  TableFunctionOptions o;
  o.in_frac = in_frac;
  o.out_frac = out_frac;
  o.parties = parties;
  TaylorFn f;
  std::vector<WindowPlan> plans;
  switch (fn) {
    case Fn::kExp:
      f = expTaylor;
      plans = {window(in_frac, 4, 16 - kExpTop)};  // x in (kExpTop - 16, kExpTop)
      o.f_below = 0;
      o.f_above = std::exp(kExpTop);
      break;
    case Fn::kExpWhole: {
      const double largest =
          std::ldexp(static_cast<double>(std::numeric_limits<int64_t>::max()), -out_frac);
      f = expTaylor;
      plans = expPlans(in_frac, out_frac, largest);
      o.f_below = 0;
      o.f_above = largest;  // 2^63 - 1 ring units exactly (buildTableFunction)
      o.delta_outside = true;
      break;
    }
    case Fn::kSigmoid:
      f = sigmoidTaylor;
      plans = {window(in_frac, 5, 16)};  // x in (-16, 16)
      o.f_below = 0;
      o.f_above = 1;
      break;
    case Fn::kTanh:
      f = tanhTaylor;
      plans = {window(in_frac, 4, 8)};  // x in (-8, 8)
      o.f_below = -1;
      o.f_above = 1;
      break;
    case Fn::kErf:
      f = erfTaylor;
      plans = {window(in_frac, 3, 4)};  // x in (-4, 4), rows of 2^-7
      o.f_below = -1;
      o.f_above = 1;
      break;
    case Fn::kGeluGap:
    case Fn::kGeluTanhGap:
      // GELU(-t) for t = |x| in [0, 8), rows of 2^-7; 0 from 8 on (|GELU(-8)| < 5e-15).
      f = mirrored(fn == Fn::kGeluGap ? geluTaylor : geluTanhTaylor);
      plans = {window(in_frac, 3, 0)};
      o.f_below = o.f_above = 0;
      break;
    case Fn::kReciprocal:
      f = reciprocalTaylor;
      plans = reciprocalPlans(in_frac);
      o.exact_shift = 10;  // ≤ 0.1 % relative error needs an exact last rounding
      o.f_below = o.f_above = 0;
      break;
    case Fn::kRsqrt:
    case Fn::kSqrt:
    case Fn::kLog: {
      // Documented values at x <= 0 (chords reach them at 0; the chain holds every x >= 0).
      const double at_zero = fn == Fn::kLog     ? -in_frac * std::log(2.0)
                             : fn == Fn::kRsqrt ? std::ldexp(1.0, in_frac / 2)
                                                : 0.0;
      std::function<double(double)> value;
      TaylorFn exact;
      int top_max = 63;
      if (fn == Fn::kRsqrt) {
        exact = powerTaylor(-0.5, 0);
        value = [](double x) { return 1 / std::sqrt(x); };
        top_max = std::min(63, 3 * in_frac - 4);  // beyond: rsqrt <= 4 ULP, the result 2 ULP
      } else if (fn == Fn::kSqrt) {
        exact = powerTaylor(0.5, 0);
        value = [](double x) { return std::sqrt(x); };
      } else {
        exact = logTaylor(0);
        value = [](double x) { return std::log(x); };
      }
      auto documented = [value, at_zero](double x) { return x <= 0 ? at_zero : value(x); };
      o.f_below = at_zero;
      // From the top of the last window on (x >= 2^(63 - in) minus half of one of its rows, which
      // the in-window test may take for outside): f there (rsqrt: 2 ULP beyond 2^(3in - 4)).
      // sqrt: 0 there (its ΔF would not fit the windows' rings).
      o.f_above = top_max < 63 ? std::ldexp(2.0, -out_frac)
                  : fn == Fn::kSqrt
                      ? at_zero
                      : value(std::ldexp(1.0, 63 - in_frac) - std::ldexp(1.0, 51 - in_frac));
      // 5 windows for rsqrt (its domain ends at 2^(3·in - 4)), 7 for sqrt and log at 16 bits: the
      // fewest that hold the domain at 2^12 rows per window at most, so the fewest bytes online.
      const int count = fn == Fn::kRsqrt ? 5 : 7;
      plans = positivePlans(in_frac, out_frac, documented, exact, top_max, count,
                            o.f_above - o.f_below, fn != Fn::kRsqrt, /*fine_top=*/fn == Fn::kSqrt);
      f = exact;
      break;
    }
    case Fn::kLogRows: {  // log of a softmax row sum in [1, extra]
      f = logTaylor(0.5);
      plans = positiveWindows(in_frac, 32, static_cast<double>(extra) + 1, /*cubic_lowest=*/false);
      o.f_below = std::log(0.5);
      o.f_above = std::log(windowsTop(plans, in_frac));
      break;
    }
  }
  auto built = std::make_unique<TableFunction>(buildTableFunction(f, plans, o));
  return *(cache[key] = std::move(built));
}

void checkScale(const ArithTensor& x, const char* fn) {
  SOTTO_ENFORCE(x.fracBits() >= 12 && x.fracBits() <= 20, fn,
                " (table method): supports 12..20 fractional bits, the input has ", x.fracBits(),
                " (use MathMethod::kIterative)");
}

// The composed engine's form of a table function on x, where the function tables are not used:
// sigmoid and tanh two-sided under a dealer family up to kTwoSidedMaxElements (fewer rounds), on
// |x| beyond and under the OT family (fewer bytes and less work per element; the OT family's
// comparisons are dear: two-sided, the dealer-free GRU-128 took 3,809 rounds instead of 4,257 but
// 55.6 MB instead of 47.9 and 1.39 s instead of 1.19 per sequence on one host).
math_detail::Composed composedOf(Fn fn, const char* name, const ArithTensor& x) {
  const bool two_sided =
      x.numel() <= kTwoSidedMaxElements && x.party().protocol().hasFunctionTables();
  switch (fn) {
    case Fn::kSigmoid:
      return two_sided ? math_detail::Composed::kSigmoidTwoSided : math_detail::Composed::kSigmoid;
    case Fn::kTanh:
      return two_sided ? math_detail::Composed::kTanhTwoSided : math_detail::Composed::kTanh;
    case Fn::kErf:
      return math_detail::Composed::kErf;
    default:
      throw NotImplemented(std::string(name) +
                           " (table method): not yet composed for a protocol family without "
                           "function tables (the OT family, --dealer none); exp, sigmoid, tanh, "
                           "erf, gelu, reciprocal, sqrt, rsqrt and log are");
  }
}

// Whether the table math runs on the dealer's function tables (else it is composed from the
// family's kernels): MathMethod's rule.
bool useFunctionTables(const ArithTensor& x, MathMethod method, const char* name) {
  const Protocol& proto = x.party().protocol();
  switch (method) {
    case MathMethod::kFunctionTables:
      SOTTO_ENFORCE(proto.hasFunctionTables(), name,
                    ": MathMethod::kFunctionTables, but the protocol family '", proto.name(),
                    "' has no function tables (the dealer families have them)");
      return true;
    case MathMethod::kComposed:
      return false;
    default:
      return proto.hasFunctionTables() && !proto.functionTablesSent();
  }
}

ArithTensor tabulated(const ArithTensor& x, Fn fn, const char* name, MathMethod method) {
  checkScale(x, name);
  auto scope = x.party().comm().tag(std::string(name) + " (table)");
  if (!useFunctionTables(x, method, name))
    return math_detail::evaluatePiecewise(
        x, math_detail::composedFunction(composedOf(fn, name, x), x.fracBits()));
  return math_detail::evaluate(
      x, tableFunction(fn, x.fracBits(), x.fracBits(), x.party().numParties()));
}

// A function composed from the seam's kernels (useFunctionTables false): the table
// method's scale check and tag, then fn(x).
template <typename F>
ArithTensor composedCall(const ArithTensor& x, const char* name, F fn) {
  checkScale(x, name);
  auto scope = x.party().comm().tag(std::string(name) + " (table)");
  return fn(x);
}

int64_t normalizeDim(const ArithTensor& x, int64_t dim, const char* fn) {
  const int64_t r = x.shape().rank();
  SOTTO_ENFORCE(r >= 1, fn, " of a scalar (rank 0)");
  const int64_t d = dim < 0 ? dim + r : dim;
  SOTTO_ENFORCE(d >= 0 && d < r, fn, ": dim ", dim, " is outside rank ", r, " (shape ",
                x.shape().toString(), ")");
  SOTTO_ENFORCE(x.shape()[d] > 0, fn, " over an empty dim of ", x.shape().toString());
  return d;
}

// max along dim (kept as size 1): a tree of table maxima, 2 rounds per level.
ArithTensor rowMax(const ArithTensor& x, int64_t dim) {
  return reduceTree(x, dim, true, "max", math_detail::tableMaximum);
}

// z = x - max(x) along dim, S = Σ exp(z) at 4 more fractional bits: the common start of softmax
// and log-softmax.
struct Shifted {
  ArithTensor z;
  ArithTensor sum;
};

Shifted shiftedExpSum(const ArithTensor& x, int64_t dim) {
  const int f = x.fracBits();
  const int n = x.party().numParties();
  const ArithTensor m = rowMax(x, dim);
  ArithTensor z(x.party(), x.share() - m.share(), f);
  ArithTensor e = math_detail::evaluate(z, tableFunction(Fn::kExp, f, f + 4, n));
  return {std::move(z), e.sum(dim, /*keepdim=*/true)};
}

// Range check of softmax's input: every x_i within kSoftmaxSpread of the row's first element, so
// every difference its maximum compares stays below 2^62 (range_check.h).
void recordSpread(const ArithTensor& x, int64_t dim, const char* op) {
  if (!x.party().options().check_ranges) return;
  const ArithTensor first = x.slice(dim, 0, 1);
  RingTensor d = x.share() - first.share();  // broadcast along dim
  RangeCheckLog::recordOutside(ArithTensor(x.party(), std::move(d), x.fracBits()), -kSoftmaxSpread,
                               kSoftmaxSpread - 1, op);
}

ArithTensor logSoftmaxIterative(const ArithTensor& x, int64_t dim) {
  const ArithTensor m = max(x, dim, /*keepdim=*/true);
  const ArithTensor z(x.party(), x.share() - m.share(), x.fracBits());
  const ArithTensor l = crypten_style::log(crypten_style::exp(z).sum(dim, /*keepdim=*/true));
  return ArithTensor(x.party(), z.share() - l.share(), x.fracBits());
}

}  // namespace

MathMethod mathMethodNamed(std::string_view name) {
  if (name == "table") return MathMethod::kTable;
  if (name == "iterative") return MathMethod::kIterative;
  if (name == "function-tables") return MathMethod::kFunctionTables;
  if (name == "composed") return MathMethod::kComposed;
  throw InvalidArgument("math method '" + std::string(name) +
                        "': the methods are table, iterative, function-tables and composed");
}

ArithTensor exp(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "exp");
  RangeCheckLog::recordAbove(x, expSafeMax(x.fracBits()), "exp");
  if (method == MathMethod::kIterative) return crypten_style::exp(x);
  if (!useFunctionTables(x, method, "exp"))  // 2^⌊y⌋·2^φ, y = x·log2(e), composed
    return composedCall(x, "exp", math_detail::composedExp);
  return tabulated(x, Fn::kExpWhole, "exp", method);
}

ArithTensor sigmoid(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "sigmoid");  // every input is in its domain
  if (method == MathMethod::kIterative) return crypten_style::sigmoid(x);
  return tabulated(x, Fn::kSigmoid, "sigmoid", method);
}

ArithTensor tanh(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "tanh");  // every input is in its domain
  if (method == MathMethod::kIterative) return crypten_style::tanh(x);
  return tabulated(x, Fn::kTanh, "tanh", method);
}

ArithTensor erf(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "erf");  // every input is in its domain
  SOTTO_ENFORCE(method != MathMethod::kIterative,
                "erf: no iterative (CrypTen) method; use the table method (MathMethod::kTable)");
  return tabulated(x, Fn::kErf, "erf", method);
}

ArithTensor gelu(const ArithTensor& x, GeluApproximation approximation, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "gelu");  // every input is in its domain
  SOTTO_ENFORCE(method != MathMethod::kIterative,
                "gelu: no iterative (CrypTen) method; use the table method (MathMethod::kTable)");
  const bool tanh_form = approximation == GeluApproximation::kTanh;
  if (!useFunctionTables(x, method, "gelu")) {  // max(x, 0) + GELU(-|x|), composed
    checkScale(x, "gelu");
    auto scope = x.party().comm().tag("gelu (table)");
    return math_detail::evaluatePiecewise(
        x, math_detail::composedFunction(
               tanh_form ? math_detail::Composed::kGeluTanh : math_detail::Composed::kGelu,
               x.fracBits()));
  }
  const ArithTensor zero(x.party(), RingTensor(x.shape()), x.fracBits());
  ArithTensor positive = [&] {
    auto scope = x.party().comm().tag("gelu (table)");
    return math_detail::tableMaximum(x, zero);  // exact for every x (b = 0 never overflows)
  }();
  // |x| = 2·max(x, 0) - x, then GELU(-|x|) from the tables.
  const ArithTensor abs(x.party(), positive.share() + positive.share() - x.share(), x.fracBits());
  const ArithTensor gap = tabulated(abs, tanh_form ? Fn::kGeluTanhGap : Fn::kGeluGap, "gelu",
                                    MathMethod::kFunctionTables);
  return ArithTensor(x.party(), positive.share() + gap.share(), x.fracBits());
}

namespace {}  // namespace

ArithTensor reciprocal(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "reciprocal");
  RangeCheckLog::recordNonZero(x, "reciprocal");
  if (method == MathMethod::kIterative) return crypten_style::reciprocal(x);
  if (!useFunctionTables(x, method, "reciprocal"))
    return composedCall(x, "reciprocal", math_detail::composedReciprocal);
  return tabulated(x, Fn::kReciprocal, "reciprocal", method);
}

ArithTensor sqrt(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "sqrt");
  RangeCheckLog::recordOutside(x, 0, kSqrtSafeMax, "sqrt");
  if (method == MathMethod::kIterative) return crypten_style::sqrt(x);
  if (!useFunctionTables(x, method, "sqrt"))
    return composedCall(x, "sqrt",
                        [](const ArithTensor& v) { return math_detail::composedRoot(v, false); });
  return tabulated(x, Fn::kSqrt, "sqrt", method);
}

ArithTensor rsqrt(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "rsqrt");
  RangeCheckLog::recordNonPositive(x, "rsqrt");
  if (method == MathMethod::kIterative) return crypten_style::rsqrt(x);
  if (!useFunctionTables(x, method, "rsqrt"))
    return composedCall(x, "rsqrt",
                        [](const ArithTensor& v) { return math_detail::composedRoot(v, true); });
  return tabulated(x, Fn::kRsqrt, "rsqrt", method);
}

ArithTensor log(const ArithTensor& x, MathMethod method) {
  RangeCheckLog::OpScope check(x.party(), "log");
  RangeCheckLog::recordNonPositive(x, "log");
  if (method == MathMethod::kIterative) return crypten_style::log(x);
  if (!useFunctionTables(x, method, "log")) return composedCall(x, "log", math_detail::composedLog);
  return tabulated(x, Fn::kLog, "log", method);
}

ArithTensor softmax(const ArithTensor& x, int64_t dim, MathMethod method) {
  dim = normalizeDim(x, dim, "softmax");
  RangeCheckLog::OpScope check(x.party(), "softmax");
  recordSpread(x, dim, "softmax");
  if (method == MathMethod::kIterative) return crypten_style::softmax(x, dim);
  checkScale(x, "softmax");
  if (!useFunctionTables(x, method, "softmax")) {  // exp(z - log Σ exp(z)), z <= 0
    auto scope = x.party().comm().tag("softmax (table)");
    return math_detail::composedSoftmax(x, dim, /*log=*/false);
  }
  auto scope = x.party().comm().tag("softmax (table)");
  const int f = x.fracBits(), g = f + 4, n = x.party().numParties();
  const int64_t k = x.shape()[dim];
  auto [z, sum] = shiftedExpSum(x, dim);
  // softmax = exp(z - log Σ exp(z)), the sum at 2^-(f+4), its log and the exponent at 2^-f (at
  // 2^-(f+4) the exponent would wrap for z below -2^(59-f)).
  const ArithTensor l = math_detail::evaluate(sum, tableFunction(Fn::kLogRows, g, f, n, k));
  const ArithTensor arg(x.party(), z.share() - l.share(), f);
  return math_detail::evaluate(arg, tableFunction(Fn::kExp, f, f, n));
}

ArithTensor logSoftmax(const ArithTensor& x, int64_t dim, MathMethod method) {
  dim = normalizeDim(x, dim, "logSoftmax");
  RangeCheckLog::OpScope check(x.party(), "logSoftmax");
  recordSpread(x, dim, "logSoftmax");
  if (method == MathMethod::kIterative) return logSoftmaxIterative(x, dim);
  checkScale(x, "logSoftmax");
  if (!useFunctionTables(x, method, "logSoftmax")) {  // z - log Σ exp(z)
    auto scope = x.party().comm().tag("logSoftmax (table)");
    return math_detail::composedSoftmax(x, dim, /*log=*/true);
  }
  auto scope = x.party().comm().tag("logSoftmax (table)");
  const int f = x.fracBits(), n = x.party().numParties();
  const int64_t k = x.shape()[dim];
  auto [z, sum] = shiftedExpSum(x, dim);
  const ArithTensor l = math_detail::evaluate(sum, tableFunction(Fn::kLogRows, f + 4, f, n, k));
  return ArithTensor(x.party(), z.share() - l.share(), f);
}

}  // namespace sotto
