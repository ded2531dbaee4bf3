// Barrett and Shoup products, and the division-free Shoup companion, against 128-bit division.
#include "sotto/he/modarith.h"

#include <gtest/gtest.h>

#include <random>

#include "sotto/error.h"
#include "sotto/he/params.h"

namespace sotto::he {
namespace {

TEST(HeModArith, BarrettAndShoupMatchDivision) {
  std::mt19937_64 rng(7);  // test data only
  for (const RingParams& p : allRingParams()) {
    for (uint64_t q : p.primes) {
      const Modulus m(q);
      const uint64_t edges[] = {0, 1, 2, q - 2, q - 1};
      for (uint64_t a : edges) {
        for (uint64_t b : edges) ASSERT_EQ(m.mul(a, b), static_cast<uint64_t>(u128{a} * b % q));
        ASSERT_EQ(m.shoup(a), shoupPrecompute(a, q)) << a;
      }
      for (int i = 0; i < 20000; ++i) {
        const uint64_t a = rng() % q, b = rng() % q, x = rng();
        ASSERT_EQ(m.mul(a, b), static_cast<uint64_t>(u128{a} * b % q));
        const u128 big = (u128{rng()} << 64 | rng()) >> 2;
        ASSERT_EQ(m.reduce(big), static_cast<uint64_t>(big % q));
        const uint64_t lazy = mulShoupLazy(x, b, shoupPrecompute(b, q), q);
        ASSERT_LT(lazy, 2 * q);
        ASSERT_EQ(lazy % q, static_cast<uint64_t>(u128{x} * b % q));
        ASSERT_EQ(m.shoup(b), shoupPrecompute(b, q)) << b;
      }
      EXPECT_EQ(m.mul(m.inv(12345), 12345), 1u);
      EXPECT_EQ(m.fromSigned(-1), q - 1);
      EXPECT_EQ(m.fromSigned(INT64_MIN), static_cast<uint64_t>((q - (uint64_t{1} << 63) % q) % q));
    }
  }
}

TEST(HeModArith, RejectsBadModuli) {
  EXPECT_THROW(Modulus(1), InvalidArgument);
  EXPECT_THROW(Modulus(uint64_t{1} << 61), InvalidArgument);
  EXPECT_THROW(Modulus(97).inv(0), InvalidArgument);
}

}  // namespace
}  // namespace sotto::he
