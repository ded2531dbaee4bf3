// Fast comparisons, ReLU, max/argmax and pooling, 2 and 3 parties, seeded and TTP dealers:
// against plaintext references on the encoded inputs, over the whole ring.
#include "sotto/mpc/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <limits>
#include <random>
#include <tuple>

#include "testing/mpc.h"

namespace sotto::testing {
namespace {

// Test inputs (not secrets): fixed seed, quantized to the fixed-point grid.
std::vector<double> inputs(size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = quantize(d(gen));
  return v;
}

// Random values plus the hard cases: equal, one ULP apart, tiny negatives, range edges.
std::pair<std::vector<double>, std::vector<double>> comparisonPairs() {
  auto x = inputs(3000, -10, 10, 21), y = inputs(3000, -10, 10, 22);
  const std::vector<std::pair<double, double>> edge = {
      {0, 0},          {kUlp, 0},       {0, kUlp},       {-kUlp, 0},           {0, -kUlp},
      {5, 5},          {5 + kUlp, 5},   {5, 5 + kUlp},   {-1.0 / 131072, 0},   {-30000, 30000},
      {30000, -30000}, {32767, -32767}, {-32767, 32767}, {-7.25, -7.25 - kUlp}};
  for (size_t i = 0; i < edge.size(); ++i) {
    x[i] = quantize(edge[i].first);
    y[i] = quantize(edge[i].second);
  }
  return {x, y};
}

class CompareTest : public PartiesDealersTest {
 protected:
  // One comparison's rounds (2 parties): 8-bit digits (3 AND levels, the last one merged into the
  // conversion) for the seeded dealer; 4-bit digits, one level more, for the TTP, which sends the
  // tables (dealer.h's CompareDigits).
  uint64_t compareRounds() const { return dealer() == TestDealer::kTtp ? 5 : 4; }
  // AND-opening bits per element, 2 per gate: 10 gates (8 digits), 25 (16 digits).
  uint64_t andBits() const { return dealer() == TestDealer::kTtp ? 50 : 20; }
};

TEST_P(CompareTest, ComparisonsAreExact) {
  const auto [x, y] = comparisonPairs();
  const Shape s{static_cast<int64_t>(x.size())};
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, s);
    auto b = ArithTensor::share(p, p.numParties() - 1, y, s);
    return std::vector<std::vector<double>>{lt(a, b).revealDoubles(), gt(a, b).revealDoubles(),
                                            le(a, b).revealDoubles(), ge(a, b).revealDoubles(),
                                            eq(a, b).revealDoubles(), ltz(a).revealDoubles(),
                                            sign(a).revealDoubles()};
  });
  const auto& r = out[0];
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(r[0][i], x[i] < y[i] ? 1.0 : 0.0) << "lt " << x[i] << " " << y[i];
    ASSERT_EQ(r[1][i], x[i] > y[i] ? 1.0 : 0.0) << "gt " << x[i] << " " << y[i];
    ASSERT_EQ(r[2][i], x[i] <= y[i] ? 1.0 : 0.0) << "le " << x[i] << " " << y[i];
    ASSERT_EQ(r[3][i], x[i] >= y[i] ? 1.0 : 0.0) << "ge " << x[i] << " " << y[i];
    ASSERT_EQ(r[4][i], x[i] == y[i] ? 1.0 : 0.0) << "eq " << x[i] << " " << y[i];
    ASSERT_EQ(r[5][i], x[i] < 0 ? 1.0 : 0.0) << "ltz " << x[i];
    ASSERT_EQ(r[6][i], x[i] < 0 ? -1.0 : 1.0) << "sign " << x[i];
  }
}

TEST_P(CompareTest, ReluAbsMaximumAreExact) {
  const auto [x, y] = comparisonPairs();
  const Shape s{static_cast<int64_t>(x.size())};
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, s);
    auto b = ArithTensor::share(p, 1, y, s);
    return std::vector<std::vector<double>>{relu(a).revealDoubles(), abs(a).revealDoubles(),
                                            maximum(a, b).revealDoubles()};
  });
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(out[0][0][i], std::max(x[i], 0.0)) << x[i];
    ASSERT_EQ(out[0][1][i], std::fabs(x[i])) << x[i];
    ASSERT_EQ(out[0][2][i], std::max(x[i], y[i])) << x[i] << " " << y[i];
  }
}

TEST_P(CompareTest, ReluCostsOneComparisonAndFewBytes) {
  const int64_t n = 4096;
  const auto x = inputs(n, -10, 10, 23);
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    const CommCounters before = p.comm().stats().total;
    auto r = relu(a);
    const CommCounters after = p.comm().stats().total;
    return std::make_pair(after.rounds - before.rounds, after.bytes_sent - before.bytes_sent);
  });
  if (parties() == 2) {
    EXPECT_EQ(out[0].first, compareRounds());
    // c and x - a (8 bytes each), the AND-opening bits and the last level's 3 masked bits.
    EXPECT_EQ(out[0].second, static_cast<uint64_t>(n * 16 + (n / 64) * 8 * (andBits() + 3)));
  } else {
    EXPECT_LE(out[0].first, compareRounds() + 1);  // the mixed last opening: two collectives
  }
}

TEST_P(CompareTest, MaxAndArgmaxAlongEachDim) {
  const auto x = inputs(6 * 7 * 5, -10, 10, 24);
  const Shape s{6, 7, 5};
  for (int64_t dim : {0, 1, 2}) {
    auto out = run([&](Party& p) {
      auto a = ArithTensor::share(p, 0, x, s);
      auto [m, oh] = argmax(a, dim);
      return std::make_tuple(max(a, dim).revealDoubles(), m.revealDoubles(), oh.revealDoubles());
    });
    const auto& [mx, m2, onehot] = out[0];
    const int64_t dims[3] = {6, 7, 5};
    const int64_t strides[3] = {35, 5, 1};
    size_t o = 0;
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 0; j < 7; ++j)
        for (int64_t k = 0; k < 5; ++k) {
          const int64_t idx[3] = {i, j, k};
          if (idx[dim] != 0) continue;
          double best = -1e9;
          for (int64_t t = 0; t < dims[dim]; ++t) {
            best = std::max(best, x[i * 35 + j * 5 + k + t * strides[dim]]);
          }
          ASSERT_EQ(mx[o], best) << "max dim " << dim;
          ASSERT_EQ(m2[o], best) << "argmax value dim " << dim;
          double ones = 0;
          for (int64_t t = 0; t < dims[dim]; ++t) {
            const int64_t at = i * 35 + j * 5 + k + t * strides[dim];
            ones += onehot[at];
            if (onehot[at] == 1.0) {
              ASSERT_EQ(x[at], best) << "one-hot marks a non-maximum";
            } else {
              ASSERT_EQ(onehot[at], 0.0);
            }
          }
          ASSERT_EQ(ones, 1.0) << "one-hot must mark exactly one position";
          ++o;
        }
  }
}

TEST_P(CompareTest, MaxOverRowsOfTenTakesFourComparisons) {
  const auto x = inputs(50 * 10, -8, 8, 25);
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{50, 10});
    const uint64_t before = p.comm().stats().total.rounds;
    auto m = max(a, 1);
    return p.comm().stats().total.rounds - before;
  });
  if (parties() == 2) {
    EXPECT_EQ(out[0], 4 * compareRounds());  // 4 levels of one comparison with selection
  }
}

TEST_P(CompareTest, Pooling) {
  const Shape s{2, 3, 5, 6};
  const auto x = inputs(s.numel(), -5, 5, 26);
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 1, x, s);
    return std::make_pair(maxPool2d(a, {2, 2}, {2, 2}, {1, 0}).revealDoubles(),
                          avgPool2d(a, {3, 3}, {1, 2}, {1, 1}).revealDoubles());
  });
  auto at = [&](int64_t b, int64_t c, int64_t h, int64_t w) {
    return x[((b * 3 + c) * 5 + h) * 6 + w];
  };
  // max pool 2x2, stride 2, padding (1, 0): OH = (5 + 2 - 2)/2 + 1 = 3, OW = (6 - 2)/2 + 1 = 3.
  size_t o = 0;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j) {
          double best = -1e9;
          for (int64_t u = 0; u < 2; ++u)
            for (int64_t v = 0; v < 2; ++v) {
              const int64_t h = i * 2 - 1 + u, w = j * 2 + v;
              if (h >= 0 && h < 5) best = std::max(best, at(b, c, h, w));
            }
          ASSERT_EQ(out[0].first[o++], best);
        }
  // avg pool 3x3, stride (1, 2), padding 1 (zeros counted): OH = 5, OW = 3.
  o = 0;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < 5; ++i)
        for (int64_t j = 0; j < 3; ++j) {
          double sum = 0;
          for (int64_t u = 0; u < 3; ++u)
            for (int64_t v = 0; v < 3; ++v) {
              const int64_t h = i - 1 + u, w = j * 2 - 1 + v;
              if (h >= 0 && h < 5 && w >= 0 && w < 6) sum += at(b, c, h, w);
            }
          ASSERT_NEAR(out[0].second[o++], sum / 9, 1.0001 * kUlp);
        }
}

TEST_P(CompareTest, ZeroSizeAndBadInput) {
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, std::vector<double>{}, Shape{0});
    return relu(a).numel() + ltz(a).numel();
  });
  EXPECT_EQ(out[0], 0);
  EXPECT_THROW(run([&](Party& p) {
                 auto a = ArithTensor::share(p, 0, std::vector<double>(3, 1), Shape{3});
                 auto b = ArithTensor::share(p, 0, std::vector<double>(2, 1), Shape{2});
                 return lt(a, b).numel();
               }),
               InvalidArgument);
  EXPECT_THROW(run([&](Party& p) {
                 auto a = ArithTensor::share(p, 0, std::vector<double>{}, Shape{2, 0});
                 return max(a, 1).numel();
               }),
               InvalidArgument);
}

// Whole-ring inputs, given as ring units (two's complement), shared and revealed unencoded.
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t pow2(int k) { return int64_t{1} << k; }

ArithTensor shareRing(const Party& p, int owner, const std::vector<int64_t>& v, const Shape& s) {
  RingTensor t(s);
  for (size_t i = 0; i < v.size(); ++i) t[static_cast<int64_t>(i)] = static_cast<uint64_t>(v[i]);
  return ArithTensor::shareEncoded(p, owner, t, s, kDefaultFracBits);
}

std::vector<int64_t> signedOf(const RingTensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(t[static_cast<int64_t>(i)]);
  return v;
}

// Random values of every magnitude (a uniform word shifted right by a uniform 0..63, or by at
// least `min_shift`), then the edges: 0, ±1, ±2^31..2^33 and around, ±2^40, ±2^61, ±2^62,
// ±(2^63 - 1), -2^63, ±100000.0 at 16 fractional bits.
std::vector<int64_t> ringValues(size_t n, unsigned seed, int min_shift = 0) {
  std::mt19937_64 gen(seed);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(gen()) >> (min_shift + gen() % (64 - min_shift));
  if (min_shift > 0) return v;
  std::vector<int64_t> edge = {
      0,        1,         -1,   pow2(40), -pow2(40), pow2(61),          -pow2(61),
      pow2(62), -pow2(62), kMax, kMin,     kMin + 1,  100000 * pow2(16), -100000 * pow2(16)};
  for (int k : {31, 32, 33}) {
    for (int64_t d : {-1, 0, 1}) {
      edge.push_back(pow2(k) + d);
      edge.push_back(-pow2(k) + d);
    }
  }
  std::copy(edge.begin(), edge.end(), v.begin());
  return v;
}

TEST_P(CompareTest, SignReluAbsOverTheWholeRing) {
  const auto x = ringValues(4000, 31);
  const Shape s{static_cast<int64_t>(x.size())};
  auto out = run([&](Party& p) {
    auto a = shareRing(p, 0, x, s);
    return std::vector<std::vector<int64_t>>{signedOf(ltz(a).reveal()), signedOf(sign(a).reveal()),
                                             signedOf(relu(a).reveal()), signedOf(abs(a).reveal())};
  });
  const int64_t one = pow2(kDefaultFracBits);
  for (size_t i = 0; i < x.size(); ++i) {
    const auto& r = out[0];
    ASSERT_EQ(r[0][i], x[i] < 0 ? one : 0) << "ltz " << x[i];
    ASSERT_EQ(r[1][i], x[i] < 0 ? -one : one) << "sign " << x[i];
    ASSERT_EQ(r[2][i], std::max<int64_t>(x[i], 0)) << "relu " << x[i];
    // |x| in the ring (|-2^63| wraps to itself).
    const auto mag = static_cast<int64_t>(x[i] < 0 ? 0 - static_cast<uint64_t>(x[i]) : x[i]);
    ASSERT_EQ(r[3][i], mag) << "abs " << x[i];
  }
}

TEST_P(CompareTest, ReluOfLargeValuesIsExact) {
  // ±100000 was relu'd to 0 / kept negative when only |x| < 2^32 ring units was handled.
  const std::vector<double> x = {100000,  -100000, 65536, -65536, 65535.5, -65535.5, 131072,
                                 -131072, 1e9,     -1e9,  3e13,   -3e13,   kUlp,     -kUlp};
  const Shape s{static_cast<int64_t>(x.size())};
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, s);
    return std::make_pair(relu(a).revealDoubles(), ltz(a).revealDoubles());
  });
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(out[0].first[i], std::max(quantize(x[i]), 0.0)) << "relu " << x[i];
    ASSERT_EQ(out[0].second[i], x[i] < 0 ? 1.0 : 0.0) << "ltz " << x[i];
  }
}

TEST_P(CompareTest, PairsFarApartCompareExactly) {
  // |x - y| < 2^63: both within [-2^62, 2^62), plus edge pairs up to 2^63 - 1 apart.
  auto x = ringValues(3000, 32, 1), y = ringValues(3000, 33, 1);
  const std::vector<std::pair<int64_t, int64_t>> edge = {{pow2(62), -pow2(62) + 1},
                                                         {-pow2(62) + 1, pow2(62)},
                                                         {-pow2(62), pow2(62) - 1},
                                                         {pow2(61), -pow2(61)},
                                                         {pow2(61) + 1, pow2(61)},
                                                         {-pow2(61), -pow2(61) - 1},
                                                         {kMax, kMax},
                                                         {kMin, kMin},
                                                         {kMax, kMax - 1},
                                                         {kMin + 1, kMin},
                                                         {pow2(33), -pow2(33)},
                                                         {-pow2(32), pow2(32)},
                                                         {pow2(40), pow2(40)},
                                                         {pow2(40) - 1, pow2(40)}};
  for (size_t i = 0; i < edge.size(); ++i) std::tie(x[i], y[i]) = edge[i];
  const Shape s{static_cast<int64_t>(x.size())};
  auto out = run([&](Party& p) {
    auto a = shareRing(p, 0, x, s);
    auto b = shareRing(p, p.numParties() - 1, y, s);
    return std::vector<std::vector<int64_t>>{
        signedOf(lt(a, b).reveal()), signedOf(gt(a, b).reveal()), signedOf(le(a, b).reveal()),
        signedOf(ge(a, b).reveal()), signedOf(eq(a, b).reveal()), signedOf(maximum(a, b).reveal())};
  });
  const int64_t one = pow2(kDefaultFracBits);
  const auto& r = out[0];
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(r[0][i], x[i] < y[i] ? one : 0) << "lt " << x[i] << " " << y[i];
    ASSERT_EQ(r[1][i], x[i] > y[i] ? one : 0) << "gt " << x[i] << " " << y[i];
    ASSERT_EQ(r[2][i], x[i] <= y[i] ? one : 0) << "le " << x[i] << " " << y[i];
    ASSERT_EQ(r[3][i], x[i] >= y[i] ? one : 0) << "ge " << x[i] << " " << y[i];
    ASSERT_EQ(r[4][i], x[i] == y[i] ? one : 0) << "eq " << x[i] << " " << y[i];
    ASSERT_EQ(r[5][i], std::max(x[i], y[i])) << "maximum " << x[i] << " " << y[i];
  }
}

TEST_P(CompareTest, MaxAndArgmaxOfLargeRows) {
  // Rows of 9 values within ±2^61 of every magnitude, with repeats (ties) in some rows.
  const int64_t rows = 40, k = 9;
  auto x = ringValues(static_cast<size_t>(rows * k), 34, 2);
  for (int64_t i = 0; i < rows; i += 3) x[i * k + 7] = x[i * k + 2];
  x[0] = pow2(61);
  x[1] = -pow2(61);
  const Shape s{rows, k};
  auto out = run([&](Party& p) {
    auto a = shareRing(p, 1, x, s);
    auto [m, oh] = argmax(a, 1);
    return std::make_tuple(signedOf(max(a, 1).reveal()), signedOf(m.reveal()),
                           signedOf(oh.reveal()));
  });
  const auto& [mx, m2, onehot] = out[0];
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t best = *std::max_element(x.begin() + i * k, x.begin() + (i + 1) * k);
    ASSERT_EQ(mx[i], best) << "max of row " << i;
    ASSERT_EQ(m2[i], best) << "argmax value of row " << i;
    int64_t ones = 0;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t h = onehot[i * k + j];
      ASSERT_TRUE(h == 0 || h == pow2(kDefaultFracBits)) << h;
      if (h != 0) {
        ++ones;
        ASSERT_EQ(x[i * k + j], best) << "one-hot marks a non-maximum in row " << i;
      }
    }
    ASSERT_EQ(ones, 1) << "row " << i;
  }
}

TEST_P(CompareTest, ArgmaxTreeOfLongRows) {
  // Rows longer than kAllPairsArgmax take the tree of pairwise selections.
  const int64_t rows = 6, k = kAllPairsArgmax + 5;
  auto x = ringValues(static_cast<size_t>(rows * k), 35, 2);
  const Shape s{rows, k};
  auto out = run([&](Party& p) {
    auto a = shareRing(p, 0, x, s);
    auto [m, oh] = argmax(a, 1);
    return std::make_pair(signedOf(m.reveal()), signedOf(oh.reveal()));
  });
  for (int64_t i = 0; i < rows; ++i) {
    const auto row = x.begin() + i * k;
    const int64_t best = *std::max_element(row, row + k);
    ASSERT_EQ(out[0].first[i], best) << "row " << i;
    for (int64_t j = 0; j < k; ++j) {
      ASSERT_EQ(out[0].second[i * k + j], x[i * k + j] == best ? pow2(kDefaultFracBits) : 0)
          << "row " << i << " position " << j;
    }
  }
}

TEST_P(CompareTest, ArgmaxOneHotOfClassScoresTakesTheFirstMaximum) {
  // Ten class scores per row, ties included: exactly the first maximum is marked, in
  // 4 + ceil(log2 9) = 8 rounds with 2 parties (argmax: one more for the maximum itself).
  const int64_t rows = 30, k = 10;
  auto x = inputs(static_cast<size_t>(rows * k), -20, 20, 36);
  for (int64_t i = 0; i < rows; i += 2) x[i * k + (i % 7) + 3] = x[i * k + (i % 3)];  // ties
  for (int64_t j = 0; j < k; ++j) x[(rows - 1) * k + j] = 1.5;  // all equal: position 0 wins
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 1, x, Shape{rows, k});
    const uint64_t r0 = p.comm().stats().total.rounds;
    auto oh = argmaxOneHot(a, 1);
    const uint64_t r1 = p.comm().stats().total.rounds;
    auto both = argmax(a, -1);
    const uint64_t r2 = p.comm().stats().total.rounds;
    return std::make_tuple(oh.revealDoubles(), both.second.revealDoubles(), r1 - r0, r2 - r1);
  });
  const auto& [onehot, onehot2, rounds_onehot, rounds_argmax] = out[0];
  for (int64_t i = 0; i < rows; ++i) {
    const auto row = x.begin() + i * k;
    const int64_t first = std::max_element(row, row + k) - row;  // the first of equal maxima
    for (int64_t j = 0; j < k; ++j) {
      ASSERT_EQ(onehot[i * k + j], j == first ? 1.0 : 0.0) << "row " << i << " position " << j;
      ASSERT_EQ(onehot2[i * k + j], onehot[i * k + j]) << "row " << i << " position " << j;
    }
  }
  if (parties() == 2) {
    EXPECT_EQ(rounds_onehot, compareRounds() + 4);
    EXPECT_EQ(rounds_argmax, compareRounds() + 5);
  }
}

TEST_P(CompareTest, MaxPoolPaddingNeverWins) {
  // Every in-bounds value far below any constant pad: -1e9 (about -2^46 ring units) give or take,
  // -2^50 ring units give or take, and -2^62.
  const Shape s{1, 3, 5, 5};
  std::vector<int64_t> x(static_cast<size_t>(s.numel()));
  std::mt19937_64 gen(35);
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t base = i < 25 ? -1000000000 * pow2(16) : i < 50 ? -pow2(50) : -pow2(62);
    x[i] = base - static_cast<int64_t>(gen() % 100000);
  }
  struct Pool {
    std::array<int64_t, 2> kernel, stride, padding;
  };
  const std::vector<Pool> pools = {
      {{3, 3}, {2, 2}, {1, 1}}, {{2, 2}, {2, 2}, {1, 1}}, {{2, 3}, {1, 2}, {1, 2}}};
  for (const Pool& pool : pools) {
    auto out = run([&](Party& p) {
      auto a = shareRing(p, 0, x, s);
      return signedOf(maxPool2d(a, pool.kernel, pool.stride, pool.padding).reveal());
    });
    const int64_t oh = (5 + 2 * pool.padding[0] - pool.kernel[0]) / pool.stride[0] + 1;
    const int64_t ow = (5 + 2 * pool.padding[1] - pool.kernel[1]) / pool.stride[1] + 1;
    ASSERT_EQ(out[0].size(), static_cast<size_t>(3 * oh * ow));
    size_t o = 0;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t best = kMin;
          for (int64_t u = 0; u < pool.kernel[0]; ++u)
            for (int64_t v = 0; v < pool.kernel[1]; ++v) {
              const int64_t h = i * pool.stride[0] - pool.padding[0] + u;
              const int64_t w = j * pool.stride[1] - pool.padding[1] + v;
              if (h >= 0 && h < 5 && w >= 0 && w < 5) best = std::max(best, x[(c * 5 + h) * 5 + w]);
            }
          ASSERT_EQ(out[0][o++], best) << "channel " << c << " window " << i << ", " << j;
        }
  }
  EXPECT_THROW(run([&](Party& p) {
                 return maxPool2d(shareRing(p, 0, x, s), {2, 2}, {1, 1}, {2, 2}).numel();
               }),
               InvalidArgument);
}

TEST_P(CompareTest, LtCostsOneComparison) {
  const int64_t n = 4096;
  const auto x = inputs(n, -10, 10, 36), y = inputs(n, -10, 10, 37);
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    auto b = ArithTensor::share(p, 1, y, Shape{n});
    const CommCounters before = p.comm().stats().total;
    auto r = lt(a, b);
    const CommCounters after = p.comm().stats().total;
    return std::make_pair(after.rounds - before.rounds, after.bytes_sent - before.bytes_sent);
  });
  if (parties() == 2) {
    EXPECT_EQ(out[0].first, compareRounds());
    // c (8 bytes), the AND-opening bits and the last level's 3 masked bits, per element.
    EXPECT_EQ(out[0].second, static_cast<uint64_t>(n * 8 + (n / 64) * 8 * (andBits() + 3)));
  } else {
    EXPECT_EQ(out[0].first, compareRounds());  // the last opening is XOR only: one collective
  }
}

SOTTO_PARTIES_AND_DEALERS(CompareTest);

}  // namespace
}  // namespace sotto::testing
