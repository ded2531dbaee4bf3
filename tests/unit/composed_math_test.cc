// The composed engine (src/math/piecewise_engine.h): the table functions from the seam's kernels
// alone. Each function on a grid over its whole domain plus edge values (0, ±1 ULP, the domain's
// ends and one ULP either side, ±2^40 and ±(2^63 - 1) ring units), shared, evaluated, revealed
// and compared with double precision: under the OT family through sotto::sigmoid & co. (which
// pick the engine there), under the seeded and TTP dealers by calling the engine itself. 2
// parties as threads over inproc (TTP: its dealer on a third thread).
// The GELUs' one exception: x = 2^63 - 1 ring units under a dealer (see the test).
// Scales: 12, 16 and 20 fractional bits. Tolerances: sigmoid, tanh, erf, both GELUs 2 ULP; the
// engine's exp of x <= 0 (softmax's) 2 ULP for x < 0 and exactly 1 for x >= 0, and so softmax's
// row-sum exp (kExpSum) in ULP of its 4 more fractional bits (below -16 its 0 is e^x off, plus
// those 2 ULP); sotto::exp over
// the whole ring (composedExp under the dealers) as sotto/math/functions.h bounds it. The
// recorded pieces (composed_choices.h): the search's, within 0.45 ULP at every input of the grid
// at 12 to 20 fractional bits. Cost under the OT family: each function sends, party by party,
// exactly the bytes and takes exactly the rounds of the kernels functions.h's formula names, each
// measured alone on the same number of elements.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "composed_choices.h"
#include "composed_functions.h"
#include "normalization.h"
#include "sotto/math/functions.h"
#include "sotto/mpc/protocol.h"
#include "sotto/mpc/range_check.h"
#include "testing/mpc.h"

namespace sotto {
namespace {

using math_detail::Composed;

constexpr int64_t kMaxRing = std::numeric_limits<int64_t>::max();

struct Case {
  const char* name;
  Composed which;
  std::function<double(double)> reference;
  double ulps;         // of 2^-(f + extra_bits)
  int extra_bits = 0;  // the result's fractional bits beyond x's
};

double geluRef(double x) { return 0.5 * x * std::erfc(-x / std::numbers::sqrt2); }
double geluTanhRef(double x) {
  const double k = std::sqrt(2 / std::numbers::pi);
  return 0.5 * x * (1 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

std::vector<Case> cases() {
  return {
      {"sigmoid", Composed::kSigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, 2},
      {"tanh", Composed::kTanh, [](double x) { return std::tanh(x); }, 2},
      {"sigmoid_two_sided", Composed::kSigmoidTwoSided,
       [](double x) { return 1 / (1 + std::exp(-x)); }, 2},
      {"tanh_two_sided", Composed::kTanhTwoSided, [](double x) { return std::tanh(x); }, 2},
      {"erf", Composed::kErf, [](double x) { return std::erf(x); }, 2},
      {"gelu", Composed::kGelu, geluRef, 2},
      {"gelu_tanh", Composed::kGeluTanh, geluTanhRef, 2},
      {"exp", Composed::kExp, [](double x) { return x < 0 ? std::exp(x) : 1.0; }, 2},
      {"exp_sum", Composed::kExpSum, [](double x) { return x < 0 ? std::exp(x) : 1.0; }, 2, 4},
  };
}

// Ring inputs at f fractional bits: a grid over [-(edge + 2), edge + 2) real units, 1/32 apart,
// random values, and the edges.
std::vector<int64_t> inputs(double edge, int f) {
  std::vector<int64_t> v;
  const auto unit = [f](double x) { return std::llround(std::ldexp(x, f)); };
  for (double x = -edge - 2; x < edge + 2; x += 1.0 / 32) v.push_back(unit(x));
  for (double x : testing::uniform(512, -edge - 2, edge + 2, 7)) v.push_back(unit(x));
  const int64_t e = unit(edge), big = int64_t{1} << 40;
  const int64_t max = std::numeric_limits<int64_t>::max();
  for (int64_t w : {int64_t{0}, int64_t{1}, int64_t{-1}, e, e - 1, e + 1, -e, -e - 1, -e + 1, big,
                    -big, max, -max})
    v.push_back(w);
  while (v.size() % 64 != 0) v.push_back(0);
  return v;
}

// F of x through the public function (the composed engine under the OT family).
ArithTensor evaluateOnParty(const Case& c, const ArithTensor& x) {
  switch (c.which) {
    case Composed::kSigmoid:  // both forms, whatever the public functions pick for x's size
    case Composed::kTanh:
    case Composed::kSigmoidTwoSided:
    case Composed::kTanhTwoSided:
      return math_detail::evaluatePiecewise(x,
                                            math_detail::composedFunction(c.which, x.fracBits()));
    case Composed::kErf:
      return erf(x);
    case Composed::kGelu:
      return gelu(x);
    case Composed::kGeluTanh:
      return gelu(x, GeluApproximation::kTanh);
    case Composed::kReciprocalMantissa:  // not functions of x: the pieces of μ
    case Composed::kRsqrtMantissa:
    case Composed::kSqrtMantissa:
    case Composed::kLogMantissa:
    case Composed::kExp2Mantissa:
      ADD_FAILURE() << "the reciprocal's mantissa pieces have no public function";
      break;
    case Composed::kExp:  // the engine's exp of x <= 0 (softmax's); sotto::exp: ExpOverItsDomain
    case Composed::kExpSum:
      return math_detail::evaluatePiecewise(x,
                                            math_detail::composedFunction(c.which, x.fracBits()));
  }
  return math_detail::evaluatePiecewise(
      x, math_detail::composedFunction(Composed::kExp, x.fracBits()));
}

RingTensor concatTwice(const RingTensor& t) {
  std::vector<uint64_t> v(t.data().begin(), t.data().end());
  v.insert(v.end(), t.data().begin(), t.data().end());
  return RingTensor(Shape{2 * t.numel()}, std::move(v));
}

// t's words `times` times over, flat.
RingTensor repeated(const RingTensor& t, int times) {
  std::vector<uint64_t> v;
  for (int i = 0; i < times; ++i) v.insert(v.end(), t.data().begin(), t.data().end());
  return RingTensor(Shape{times * t.numel()}, std::move(v));
}

// F on `family` for the ring inputs xs (frac bits f): the public function under "none", the
// engine itself under a dealer family.
std::vector<double> evaluateOn(const std::string& family, const Case& c,
                               const std::vector<int64_t>& xs, int f) {
  RingTensor enc(Shape{static_cast<int64_t>(xs.size())},
                 std::vector<uint64_t>(xs.begin(), xs.end()));
  return testing::simulateProtocol(family, 2, [&](Party& p) {
    const ArithTensor x = ArithTensor::shareEncoded(p, 0, enc, enc.shape(), f);
    if (family != "none")
      return math_detail::evaluatePiecewise(x, math_detail::composedFunction(c.which, f))
          .revealDoubles();
    return evaluateOnParty(c, x).revealDoubles();
  })[0];
}

double edgeOf(Composed which) {
  const auto& s = math_detail::composedFunction(which, 16).spec;
  return std::ldexp(1.0, s.width_log2);
}

std::string familyName(const ::testing::TestParamInfo<std::string>& param) {
  std::string n = param.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

class ComposedMath : public ::testing::TestWithParam<std::string> {
 protected:
  void checkDomain(const Case& c, int f);
};

TEST_P(ComposedMath, EveryFunctionMatchesDoublePrecisionOverItsDomain) {
  for (int f : {12, 16, 20}) {
    for (const Case& c : cases()) checkDomain(c, f);
  }
}

void ComposedMath::checkDomain(const Case& c, int f) {
  const std::vector<int64_t> xs = inputs(edgeOf(c.which), f);
  const std::vector<double> got = evaluateOn(GetParam(), c, xs, f);
  ASSERT_EQ(got.size(), xs.size());
  double worst = 0;
  int64_t worst_at = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    // GELU at the largest value under a dealer: x plus a gap the dealer's truncation may round
    // up to +1 ULP wraps (documented in piecewise_engine.h; the dealer uses its own tables).
    const bool gelu = c.which == Composed::kGelu || c.which == Composed::kGeluTanh;
    if (gelu && GetParam() != "none" && xs[i] == std::numeric_limits<int64_t>::max()) continue;
    const double x = std::ldexp(static_cast<double>(xs[i]), -f);
    double err = std::ldexp(std::fabs(got[i] - c.reference(x)), f + c.extra_bits);
    // Past the domain's end (e^-16: 1/4 ULP at 20 bits) at more bits: less the constant's own
    // error (e^x for exp_sum's 0 below -16: 1.9 ULP of 2^-24 at most).
    if (c.extra_bits > 0 && x < -edgeOf(c.which))
      err -= std::ldexp(std::fabs(c.reference(x)), f + c.extra_bits);
    if (err > worst) worst = err, worst_at = xs[i];
  }
  EXPECT_LE(worst, c.ulps) << c.name << " on " << GetParam() << " at " << f
                           << " fractional bits: worst at ring value " << worst_at;
}

INSTANTIATE_TEST_SUITE_P(Families, ComposedMath,
                         ::testing::Values("none", "insecure-seeded", "ttp"), familyName);

// composed_choices.h against the search it records (the one slow test: every function at 12..20
// fractional bits, the mantissas at kMantissaBits, about 12 s): the same pieces and degree, the
// same error to 1e-3 (within the 0.45-ULP budget), and the runtime's fit gives the search's tables.
TEST(ComposedTables, RecordedChoicesMatchTheSearchAtEveryScale) {
  for (const math_detail::PiecesChoice& c : math_detail::kPiecesChoices) {
    const std::string at = std::string(math_detail::composedName(c.which)) + " at " +
                           std::to_string(c.frac_bits) + " fractional bits";
    const math_detail::PiecewiseFunction searched = math_detail::searchPieces(c.which, c.frac_bits);
    EXPECT_EQ(searched.spec.index_bits, c.index_bits) << at;
    EXPECT_EQ(searched.spec.degree, c.degree) << at;
    EXPECT_NEAR(searched.max_error_ulp, c.max_error_ulp, 0.0005 + 1e-12) << at;
    EXPECT_LE(searched.max_error_ulp, 0.45) << at;
    const auto& fitted = math_detail::composedFunction(c.which, c.frac_bits);
    EXPECT_EQ(fitted.table, searched.table) << at;
    EXPECT_EQ(fitted.q, searched.q) << at;
  }
}

// Every function the public math composes has recorded pieces at 12..20 fractional bits (the
// mantissas at kMantissaBits); another scale is a clear InvalidArgument naming it.
TEST(ComposedTables, EveryScaleIsRecordedAndOthersAreRefused) {
  for (const Case& c : cases())
    for (int f = 12; f <= 20; ++f) EXPECT_NO_THROW((void)math_detail::composedFunction(c.which, f));
  for (Composed m : {Composed::kReciprocalMantissa, Composed::kRsqrtMantissa,
                     Composed::kSqrtMantissa, Composed::kLogMantissa, Composed::kExp2Mantissa})
    EXPECT_NO_THROW((void)math_detail::composedFunction(m, math_detail::kMantissaBits));
  try {
    (void)math_detail::composedFunction(Composed::kTanh, 11);
    ADD_FAILURE() << "tanh at 11 fractional bits was not refused";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no recorded pieces for tanh at 11"), std::string::npos)
        << e.what();
  }
}

// Ring inputs over the whole ring: every octave 2^e (e = 0..62) at 16 mantissas and a random one,
// both signs, and the edges 0, ±1, ±2^40, ±(2^63 - 1).
std::vector<int64_t> wholeRing() {
  std::vector<int64_t> v;
  const std::vector<double> random = testing::uniform(63, 1, 2, 11);
  for (int e = 0; e <= 62; ++e) {
    for (int k = 0; k <= 16; ++k) {
      const double mu = k < 16 ? 1 + k / 16.0 : random[static_cast<size_t>(e)];
      const auto w = static_cast<int64_t>(std::min(std::ldexp(mu, e), std::ldexp(1.0, 63) - 1024));
      v.push_back(std::max<int64_t>(w, 1));
      v.push_back(-std::max<int64_t>(w, 1));
    }
  }
  const int64_t big = int64_t{1} << 40, max = std::numeric_limits<int64_t>::max();
  for (int64_t w : {int64_t{0}, int64_t{1}, int64_t{-1}, big, -big, max, -max}) v.push_back(w);
  return v;
}

// The functions of the normalisation over the whole ring: within max(4 ULP, 2^-12 relative)
// (functions.h's bound); 1/0 = 0, rsqrt(x <= 0) = 2^(f/2), sqrt(x <= 0) = 0.
struct RingCase {
  const char* name;
  std::function<ArithTensor(const ArithTensor&)> composed, pub;
  std::function<double(double, int)> reference;  // (x, f)
};

std::vector<RingCase> ringCases() {
  return {
      {"reciprocal", math_detail::composedReciprocal,
       [](const ArithTensor& x) { return reciprocal(x); },
       [](double x, int) { return x == 0 ? 0 : 1 / x; }},
      {"rsqrt", [](const ArithTensor& x) { return math_detail::composedRoot(x, true); },
       [](const ArithTensor& x) { return rsqrt(x); },
       [](double x, int f) { return x <= 0 ? std::ldexp(1.0, f / 2) : 1 / std::sqrt(x); }},
      {"sqrt", [](const ArithTensor& x) { return math_detail::composedRoot(x, false); },
       [](const ArithTensor& x) { return sqrt(x); },
       [](double x, int) { return x <= 0 ? 0 : std::sqrt(x); }},
      {"log", math_detail::composedLog, [](const ArithTensor& x) { return log(x); },
       [](double x, int f) { return std::log(x <= 0 ? std::ldexp(1.0, -f) : x); }},
  };
}

TEST_P(ComposedMath, NormalisedFunctionsMatchOverTheWholeRing) {
  const std::vector<int64_t> xs = wholeRing();
  for (const RingCase& c : ringCases()) {
    for (int f : {12, 16, 20}) {
      RingTensor enc(Shape{static_cast<int64_t>(xs.size())},
                     std::vector<uint64_t>(xs.begin(), xs.end()));
      const std::vector<double> got = testing::simulateProtocol(GetParam(), 2, [&](Party& p) {
        const ArithTensor x = ArithTensor::shareEncoded(p, 0, enc, enc.shape(), f);
        return (GetParam() == "none" ? c.pub(x) : c.composed(x)).revealDoubles();
      })[0];
      ASSERT_EQ(got.size(), xs.size());
      int failures = 0;
      for (size_t i = 0; i < xs.size() && failures < 5; ++i) {
        const double x = std::ldexp(static_cast<double>(xs[i]), -f);
        const double want = c.reference(x, f);
        const double bound = std::max(std::ldexp(4.0, -f), std::ldexp(std::fabs(want), -12));
        const bool ok = std::fabs(got[i] - want) <= bound;
        failures += ok ? 0 : 1;
        EXPECT_TRUE(ok) << c.name << " on " << GetParam() << " at " << f
                        << " fractional bits, ring value " << xs[i] << ": " << got[i] << " against "
                        << want;
      }
    }
  }
}

// softmax and log-softmax composed (the composed exp and log): under the OT family through the
// public functions, under the dealer families by composedSoftmax itself; rows of 10 on [-8, 8)
// and rows with a wide spread (±1000), against double precision. Tolerance: 3 ULP at 12, 16 and
// 20 fractional bits (the row sum's exponentials at 4 more bits, kExpSum).
TEST_P(ComposedMath, SoftmaxMatchesDoublePrecision) {
  constexpr int64_t rows = 64, k = 10;
  std::vector<double> xs = testing::uniform(rows * k, -8, 8, 5);
  for (int64_t j = 0; j < k; ++j) xs[static_cast<size_t>(j)] = j % 2 ? 1000.0 - j : -1000.0 + j;
  for (int f : {12, 16, 20}) {
    const auto got = testing::simulateProtocol(GetParam(), 2, [&](Party& p) {
      std::vector<uint64_t> enc;
      for (double v : xs) enc.push_back(static_cast<uint64_t>(std::llround(std::ldexp(v, f))));
      const ArithTensor x =
          ArithTensor::shareEncoded(p, 0, RingTensor(Shape{rows, k}, enc), Shape{rows, k}, f);
      if (GetParam() != "none")  // the composition itself under a dealer family
        return std::pair{math_detail::composedSoftmax(x, 1, false).revealDoubles(),
                         math_detail::composedSoftmax(x, 1, true).revealDoubles()};
      return std::pair{softmax(x, 1).revealDoubles(), logSoftmax(x, -1).revealDoubles()};
    })[0];
    double worst_soft = 0, worst_log = 0;
    for (int64_t r = 0; r < rows; ++r) {
      double m = -1e300, sum = 0;
      for (int64_t j = 0; j < k; ++j) {
        const double v = std::ldexp(std::nearbyint(std::ldexp(xs[r * k + j], f)), -f);
        m = std::max(m, v);
      }
      for (int64_t j = 0; j < k; ++j)
        sum += std::exp(std::ldexp(std::nearbyint(std::ldexp(xs[r * k + j], f)), -f) - m);
      for (int64_t j = 0; j < k; ++j) {
        const size_t i = static_cast<size_t>(r * k + j);
        const double z = std::ldexp(std::nearbyint(std::ldexp(xs[i], f)), -f) - m;
        worst_soft =
            std::max(worst_soft, std::ldexp(std::fabs(got.first[i] - std::exp(z) / sum), f));
        worst_log =
            std::max(worst_log, std::ldexp(std::fabs(got.second[i] - (z - std::log(sum))), f));
      }
    }
    EXPECT_LE(worst_soft, 3) << "softmax on " << GetParam() << " at " << f << " bits";
    EXPECT_LE(worst_log, 3) << "logSoftmax on " << GetParam() << " at " << f << " bits";
    RecordProperty("worst_ulp_softmax_f" + std::to_string(f), std::to_string(worst_soft));
    RecordProperty("worst_ulp_log_softmax_f" + std::to_string(f), std::to_string(worst_log));
  }
}

// e^x over the whole ring: under the OT family through sotto::exp, under the dealer families by
// composedExp itself. Inputs: a grid 1/32 apart from -(f + 3)·ln 2 - 1 (exactly 0 there) to 2
// past the saturation, random values there, ±64 ring units around its edges (-(f + 1)·ln 2, 4,
// ln(2^(63-f)) - 16, ln(M) + ln(1 - 2^-14) and ln M), 0, ±1 ULP, ±2^40, every power of two up to
// 2^62 and ±(2^63 - 1), -2^63. Reference: min(e^x, M), M = 2^63 - 1 ring units, in long double.
// Bounds (sotto/math/functions.h's for the composed exp, inside the dealer family's): 1.65 ULP
// for x <= 4 (the dealer's: 2); 2^-21 relative from 4 to
// ln(2^(63-f)) - 16 at 16 and 20 fractional bits (at 12 bits 2^-21 relative is below the last
// rounding's 1/2 ULP up to x = 5.5: there 2^-21 relative plus 1.5 ULP, the rounding's with the
// truncation's one ULP either way); max(4 ULP, 2^-12 relative) everywhere.
std::vector<int64_t> expInputs(int f) {
  std::vector<int64_t> v;
  const auto unit = [f](long double x) {
    return static_cast<int64_t>(std::llround(std::ldexp(x, f)));
  };
  const long double ln2 = std::numbers::ln2_v<long double>;
  const long double top = std::log(std::ldexp(static_cast<long double>(kMaxRing), -f));
  const long double low = -(f + 3) * ln2 - 1;
  for (long double x = low; x < top + 2; x += 1.0L / 32) v.push_back(unit(x));
  for (double x : testing::uniform(512, static_cast<double>(low), static_cast<double>(top + 2), 9))
    v.push_back(unit(x));
  for (long double edge :
       {-(f + 1) * ln2, 4.0L, (63 - f) * ln2 - 16, top + std::log1p(-0x1p-14L), top})
    for (int64_t d = -64; d <= 64; ++d) v.push_back(unit(edge) + d);
  for (int e = 0; e <= 62; ++e) v.push_back(int64_t{1} << e);
  for (int64_t w : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1} << 40, -(int64_t{1} << 40),
                    kMaxRing, -kMaxRing, std::numeric_limits<int64_t>::min()})
    v.push_back(w);
  return v;
}

TEST_P(ComposedMath, ExpMatchesOverTheWholeRing) {
  for (int f : {12, 16, 20}) {
    const std::vector<int64_t> xs = expInputs(f);
    RingTensor enc(Shape{static_cast<int64_t>(xs.size())},
                   std::vector<uint64_t>(xs.begin(), xs.end()));
    const std::vector<double> got = testing::simulateProtocol(GetParam(), 2, [&](Party& p) {
      const ArithTensor x = ArithTensor::shareEncoded(p, 0, enc, enc.shape(), f);
      return (GetParam() == "none" ? exp(x) : math_detail::composedExp(x)).revealDoubles();
    })[0];
    ASSERT_EQ(got.size(), xs.size());
    const long double ulp = std::ldexp(1.0L, -f);
    const long double largest = std::ldexp(static_cast<long double>(kMaxRing), -f);
    const long double relative_to = (63 - f) * std::numbers::ln2_v<long double> - 16;
    int failures = 0;
    double worst_low = 0;  // x <= 4, in ULP
    for (size_t i = 0; i < xs.size() && failures < 5; ++i) {
      const long double x = std::ldexp(static_cast<long double>(xs[i]), -f);
      const long double want = std::min(std::exp(x), largest);
      const long double err = std::fabs(got[i] - want);
      long double bound = std::max(4 * ulp, std::ldexp(want, -12));
      if (x <= 4) {
        bound = 1.65 * ulp;
        worst_low = std::max(worst_low, static_cast<double>(err / ulp));
      } else if (x <= relative_to) {
        bound = std::ldexp(want, -21) + (f == 12 ? 1.5 * ulp : 0);
      }
      const bool ok = err <= bound;
      failures += ok ? 0 : 1;
      EXPECT_TRUE(ok) << "exp on " << GetParam() << " at " << f << " fractional bits, ring value "
                      << xs[i] << ": " << got[i] << " against " << static_cast<double>(want)
                      << " (bound " << static_cast<double>(bound) << ")";
    }
    RecordProperty("worst_ulp_x_le_4_f" + std::to_string(f), std::to_string(worst_low));
  }
}

// sotto::exp under the OT family outside 12..20 fractional bits: a clear InvalidArgument naming
// the function and the scale on both parties.
TEST(ComposedExp, ScalesOutsideTheTablesAreRefused) {
  const auto msgs = testing::simulateProtocol("none", 2, [](Party& p) -> std::string {
    try {
      const RingTensor one = RingTensor::full(Shape{2}, 1);
      (void)exp(ArithTensor::shareEncoded(p, 0, one, Shape{2}, 11)).revealDoubles();
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "(no InvalidArgument thrown)";
  });
  for (const auto& m : msgs) {
    EXPECT_NE(m.find("exp"), m.npos) << m;
    EXPECT_NE(m.find("has 11"), m.npos) << m;
  }
}

// Bytes each party sends and its rounds (the OT extension's traffic, IKNP's, apart) in fn(p),
// n = 512 elements: {bytes of party 0, of party 1, rounds of party 0, of party 1}.
std::array<uint64_t, 4> sentBy(const std::function<void(Party&)>& fn) {
  const auto out = testing::simulateProtocol("none", 2, [&](Party& p) {
    fn(p);  // warm-up: the tables' build, the OT extension's first refill
    p.comm().resetStats();
    fn(p);
    std::array<uint64_t, 2> sent{};
    for (const auto& [tag, c] : p.comm().stats().by_tag)
      if (tag != "ot/setup" && tag != "ot/extend") sent[0] += c.bytes_sent, sent[1] += c.rounds;
    return sent;
  });
  return {out[0][0], out[1][0], out[0][1], out[1][1]};
}

// The kernels of evaluatePieces(m) alone on `words`: the exact floor by P bits, the lookup of
// the coefficients, u's wrap and Horner's products with their truncations.
void piecesKernels(Party& party, const RingTensor& words, const math_detail::PiecewiseFunction& m) {
  Protocol& proto = party.protocol();
  (void)proto.truncate(party, words, m.piece_bits);
  (void)proto.lookup(party, words, m.spec.index_bits, m.columns, m.table, 64);
  const auto u = proto.narrowOperand(party, words, m.piece_bits);
  for (int i = 0; i < m.spec.degree; ++i) {
    (void)u->mul(party, words);
    (void)proto.truncatePositive(party, words, m.piece_bits);
  }
}

// One selectBits on `count` values (shifted by `shift`).
void selectKernel(Party& party, int64_t count, int shift) {
  (void)party.protocol().selectBits(party, RingTensor::full(Shape{(count + 63) / 64}, 5), count,
                                    RingTensor::full(Shape{count}, 7), shift);
}

// One selectBitsShifted on n values per group, each group's values at its shift (applyGroups).
void selectGroupsKernel(Party& party, int64_t n, const std::vector<int>& group_shifts) {
  std::vector<int> shifts;
  for (int s : group_shifts) shifts.insert(shifts.end(), static_cast<size_t>(n), s);
  const auto count = static_cast<int64_t>(shifts.size());
  (void)party.protocol().selectBitsShifted(party, RingTensor::full(Shape{(count + 63) / 64}, 5),
                                           count, RingTensor::full(Shape{count}, 7), shifts);
}

// Exact cost under the OT family: each function sends exactly what its kernels send, in their
// rounds (the formula of functions.h: kernels as ot_kernels.h states them, each measured alone
// on the same n).
TEST(ComposedCost, EachFunctionSendsExactlyItsKernels) {
  constexpr int64_t n = 512;
  const RingTensor words = RingTensor::full(Shape{n}, 0x9e3779b97f4a7c15ULL);
  for (const Case& c : cases()) {
    const auto& f = math_detail::composedFunction(c.which, 16);
    const auto& s = f.spec;
    const bool one_sided = s.symmetry == math_detail::Symmetry::kOneSided;
    const bool two_sided = s.symmetry == math_detail::Symmetry::kTwoSided;
    const int d = s.degree, p = f.piece_bits, vs = f.value_scale;
    const auto got = sentBy([&](Party& party) {
      const ArithTensor x = ArithTensor::fromPublic(party, words, 16);
      evaluateOnParty(c, x);
    });
    const auto want = sentBy([&](Party& party) {
      Protocol& proto = party.protocol();
      const RingTensor packed = RingTensor::full(Shape{(n + 63) / 64}, 5);
      if (two_sided) {  // [x < end], [x < start], [x < 0] in one call; selections on 2n, n
        (void)proto.signBits(party, repeated(words, 3), false);
      } else if (one_sided) {
        (void)proto.signBits(party, concatTwice(words), false);
      } else {
        for (int i = 0; i < 2; ++i) (void)proto.signBits(party, words, false);
      }
      if (two_sided) {
        (void)proto.selectBits(party, RingTensor::full(Shape{(2 * n + 63) / 64}, 5), 2 * n,
                               concatTwice(words), 0);
        (void)proto.selectBits(party, packed, n, words, 0);
      } else {
        const int selects = one_sided ? 2 : s.symmetry == math_detail::Symmetry::kEven ? 2 : 3;
        for (int i = 0; i < selects; ++i) (void)proto.selectBits(party, packed, n, words, 0);
      }
      (void)proto.truncate(party, words, p);
      (void)proto.lookup(party, words, s.index_bits, f.columns, f.table, 64);
      const int narrow = s.product_form ? d - 1 : d;
      const auto u = proto.narrowOperand(party, words, p);  // u's wrap once
      for (int i = 0; i < narrow; ++i) (void)u->mul(party, words);
      if (s.product_form) {
        (void)proto.truncatePositive(party, words, f.scale - f.q_scale);
        (void)proto.mulNarrow(party, words, f.q_scale + 1, words);
      }
      for (int i = 0; i < d; ++i) (void)proto.truncatePositive(party, words, p);
      (void)proto.truncatePositive(party, words, vs - 16 - c.extra_bits);
    });
    EXPECT_EQ(got, want) << c.name;
  }
}

// The normalised functions' exact cost under the OT family: the kernels their headers
// (composed_functions.h) name, each measured alone on the same n: x's sign bits and a selection,
// the normalisation (with `extra` lookup columns), the mantissa's pieces, a product of `w_bits`,
// one selection of the byte groups kept (each with its shift where the power is below 1), and the
// sign back (reciprocal).
struct Shifts {
  int c, step, v_bits;
};

TEST(ComposedCost, NormalisedFunctionsSendExactlyTheirKernels) {
  constexpr int64_t n = 512;
  constexpr int f = 16;
  const RingTensor words = RingTensor::full(Shape{n}, 0x9e3779b97f4a7c15ULL);
  struct Expected {
    const char* name;
    Composed mantissa;
    int extra, w_bits;
    bool sign_back;
    std::function<Shifts(int s)> shifts;  // from the pieces' value scale s (none: log)
  };
  const std::vector<Expected> all = {
      {"reciprocal", Composed::kReciprocalMantissa, 0, 8, true,
       [](int s) {
         return Shifts{2 * f - s - 7, -8, s + 8};
       }},
      {"rsqrt", Composed::kRsqrtMantissa, 2, 5, false,
       [](int s) {
         return Shifts{(3 * f - 7 + 1) / 2 - s, -4, s + 6};
       }},  // q(7), e odd
      {"sqrt", Composed::kSqrtMantissa, 2, 5, false,
       [](int s) {
         return Shifts{f / 2 - s, 4, s + 6};
       }},                                                    // q(0)
      {"log", Composed::kLogMantissa, 1, 3, false, nullptr},  // m·ln 2, the groups' constants
  };
  for (std::size_t which = 0; which < all.size(); ++which) {
    const Expected& e = all[which];
    const auto& m = math_detail::composedFunction(e.mantissa, math_detail::kMantissaBits);
    const auto got = sentBy([&](Party& party) {
      (void)ringCases()[which].pub(ArithTensor::fromPublic(party, words, f));
    });
    const auto want = sentBy([&](Party& party) {
      Protocol& proto = party.protocol();
      auto select = [&](int64_t count, int shift) { selectKernel(party, count, shift); };
      (void)proto.signBits(party, words, false);  // x's sign (or [x <= 0]), then a
      select(n, 0);
      std::vector<uint64_t> seven(7 * n, 3);  // the byte groups, Z
      (void)proto.signBits(party, RingTensor(Shape{7 * n}, std::move(seven)), false);
      select(8 * n, 0);
      (void)proto.truncate(party, words, 56);  // the leading byte, its leading bit, Z'
      const int cols = 1 + e.extra;
      (void)proto.lookup(party, words, 8, cols, std::vector<uint64_t>(256 * cols, 1), 8);
      (void)proto.mulNarrow(party, words, 8, words);
      (void)proto.truncate(party, words, 63 - math_detail::kMantissaBits);  // μ - 1
      piecesKernels(party, words, m);
      (void)proto.mulNarrow(party, words, e.w_bits, words);  // W, then the groups
      if (!e.shifts) {  // log: one selection of constants on 8n, the rounding
        select(8 * n, 0);
        (void)proto.truncatePositive(party, words, m.value_scale - f);
        return;
      }
      const Shifts sh = e.shifts(m.value_scale);
      std::vector<int> kept;  // the groups kept, in one selection
      for (int g = 0; g < 8; ++g) {
        const int k = sh.c + sh.step * g;
        if (k >= 0 || -k <= sh.v_bits) kept.push_back(k >= 0 ? 0 : -k);
      }
      selectGroupsKernel(party, n, kept);
      if (e.sign_back) select(n, 0);
    });
    EXPECT_EQ(got, want) << e.name;
  }
}

// sotto::exp's exact cost under the OT family: the kernels composed_functions.h names for
// composedExp, each measured alone on the same n: the sign bits of x, x + lo and x - hi, y's
// positive truncation by 34 bits, the exact floor by 20, 2^φ's pieces, ρ's truncation, its
// product of 12 bits and the
// product's truncation, the lookup of 2^(r mod 8) and its product of 8 bits, the byte group's
// one-hot lookup, one selection of all the groups (each shifted where its power is below 1), and
// the two selections of the constants and the sides.
TEST(ComposedCost, ExpSendsExactlyItsKernels) {
  constexpr int64_t n = 512;
  constexpr int f = 16;
  const RingTensor words = RingTensor::full(Shape{n}, 0x9e3779b97f4a7c15ULL);
  const auto& m =
      math_detail::composedFunction(Composed::kExp2Mantissa, math_detail::kMantissaBits);
  const auto got =
      sentBy([&](Party& party) { (void)exp(ArithTensor::fromPublic(party, words, f)); });
  const auto want = sentBy([&](Party& party) {
    Protocol& proto = party.protocol();
    auto select = [&](int64_t count, int shift) { selectKernel(party, count, shift); };
    (void)proto.signBits(party, RingTensor::full(Shape{3 * n}, 3), false);
    (void)proto.truncatePositive(party, words, 54 - math_detail::kMantissaBits);
    (void)proto.truncate(party, words, math_detail::kMantissaBits);
    piecesKernels(party, words, m);
    (void)proto.truncatePositive(party, words, 24);  // ρ's 10 bits, 1 + ln 2·ρ
    (void)proto.mulNarrow(party, words, 12, words);
    (void)proto.truncatePositive(party, words, 40);
    (void)proto.lookup(party, words, 3, 1, std::vector<uint64_t>(8, 1), 8);  // 2^(r mod 8)
    (void)proto.mulNarrow(party, words, 8, words);
    (void)proto.lookup(party, words, 6, 8, std::vector<uint64_t>(64 * 8, 1), 1);  // r's byte
    const int s = m.value_scale;
    std::vector<int> groups;  // every byte group kept, in one selection
    for (int g = 0; g < 8; ++g) groups.push_back(std::max(0, 1 + s - 8 * g));
    selectGroupsKernel(party, n, groups);
    select(2 * n, 0);
    select(n, 0);
  });
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace sotto
