// Safe truncation by default: the 28-bit divisions by a count (average pooling without the padding
// in the count, divPublicCount, mean) stay dealer-assisted even when the party's default is
// SecureML's local truncation, which fails there about once per 2^14 elements near 64; local
// truncation stays available per call, and the party records what it truncated locally.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "sotto/mpc/compare.h"
#include "testing/mpc.h"

namespace sotto {
namespace {

using testing::kUlp;

PartyOptions localOptions() {
  PartyOptions o;
  o.truncation = Truncation::kLocal;
  return o;
}

// Plaintext reference: 3x3 average pooling, stride 1, padding 1, each window divided by the number
// of its positions inside the input (ONNX count_include_pad = 0).
std::vector<double> avgPoolNoPadCount(const std::vector<double>& x, int64_t planes, int64_t h,
                                      int64_t w) {
  std::vector<double> out(x.size());
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        double sum = 0;
        int count = 0;
        for (int64_t di = -1; di <= 1; ++di)
          for (int64_t dj = -1; dj <= 1; ++dj) {
            const int64_t y = i + di, z = j + dj;
            if (y < 0 || y >= h || z < 0 || z >= w) continue;
            sum += x[static_cast<size_t>((p * h + y) * w + z)];
            ++count;
          }
        out[static_cast<size_t>((p * h + i) * w + j)] = sum / count;
      }
  return out;
}

struct PoolRun {
  std::vector<double> out;
  LocalTruncationLog log;  // party 0's
};

// 4x64x32x32 = 262,144 values in [60, 68): a local 28-bit truncation of each window's mean fails
// with probability about 64·2^(16+28)/2^64 = 2^-14, so about 16 elements of the tensor (the old
// behaviour under local truncation: P(no failure) = e^-16). Near 1 the rate is 2^-20 per element
// (6 % of a 64x32x32 activation), the same hazard, too rare to test in a unit test's time.
constexpr int64_t kPlanes = 4 * 64, kH = 32, kW = 32;

PoolRun poolWithLocalDefault(std::optional<Truncation> division) {
  const auto x = testing::quantized(testing::uniform(kPlanes * kH * kW, 60, 68, 140));
  PoolRun run;
  run.out = testing::simulateMpc(
      2,
      [&](Party& p) {
        const auto a = ArithTensor::share(p, 1, x, Shape{4, 64, kH, kW});
        auto y = avgPool2d(a, {3, 3}, {1, 1}, {1, 1}, false, division).revealDoubles();
        if (p.id() == 0) run.log = p.localTruncations();
        return y;
      },
      localOptions())[0];
  const auto want = avgPoolNoPadCount(x, kPlanes, kH, kW);
  EXPECT_EQ(run.out.size(), want.size());
  for (size_t i = 0; i < want.size() && i < run.out.size(); ++i) run.out[i] -= want[i];
  return run;  // out holds the errors
}

// The default division of average pooling is dealer-assisted even when the party truncates
// locally: every one of the 262,144 elements is within 2 ULP (the truncation's 1 ULP and the
// 28-bit rounding of 1/count); the old code (local 28-bit truncation) left about 16 garbage.
TEST(Truncation, AvgPoolWithoutPadCountIsExactUnderLocalDefault) {
  const PoolRun r = poolWithLocalDefault(std::nullopt);
  double worst = 0;
  size_t bad = 0;
  for (double e : r.out) {
    worst = std::max(worst, std::fabs(e));
    bad += std::fabs(e) > 2 * kUlp;
  }
  EXPECT_EQ(bad, 0u) << "worst error " << worst;
  EXPECT_EQ(r.log.elements, 0u);  // nothing truncated locally
}

// Local truncation of the division is still there when asked for per call, and it fails as
// documented: some garbage elements (about 16 expected; off by ~2^(64-28-16) = 2^20), no more
// than the recorded bound allows, and every other element within 2 ULP.
TEST(Truncation, ExplicitLocalDivisionFailsAtItsDocumentedRate) {
  const PoolRun r = poolWithLocalDefault(Truncation::kLocal);
  size_t garbage = 0, imprecise = 0;
  for (double e : r.out) {
    if (std::fabs(e) > 1000)
      ++garbage;
    else if (std::fabs(e) > 2 * kUlp)
      ++imprecise;
  }
  EXPECT_GE(garbage, 1u);
  EXPECT_LE(garbage, 64u);  // 4x the expected count
  EXPECT_EQ(imprecise, 0u);
  EXPECT_EQ(r.log.elements, static_cast<uint64_t>(kPlanes * kH * kW));
  EXPECT_EQ(r.log.max_input_bits, 16 + 28);
  EXPECT_EQ(r.log.failureLog2(), 15 + 44 - 63);  // the bound for |value| < 2^15: 2^-4
  EXPECT_LE(static_cast<double>(garbage), std::ldexp(static_cast<double>(r.out.size()), -4));
}

// mean and divPublicCount under a local default: an odd count takes the dealer-assisted 28-bit
// path (nothing recorded as local), a power of two is shifted locally as the party asked (and
// recorded: 2^-(63 - 15 - 19) per element), and so is a product (2^-16). All within 1 ULP (+ the
// rounding of 1/n).
TEST(Truncation, MeanAndDivPublicCountUnderLocalDefault) {
  const auto x = testing::quantized(testing::uniform(6 * 9, -100, 100, 141));
  const auto out = testing::simulateMpc(
      2,
      [&](Party& p) {
        const auto a = ArithTensor::share(p, 1, x, Shape{6, 9});
        auto mean = a.mean(1).revealDoubles();
        const LocalTruncationLog after_mean = p.localTruncations();
        auto by8 = a.divPublicCount(8).revealDoubles();
        const LocalTruncationLog after_by8 = p.localTruncations();
        auto sq = a.mul(a).revealDoubles();
        return std::make_tuple(mean, by8, sq, after_mean, after_by8, p.localTruncations());
      },
      localOptions())[0];
  const auto& [mean, by8, sq, after_mean, after_by8, after_mul] = out;
  for (int64_t r = 0; r < 6; ++r) {
    double s = 0;
    for (int64_t c = 0; c < 9; ++c) s += x[static_cast<size_t>(r * 9 + c)];
    EXPECT_NEAR(mean[static_cast<size_t>(r)], s / 9, 1.5 * kUlp) << "row " << r;
  }
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(by8[i], x[i] / 8, 1.0001 * kUlp) << i;
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(sq[i], x[i] * x[i], 2 * kUlp) << i;
  EXPECT_EQ(after_mean.elements, 0u);
  EXPECT_EQ(after_by8.elements, x.size());
  EXPECT_EQ(after_by8.failureLog2(), 15 + 19 - 63);
  EXPECT_EQ(after_mul.elements, 2 * x.size());
  EXPECT_EQ(after_mul.failureLog2(), 15 + 32 - 63);
}

// The dealer-assisted division under the default options works for any number of parties.
TEST(Truncation, DivPublicCountByDefaultWithThreeParties) {
  const auto x = testing::quantized(testing::uniform(30, -1000, 1000, 142));
  const auto out = testing::simulateMpc(3, [&](Party& p) {
    return ArithTensor::share(p, 0, x, Shape{30}).divPublicCount(7).revealDoubles();
  });
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(out[2][i], x[i] / 7, 1.5 * kUlp) << i;
}

}  // namespace
}  // namespace sotto
