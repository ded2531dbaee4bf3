// Domains, pieces and degrees of the composed engine's functions. Each domain ends where the
// function is within 1/4 ULP (at 20 fractional bits) of its constant beyond; the pieces and
// degree are the fewest lookup bits plus products (the OT family's bits per element) whose
// polynomials stay within kBudgetUlp (searchPieces), as composed_choices.h records them.
#include "composed_functions.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "composed_choices.h"
#include "sotto/error.h"

namespace sotto::math_detail {
namespace {

// The polynomials' share of the 2-ULP bound: the last rounding takes 1.5 ULP.
constexpr double kBudgetUlp = 0.45;

double gelu(double x) { return 0.5 * x * std::erfc(-x / std::numbers::sqrt2); }

double geluTanh(double x) {
  const double k = std::sqrt(2 / std::numbers::pi);
  return 0.5 * x * (1 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

PiecewiseSpec specOf(Composed which, int frac_bits) {
  PiecewiseSpec s;
  s.in_frac = frac_bits;
  switch (which) {
    case Composed::kSigmoid:  // [0, 16) on |x|; 1 - sigmoid(16) < 1.2e-7
      s.fn = [](double x) { return 1 / (1 + std::exp(-x)); };
      s.symmetry = Symmetry::kComplement;
      s.width_log2 = 4;
      s.above = 1;
      break;
    case Composed::kTanh:  // [0, 8) on |x|; 1 - tanh(8) < 2.3e-7
      s.fn = [](double x) { return std::tanh(x); };
      s.symmetry = Symmetry::kOdd;
      s.width_log2 = 3;
      s.above = 1;
      break;
    case Composed::kSigmoidTwoSided:  // [-16, 16)
    case Composed::kTanhTwoSided:     // [-8, 8)
      s = specOf(which == Composed::kSigmoidTwoSided ? Composed::kSigmoid : Composed::kTanh,
                 frac_bits);
      s.symmetry = Symmetry::kTwoSided;
      s.width_log2 += 1;
      s.below = which == Composed::kSigmoidTwoSided ? 0 : -1;
      break;
    case Composed::kErf:  // [0, 4) on |x|; 1 - erf(4) < 1.6e-8
      s.fn = [](double x) { return std::erf(x); };
      s.symmetry = Symmetry::kOdd;
      s.width_log2 = 2;
      s.above = 1;
      break;
    case Composed::kGelu:  // max(x, 0) + GELU(-|x|), the gap on [0, 8); |GELU(-8)| < 5e-15
    case Composed::kGeluTanh:
      if (which == Composed::kGelu)
        s.fn = [](double t) { return gelu(-t); };
      else
        s.fn = [](double t) { return geluTanh(-t); };
      s.symmetry = Symmetry::kEven;
      s.plus_relu = true;
      s.width_log2 = 3;
      s.above = 0;
      break;
    case Composed::kExp:  // [-16, 0) as E_r·e^(x - x_r); e^-16 < 1.2e-7; x >= 0: 1 (e^0)
      s.fn = [](double x) { return std::exp(x); };
      s.symmetry = Symmetry::kOneSided;
      s.product_form = true;
      s.width_log2 = 4;
      s.below = 0;
      s.above = 1;
      break;
    case Composed::kExpSum:  // kExp at 4 more output bits than x (softmax's row sum)
      s = specOf(Composed::kExp, frac_bits);
      s.out_frac = frac_bits + 4;
      break;
    case Composed::kReciprocalMantissa:  // 1/μ for μ = 1 + τ in [1, 2): (1/2, 1]
      s.fn = [](double t) { return 1 / (1 + t); };
      s.symmetry = Symmetry::kEven;  // unused: evaluatePieces only
      s.width_log2 = 0;
      break;
    case Composed::kRsqrtMantissa:  // [0, 1): 1/sqrt(μ); [1, 2): 1/sqrt(2μ), μ = τ - 1 + 1
      s.fn = [](double t) { return t < 1 ? 1 / std::sqrt(1 + t) : 1 / std::sqrt(2 * t); };
      s.symmetry = Symmetry::kEven;
      s.width_log2 = 1;
      break;
    case Composed::kLogMantissa:  // ln μ for μ = 1 + τ in [1, 2): [0, ln 2)
      s.fn = [](double t) { return std::log1p(t); };
      s.symmetry = Symmetry::kEven;
      s.width_log2 = 0;
      break;
    case Composed::kExp2Mantissa:  // 2^τ on [0, 1): [1, 2), 8 more bits than τ (exp's 2^φ)
      s.fn = [](double t) { return std::exp2(t); };
      s.symmetry = Symmetry::kEven;  // unused: evaluatePieces only
      s.width_log2 = 0;
      s.out_frac = frac_bits + 8;
      break;
    case Composed::kSqrtMantissa:  // [0, 1): sqrt(μ); [1, 2): sqrt(2μ)
      s.fn = [](double t) { return t < 1 ? std::sqrt(1 + t) : std::sqrt(2 * t); };
      s.symmetry = Symmetry::kEven;
      s.width_log2 = 1;
      break;
  }
  return s;
}

// The OT family's bits per element (both parties, Ferret's COTs at 0.5 bit) of what the pieces
// change: the lookup of `columns` 64-bit words, and the products with u (ot_kernels.h): u's wrap
// once (lessThan on m bits, about 13m + 4), then per product Gilboa's m COTs each way and a
// multiplexer, about 2·(65m - m²/2) + 131; E_r·Q in the product form is one product of its own.
double piecesCost(const PiecewiseSpec& s) {
  const int p = s.width_log2 + s.in_frac - s.index_bits;
  auto wrap = [](int m) { return 13.0 * m + 4; };
  auto product = [](int m) { return 2 * (65.0 * m - m * (m - 1) / 2.0) + 131; };
  const int columns = s.product_form ? 1 : s.degree + 1;
  const double lookup = std::ldexp(64.0 * columns, s.index_bits) + 1.5 * s.index_bits;
  const int m = productScales(s.out_frac > 0 ? s.out_frac : s.in_frac).q_scale + 1;  // Q's width
  const double products = s.product_form
                              ? wrap(p) + (s.degree - 1) * product(p) + wrap(m) + product(m)
                              : wrap(p) + s.degree * product(p);
  return lookup + products;
}

// The cheapest pieces (index bits 3..9, degree 2..4) whose polynomials stay within kBudgetUlp.
PiecewiseFunction cheapest(PiecewiseSpec spec) {
  std::vector<std::pair<double, PiecewiseSpec>> tries;
  for (int k = 3; k <= 9; ++k) {
    for (int d = 2; d <= 4; ++d) {
      spec.index_bits = k;
      spec.degree = d;
      if (spec.product_form && std::exp(std::ldexp(1.0, spec.width_log2 - k)) >= 2) continue;
      tries.emplace_back(piecesCost(spec), spec);
    }
  }
  std::sort(tries.begin(), tries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [cost, candidate] : tries) {
    try {
      PiecewiseFunction f = buildPiecewise(candidate, kBudgetUlp);
      if (f.max_error_ulp <= kBudgetUlp) return f;
    } catch (const InvalidArgument&) {  // coefficients past the offset: the next candidate
    }
  }
  throw InvalidArgument(
      "composed table math: no pieces of up to 2^9 rows and degree 4 reach "
      "0.45 ULP at " +
      std::to_string(spec.in_frac) + " fractional bits");
}

}  // namespace

const char* composedName(Composed which) {
  switch (which) {
    case Composed::kSigmoid:
      return "sigmoid";
    case Composed::kTanh:
      return "tanh";
    case Composed::kSigmoidTwoSided:
      return "sigmoid_two_sided";
    case Composed::kTanhTwoSided:
      return "tanh_two_sided";
    case Composed::kErf:
      return "erf";
    case Composed::kGelu:
      return "gelu";
    case Composed::kGeluTanh:
      return "gelu_tanh";
    case Composed::kExp:
      return "exp";
    case Composed::kReciprocalMantissa:
      return "reciprocal_mantissa";
    case Composed::kRsqrtMantissa:
      return "rsqrt_mantissa";
    case Composed::kSqrtMantissa:
      return "sqrt_mantissa";
    case Composed::kLogMantissa:
      return "log_mantissa";
    case Composed::kExp2Mantissa:
      return "exp2_mantissa";
    case Composed::kExpSum:
      return "exp_sum";
  }
  return "?";
}

PiecewiseFunction fitRecorded(Composed which, int frac_bits) {
  for (const PiecesChoice& c : kPiecesChoices) {
    if (c.which != which || c.frac_bits != frac_bits) continue;
    PiecewiseSpec spec = specOf(which, frac_bits);
    spec.index_bits = c.index_bits;
    spec.degree = c.degree;
    PiecewiseFunction f = fitPiecewise(spec);
    f.max_error_ulp = c.max_error_ulp;
    return f;
  }
  throw InvalidArgument(std::string("composed table math: no recorded pieces for ") +
                        composedName(which) + " at " + std::to_string(frac_bits) +
                        " fractional bits (composed_choices.h holds 12..20, the mantissas " +
                        std::to_string(kMantissaBits) + ")");
}

const PiecewiseFunction& composedFunction(Composed which, int frac_bits) {
  static std::mutex mu;
  static std::map<std::pair<Composed, int>, std::unique_ptr<PiecewiseFunction>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find({which, frac_bits});
  if (it == cache.end())
    it = cache
             .emplace(std::pair{which, frac_bits},
                      std::make_unique<PiecewiseFunction>(fitRecorded(which, frac_bits)))
             .first;
  return *it->second;
}

PiecewiseFunction searchPieces(Composed which, int frac_bits) {
  return cheapest(specOf(which, frac_bits));
}

}  // namespace sotto::math_detail
