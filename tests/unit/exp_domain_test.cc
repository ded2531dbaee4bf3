// exp, sigmoid, tanh, softmax and log-softmax (table method) over the whole representable domain:
// dense grids over every input where the result is not saturated, dense ring-unit grids where the
// windows of functions.h meet (around ln of the largest value, where exp saturates, and 16 and 48
// below it), log-spaced inputs out to the largest and smallest representable values; 2 and 3
// parties, seeded and TTP dealers (the TTP dealer ships every table: sparser grids there).
// Allowed error: max(4 ULP, 2^-12 relative) against the true function, exp capped at the largest
// representable value 2^47 - 2^-16 (16 fractional bits), which it never passes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sotto/math/functions.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

using UnaryFn = ArithTensor (*)(const ArithTensor&, MathMethod);

constexpr uint64_t kLargest = std::numeric_limits<int64_t>::max();  // 2^47 - 2^-16
constexpr uint64_t kSmallest = uint64_t{1} << 63;                   // -2^47

long double largestAt(int frac) { return std::ldexp(static_cast<long double>(kLargest), -frac); }

// e^x capped at the largest value; sigmoid; tanh (long double).
long double expRef(long double x, int frac) { return std::min(std::exp(x), largestAt(frac)); }
long double sigmoidRef(long double x, int) { return 1 / (1 + std::exp(-x)); }
long double tanhRef(long double x, int) { return std::tanh(x); }

struct Case {
  const char* name;
  UnaryFn fn;
  long double (*ref)(long double, int);
};

const Case kCases[] = {{"exp", sotto::exp, expRef},
                       {"sigmoid", sotto::sigmoid, sigmoidRef},
                       {"tanh", sotto::tanh, tanhRef}};

// Ring values: every `step` ring units over [lo, hi] (real), `around` units either side of each
// of `edges` (real), `log_points` log-spaced magnitudes of both signs out to 2^63, and the ends.
std::vector<uint64_t> domainGrid(int frac, double lo, double hi, int64_t step,
                                 const std::vector<double>& edges, int64_t around, int log_points) {
  std::vector<uint64_t> v;
  const auto a = std::llround(std::ldexp(lo, frac)), b = std::llround(std::ldexp(hi, frac));
  for (int64_t u = a; u <= b; u += step) v.push_back(static_cast<uint64_t>(u));
  for (double e : edges) {
    const auto c = std::llround(std::ldexp(e, frac));
    for (int64_t d = -around; d <= around; ++d) v.push_back(static_cast<uint64_t>(c + d));
  }
  for (int i = 0; i < log_points; ++i) {
    const auto m = static_cast<uint64_t>(std::pow(2.0L, 63.0L * i / log_points));
    v.push_back(m);
    v.push_back(0 - m);
  }
  for (uint64_t u : {kLargest, kLargest - 1, kSmallest, kSmallest + 1, uint64_t{0}}) v.push_back(u);
  return v;
}

// The windows of exp meet at L, L - 16, L - 48 (L = ln of the largest value) and L ± 1/32 (the
// kink window, which holds the next window's row of 1/64 that holds L: L ± 1/64 is its far end).
std::vector<double> expEdges(int frac) {
  const double l = static_cast<double>(std::log(largestAt(frac)));
  return {l, l - 0x1p-5, l + 0x1p-5, l - 0x1p-6, l + 0x1p-6, l - 16, l + 16, l - 48, 0};
}

// Worst error over x in units of the allowed error (max(4 ULP, 2^-12 relative)).
double worstRatio(const Case& c, const std::vector<uint64_t>& x, const std::vector<double>& y,
                  int frac, double* at) {
  const long double ulp = std::ldexp(1.0L, -frac);
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const long double xv = std::ldexp(static_cast<long double>(static_cast<int64_t>(x[i])), -frac);
    const long double want = c.ref(xv, frac);
    const long double allowed = std::max(4 * ulp, std::ldexp(std::fabs(want), -12));
    const double r = static_cast<double>(std::fabs(y[i] - want) / allowed);
    if (r > worst) {
      worst = r;
      *at = static_cast<double>(xv);
    }
  }
  return worst;
}

std::vector<double> runAt(Party& p, UnaryFn fn, const std::vector<uint64_t>& x, int frac) {
  const auto n = static_cast<int64_t>(x.size());
  auto a = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{n}, x), Shape{n}, frac);
  return fn(a, MathMethod::kTable).revealDoubles();
}

class ExpDomainTest : public PartiesDealersTest {
 protected:
  bool ttp() const { return dealer() == TestDealer::kTtp; }
};

TEST_P(ExpDomainTest, WholeDomainWithinFourUlpOrRelative2PowMinus12) {
  const int f = kDefaultFracBits;
  // Seeded: every 2^-10 over [-16, 40] and every ring unit within 2^-10 of each edge. TTP (whole
  // tables shipped per element, 0.3 MB for exp): every 1, the edges and their neighbours.
  const auto x = ttp() ? domainGrid(f, -16, 40, 1 << 16, expEdges(f), 1, 6)
                       : domainGrid(f, -16, 40, 1 << 6, expEdges(f), 64, 400);
  for (const Case& c : kCases) {
    const auto y = run([&](Party& p) { return runAt(p, c.fn, x, f); })[0];
    double at = 0;
    const double worst = worstRatio(c, x, y, f, &at);
    EXPECT_LE(worst, 1.0) << c.name << ": " << worst << " times the allowed error at x = " << at;
  }
}

TEST_P(ExpDomainTest, ExpSaturatesAtTheLargestValueAndNeverPassesIt) {
  const int f = kDefaultFracBits;
  const double l = expEdges(f)[0];
  std::vector<uint64_t> x = {kLargest, encode(std::ldexp(1.0, 40)), encode(1000), encode(l + 1)};
  const auto y = run([&](Party& p) { return runAt(p, sotto::exp, x, f); })[0];
  const double largest = static_cast<double>(largestAt(f));
  EXPECT_EQ(y[0], largest);  // beyond the windows: exactly the largest value
  EXPECT_EQ(y[1], largest);
  for (double v : y) {
    EXPECT_LE(v, largest);
    EXPECT_GE(v, largest * (1 - 0x1p-12));
  }
}

TEST_P(ExpDomainTest, SoftmaxAndLogSoftmaxOverTheWholeRange) {
  // Rows of 8 with entries of every magnitude (log-uniform up to 2^45, both signs) and rows of
  // close values (differences within [-16, 0] reach every window of exp's inputs <= 0).
  const int64_t rows = ttp() ? 16 : 256, cols = 8;
  std::vector<double> x(rows * cols);
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1p-53;
  };
  for (int64_t i = 0; i < rows; ++i) {
    const bool spread = i % 2 == 0;
    const double base = (next() - 0.5) * std::ldexp(1.0, 44);
    for (int64_t j = 0; j < cols; ++j) {
      const double v =
          spread ? (next() < 0.5 ? -1 : 1) * std::ldexp(1.0, static_cast<int>(45 * next()))
                 : base + (next() - 0.5) * 24;
      x[i * cols + j] = quantize(v);
    }
  }
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{rows, cols});
    return std::make_pair(softmax(a, 1).revealDoubles(), logSoftmax(a, 1).revealDoubles());
  });
  const double bound = (parties() == 2 ? 3 : 4) * kUlp;
  double worst = 0, worst_log = 0;
  for (int64_t i = 0; i < rows; ++i) {
    long double m = -INFINITY, s = 0;
    for (int64_t j = 0; j < cols; ++j) m = std::max<long double>(m, x[i * cols + j]);
    for (int64_t j = 0; j < cols; ++j) s += std::exp(x[i * cols + j] - m);
    for (int64_t j = 0; j < cols; ++j) {
      const long double z = x[i * cols + j] - m;
      worst = std::max(
          worst, static_cast<double>(std::fabs(out[0].first[i * cols + j] - std::exp(z) / s)));
      // log-softmax: max(bound, 2^-12 relative) where it is large (rows of huge spreads).
      const long double want_log = z - std::log(s);
      const double err = static_cast<double>(std::fabs(out[0].second[i * cols + j] - want_log));
      worst_log = std::max(
          worst_log,
          err / std::max(bound, static_cast<double>(std::ldexp(std::fabs(want_log), -12))));
    }
  }
  EXPECT_LE(worst, bound) << worst / kUlp << " ULP";
  EXPECT_LE(worst_log, 1.0) << worst_log << " times the allowed error";
}

SOTTO_PARTIES_AND_DEALERS(ExpDomainTest);

// The other supported scales (12 and 20 fractional bits): exp, sigmoid and tanh hold the whole
// domain there too (2 parties, seeded dealer).
TEST(ExpDomainScales, TwelveAndTwentyFractionalBits) {
  for (int frac : {12, 20}) {
    const auto x = domainGrid(frac, -24, 48, int64_t{1} << (frac - 8), expEdges(frac), 16, 200);
    for (const Case& c : kCases) {
      const auto y = simulateMpc(2, [&](Party& p) { return runAt(p, c.fn, x, frac); })[0];
      double at = 0;
      const double worst = worstRatio(c, x, y, frac, &at);
      EXPECT_LE(worst, 1.0) << c.name << " at " << frac << " bits: " << worst
                            << " times the allowed error at x = " << at;
    }
  }
}

// exp's tighter bounds (functions.h): within 2 ULP (2.5 for 3 parties) for x <= 4; from 4 to
// ln(2^(63-f)) - 16 - 2^-6 within 2^-21 relative, plus the truncation's 1.5 ULP (2 for 3 parties)
// below 16 bits (and at 16 for 3 parties), where 2^-21 of e^x near 4 is below that; in the last
// 2^-6 up to ln(2^(63-f)) - 16 (one row of the window above, whose in-window test may take x: it
// keeps 2^-15 of its smallest value) within 2^-14 relative.
double expTop(int frac) { return static_cast<double>(std::log(largestAt(frac))) - 16; }

// Every `step` ring units from -8 to expTop (a step of 2^-6 + 1 unit varies the low bits), every
// ring unit within 64 of x = 4 and of the last row's edge, and every 2^-12 + 1 unit in that row.
std::vector<uint64_t> expBoundGrid(int frac, int64_t step) {
  const double top = expTop(frac), edge = top - 0x1p-6;
  auto x = domainGrid(frac, -8, top, step, {4.0, edge}, 64, 0);
  const auto row = domainGrid(frac, edge, top, (int64_t{1} << (frac - 12)) + 1, {}, 0, 0);
  x.insert(x.end(), row.begin(), row.end());
  return x;
}

// Worst errors in units of the bound: x <= 4, from 4 to the last row, in the last row.
struct ExpBoundWorst {
  double ratio[3] = {0, 0, 0};
  double at[3] = {0, 0, 0};
};

ExpBoundWorst expBoundWorst(const std::vector<uint64_t>& x, const std::vector<double>& y, int frac,
                            int parties) {
  const long double ulp = std::ldexp(1.0L, -frac);
  const double top = expTop(frac);
  ExpBoundWorst w;
  for (size_t i = 0; i < x.size(); ++i) {
    const long double xv = std::ldexp(static_cast<long double>(static_cast<int64_t>(x[i])), -frac);
    if (xv < -8 || xv > top) continue;  // the grid's end points (the largest, the smallest, 0)
    const long double want = std::exp(xv), err = std::fabs(y[i] - want);
    const int region = xv <= 4 ? 0 : xv < top - 0x1p-6 ? 1 : 2;
    const bool plus = frac < 16 || (frac == 16 && parties > 2);
    const long double bound =
        region == 0   ? (parties == 2 ? 2 : 2.5L) * ulp
        : region == 1 ? std::ldexp(want, -21) + (plus ? (parties == 2 ? 1.5L : 2) * ulp : 0)
                      : std::ldexp(want, -14);
    const double r = static_cast<double>(err / bound);
    if (r > w.ratio[region]) w.ratio[region] = r, w.at[region] = static_cast<double>(xv);
  }
  return w;
}

void expectWithinExpBounds(const ExpBoundWorst& w, int frac) {
  const char* bound[3] = {"the ULP bound", "2^-21 relative", "2^-14 relative"};
  for (int k = 0; k < 3; ++k) {
    EXPECT_LE(w.ratio[k], 1.0) << frac << " bits: " << w.ratio[k] << " times " << bound[k]
                               << " at x = " << w.at[k];
  }
}

// At every supported scale (12 to 20 fractional bits), 2 parties, seeded dealer.
TEST(ExpDomainScales, WithinTwoUlpToFourAnd2PowMinus21RelativeAbove) {
  for (int frac = 12; frac <= 20; ++frac) {
    const auto x = expBoundGrid(frac, (int64_t{1} << (frac - 6)) + 1);
    const auto y = simulateMpc(2, [&](Party& p) { return runAt(p, sotto::exp, x, frac); })[0];
    expectWithinExpBounds(expBoundWorst(x, y, frac, 2), frac);
  }
}

// The same bounds with the TTP dealer and 3 parties at 12, 16 and 20 bits (every 2^-3 + 1 ring
// unit: the TTP dealer ships every table entry).
TEST(ExpDomainScales, WithinTheSameBoundsForThreePartiesAndTheTtpDealer) {
  for (int frac : {12, 16, 20}) {
    const auto x = expBoundGrid(frac, (int64_t{1} << (frac - 3)) + 1);
    const auto y = simulateTtp(3, [&](Party& p) { return runAt(p, sotto::exp, x, frac); })[0];
    expectWithinExpBounds(expBoundWorst(x, y, frac, 3), frac);
  }
}

}  // namespace
}  // namespace sotto::testing
