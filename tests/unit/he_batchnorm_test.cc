// HeBatchNorm (sotto/mpc/ot/he_batchnorm.h): shares -> scale·x + bias per channel on 2 threads
// over inproc -> reveal -> exact comparison mod 2^64 with the plaintext on full-range values, and
// in fixed point against BatchNorm in double within the truncation tolerance.
#include "sotto/mpc/ot/he_batchnorm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "testing/share_helpers.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using testing::randomRing;

// The revealed output and party 0's plan.
std::pair<RingTensor, HeConv2dPlan> runBatchNorm(const RingTensor& x, const RingTensor& scale,
                                                 const RingTensor& bias, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto [x0, x1] = testing::shareOf(x, rng);
  auto runs = testing::simulate(2, [&](Communicator& comm) {
    HeBatchNorm bn(comm, x.shape());
    const bool owner = comm.rank() == 0;
    return std::make_pair(
        owner ? bn.forward(x0, scale, bias) : bn.forward(x1, RingTensor(), RingTensor()),
        bn.plan());
  });
  RingTensor y = runs[0].first;
  y += runs[1].first;
  return {y, runs[0].second};
}

TEST(HeBatchNorm, ExactModRing) {
  for (const Shape& shape :
       {Shape{1, 6, 14, 14}, Shape{2, 16, 5, 5}, Shape{1, 64, 8, 8}, Shape{1, 3, 100, 90}}) {
    SCOPED_TRACE(shape.toString());
    std::mt19937_64 rng(static_cast<uint64_t>(shape.numel()));
    const int64_t c = shape.dim(1);
    const RingTensor x = randomRing(shape, rng), scale = randomRing(Shape{c}, rng),
                     bias = randomRing(Shape{c}, rng);
    const auto [y, plan] = runBatchNorm(x, scale, bias, rng());
    ASSERT_EQ(y.shape(), shape);
    const int64_t plane = shape.dim(2) * shape.dim(3);
    int64_t wrong = 0;
    for (int64_t i = 0; i < y.numel(); ++i) {
      const int64_t ch = (i / plane) % c;
      wrong += y[i] != scale[ch] * x[i] + bias[ch];
    }
    EXPECT_EQ(wrong, 0) << "of " << y.numel();
    EXPECT_EQ(plan.terms, 1);  // one channel block per output: the flooding of one product
  }
}

// γ/√(var + ε) and β − scale·mean at f = 16 bits; x at f; the output at 2f truncated locally
// by each party (≤ 1 ulp each) against the same quantised values in double.
TEST(HeBatchNorm, FixedPointWithinTruncationTolerance) {
  const int f = 16;
  const Shape shape{1, 16, 5, 5};
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> ux(-4, 4), ug(0.5, 1.5), ub(-1, 1), uv(0.1, 2);
  std::vector<double> xs(static_cast<size_t>(shape.numel())), sc(16), bs(16);
  for (double& v : xs) v = ux(rng);
  for (size_t c = 0; c < 16; ++c) {
    const double gamma = ug(rng), beta = ub(rng), mean = ub(rng), var = uv(rng);
    sc[c] = gamma / std::sqrt(var + 1e-5);
    bs[c] = beta - sc[c] * mean;
  }
  const RingTensor x = RingTensor::encode(xs, shape, f);
  const RingTensor scale = RingTensor::encode(sc, Shape{16}, f);
  const RingTensor bias = RingTensor::encode(bs, Shape{16}, 2 * f);
  std::mt19937_64 split(9);
  const auto [x0, x1] = testing::shareOf(x, split);
  auto shares = testing::simulate(2, [&](Communicator& comm) {
    HeBatchNorm bn(comm, shape);
    RingTensor y =
        comm.rank() == 0 ? bn.forward(x0, scale, bias) : bn.forward(x1, RingTensor(), RingTensor());
    for (uint64_t& v : y.data()) v = testing::truncateShare(v, comm.rank(), f);
    return y;
  });
  RingTensor y = shares[0];
  y += shares[1];
  const std::vector<double> got = y.decode(f), xq = x.decode(f), sq = scale.decode(f),
                            bq = bias.decode(2 * f);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const size_t c = i / 25;
    worst = std::max(worst, std::abs(got[i] - (sq[c] * xq[i] + bq[c])));
  }
  EXPECT_LE(worst, std::ldexp(2.0, -f));
}

TEST(HeBatchNorm, RejectsWrongShapes) {
  EXPECT_THROW(testing::simulate(2,
                                 [&](Communicator& comm) {
                                   HeBatchNorm bn(comm, Shape{2, 3, 4, 4});
                                   const RingTensor x(Shape{2, 3, 4, 4});
                                   return bn.forward(x, RingTensor(Shape{4}), RingTensor(Shape{3}));
                                 }),
               InvalidArgument);
  EXPECT_THROW(testing::simulate(2,
                                 [&](Communicator& comm) {
                                   HeBatchNorm bn(comm, Shape{2, 3});
                                   return 0;
                                 }),
               InvalidArgument);
}

}  // namespace
}  // namespace sotto
