// The negacyclic NTT on every path this CPU runs (portable, AVX2, AVX-512, IFMA), on every prime
// of every parameter set and N = 16..8192: inverse ∘ forward = identity, the pointwise product of
// transforms is the schoolbook negacyclic convolution mod q, and every path gives the portable
// path's bits (each returns fully reduced values), on random and edge inputs.
#include "sotto/he/ntt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/he/params.h"

namespace sotto::he {
namespace {

using Poly = std::vector<uint64_t>;

// c = a·b mod (X^n + 1, q), schoolbook.
Poly negacyclic(const Poly& a, const Poly& b, const Modulus& m) {
  const size_t n = a.size();
  Poly c(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const uint64_t p = m.mul(a[i], b[j]);
      const size_t k = i + j;
      if (k < n) {
        c[k] = m.add(c[k], p);
      } else {
        c[k - n] = m.sub(c[k - n], p);  // X^n = −1
      }
    }
  }
  return c;
}

Poly randomPoly(size_t n, uint64_t bound, std::mt19937_64& rng) {
  Poly a(n);
  for (auto& v : a) v = rng() % bound;
  return a;
}

// Random picks among 0, 1, q − 2, q − 1: the extremes of the accepted range.
Poly edgePoly(size_t n, uint64_t q, std::mt19937_64& rng) {
  const uint64_t picks[] = {0, 1, q - 2, q - 1};
  Poly a(n);
  for (auto& v : a) v = picks[rng() % 4];
  return a;
}

const char* implName(NttImpl impl) {
  switch (impl) {
    case NttImpl::kPortable:
      return "portable";
    case NttImpl::kAvx2:
      return "avx2";
    case NttImpl::kAvx512:
      return "avx512";
    case NttImpl::kIfma:
      return "ifma";
    default:
      return "best";
  }
}

// The vector paths this machine runs for q (IFMA only for q < 2^50), then kBest.
std::vector<NttImpl> vectorImpls(uint64_t q) {
  std::vector<NttImpl> v;
  if (nttAvx2Available()) v.push_back(NttImpl::kAvx2);
  if (nttAvx512Available()) v.push_back(NttImpl::kAvx512);
  if (nttIfmaAvailable() && q < kNttIfmaModulusBound) v.push_back(NttImpl::kIfma);
  v.push_back(NttImpl::kBest);
  return v;
}

std::vector<NttImpl> allImpls(uint64_t q) {
  std::vector<NttImpl> v{NttImpl::kPortable};
  for (NttImpl impl : vectorImpls(q)) v.push_back(impl);
  return v;
}

struct NttCase {
  uint64_t n;
  uint64_t q;
};

// Every distinct prime of every parameter set, with every N from 16 to 8192.
std::vector<NttCase> allCases() {
  std::vector<uint64_t> primes;
  for (const RingParams& p : allRingParams())
    primes.insert(primes.end(), p.primes.begin(), p.primes.end());
  std::sort(primes.begin(), primes.end());
  primes.erase(std::unique(primes.begin(), primes.end()), primes.end());
  std::vector<NttCase> cases;
  for (uint64_t q : primes) {
    for (uint64_t n = 16; n <= 8192; n *= 2) cases.push_back({n, q});
  }
  return cases;
}

std::string nttCaseName(const ::testing::TestParamInfo<NttCase>& info) {
  std::ostringstream os;  // (not "N" + std::string: GCC 12's -Wrestrict false positive)
  os << "N" << info.param.n << "_q" << std::bit_width(info.param.q) << "bits_" << info.index;
  return os.str();
}

class HeNtt : public ::testing::TestWithParam<NttCase> {};

TEST_P(HeNtt, ForwardAndInverseAreInverses) {
  const auto [n, q] = GetParam();
  const NttTables ntt(n, q);
  std::mt19937_64 rng(n ^ q);
  std::vector<Poly> inputs{randomPoly(n, q, rng), edgePoly(n, q, rng), Poly(n, 0), Poly(n, q - 1)};
  for (NttImpl impl : allImpls(q)) {
    SCOPED_TRACE(implName(impl));
    for (const Poly& a : inputs) {
      Poly b = a;
      ntt.forward(b, impl);
      for (uint64_t v : b) ASSERT_LT(v, q);
      // The inverse accepts values in [q, 2q): add q to a random half of them.
      for (auto& v : b) v += (rng() & 1) ? q : 0;
      ntt.inverse(b, impl);
      ASSERT_EQ(a, b);
      ntt.inverse(b, impl);  // and the other way round
      for (uint64_t v : b) ASSERT_LT(v, q);
      ntt.forward(b, impl);
      ASSERT_EQ(a, b);
    }
  }
}

TEST_P(HeNtt, EveryPathGivesThePortableBits) {
  const auto [n, q] = GetParam();
  const NttTables ntt(n, q);
  std::mt19937_64 rng(n * 3 + q);
  const std::vector<Poly> forward_inputs{randomPoly(n, q, rng), edgePoly(n, q, rng),
                                         Poly(n, q - 1)};
  const std::vector<Poly> inverse_inputs{randomPoly(n, 2 * q, rng), Poly(n, 2 * q - 1),
                                         edgePoly(n, q, rng)};
  for (NttImpl impl : vectorImpls(q)) {
    SCOPED_TRACE(implName(impl));
    for (const Poly& a : forward_inputs) {
      Poly want = a, got = a;
      ntt.forward(want, NttImpl::kPortable);
      ntt.forward(got, impl);
      ASSERT_EQ(want, got);
    }
    for (const Poly& a : inverse_inputs) {
      Poly want = a, got = a;
      ntt.inverse(want, NttImpl::kPortable);
      ntt.inverse(got, impl);
      ASSERT_EQ(want, got);
    }
  }
}

TEST_P(HeNtt, PointwiseProductIsNegacyclicConvolution) {
  const auto [n, q] = GetParam();
  const NttTables ntt(n, q);
  const Modulus& m = ntt.modulus();
  std::mt19937_64 rng(n + q);
  std::vector<std::pair<Poly, Poly>> cases;
  cases.emplace_back(randomPoly(n, q, rng), randomPoly(n, q, rng));
  Poly x_last(n, 0), x_one(n, 0);  // X^{n−1} · X = −1
  x_last[n - 1] = 1;
  x_one[1] = 1;
  if (n <= 1024) {  // the schoolbook oracle is quadratic: edge cases on the smaller rings
    cases.emplace_back(Poly(n, q - 1), Poly(n, q - 1));
    cases.emplace_back(edgePoly(n, q, rng), edgePoly(n, q, rng));
    cases.emplace_back(Poly(n, 0), randomPoly(n, q, rng));
    cases.emplace_back(x_last, x_one);
  }
  for (const auto& [a, b] : cases) {
    const Poly want = negacyclic(a, b, m);
    for (NttImpl impl : allImpls(q)) {
      Poly fa = a, fb = b;
      ntt.forward(fa, impl);
      ntt.forward(fb, impl);
      for (size_t i = 0; i < n; ++i) fa[i] = m.mul(fa[i], fb[i]);
      ntt.inverse(fa, impl);
      ASSERT_EQ(fa, want) << implName(impl);
    }
  }
  Poly minus_one(n, 0);
  minus_one[0] = q - 1;
  EXPECT_EQ(negacyclic(x_last, x_one, m), minus_one);  // the oracle itself is negacyclic
}

INSTANTIATE_TEST_SUITE_P(EveryPrime, HeNtt, ::testing::ValuesIn(allCases()), nttCaseName);

TEST(HeNttErrors, RejectsBadRingsAndSizes) {
  EXPECT_THROW(NttTables(48, detail::kPrimesN4096[0]), InvalidArgument);  // not a power of two
  EXPECT_THROW(NttTables(64, 97), InvalidArgument);                       // 97 ≢ 1 mod 128
  EXPECT_THROW(NttTables(64, 129 * 257), InvalidArgument);                // not prime
  const NttTables ntt(64, detail::kPrimesN4096[0]);
  std::vector<uint64_t> wrong(32);
  EXPECT_THROW(ntt.forward(wrong), InvalidArgument);
  EXPECT_THROW(ntt.inverse(wrong), InvalidArgument);
}

// A forced vector path: NotImplemented where the CPU lacks it, InvalidArgument outside its range.
TEST(HeNttErrors, ForcedPathsCheckTheirCpuAndRange) {
  const uint64_t q60 = detail::kPrimesN4096[0], q49 = detail::kPrimesN4096[1];
  const NttTables big(64, q60), small(64, q49), tiny(8, q49);
  const std::pair<NttImpl, bool> paths[] = {{NttImpl::kAvx2, nttAvx2Available()},
                                            {NttImpl::kAvx512, nttAvx512Available()},
                                            {NttImpl::kIfma, nttIfmaAvailable()}};
  for (const auto& [impl, available] : paths) {
    SCOPED_TRACE(implName(impl));
    std::vector<uint64_t> a(64, 1), b(8, 1);
    if (available) {
      EXPECT_NO_THROW(small.forward(a, impl));
      EXPECT_THROW(tiny.forward(b, impl), InvalidArgument);  // N < 16
    } else {
      EXPECT_THROW(small.forward(a, impl), NotImplemented);
      EXPECT_THROW(small.inverse(a, impl), NotImplemented);
    }
  }
  std::vector<uint64_t> a(64, 1);
  if (nttIfmaAvailable()) {
    EXPECT_THROW(big.forward(a, NttImpl::kIfma), InvalidArgument);  // q ≥ 2^50
  }
  // kBest never throws: portable for N < 16, and never IFMA for a 60-bit prime.
  std::vector<uint64_t> b(8, 1);
  EXPECT_NO_THROW(tiny.forward(b));
  EXPECT_NE(big.bestImpl(), NttImpl::kIfma);
  EXPECT_EQ(tiny.bestImpl(), NttImpl::kPortable);
  if (nttIfmaAvailable()) {
    EXPECT_EQ(small.bestImpl(), NttImpl::kIfma);
  }
}

}  // namespace
}  // namespace sotto::he
