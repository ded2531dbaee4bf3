// Table-based math (sotto/math/functions.h), 2 and 3 parties, both dealers: dense grids over each
// function's range against double-precision references, the saturation edges and far beyond
// (up to the largest and smallest representable values), zero and negative inputs of the
// positive-domain functions, rounds and bytes, and bad input (whole domains: math_domain_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <string>

#include "sotto/math/functions.h"
#include "sotto/math/iterative.h"
#include "sotto/mpc/function_tables.h"
#include "sotto/mpc/lut.h"
#include "testing/errors.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

using UnaryFn = ArithTensor (*)(const ArithTensor&, MathMethod);

double sigmoidRef(double x) { return 1 / (1 + std::exp(-x)); }
double reciprocalRef(double x) { return 1 / x; }
double rsqrtRef(double x) { return 1 / std::sqrt(x); }
double expRef(double x) { return std::exp(x); }
double tanhRef(double x) { return std::tanh(x); }
double sqrtRef(double x) { return std::sqrt(x); }
double logRef(double x) { return std::log(x); }
double erfRef(double x) { return std::erf(x); }
double geluRef(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
double geluTanhRef(double x) {
  return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
}
ArithTensor geluExact(const ArithTensor& x, MathMethod m) {
  return gelu(x, GeluApproximation::kNone, m);
}
ArithTensor geluTanh(const ArithTensor& x, MathMethod m) {
  return gelu(x, GeluApproximation::kTanh, m);
}

struct FnCase {
  const char* name;
  UnaryFn fn;
  double (*ref)(double);
  double lo, hi;  // the range with the accuracy guarantee
  bool multi_window;
};

const FnCase kCases[] = {
    {"exp", sotto::exp, expRef, -16, 4, false},
    {"sigmoid", sotto::sigmoid, sigmoidRef, -8, 8, false},
    {"tanh", sotto::tanh, tanhRef, -8, 8, false},
    {"erf", sotto::erf, erfRef, -4, 4, false},
    {"gelu", geluExact, geluRef, -10, 10, false},
    {"gelu (tanh)", geluTanh, geluTanhRef, -10, 10, false},
    {"reciprocal", sotto::reciprocal, reciprocalRef, 0.1, 100, true},
    {"rsqrt", sotto::rsqrt, rsqrtRef, 0.1, 100, true},
    {"sqrt", sotto::sqrt, sqrtRef, 0.1, 100, true},
    {"log", sotto::log, logRef, 0.1, 100, true},
};

// Evenly spaced fixed-point inputs over [lo, hi], both ends included.
std::vector<double> grid(double lo, double hi, int n) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = quantize(lo + (hi - lo) * i / (n - 1));
  return v;
}

class MathTableTest : public PartiesDealersTest {
 protected:
  // f on x as a flat shared tensor, revealed.
  std::vector<double> runFn(UnaryFn fn, const std::vector<double>& x) {
    const auto n = static_cast<int64_t>(x.size());
    return run([&](Party& p) {
      return fn(ArithTensor::share(p, 0, x, Shape{n}), MathMethod::kFunctionTables).revealDoubles();
    })[0];
  }
  // Raw ring values (16 fractional bits) as a shared tensor, f, revealed.
  std::vector<double> runRaw(UnaryFn fn, const std::vector<uint64_t>& raw) {
    const auto n = static_cast<int64_t>(raw.size());
    return run([&](Party& p) {
      auto x =
          ArithTensor::shareEncoded(p, 0, RingTensor(Shape{n}, raw), Shape{n}, kDefaultFracBits);
      return fn(x, MathMethod::kFunctionTables).revealDoubles();
    })[0];
  }
  // Error bounds in ULPs (16 fractional bits): the top-bits truncation errs by at most
  // N/2 + 1/2 ULP, the tables add well under 0.2 ULP; reciprocal rounds exactly.
  double bound(const FnCase& c) const {
    if (std::string(c.name) == "reciprocal") return 0.65;
    return parties() == 2 ? 1.75 : 2.25;
  }
  int gridSize(const FnCase& c) const {
    // TTP: few enough to keep the test fast (the TTP ships every table); exp's take two requests
    // (2^22 words: 103 elements of its 40,591 words), so the joined material is read too.
    if (dealer() == TestDealer::kTtp) {
      return c.multi_window ? 21 : std::string(c.name) == "exp" ? 125 : 61;
    }
    return 4001;
  }
};

TEST_P(MathTableTest, DenseGridsWithinBounds) {
  for (const FnCase& c : kCases) {
    const auto x = grid(c.lo, c.hi, gridSize(c));
    const auto y = runFn(c.fn, x);
    double worst = 0, worst_rel = 0, at = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = c.ref(x[i]), err = std::fabs(y[i] - want);
      if (err > worst) {
        worst = err;
        at = x[i];
      }
      worst_rel = std::max(worst_rel, err / std::fabs(want));
    }
    EXPECT_LE(worst, bound(c) * kUlp) << c.name << ": " << worst / kUlp << " ULP at x = " << at;
    if (std::string(c.name) == "reciprocal") {
      EXPECT_LE(worst_rel, 1e-3) << "relative error";
    }
  }
}

// GELU = ReLU + GELU(-|x|): around 0, where GELU - ReLU has its kink, every input (every one
// for the seeded dealer, every 11th for the TTP, which ships each element's tables) is exact.
TEST_P(MathTableTest, GeluAroundZero) {
  std::vector<double> x;
  const int step = dealer() == TestDealer::kTtp ? 11 : 1;
  for (int k = -1500; k <= 1500; k += step) x.push_back(std::ldexp(k, -16));
  const auto y = runFn(geluExact, x);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(y[i], geluRef(x[i]), bound(kCases[0]) * kUlp) << "gelu(" << x[i] << ")";
  }
}

TEST_P(MathTableTest, SoftmaxAndLogSoftmaxRowsOfTen) {
  const int64_t rows = dealer() == TestDealer::kTtp ? 40 : 400, cols = 10;
  auto x = quantized(uniform(rows * cols, -8, 8, 7));
  x[3] = x[4];  // ties
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{rows, cols});
    return std::make_pair(softmax(a, 1).revealDoubles(), logSoftmax(a, -1).revealDoubles());
  });
  double worst = 0, worst_log = 0;
  for (int64_t i = 0; i < rows; ++i) {
    double m = -INFINITY, s = 0;
    for (int64_t j = 0; j < cols; ++j) m = std::max(m, x[i * cols + j]);
    for (int64_t j = 0; j < cols; ++j) s += std::exp(x[i * cols + j] - m);
    for (int64_t j = 0; j < cols; ++j) {
      const double z = x[i * cols + j] - m;
      worst = std::max(worst, std::fabs(out[0].first[i * cols + j] - std::exp(z) / s));
      worst_log = std::max(worst_log, std::fabs(out[0].second[i * cols + j] - (z - std::log(s))));
    }
  }
  const double b = parties() == 2 ? 3 : 4;
  EXPECT_LE(worst, b * kUlp) << worst / kUlp << " ULP";
  EXPECT_LE(worst_log, b * kUlp) << worst_log / kUlp << " ULP";
}

TEST_P(MathTableTest, SoftmaxAlongOtherDims) {
  // [2, 3, 4] along dim 0 and 1; a row of one element; large and tiny spreads.
  std::vector<double> x(24);
  for (int i = 0; i < 24; ++i) x[i] = quantize(std::sin(i * 1.7) * (i % 5 == 0 ? 30 : 3));
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{2, 3, 4});
    auto one = ArithTensor::share(p, 0, x, Shape{24, 1});
    return std::make_tuple(softmax(a, 0).revealDoubles(), softmax(a, 1).revealDoubles(),
                           softmax(one, 1).revealDoubles());
  });
  auto check = [&](const std::vector<double>& got, int64_t dim) {
    const int64_t sizes[3] = {2, 3, 4};
    for (int64_t i = 0; i < 24; ++i) {
      const int64_t idx[3] = {i / 12, (i / 4) % 3, i % 4};
      double m = -INFINITY, s = 0;
      for (int64_t k = 0; k < sizes[dim]; ++k) {
        int64_t j[3] = {idx[0], idx[1], idx[2]};
        j[dim] = k;
        m = std::max(m, x[j[0] * 12 + j[1] * 4 + j[2]]);
      }
      for (int64_t k = 0; k < sizes[dim]; ++k) {
        int64_t j[3] = {idx[0], idx[1], idx[2]};
        j[dim] = k;
        s += std::exp(x[j[0] * 12 + j[1] * 4 + j[2]] - m);
      }
      EXPECT_NEAR(got[i], std::exp(x[i] - m) / s, 4 * kUlp) << "dim " << dim << " element " << i;
    }
  };
  check(std::get<0>(out[0]), 0);
  check(std::get<1>(out[0]), 1);
  for (double v : std::get<2>(out[0])) EXPECT_NEAR(v, 1, 3 * kUlp);
}

TEST_P(MathTableTest, SoftmaxOfHugeSpreads) {
  // Differences up to 2^41 (within the 2^46 limit): one-hot rows, and log-softmax exact there.
  const double big = std::ldexp(1.0, 40);
  const std::vector<double> x = {-big, big, 0, 3, -big, -big, 1.5, -3, big, big - 1, -big, 0};
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{3, 4});
    return std::make_pair(softmax(a, 1).revealDoubles(), logSoftmax(a, 1).revealDoubles());
  });
  const std::vector<double> want = {0, 1, 0, 0, 0, 0, 0.9890, 0.0110, 0.7311, 0.2689, 0, 0};
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(out[0].first[i], want[i], 1e-4) << i;
  }
  EXPECT_NEAR(out[0].second[1], 0, 3 * kUlp);
  EXPECT_NEAR(out[0].second[8], std::log(0.7310586), 4 * kUlp);
}

// ---- Saturation and bad inputs ---------------------------------------------------------------

constexpr uint64_t kLargest = std::numeric_limits<int64_t>::max();  // 2^47 - 2^-16
constexpr uint64_t kSmallest = uint64_t{1} << 63 | 1;               // -(2^47 - 2^-16)
uint64_t raw(double v) { return encode(v); }

// For each function: inputs beyond its range and the documented result there.
struct SatCase {
  const char* name;
  UnaryFn fn;
  std::vector<uint64_t> x;
  std::vector<double> want;
  bool relative = false;  // within max(floor, 2^-12·|want|), else 3 ULP
  double floor = 3 * kUlp;
};

std::vector<SatCase> saturationCases() {
  const double t40 = std::ldexp(1.0, 40);
  return {
      // exp over the whole domain: e^x up to ln(2^47), the largest value beyond.
      {"exp",
       sotto::exp,
       {raw(-12.1), raw(-16), raw(-1000), raw(-t40), kSmallest, raw(4.04), raw(5), raw(100),
        raw(t40), kLargest},
       {0, 0, 0, 0, 0, std::exp(decode(raw(4.04))), std::exp(decode(raw(5))), decode(kLargest),
        decode(kLargest), decode(kLargest)},
       true},
      {"sigmoid",
       sotto::sigmoid,
       {raw(-16), raw(-17), raw(-t40), kSmallest, raw(16), raw(17), raw(t40), kLargest},
       {0, 0, 0, 0, 1, 1, 1, 1}},
      {"tanh",
       sotto::tanh,
       {raw(-8), raw(-9), raw(-t40), kSmallest, raw(8), raw(9), raw(t40), kLargest},
       {-1, -1, -1, -1, 1, 1, 1, 1}},
      {"erf",
       sotto::erf,
       {raw(-4), raw(-5), raw(-t40), kSmallest, raw(4), raw(5), raw(t40), kLargest},
       {-1, -1, -1, -1, 1, 1, 1, 1}},
      // GELU: 0 far below, x itself far above (the ReLU part is exact), up to the largest value.
      {"gelu",
       geluExact,
       {raw(-8), raw(-9), raw(-t40), kSmallest, raw(8), raw(9), raw(t40), kLargest},
       {0, 0, 0, 0, 8, 9, t40, decode(kLargest)},
       true},
      // Whole domains (accuracy: max(3 ULP, 2^-12 relative)). Outside them the documented
      // values: reciprocal(0) = 0; rsqrt(x <= 0) = 2^8, sqrt(x <= 0) = 0 (within 2^-12),
      // log(x <= 0) = log 2^-16;
      // rsqrt is 2^-15 (2 ULP) from 2^28 on.
      {"reciprocal",
       sotto::reciprocal,
       {0, raw(-1), raw(-t40), kSmallest, raw(0.05), raw(-0.05), raw(1000), raw(t40), kLargest},
       {0, -1, 0, 0, 1 / decode(raw(0.05)), -1 / decode(raw(0.05)), 0.001, 0, 0},
       true},
      {"rsqrt",
       sotto::rsqrt,
       {0, raw(-1), raw(-t40), kSmallest, raw(0.01), raw(256), raw(1000), raw(t40), kLargest},
       {256, 256, 256, 256, 1 / std::sqrt(decode(raw(0.01))), 1.0 / 16, 1 / std::sqrt(1000.0),
        2 * kUlp, 2 * kUlp},
       true},
      {"sqrt",
       sotto::sqrt,
       {0, raw(-1), raw(-t40), kSmallest, raw(0.03125), raw(256), raw(1000), raw(t40),
        raw(std::ldexp(1.0, 46))},
       {0, 0, 0, 0, std::sqrt(0.03125), 16, std::sqrt(1000.0), std::ldexp(1.0, 20),
        std::ldexp(1.0, 23)},
       true,
       std::ldexp(1.0, -12)},  // sqrt(x <= 0): 0 within 2^-12
      {"log",
       sotto::log,
       {0, raw(-1), raw(-t40), kSmallest, raw(0.001), raw(256), raw(1000), raw(t40), kLargest},
       {-16 * std::log(2.0), -16 * std::log(2.0), -16 * std::log(2.0), -16 * std::log(2.0),
        std::log(decode(raw(0.001))), std::log(256.0), std::log(1000.0), 40 * std::log(2.0),
        std::log(decode(kLargest))},
       true},
  };
}

TEST_P(MathTableTest, SaturatesAtEdgesAndFarBeyond) {
  for (const SatCase& c : saturationCases()) {
    const auto y = runRaw(c.fn, c.x);
    for (size_t i = 0; i < c.x.size(); ++i) {
      const double tol =
          c.relative ? std::max(c.floor, std::ldexp(std::fabs(c.want[i]), -12)) : 3 * kUlp;
      EXPECT_NEAR(y[i], c.want[i], tol)
          << c.name << "(" << decode(c.x[i]) << ") (ring value " << c.x[i] << ")";
    }
  }
}

TEST_P(MathTableTest, ZeroAndNegativesDoNotCorruptOtherElements) {
  // Valid inputs interleaved with 0, negatives and huge values: the valid ones stay accurate.
  std::vector<double> x = {0.5, 0, 3, -2, 0.1, -1e9, 42, 1e12, 100, -0.0001, 7.25};
  x = quantized(x);
  for (const FnCase& c : kCases) {
    if (!c.multi_window) continue;
    const auto y = runFn(c.fn, x);
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i] >= c.lo && x[i] <= c.hi) {
        EXPECT_NEAR(y[i], c.ref(x[i]), 2.25 * kUlp) << c.name << "(" << x[i] << ")";
      }
    }
  }
}

SOTTO_PARTIES_AND_DEALERS(MathTableTest);

// ---- Two parties, seeded dealer: full grids, costs, method dispatch, errors ------------------

class MathTableCostTest : public ::testing::Test {
 protected:
  // Rounds and bytes sent per element by party 0 for f on n elements.
  static std::pair<uint64_t, double> cost(UnaryFn fn, const std::vector<double>& x) {
    const auto n = static_cast<int64_t>(x.size());
    auto out = simulateMpc(2, [&](Party& p) {
      auto a = ArithTensor::share(p, 0, x, Shape{n});
      const CommCounters before = p.comm().stats().total;
      auto y = fn(a, MathMethod::kFunctionTables);
      const CommCounters after = p.comm().stats().total;
      return std::make_pair(after.rounds - before.rounds,
                            static_cast<double>(after.bytes_sent - before.bytes_sent) / n);
    });
    return out[0];
  }
};

TEST_F(MathTableCostTest, RoundsAndBytesPerElement) {
  const auto x = grid(0.1, 4, 1024);
  struct Want {
    UnaryFn fn;
    uint64_t rounds;
    double bytes;  // sent per element, 2 parties
  };
  // sigmoid: c (64 bits) + in-window (7) + sign (8) + truncation (18) = 97 bits. The whole-domain
  // functions: 3 to 7 bits (inWindowBits) + ~20 bits per window (exp 3 windows and one bit,
  // reciprocal 6, rsqrt 5, sqrt and log 7: the fewest whose rows hold the domain). erf as tanh;
  // gelu: the sign-only lookup (c, 64 bits, and the sign index, 8) before its table.
  const Want want[] = {{sotto::exp, 3, 24.25},   {sotto::sigmoid, 3, 12.125},
                       {sotto::tanh, 3, 12.25},  {sotto::reciprocal, 4, 41.625},
                       {sotto::rsqrt, 3, 29.25}, {sotto::sqrt, 3, 32.375},
                       {sotto::log, 3, 32},      {sotto::erf, 3, 12.25},
                       {geluExact, 5, 20.75}};
  for (const Want& w : want) {
    const auto [rounds, bytes] = cost(w.fn, x);
    EXPECT_EQ(rounds, w.rounds);
    EXPECT_LE(bytes, w.bytes);
  }
  auto out = simulateMpc(2, [&](Party& p) {
    auto a = ArithTensor::share(p, 0, grid(-8, 8, 1000), Shape{100, 10});
    const CommCounters before = p.comm().stats().total;
    auto y = softmax(a, 1);
    const CommCounters mid = p.comm().stats().total;
    auto z = logSoftmax(a, 1);
    const CommCounters after = p.comm().stats().total;
    return std::make_pair(mid.rounds - before.rounds, after.rounds - mid.rounds);
  });
  EXPECT_EQ(out[0].first, 17u);  // max: 4 levels of 2 rounds; exp, log, exp: 3 each
  EXPECT_EQ(out[0].second, 14u);
}

// MathMethod's rule: the default (kTable) reads the seeded dealer's function tables (party 0
// computes the entries it reads) and composes from the kernels under the TTP (whose tables party
// 0 would receive whole); kFunctionTables and kComposed force either. Each within its bound: the
// tables 1.75 ULP (2 parties), 2.25 (3); composed 2 and 2.5.
TEST(MathMethodRule, DefaultComposesWhereTheTablesWouldBeSent) {
  const auto x = grid(-12, 12, 256);
  const auto n = static_cast<int64_t>(x.size());
  struct Cost {
    uint64_t rounds = 0, dealer_bytes = 0;
    double worst_ulp = 0;
  };
  auto measure = [&](TestDealer dealer, int parties, MathMethod method) {
    return simulateWith(dealer, parties, [&](Party& p) {
      auto a = ArithTensor::share(p, 0, x, Shape{n});
      const uint64_t rounds = p.comm().stats().total.rounds;
      const uint64_t dealt = p.protocol().offlineBytes();
      const auto y = sigmoid(a, method);
      Cost c{p.comm().stats().total.rounds - rounds, p.protocol().offlineBytes() - dealt, 0};
      const auto v = y.revealDoubles();
      for (size_t i = 0; i < x.size(); ++i) {
        c.worst_ulp = std::max(c.worst_ulp, std::fabs(v[i] - sigmoidRef(x[i])) / kUlp);
      }
      return c;
    })[0];
  };
  for (const int parties : {2, 3}) {
    const double slack = parties == 2 ? 0 : 0.5;
    const Cost tables = measure(TestDealer::kTtp, parties, MathMethod::kFunctionTables);
    const Cost composed = measure(TestDealer::kTtp, parties, MathMethod::kComposed);
    const Cost ttp = measure(TestDealer::kTtp, parties, MathMethod::kTable);
    const Cost seeded = measure(TestDealer::kSeeded, parties, MathMethod::kTable);
    EXPECT_EQ(tables.rounds, 3u);
    EXPECT_EQ(seeded.rounds, 3u);
    EXPECT_EQ(ttp.rounds, composed.rounds);
    EXPECT_GT(ttp.rounds, 3u);
    EXPECT_EQ(ttp.dealer_bytes, composed.dealer_bytes);
    // Party 0's dealer bytes: 26 KB per element of tables, against about 2 KB composed.
    EXPECT_GT(tables.dealer_bytes, 20000u * n) << parties << " parties";
    EXPECT_LT(ttp.dealer_bytes * 5, tables.dealer_bytes) << parties << " parties";
    EXPECT_LE(tables.worst_ulp, 1.75 + slack) << parties << " parties";
    EXPECT_LE(seeded.worst_ulp, 1.75 + slack) << parties << " parties";
    EXPECT_LE(ttp.worst_ulp, 2 + slack) << parties << " parties";
    EXPECT_LE(composed.worst_ulp, 2 + slack) << parties << " parties";
    std::cout << "[ measured ] sigmoid, " << parties << " parties, TTP: function tables "
              << tables.rounds << " rounds, " << tables.dealer_bytes / n << " B/element dealt, "
              << tables.worst_ulp << " ULP; composed (the default) " << ttp.rounds << " rounds, "
              << ttp.dealer_bytes / n << " B/element, " << ttp.worst_ulp << " ULP\n";
  }
}

// The composed sigmoid and tanh: two-sided (no sign of x before the piece) up to
// kTwoSidedMaxElements elements, on |x| beyond: 6 rounds fewer for the small calls, each form
// within 2 ULP.
TEST(MathMethodRule, SmallCallsTakeTheTwoSidedTables) {
  struct Cost {
    uint64_t rounds = 0;
    double worst_ulp = 0;
  };
  auto measure = [&](int64_t n, bool tanh_fn) {
    const auto x = grid(-20, 20, static_cast<int>(n));
    return simulateWith(TestDealer::kTtp, 2, [&](Party& p) {
      auto a = ArithTensor::share(p, 0, x, Shape{n});
      const uint64_t rounds = p.comm().stats().total.rounds;
      const auto y = tanh_fn ? tanh(a) : sigmoid(a);
      Cost c{p.comm().stats().total.rounds - rounds, 0};
      const auto v = y.revealDoubles();
      for (size_t i = 0; i < x.size(); ++i) {
        const double want = tanh_fn ? std::tanh(x[i]) : sigmoidRef(x[i]);
        c.worst_ulp = std::max(c.worst_ulp, std::fabs(v[i] - want) / kUlp);
      }
      return c;
    })[0];
  };
  for (const bool tanh_fn : {false, true}) {
    const Cost small = measure(kTwoSidedMaxElements, tanh_fn);
    const Cost large = measure(kTwoSidedMaxElements + 1, tanh_fn);
    EXPECT_EQ(small.rounds + 6, large.rounds) << (tanh_fn ? "tanh" : "sigmoid");
    EXPECT_LE(small.worst_ulp, 2) << (tanh_fn ? "tanh" : "sigmoid");
    EXPECT_LE(large.worst_ulp, 2) << (tanh_fn ? "tanh" : "sigmoid");
    std::cout << "[ measured ] " << (tanh_fn ? "tanh" : "sigmoid")
              << ", TTP: " << kTwoSidedMaxElements << " elements " << small.rounds << " rounds, "
              << small.worst_ulp << " ULP; one more " << large.rounds << " rounds, "
              << large.worst_ulp << " ULP\n";
  }
}

TEST(MathMethodRule, NamesAndErrors) {
  EXPECT_EQ(mathMethodNamed("table"), MathMethod::kTable);
  EXPECT_EQ(mathMethodNamed("iterative"), MathMethod::kIterative);
  EXPECT_EQ(mathMethodNamed("function-tables"), MathMethod::kFunctionTables);
  EXPECT_EQ(mathMethodNamed("composed"), MathMethod::kComposed);
  const std::string e = errorOf([] { mathMethodNamed("tables"); });
  EXPECT_NE(e.find("'tables'"), std::string::npos) << e;
  EXPECT_NE(e.find("table, iterative, function-tables and composed"), std::string::npos) << e;
}

TEST(MathTableFullGrid, ExpOnMinus16To0WithinTwoUlp) {
  const auto x = grid(-16, 0, 65537);  // every 2^-12
  auto y = simulateMpc(2, [&](Party& p) {
    return sotto::exp(ArithTensor::share(p, 0, x, Shape{65537})).revealDoubles();
  })[0];
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(y[i] - std::exp(x[i])));
  EXPECT_LE(worst, 2 * kUlp) << worst / kUlp << " ULP";
}

TEST(MathTableFullGrid, ReciprocalExactlyRoundedAndWithinATenthOfAPercent) {
  const auto x = grid(0.1, 100, 65536);
  auto y = simulateMpc(2, [&](Party& p) {
    return sotto::reciprocal(ArithTensor::share(p, 0, x, Shape{65536})).revealDoubles();
  })[0];
  double worst = 0, worst_rel = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double err = std::fabs(y[i] - 1 / x[i]);
    worst = std::max(worst, err);
    worst_rel = std::max(worst_rel, err * x[i]);
  }
  EXPECT_LE(worst, 0.65 * kUlp);
  EXPECT_LE(worst_rel, 1e-3);
}

TEST(MathTableMethod, IterativeDispatchesToTheCryptenBaseline) {
  const auto x = grid(0.5, 3, 64);
  auto out = simulateMpc(2, [&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{8, 8});
    return std::make_tuple(sotto::exp(a, MathMethod::kIterative).revealDoubles(),
                           crypten_style::exp(a).revealDoubles(),
                           sotto::log(a, MathMethod::kIterative).revealDoubles(),
                           crypten_style::log(a).revealDoubles(),
                           softmax(a, 1, MathMethod::kIterative).revealDoubles(),
                           crypten_style::softmax(a, 1).revealDoubles(),
                           logSoftmax(a, 1, MathMethod::kIterative).revealDoubles());
  });
  // The same algorithms, each run with its own truncation noise: close, not equal.
  const auto& [e, ce, l, cl, s, cs, ls] = out[0];
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(e[i], ce[i], 0.02 * ce[i]);  // 8 squarings amplify the ULP noise
    EXPECT_NEAR(l[i], cl[i], 1e-2);
    EXPECT_NEAR(s[i], cs[i], 1e-2);
    EXPECT_NEAR(ls[i], std::log(std::max(s[i], 1e-3)), 0.05);
  }
}

// ---- Bad input -------------------------------------------------------------------------------

using sotto::testing::errorOf;

TEST(MathTableErrors, UnsupportedScaleAndBadDims) {
  auto msgs = simulateMpc(2, [&](Party& p) {
    auto coarse = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{4}), Shape{4}, 8);
    auto x = ArithTensor::share(p, 0, std::vector<double>(6, 1.0), Shape{2, 3});
    auto empty = ArithTensor::share(p, 0, {}, Shape{2, 0});
    return std::vector<std::string>{
        errorOf([&] { sotto::exp(coarse); }), errorOf([&] { softmax(x, 2); }),
        errorOf([&] { logSoftmax(x, -3); }), errorOf([&] { softmax(empty, 1); })};
  });
  EXPECT_NE(msgs[0][0].find("supports 12..20 fractional bits, the input has 8"), std::string::npos)
      << msgs[0][0];
  EXPECT_NE(msgs[0][1].find("dim 2 is outside rank 2"), std::string::npos) << msgs[0][1];
  EXPECT_NE(msgs[0][2].find("dim -3 is outside rank 2"), std::string::npos) << msgs[0][2];
  EXPECT_NE(msgs[0][3].find("over an empty dim"), std::string::npos) << msgs[0][3];
}

TEST(MathTableErrors, EmptyTensorsAndIterativeScale) {
  auto out = simulateMpc(2, [&](Party& p) {
    auto empty = ArithTensor::share(p, 0, {}, Shape{0});
    return std::make_pair(sotto::exp(empty).numel(), sotto::reciprocal(empty).numel());
  });
  EXPECT_EQ(out[0].first, 0);
  EXPECT_EQ(out[0].second, 0);
}

TEST(MathTableErrors, UserTableOfTheWrongSize) {
  const std::string msg = errorOf([] { LookupTable(10, 3, std::vector<uint64_t>(3000)); });
  EXPECT_NE(msg.find("3000 entries do not fill 2^10 rows of 3 columns (3072 expected)"),
            std::string::npos)
      << msg;
}

// One quadratic window (3 grid points) with a row digit of `mid_bits`, truncated by `shift` bits.
FunctionTableSpec quadraticWindow(int mid_bits, int shift) {
  FunctionTableSpec spec;
  spec.windows = {PolyWindow{.low_bits = 10,
                             .mid_bits = mid_bits,
                             .degree = 2,
                             .coefficients = std::vector<double>(9, 0.5),
                             .scale_bits = 30,
                             .trunc_width = 40,
                             .trunc_shift = shift}};
  return spec;
}

TEST(FunctionTableSpecErrors, ValidationNamesTheField) {
  FunctionTableSpec spec = quadraticWindow(13, 20);
  EXPECT_NE(errorOf([&] { spec.validate(); }).find("window 0 row digit of 13 bits"),
            std::string::npos);
  spec.windows[0].mid_bits = 10;
  spec.windows[0].coefficients.resize(10);
  EXPECT_NE(errorOf([&] { spec.validate(); }).find("10 coefficients, not a positive multiple"),
            std::string::npos);
  spec.windows[0].coefficients.resize(9);
  spec.windows[0].trunc_width = 21;
  EXPECT_NE(errorOf([&] { spec.validate(); }).find("truncation by 20 bits in 2^21"),
            std::string::npos);
  spec.windows[0].trunc_width = 40;
  EXPECT_NO_THROW(spec.validate());
  auto words = spec.encode();
  EXPECT_EQ(FunctionTableSpec::decode(words).encode(), words);
  words.resize(words.size() - 5);
  EXPECT_THROW(FunctionTableSpec::decode(words), ProtocolError);
}

// A window holding its top columns finer (fine_bits): the shifts h_j go down to -fine_bits (each
// negative one 3 bits coarser than the 2^-8 rule: 2^-5 of the value's last bit), the columns are
// then read in full, and the field is validated and travels in the wire form.
TEST(FunctionTableSpecErrors, FineColumnsShiftsValidationAndWireForm) {
  // h_1 = 11 - 7 - 9 = -5, h_2 = 11 - 7 - 18 = -14 by the 2^-8 rule.
  FunctionTableSpec spec = quadraticWindow(10, 11);
  namespace ft = function_tables;
  EXPECT_EQ(ft::coefficientShift(spec.windows[0], 1), 0);  // no fine bits: at least 0
  EXPECT_EQ(ft::coefficientShift(spec.windows[0], 2), 0);
  spec.windows[0].fine_bits = 6;
  EXPECT_EQ(ft::coefficientShift(spec.windows[0], 0), 0);   // B_0 never finer
  EXPECT_EQ(ft::coefficientShift(spec.windows[0], 1), -2);  // -5 + 3
  EXPECT_EQ(ft::coefficientShift(spec.windows[0], 2), -6);  // -14 + 3, limited by fine_bits
  EXPECT_EQ(ft::columnBits(spec, ft::tableCoefficients(0), 2), 40);  // read in full
  auto words = spec.encode();
  EXPECT_EQ(FunctionTableSpec::decode(words), spec);
  spec.windows[0].fine_bits = 63;
  EXPECT_NE(errorOf([&] { spec.validate(); }).find("holds columns 2^63 finer"), std::string::npos);
  spec.windows[0].fine_bits = 1;
  spec.windows[0].low_bits = 40;  // τ^2 up to 2^78: not an integer of 63 bits
  spec.windows[0].mid_bits = 12;
  EXPECT_NE(errorOf([&] { spec.validate(); }).find("40 bits, degree 2"), std::string::npos);
}

}  // namespace
}  // namespace sotto::testing
