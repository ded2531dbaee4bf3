#include "sotto/math/functions.h"

#include <cmath>
#include <map>
#include <mutex>
#include <tuple>

#include "sotto/math/iterative.h"
#include "sotto/mpc/compare.h"
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

// sqrt above x_min; below, the line through the origin and (x_min, sqrt(x_min)); 0 for x < 0.
void sqrtTaylor(double x, int degree, double* o) {
  for (int k = 0; k <= degree; ++k) o[k] = 0;
  if (x <= 0) return;
  if (x < kPositiveMin) {
    const double slope = 1 / std::sqrt(kPositiveMin);
    o[0] = slope * x;
    if (degree >= 1) o[1] = slope;
    return;
  }
  powerTaylor(0.5, kPositiveMin)(x, degree, o);
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

enum class Fn { kExp, kSigmoid, kTanh, kReciprocal, kRsqrt, kSqrt, kLog, kLogRows };

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
    case Fn::kReciprocal:
    case Fn::kRsqrt:
    case Fn::kSqrt:
    case Fn::kLog: {
      plans = positiveWindows(in_frac, 64 * kPositiveMin, 100, /*cubic_lowest=*/true);
      const double top = windowsTop(plans, in_frac);
      if (fn == Fn::kReciprocal) {
        f = powerTaylor(-1, kPositiveMin);
        o.exact_shift = 10;  // ≤ 0.1 % relative error needs an exact last rounding
      } else if (fn == Fn::kRsqrt) {
        f = powerTaylor(-0.5, kPositiveMin);
      } else if (fn == Fn::kSqrt) {
        f = sqrtTaylor;
      } else {
        f = logTaylor(kPositiveMin);
      }
      double below[4], above[4];
      f(0, 0, below);
      f(top, 0, above);
      o.f_below = below[0];
      o.f_above = above[0];
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

ArithTensor tabulated(const ArithTensor& x, Fn fn, const char* name) {
  checkScale(x, name);
  auto scope = x.party().comm().tag(std::string(name) + " (table)");
  return math_detail::evaluate(
      x, tableFunction(fn, x.fracBits(), x.fracBits(), x.party().numParties()));
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

ArithTensor logSoftmaxIterative(const ArithTensor& x, int64_t dim) {
  const ArithTensor m = max(x, dim, /*keepdim=*/true);
  const ArithTensor z(x.party(), x.share() - m.share(), x.fracBits());
  const ArithTensor l = crypten_style::log(crypten_style::exp(z).sum(dim, /*keepdim=*/true));
  return ArithTensor(x.party(), z.share() - l.share(), x.fracBits());
}

}  // namespace

ArithTensor exp(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::exp(x);
  return tabulated(x, Fn::kExp, "exp");
}

ArithTensor sigmoid(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::sigmoid(x);
  return tabulated(x, Fn::kSigmoid, "sigmoid");
}

ArithTensor tanh(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::tanh(x);
  return tabulated(x, Fn::kTanh, "tanh");
}

ArithTensor reciprocal(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::reciprocal(x);
  return tabulated(x, Fn::kReciprocal, "reciprocal");
}

ArithTensor sqrt(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::sqrt(x);
  return tabulated(x, Fn::kSqrt, "sqrt");
}

ArithTensor rsqrt(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::rsqrt(x);
  return tabulated(x, Fn::kRsqrt, "rsqrt");
}

ArithTensor log(const ArithTensor& x, MathMethod method) {
  if (method == MathMethod::kIterative) return crypten_style::log(x);
  return tabulated(x, Fn::kLog, "log");
}

ArithTensor softmax(const ArithTensor& x, int64_t dim, MathMethod method) {
  dim = normalizeDim(x, dim, "softmax");
  if (method == MathMethod::kIterative) return crypten_style::softmax(x, dim);
  checkScale(x, "softmax");
  auto scope = x.party().comm().tag("softmax (table)");
  const int f = x.fracBits(), g = f + 4, n = x.party().numParties();
  const int64_t k = x.shape()[dim];
  auto [z, sum] = shiftedExpSum(x, dim);
  // softmax = exp(z - log Σ exp(z)), the log and the exponent at 2^-(f+4).
  const ArithTensor l = math_detail::evaluate(sum, tableFunction(Fn::kLogRows, g, g, n, k));
  const ArithTensor arg(x.party(), z.share().shiftLeft(g - f) - l.share(), g);
  return math_detail::evaluate(arg, tableFunction(Fn::kExp, g, f, n));
}

ArithTensor logSoftmax(const ArithTensor& x, int64_t dim, MathMethod method) {
  dim = normalizeDim(x, dim, "logSoftmax");
  if (method == MathMethod::kIterative) return logSoftmaxIterative(x, dim);
  checkScale(x, "logSoftmax");
  auto scope = x.party().comm().tag("logSoftmax (table)");
  const int f = x.fracBits(), n = x.party().numParties();
  const int64_t k = x.shape()[dim];
  auto [z, sum] = shiftedExpSum(x, dim);
  const ArithTensor l = math_detail::evaluate(sum, tableFunction(Fn::kLogRows, f + 4, f, n, k));
  return ArithTensor(x.party(), z.share() - l.share(), f);
}

}  // namespace sotto
