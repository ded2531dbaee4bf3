// Tests of fixed-point encoding into Z_2^64: exact values, rounding rule, signed decoding,
// round-trip error bound 2^-(f+1), rejected inputs, and the RingTensor versions.

#include "sotto/tensor/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto {
namespace {

TEST(FixedPoint, EncodesExactValues) {
  EXPECT_EQ(kDefaultFracBits, 16);
  EXPECT_EQ(encode(0.0), 0u);
  EXPECT_EQ(encode(1.0), 65536u);
  EXPECT_EQ(encode(-1.0), 0 - 65536ULL);  // two's complement
  EXPECT_EQ(encode(0.5, 1), 1u);
  EXPECT_EQ(encode(-0.5, 1), ~0ULL);
  EXPECT_EQ(encode(3.25, 2), 13u);
  EXPECT_EQ(encode(-7.0, 0), 0 - 7ULL);
}

TEST(FixedPoint, RoundsHalfAwayFromZero) {
  // x * 2^f exactly halfway between two integers.
  EXPECT_EQ(encode(2.5, 0), 3u);
  EXPECT_EQ(encode(-2.5, 0), 0 - 3ULL);
  EXPECT_EQ(encode(0.5, 0), 1u);
  EXPECT_EQ(encode(-0.5, 0), ~0ULL);
  EXPECT_EQ(encode(1.5 / 65536.0), 2u);
  // Not halfway: nearest.
  EXPECT_EQ(encode(0.49, 0), 0u);
  EXPECT_EQ(encode(-0.51, 0), ~0ULL);
}

TEST(FixedPoint, DecodesNegativesExactly) {
  // CrypTen divides by 2^16 - 1 here; the right divisor is 2^16.
  EXPECT_EQ(decode(encode(-1.0)), -1.0);
  EXPECT_EQ(decode(0 - 65536ULL), -1.0);
  EXPECT_EQ(decode(~0ULL), -1.0 / 65536.0);
  EXPECT_EQ(decode(1ULL << 63, 0), -9223372036854775808.0);
  EXPECT_EQ(decode((1ULL << 63) - 1, 62), 2.0);  // rounds (2^63 - 1) to the nearest double, 2^63
  EXPECT_EQ(decode(65536u * 1000), 1000.0);
}

TEST(FixedPoint, RoundTripWithinHalfUlp) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  for (int f : {0, 8, 16, 20, 30}) {
    const double ulp = std::ldexp(1.0, -f);
    for (int i = 0; i < 2000; ++i) {
      const double x = dist(rng);
      EXPECT_LE(std::fabs(decode(encode(x, f), f) - x), ulp / 2) << "x=" << x << " f=" << f;
    }
  }
  // Every representable value round-trips exactly.
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{123456789}, int64_t{-987654321}}) {
    EXPECT_EQ(encode(decode(static_cast<uint64_t>(v))), static_cast<uint64_t>(v));
  }
}

TEST(FixedPoint, RingArithmeticMatchesReals) {
  // a + b and a * b (then truncated by f) decode to the real sum and product (within 2 ulp).
  const double a = -3.75, b = 2.125;
  EXPECT_EQ(decode(encode(a) + encode(b)), a + b);
  const uint64_t prod = encode(a) * encode(b);  // 2f fractional bits, wraps mod 2^64
  const double truncated = decode(static_cast<uint64_t>(static_cast<int64_t>(prod) >> 16));
  EXPECT_NEAR(truncated, a * b, 2.0 / 65536.0);
}

TEST(FixedPoint, RejectsBadInputs) {
  EXPECT_THROW(encode(std::numeric_limits<double>::quiet_NaN()), InvalidArgument);
  EXPECT_THROW(encode(std::numeric_limits<double>::infinity()), InvalidArgument);
  EXPECT_THROW(encode(-std::numeric_limits<double>::infinity()), InvalidArgument);
  // |x * 2^16| >= 2^63 <=> |x| >= 2^47.
  EXPECT_THROW(encode(std::ldexp(1.0, 47)), InvalidArgument);
  EXPECT_THROW(encode(-std::ldexp(1.0, 47)), InvalidArgument);
  EXPECT_NO_THROW(encode(std::ldexp(1.0, 47) - 1.0));
  EXPECT_EQ(encode(-(std::ldexp(1.0, 47) - 1.0)), 0 - ((1ULL << 63) - (1ULL << 16)));
  EXPECT_THROW(encode(1.0, -1), InvalidArgument);
  EXPECT_THROW(encode(1.0, 63), InvalidArgument);
  EXPECT_THROW(decode(1, 63), InvalidArgument);
  try {
    encode(1.5e300);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("1.5e+300"), std::string::npos) << e.what();
  }
}

TEST(FixedPoint, TensorEncodeDecode) {
  const std::vector<double> values = {0.0, 1.0, -1.0, 3.14159, -2.71828, 1e-6, 12345.5};
  const RingTensor t = RingTensor::encode(values, Shape{7});
  ASSERT_EQ(t.shape(), (Shape{7}));
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(t[static_cast<int64_t>(i)], encode(values[i]));
  const std::vector<double> back = t.decode();
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(back[i], values[i], 0.5 / 65536.0);

  const RingTensor t8 = RingTensor::encode({0.5, -0.25, 1.0, 2.0}, Shape{2, 2}, 8);
  EXPECT_EQ(t8.decode(8), (std::vector<double>{0.5, -0.25, 1.0, 2.0}));
  EXPECT_EQ(t8.at({0, 1}), 0 - 64ULL);

  EXPECT_TRUE(RingTensor::encode(std::vector<double>{}, Shape{0, 3}).decode().empty());
  EXPECT_THROW(RingTensor::encode({1.0, 2.0}, Shape{3}), InvalidArgument);
  EXPECT_THROW(RingTensor::encode({1.0, std::nan("")}, Shape{2}), InvalidArgument);
  EXPECT_THROW(t.decode(63), InvalidArgument);
}

}  // namespace
}  // namespace sotto
