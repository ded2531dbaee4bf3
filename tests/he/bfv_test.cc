// BFV round trips and homomorphic operations against plaintext references mod 2^ℓ, with the
// measured noise checked against the worst-case bounds of sotto/he/noise.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/he/decryptor.h"
#include "sotto/he/encryptor.h"
#include "sotto/he/evaluator.h"
#include "sotto/he/noise.h"

namespace sotto::he {
namespace {

uint64_t maskOf(int ell) { return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1; }

// Random coefficients mod 2^ℓ with the edge values 0, 1, t/2 − 1, t/2, t − 1 in front.
std::vector<uint64_t> randomPlain(uint64_t n, int ell, std::mt19937_64& rng) {
  const uint64_t mask = maskOf(ell), half = uint64_t{1} << (ell - 1);
  std::vector<uint64_t> m(n);
  for (auto& v : m) v = rng() & mask;
  const uint64_t edges[] = {0, 1, half - 1, half, mask};
  for (size_t i = 0; i < 5; ++i) m[i] = edges[i];
  return m;
}

// Centered values in [−2^(bits−1), 2^(bits−1)) mod 2^ℓ.
std::vector<uint64_t> smallPlain(uint64_t n, int ell, int bits, std::mt19937_64& rng) {
  std::vector<uint64_t> p(n);
  const int64_t half = int64_t{1} << (bits - 1);
  for (auto& v : p) {
    const int64_t x = static_cast<int64_t>(rng() % (2 * static_cast<uint64_t>(half))) - half;
    v = static_cast<uint64_t>(x) & maskOf(ell);
  }
  p[0] = static_cast<uint64_t>(-half) & maskOf(ell);
  return p;
}

// a·b mod (X^n + 1, 2^ℓ): uint64 arithmetic wraps mod 2^64, a multiple of 2^ℓ.
std::vector<uint64_t> negacyclicModT(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                                     int ell) {
  const size_t n = a.size();
  std::vector<uint64_t> c(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const uint64_t p = a[i] * b[j];
      if (i + j < n) {
        c[i + j] += p;
      } else {
        c[i + j - n] -= p;
      }
    }
  }
  for (auto& v : c) v &= maskOf(ell);
  return c;
}

struct BfvCase {
  ParamSet set;
  int ell;
  int product_bits;  // log2 of the multiplier bound P this ℓ supports on this set (noise.h)
};

std::string caseName(const ::testing::TestParamInfo<BfvCase>& info) {
  std::ostringstream os;
  os << ringParams(info.param.set).name << "_l" << info.param.ell;
  return os.str();
}

class HeBfv : public ::testing::TestWithParam<BfvCase> {
 protected:
  HeBfv() : ctx_(GetParam().set, GetParam().ell), sk_(generateSecretKey(ctx_, prg_)) {}

  // The worst-case budget noise.h promises for a case, −log2(2·bound), below the 127-bit cap
  // of noiseBudget (its 128-bit fractions).
  double promisedBudget(const NoiseCase& c) const {
    return std::min(120.0, -std::log2(2 * invariantNoiseBound(ctx_.ring(), ctx_.plainBits(), c)));
  }

  Prg prg_;  // OS-seeded
  HeContext ctx_;
  SecretKey sk_;
  std::mt19937_64 rng_{static_cast<uint64_t>(GetParam().ell) * 131 +
                       static_cast<uint64_t>(GetParam().set)};  // test data only
};

TEST_P(HeBfv, SymmetricRoundTrip) {
  for (int rep = 0; rep < 3; ++rep) {
    const auto m = randomPlain(ctx_.n(), ctx_.plainBits(), rng_);
    const Ciphertext ct = encryptSymmetric(ctx_, sk_, m, prg_);
    EXPECT_FALSE(ct.seed.has_value());
    ASSERT_EQ(decrypt(ctx_, sk_, ct), m);
    EXPECT_GE(noiseBudget(ctx_, sk_, ct), promisedBudget({false, -1, false}));
  }
}

TEST_P(HeBfv, SeededRoundTripAndTheSeedExpandsToC1) {
  const auto m = randomPlain(ctx_.n(), ctx_.plainBits(), rng_);
  const Ciphertext ct = encryptSymmetricSeeded(ctx_, sk_, m, prg_);
  ASSERT_TRUE(ct.seed.has_value());
  EXPECT_EQ(expandSeed(ctx_, *ct.seed), ct.c1);
  ASSERT_EQ(decrypt(ctx_, sk_, ct), m);
  const Ciphertext other = encryptSymmetricSeeded(ctx_, sk_, m, prg_);
  EXPECT_NE(*other.seed, *ct.seed);  // fresh seed each time
  EXPECT_NE(other.c0, ct.c0);
}

TEST_P(HeBfv, PublicKeyEncryption) {
  const PublicKey pk = generatePublicKey(ctx_, sk_, prg_);
  const auto m = randomPlain(ctx_.n(), ctx_.plainBits(), rng_);
  const Ciphertext ct = encryptPublic(ctx_, pk, m, prg_);
  ASSERT_EQ(decrypt(ctx_, sk_, ct), m);
  EXPECT_GE(noiseBudget(ctx_, sk_, ct), promisedBudget({true, -1, false}));
  const Ciphertext zero = encryptZero(ctx_, pk, prg_);
  EXPECT_EQ(decrypt(ctx_, sk_, zero), std::vector<uint64_t>(ctx_.n(), 0));
  // Re-randomising with an encryption of zero keeps the plaintext.
  Ciphertext sum = encryptSymmetric(ctx_, sk_, m, prg_);
  addInplace(ctx_, sum, zero);
  EXPECT_EQ(decrypt(ctx_, sk_, sum), m);
}

// rerandomizeToCoefficients is addInplace(ct, encryptZero) then fromNtt, bit for bit (same prg
// draws), at level 0 (an encryption of m: the result still decrypts to m) and at the last level
// (an encryption of zero made there).
TEST_P(HeBfv, RerandomizeToCoefficientsIsTheSumWithAnEncryptionOfZero) {
  const PublicKey pk = generatePublicKey(ctx_, sk_, prg_);
  const auto m = randomPlain(ctx_.n(), ctx_.plainBits(), rng_);
  const Prg::Seed seed = Prg::osSeed();
  for (size_t level : {size_t{0}, ctx_.lastLevel()}) {
    Ciphertext ct =
        level == 0 ? encryptSymmetric(ctx_, sk_, m, prg_) : encryptZero(ctx_, pk, prg_, level);
    Ciphertext want = ct;
    Prg a(seed), b(seed);
    addInplace(ctx_, want, encryptZero(ctx_, pk, a, level));
    fromNtt(ctx_, want.c0);
    fromNtt(ctx_, want.c1);
    rerandomizeToCoefficients(ctx_, pk, b, ct);
    EXPECT_EQ(ct.c0, want.c0) << "level " << level;
    EXPECT_EQ(ct.c1, want.c1) << "level " << level;
    if (level != 0) continue;
    toNtt(ctx_, ct.c0);
    toNtt(ctx_, ct.c1);
    EXPECT_EQ(decrypt(ctx_, sk_, ct), m);
  }
  Ciphertext other = encryptSymmetric(ctx_, sk_, m, prg_);
  other.c1.n = 16;  // not of this context
  EXPECT_THROW(rerandomizeToCoefficients(ctx_, pk, prg_, other), InvalidArgument);
  PublicKey short_key = pk;
  short_key.a.data.pop_back();
  EXPECT_THROW(preparePublicKey(ctx_, short_key), InvalidArgument);
}

// encryptSymmetricSeededEncoded with Δ·m̃ as coefficients is encryptSymmetricSeeded(m), bit for
// bit (same prg draws); decrypt and noiseBudget with c0 as coefficients give what they give for
// the NTT form.
TEST_P(HeBfv, EncodedMessagesAndCoefficientC0) {
  const auto m = randomPlain(ctx_.n(), ctx_.plainBits(), rng_);
  const Prg::Seed seed = Prg::osSeed();
  Prg a(seed), b(seed);
  const Ciphertext want = encryptSymmetricSeeded(ctx_, sk_, m, a);
  RnsPoly encoded = encodeScaled(ctx_, m, 0);
  fromNtt(ctx_, encoded);
  Ciphertext ct = encryptSymmetricSeededEncoded(ctx_, sk_, encoded, b);
  EXPECT_EQ(ct.c0, want.c0);
  EXPECT_EQ(ct.c1, want.c1);
  EXPECT_EQ(ct.seed, want.seed);
  const double budget = noiseBudget(ctx_, sk_, ct);
  fromNtt(ctx_, ct.c0);
  EXPECT_EQ(decrypt(ctx_, sk_, ct, true), m);
  EXPECT_EQ(noiseBudget(ctx_, sk_, ct, true), budget);
  RnsPoly wrong = RnsPoly::zero(ctx_, ctx_.lastLevel());
  EXPECT_THROW(encryptSymmetricSeededEncoded(ctx_, sk_, wrong, prg_), InvalidArgument);
}

TEST_P(HeBfv, PlainProductIsTheNegacyclicProductModT) {
  const int ell = ctx_.plainBits();
  const int p_bits = GetParam().product_bits;
  const auto m = randomPlain(ctx_.n(), ell, rng_);
  const auto p = p_bits >= ell ? randomPlain(ctx_.n(), ell, rng_)
                               : smallPlain(ctx_.n(), ell, p_bits + 1, rng_);
  const auto want = negacyclicModT(m, p, ell);
  const PlainMultiplier pm = preparePlain(ctx_, p);
  for (bool seeded : {false, true}) {
    Ciphertext ct = seeded ? encryptSymmetricSeeded(ctx_, sk_, m, prg_)
                           : encryptPublic(ctx_, generatePublicKey(ctx_, sk_, prg_), m, prg_);
    const double fresh = noiseBudget(ctx_, sk_, ct);
    multiplyPlainInplace(ctx_, ct, pm);
    EXPECT_FALSE(ct.seed.has_value());
    ASSERT_EQ(decrypt(ctx_, sk_, ct), want) << (seeded ? "seeded" : "public key");
    const double after = noiseBudget(ctx_, sk_, ct);
    // The budget drops, yet no lower than the worst-case analysis allows.
    EXPECT_LT(after, fresh);
    EXPECT_GT(after, 0.0);
    EXPECT_GE(after, promisedBudget({!seeded, std::min(p_bits, ell - 1), false}));
  }
}

TEST_P(HeBfv, AdditionsOfCiphertextsAndPlaintexts) {
  const int ell = ctx_.plainBits();
  const auto a = randomPlain(ctx_.n(), ell, rng_);
  const auto b = randomPlain(ctx_.n(), ell, rng_);
  const auto c = randomPlain(ctx_.n(), ell, rng_);
  Ciphertext ct = encryptSymmetricSeeded(ctx_, sk_, a, prg_);
  addPlainInplace(ctx_, ct, c);
  EXPECT_TRUE(ct.seed.has_value());  // c1 untouched
  addInplace(ctx_, ct, encryptSymmetric(ctx_, sk_, b, prg_));
  EXPECT_FALSE(ct.seed.has_value());
  std::vector<uint64_t> want(ctx_.n());
  for (size_t i = 0; i < want.size(); ++i) want[i] = (a[i] + b[i] + c[i]) & maskOf(ell);
  EXPECT_EQ(decrypt(ctx_, sk_, ct), want);
}

TEST_P(HeBfv, ModSwitchToTheLastPrime) {
  const int ell = ctx_.plainBits();
  const int q_last_bits = ctx_.modulus(ctx_.lastLevel()).bits();
  if (ell >= q_last_bits - 1) {  // t does not fit below q_last: refused
    Ciphertext ct = encryptSymmetric(ctx_, sk_, randomPlain(ctx_.n(), ell, rng_), prg_);
    EXPECT_THROW(modSwitchToLastInplace(ctx_, ct), InvalidArgument);
    return;
  }
  if (maxPlainBits(ctx_.ring(), {true, -1, true}) < ell) {
    // Beyond the exact range (noise.h): the switch leaves an error in the low bits only, at most
    // t·(N + 1)/(2·q_last) + 1 (what a Cheetah-style truncated download tolerates).
    const auto m = randomPlain(ctx_.n(), ell, rng_);
    Ciphertext ct = encryptSymmetric(ctx_, sk_, m, prg_);
    modSwitchToLastInplace(ctx_, ct);
    const auto got = decrypt(ctx_, sk_, ct);
    const double bound = std::ldexp(static_cast<double>(ctx_.n() + 1), ell) /
                             (2.0 * static_cast<double>(ctx_.modulus(ctx_.lastLevel()).value())) +
                         1;
    double worst = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      const uint64_t d = (got[i] - m[i]) & maskOf(ell);
      const uint64_t mag = d >> (ell - 1) != 0 ? ((uint64_t{0} - d) & maskOf(ell)) : d;
      worst = std::max(worst, static_cast<double>(mag));
    }
    EXPECT_LE(worst, bound);
    EXPECT_GT(bound, 1.5);  // the case really is inexact in the worst case
    return;
  }
  const PublicKey pk = generatePublicKey(ctx_, sk_, prg_);
  const auto m = randomPlain(ctx_.n(), ell, rng_);
  Ciphertext ct = encryptSymmetricSeeded(ctx_, sk_, m, prg_);
  modSwitchToLastInplace(ctx_, ct);
  EXPECT_EQ(ct.level(), ctx_.lastLevel());
  EXPECT_EQ(ct.c0.rows, 1u);
  EXPECT_FALSE(ct.seed.has_value());
  ASSERT_EQ(decrypt(ctx_, sk_, ct), m);
  EXPECT_GE(noiseBudget(ctx_, sk_, ct), promisedBudget({false, -1, true}));
  // Cheetah's order: product, switch, then a fresh encryption of zero at the last level.
  const auto p = smallPlain(ctx_.n(), ell, 9, rng_);
  Ciphertext prod = encryptPublic(ctx_, pk, m, prg_);
  multiplyPlainInplace(ctx_, prod, preparePlain(ctx_, p));
  modSwitchToLastInplace(ctx_, prod);
  addInplace(ctx_, prod, encryptZero(ctx_, pk, prg_, ctx_.lastLevel()));
  EXPECT_EQ(decrypt(ctx_, sk_, prod), negacyclicModT(m, p, ell));
  EXPECT_THROW(modSwitchToLastInplace(ctx_, prod), InvalidArgument);  // already there
  Ciphertext full = encryptSymmetric(ctx_, sk_, m, prg_);
  EXPECT_THROW(addInplace(ctx_, full, prod), InvalidArgument);  // levels differ
}

// acc + ct × p without the copy: the same sum of products as multiplyPlainInplace + addInplace,
// coefficient for coefficient (starting from an empty acc), and it decrypts to the sum of the
// negacyclic products.
TEST_P(HeBfv, MultiplyPlainAccumulateSumsProducts) {
  const int ell = ctx_.plainBits();
  const auto m1 = randomPlain(ctx_.n(), ell, rng_), m2 = randomPlain(ctx_.n(), ell, rng_);
  const auto p1 = smallPlain(ctx_.n(), ell, 9, rng_), p2 = smallPlain(ctx_.n(), ell, 9, rng_);
  const PlainMultiplier pm1 = preparePlain(ctx_, p1), pm2 = preparePlain(ctx_, p2);
  const Ciphertext c1 = encryptSymmetricSeeded(ctx_, sk_, m1, prg_);
  const Ciphertext c2 = encryptSymmetric(ctx_, sk_, m2, prg_);
  Ciphertext acc;
  multiplyPlainAccumulate(ctx_, acc, c1, pm1);
  multiplyPlainAccumulate(ctx_, acc, c2, pm2);
  Ciphertext want = c1, second = c2;
  multiplyPlainInplace(ctx_, want, pm1);
  multiplyPlainInplace(ctx_, second, pm2);
  addInplace(ctx_, want, second);
  EXPECT_EQ(acc.c0.data, want.c0.data);
  EXPECT_EQ(acc.c1.data, want.c1.data);
  EXPECT_FALSE(acc.seed.has_value());
  std::vector<uint64_t> sum = negacyclicModT(m1, p1, ell);
  const std::vector<uint64_t> other = negacyclicModT(m2, p2, ell);
  const uint64_t mask = ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
  for (size_t i = 0; i < sum.size(); ++i) sum[i] = (sum[i] + other[i]) & mask;
  EXPECT_EQ(decrypt(ctx_, sk_, acc), sum);
  Ciphertext low;
  low.c0 = dropToLevel(c2.c0, 1);
  low.c1 = dropToLevel(c2.c1, 1);
  EXPECT_THROW(multiplyPlainAccumulate(ctx_, acc, low, pm1), InvalidArgument);  // levels differ
}

TEST_P(HeBfv, BadInputsAreInvalidArgument) {
  std::vector<uint64_t> short_plain(ctx_.n() - 1, 0);
  EXPECT_THROW(encryptSymmetric(ctx_, sk_, short_plain, prg_), InvalidArgument);
  EXPECT_THROW(preparePlain(ctx_, short_plain), InvalidArgument);
  if (ctx_.plainBits() < 64) {
    std::vector<uint64_t> too_big(ctx_.n(), 0);
    too_big[3] = uint64_t{1} << ctx_.plainBits();
    EXPECT_THROW(encryptSymmetric(ctx_, sk_, too_big, prg_), InvalidArgument);
    EXPECT_THROW(preparePlain(ctx_, too_big), InvalidArgument);
  }
  const ParamSet other = ctx_.paramSet() == ParamSet::kN4096 ? ParamSet::kN8192 : ParamSet::kN4096;
  const HeContext other_ctx(other, 32);
  const SecretKey other_sk = generateSecretKey(other_ctx, prg_);
  const std::vector<uint64_t> zero(ctx_.n(), 0);
  EXPECT_THROW(encryptSymmetric(ctx_, other_sk, zero, prg_), InvalidArgument);
  EXPECT_THROW(decrypt(ctx_, other_sk, encryptSymmetric(ctx_, sk_, zero, prg_)), InvalidArgument);
}

// ℓ = 32 (full-width products) and 44 (multipliers |p| ≤ 2^8) on N = 4096; 44 and 64 with
// full-width products on N = 8192; 32 there too for the switch to the last prime.
INSTANTIATE_TEST_SUITE_P(Sets, HeBfv,
                         ::testing::Values(BfvCase{ParamSet::kN4096, 32, 32},
                                           BfvCase{ParamSet::kN4096, 44, 8},
                                           BfvCase{ParamSet::kN8192, 32, 32},
                                           BfvCase{ParamSet::kN8192, 44, 44},
                                           BfvCase{ParamSet::kN8192, 64, 64}),
                         caseName);

}  // namespace
}  // namespace sotto::he
