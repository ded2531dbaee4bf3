// Table math over each function's whole representable domain (16 fractional bits): reciprocal
// for every non-zero x of either sign, rsqrt, sqrt and log for every positive x (2^-16 up to
// 2^47), on log-spaced grids over the whole domain and dense grids at both ends and around every
// power of two (where the windows of sotto/math/functions.h meet); error at most 4 ULP or 2^-12
// relative, whichever is larger; 2 and 3 parties, seeded and TTP dealers. The values outside a
// function's domain are checked in math_table_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sotto/math/functions.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

using UnaryFn = ArithTensor (*)(const ArithTensor&, MathMethod);

struct DomainCase {
  const char* name;
  UnaryFn fn;
  long double (*ref)(long double);
  bool both_signs;  // the domain is every non-zero x (else every x > 0)
};

// sqrt from 2^47 - 2^36 on (the top 2^-11 of the range) is sqrt(x) or 0 (functions.h).
constexpr long double kSqrtTop = 0x1p47L - 0x1p36L;

// Whether y is an allowed result of c at the ring value u (x = u·2^-16).
double errorRatio(const DomainCase& c, uint64_t u, double y) {
  const long double xv = static_cast<long double>(static_cast<int64_t>(u)) * kUlp;
  const long double want = c.ref(xv);
  const double allowed = std::max(4 * kUlp, std::ldexp(static_cast<double>(std::fabs(want)), -12));
  const double err = static_cast<double>(std::fabs(y - want)) / allowed;
  if (std::string(c.name) == "sqrt" && xv >= kSqrtTop && std::fabs(y) <= 4 * kUlp) return 0;
  return err;
}

long double reciprocalRef(long double x) { return 1 / x; }
long double rsqrtRef(long double x) { return 1 / std::sqrt(x); }
long double sqrtRef(long double x) { return std::sqrt(x); }
long double logRef(long double x) { return std::log(x); }

const DomainCase kCases[] = {
    {"reciprocal", sotto::reciprocal, reciprocalRef, true},
    {"rsqrt", sotto::rsqrt, rsqrtRef, false},
    {"sqrt", sotto::sqrt, sqrtRef, false},
    {"log", sotto::log, logRef, false},
};

constexpr uint64_t kLargest = std::numeric_limits<int64_t>::max();  // 2^47 - 2^-16

// Positive ring values: `log_points` log-spaced over [1, 2^63), every value in [1, dense] and in
// [2^63 - dense, 2^63), and `around` values either side of every power of two 2^k, k >= 12.
std::vector<uint64_t> positiveGrid(int log_points, uint64_t dense, uint64_t around) {
  std::vector<uint64_t> v;
  for (int i = 0; i < log_points; ++i) {
    const long double t = 63.0L * i / log_points;
    v.push_back(std::max<uint64_t>(1, static_cast<uint64_t>(std::pow(2.0L, t))));
  }
  for (uint64_t u = 1; u <= dense; ++u) v.push_back(u);
  for (uint64_t u = 0; u < dense; ++u) v.push_back(kLargest - u);
  for (int k = 12; k < 63; ++k) {
    const uint64_t p = uint64_t{1} << k;
    for (uint64_t d = 1; d <= around; ++d) {
      const uint64_t step = std::max<uint64_t>(1, p >> 14);  // 2^-14 relative apart
      v.push_back(p - d * step);
      v.push_back(p + (d - 1) * step);
    }
  }
  return v;
}

class MathDomainTest : public PartiesDealersTest {
 protected:
  std::vector<double> runRaw(UnaryFn fn, const std::vector<uint64_t>& raw) {
    const auto n = static_cast<int64_t>(raw.size());
    return run([&](Party& p) {
      auto x =
          ArithTensor::shareEncoded(p, 0, RingTensor(Shape{n}, raw), Shape{n}, kDefaultFracBits);
      return fn(x, MathMethod::kFunctionTables).revealDoubles();
    })[0];
  }
  bool ttp() const { return dealer() == TestDealer::kTtp; }
};

TEST_P(MathDomainTest, WholeDomainWithinFourUlpOrRelative2PowMinus12) {
  // The TTP dealer sends party 0 every table (70-90 K words per element): a few log-spaced inputs
  // and both ends there (the same generator as the seeded dealer's; the grids below are its).
  const auto positive = ttp() ? positiveGrid(16, 2, 0) : positiveGrid(6000, 3000, 24);
  for (const DomainCase& c : kCases) {
    std::vector<uint64_t> x = positive;
    if (c.both_signs) {
      for (uint64_t u : positive) x.push_back(0 - u);
    }
    const auto y = runRaw(c.fn, x);
    double worst = 0, worst_at = 0;  // error in units of the allowed error
    for (size_t i = 0; i < x.size(); ++i) {
      const double err = errorRatio(c, x[i], y[i]);
      if (err > worst) {
        worst = err;
        worst_at = decode(x[i]);
      }
    }
    EXPECT_LE(worst, 1.0) << c.name << ": " << worst
                          << " times the allowed error at x = " << worst_at;
  }
}

TEST_P(MathDomainTest, SqrtOfNegativesIsNearZero) {
  // sqrt(x < 0) is 0 up to the truncation of the window that takes x: at most 2 of its ULPs, 16 at
  // 16 bits (the last window keeps 2^-15 of its smallest value, 2^3 ULPs); beyond one row of the
  // last window (x < -2^35), exactly 0 (functions.h).
  std::vector<uint64_t> x;
  for (int k = 0; k < 63; k += ttp() ? 6 : 1) {
    x.push_back(0 - (uint64_t{1} << k));
    x.push_back(0 - (uint64_t{3} << k >> 1));
  }
  const auto y = runRaw(sotto::sqrt, x);
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = decode(x[i]);
    EXPECT_LE(std::fabs(y[i]), v < -0x1p35 ? 0.0 : 16.0) << "sqrt(" << v << ")";
  }
}

SOTTO_PARTIES_AND_DEALERS(MathDomainTest);

// Two parties, seeded dealer: every 2^-8 relative step over the whole positive domain at once
// (65,536 log-spaced inputs per function; reciprocal also their negatives).
TEST(MathDomainFullGrid, LogSpacedOverEveryOctave) {
  std::vector<uint64_t> x(65536);
  for (size_t i = 0; i < x.size(); ++i) {
    const long double t = 63.0L * i / x.size();
    x[i] = std::max<uint64_t>(1, static_cast<uint64_t>(std::pow(2.0L, t)));
  }
  for (const DomainCase& c : kCases) {
    std::vector<uint64_t> in = x;
    if (c.both_signs) {
      for (size_t i = 0; i < x.size(); i += 2) in[i] = 0 - x[i];
    }
    const auto n = static_cast<int64_t>(in.size());
    const auto y = simulateMpc(2, [&](Party& p) {
      auto a =
          ArithTensor::shareEncoded(p, 0, RingTensor(Shape{n}, in), Shape{n}, kDefaultFracBits);
      return c.fn(a, MathMethod::kFunctionTables).revealDoubles();
    })[0];
    double worst = 0;
    for (size_t i = 0; i < in.size(); ++i) worst = std::max(worst, errorRatio(c, in[i], y[i]));
    EXPECT_LE(worst, 1.0) << c.name;
  }
}

}  // namespace
}  // namespace sotto::testing

namespace sotto::testing {
namespace {

// The other supported scales (12 and 20 fractional bits): the tables build and hold the whole
// domain (log-spaced inputs, 2 parties, seeded dealer).
TEST(MathDomainScales, TwelveAndTwentyFractionalBits) {
  for (int frac : {12, 20}) {
    std::vector<uint64_t> x(4000);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = std::max<uint64_t>(1, static_cast<uint64_t>(std::pow(2.0L, 63.0L * i / x.size())));
    }
    const double ulp = std::ldexp(1.0, -frac);
    for (const DomainCase& c : kCases) {
      const auto n = static_cast<int64_t>(x.size());
      const auto y = simulateMpc(2, [&](Party& p) {
        auto a = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{n}, x), Shape{n}, frac);
        return c.fn(a, MathMethod::kFunctionTables).revealDoubles();
      })[0];
      double worst = 0, at = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const long double xv = std::ldexp(static_cast<long double>(x[i]), -frac);
        if (std::string(c.name) == "sqrt" && x[i] >= (uint64_t{1} << 63) - (uint64_t{1} << 52)) {
          continue;  // sqrt(x) or 0 in the last window's last row (functions.h)
        }
        const long double want = c.ref(xv);
        const double allowed =
            std::max(4 * ulp, std::ldexp(static_cast<double>(std::fabs(want)), -12));
        const double err = static_cast<double>(std::fabs(y[i] - want)) / allowed;
        if (err > worst) {
          worst = err;
          at = static_cast<double>(xv);
        }
      }
      // rsqrt at 20 bits: rarely up to 1.1x just above 256, for some masks (functions.h).
      const double limit = std::string(c.name) == "rsqrt" && frac == 20 ? 1.1 : 1.0;
      EXPECT_LE(worst, limit) << c.name << " at " << frac << " bits, x = " << at;
    }
  }
}

}  // namespace
}  // namespace sotto::testing
