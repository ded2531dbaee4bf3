// Fast comparisons, ReLU, max/argmax and pooling, 2 and 3 parties, seeded dealer: against
// plaintext references on the encoded inputs.
#include "sotto/mpc/compare.h"

#include <gtest/gtest.h>

#include <random>

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

class CompareTest : public PartiesDealersTest {};

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

TEST_P(CompareTest, ReluCostsFourRoundsAndFewBytes) {
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
    EXPECT_EQ(out[0].first, 4u);
    // c and x - a (8 bytes each), 14 + 6 AND-opening bits and the last level's 3 masked bits.
    EXPECT_EQ(out[0].second, static_cast<uint64_t>(n * 16 + (n / 64) * 8 * 23));
  } else {
    EXPECT_LE(out[0].first, 5u);  // the mixed last opening takes two collectives
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

TEST_P(CompareTest, MaxOverRowsOfTenTakesSixteenRounds) {
  const auto x = inputs(50 * 10, -8, 8, 25);
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{50, 10});
    const uint64_t before = p.comm().stats().total.rounds;
    auto m = max(a, 1);
    return p.comm().stats().total.rounds - before;
  });
  if (parties() == 2) {
    EXPECT_EQ(out[0], 16u);
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

SOTTO_PARTIES_AND_DEALERS(CompareTest);

}  // namespace
}  // namespace sotto::testing
