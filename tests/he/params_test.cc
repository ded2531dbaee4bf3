// Every parameter set in use is inside the HomomorphicEncryption.org table (128-bit, ternary)
// and its primes are distinct, prime, NTT-friendly and small enough for the lazy butterflies.
#include "sotto/he/params.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <set>

#include "sotto/he/modarith.h"

namespace sotto::he {
namespace {

TEST(HeParams, EverySetIsInsideTheSecurityTable) {
  for (const RingParams& p : allRingParams()) {
    SCOPED_TRACE(std::string(p.name));
    const int max_log_q = maxLogQ128(p.n);
    ASSERT_GT(max_log_q, 0) << "N = " << p.n << " is not in the table";
    // Σ bit lengths ≥ ⌈log2 Q⌉, so Σ ≤ max_log_q means Q < 2^max_log_q.
    int bits = 0;
    for (uint64_t q : p.primes) bits += static_cast<int>(std::bit_width(q));
    EXPECT_LE(bits, max_log_q);
  }
  EXPECT_EQ(maxLogQ128(4096), 109);
  EXPECT_EQ(maxLogQ128(8192), 218);
  EXPECT_EQ(maxLogQ128(16384), 438);
}

TEST(HeParams, PrimesAreNttFriendlyDistinctAndSmall) {
  for (const RingParams& p : allRingParams()) {
    SCOPED_TRACE(std::string(p.name));
    std::set<uint64_t> seen;
    ASSERT_TRUE(std::has_single_bit(p.n));
    for (uint64_t q : p.primes) {
      EXPECT_TRUE(isPrime64(q)) << q;
      EXPECT_EQ(q % (2 * p.n), 1u) << q;
      EXPECT_LT(q, uint64_t{1} << 61) << q;  // 4q < 2^64 for the lazy butterflies
      EXPECT_TRUE(seen.insert(q).second) << "repeated prime " << q;
    }
  }
}

TEST(HeParams, BitSizesAreTheAdvertisedOnes) {
  const auto bits = [](ParamSet id) {
    std::vector<int> b;
    for (uint64_t q : ringParams(id).primes) b.push_back(static_cast<int>(std::bit_width(q)));
    return b;
  };
  EXPECT_EQ(bits(ParamSet::kN4096), (std::vector<int>{60, 49}));
  EXPECT_EQ(bits(ParamSet::kN8192), (std::vector<int>{59, 55, 49, 49}));
  EXPECT_EQ(bits(ParamSet::kN8192Q168), (std::vector<int>{60, 54, 54}));
  EXPECT_EQ(bits(ParamSet::kN8192Q150), (std::vector<int>{45, 45, 60}));
}

TEST(HeParams, ErrorDistributionHasTheStandardsWidth) {
  // Centered binomial η: σ = √(η/2); the standard's σ ≈ 3.2.
  const double sigma = std::sqrt(kErrorEta / 2.0);
  EXPECT_NEAR(sigma, 3.2, 0.1);
}

TEST(HeParams, MillerRabinKnowsPrimesAndComposites) {
  EXPECT_TRUE(isPrime64(2));
  EXPECT_TRUE(isPrime64(0xffffffffffffffc5ULL));  // largest 64-bit prime
  EXPECT_FALSE(isPrime64(1));
  EXPECT_FALSE(isPrime64(0xffffffffffffffffULL));
  EXPECT_FALSE(isPrime64(3215031751ULL));           // strong pseudoprime to bases 2, 3, 5, 7
  EXPECT_FALSE(isPrime64(3825123056546413051ULL));  // strong pseudoprime to bases 2 … 23
  EXPECT_FALSE(isPrime64(uint64_t{1152921504606748673} * 3));
}

}  // namespace
}  // namespace sotto::he
