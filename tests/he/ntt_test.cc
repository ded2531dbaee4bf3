// The negacyclic NTT: inverse ∘ forward = identity, and the pointwise product of transforms is
// the schoolbook negacyclic convolution mod q.
#include "sotto/he/ntt.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/he/params.h"

namespace sotto::he {
namespace {

// c = a·b mod (X^n + 1, q), schoolbook.
std::vector<uint64_t> negacyclic(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                                 const Modulus& m) {
  const size_t n = a.size();
  std::vector<uint64_t> c(n, 0);
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

std::vector<uint64_t> randomPoly(size_t n, uint64_t q, std::mt19937_64& rng) {
  std::vector<uint64_t> a(n);
  for (auto& v : a) v = rng() % q;
  return a;
}

// The implementations this machine runs (the AVX-512 one only where the CPU has it).
std::vector<NttImpl> impls() {
  std::vector<NttImpl> v{NttImpl::kPortable};
  if (nttAvx512Available()) v.push_back(NttImpl::kAvx512);
  return v;
}

struct NttCase {
  uint64_t n;
  uint64_t q;
};

std::string nttCaseName(const ::testing::TestParamInfo<NttCase>& info) {
  std::ostringstream os;  // (not "N" + std::string: GCC 12's -Wrestrict false positive)
  os << "N" << info.param.n << "_q" << std::bit_width(info.param.q) << "bits_" << info.index;
  return os.str();
}

class HeNtt : public ::testing::TestWithParam<NttCase> {};

TEST_P(HeNtt, InverseOfForwardIsIdentity) {
  const auto [n, q] = GetParam();
  const NttTables ntt(n, q);
  std::mt19937_64 rng(n ^ q);
  for (NttImpl impl : impls()) {
    SCOPED_TRACE(impl == NttImpl::kPortable ? "portable" : "avx512");
    for (int rep = 0; rep < 3; ++rep) {
      const auto a = randomPoly(n, q, rng);
      auto b = a;
      ntt.forward(b, impl);
      for (uint64_t v : b) ASSERT_LT(v, q);
      ntt.inverse(b, impl);
      ASSERT_EQ(a, b);
    }
    for (uint64_t edge : {uint64_t{0}, q - 1}) {
      std::vector<uint64_t> a(n, edge), b = a;
      ntt.forward(b, impl);
      ntt.inverse(b, impl);
      ASSERT_EQ(a, b) << "edge value " << edge;
    }
  }
}

TEST_P(HeNtt, PointwiseProductIsNegacyclicConvolution) {
  const auto [n, q] = GetParam();
  const NttTables ntt(n, q);
  const Modulus& m = ntt.modulus();
  std::mt19937_64 rng(n + q);
  std::vector<std::pair<std::vector<uint64_t>, std::vector<uint64_t>>> cases;
  cases.emplace_back(randomPoly(n, q, rng), randomPoly(n, q, rng));
  cases.emplace_back(std::vector<uint64_t>(n, q - 1), std::vector<uint64_t>(n, q - 1));
  cases.emplace_back(std::vector<uint64_t>(n, 0), randomPoly(n, q, rng));
  std::vector<uint64_t> x_last(n, 0), x_one(n, 0);  // X^{n−1} · X = −1
  x_last[n - 1] = 1;
  x_one[1] = 1;
  cases.emplace_back(x_last, x_one);
  for (const auto& [a, b] : cases) {
    const auto want = negacyclic(a, b, m);
    for (NttImpl impl : impls()) {
      auto fa = a, fb = b;
      ntt.forward(fa, impl);
      ntt.forward(fb, impl);
      for (size_t i = 0; i < n; ++i) fa[i] = m.mul(fa[i], fb[i]);
      ntt.inverse(fa, impl);
      ASSERT_EQ(fa, want) << (impl == NttImpl::kPortable ? "portable" : "avx512");
    }
  }
  std::vector<uint64_t> minus_one(n, 0);
  minus_one[0] = q - 1;
  EXPECT_EQ(negacyclic(x_last, x_one, m), minus_one);  // the oracle itself is negacyclic
}

TEST_P(HeNtt, ImplementationsGiveTheSameBits) {
  const auto [n, q] = GetParam();
  const NttTables ntt(n, q);
  std::mt19937_64 rng(n * 3 + q);
  const auto a = randomPoly(n, q, rng);
  auto portable = a, best = a;
  ntt.forward(portable, NttImpl::kPortable);
  ntt.forward(best, NttImpl::kBest);
  ASSERT_EQ(portable, best);
  ntt.inverse(portable, NttImpl::kPortable);
  ntt.inverse(best, NttImpl::kBest);
  ASSERT_EQ(portable, best);
  if (!nttAvx512Available()) {
    EXPECT_THROW(ntt.forward(best, NttImpl::kAvx512), NotImplemented);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, HeNtt,
                         ::testing::Values(NttCase{16, detail::kPrimesN4096[0]},
                                           NttCase{64, detail::kPrimesN4096[0]},
                                           NttCase{64, detail::kPrimesN8192[3]},
                                           NttCase{4096, detail::kPrimesN4096[0]},
                                           NttCase{4096, detail::kPrimesN4096[1]},
                                           NttCase{8192, detail::kPrimesN8192[1]}),
                         nttCaseName);

TEST(HeNttErrors, RejectsBadRingsAndSizes) {
  EXPECT_THROW(NttTables(48, detail::kPrimesN4096[0]), InvalidArgument);  // not a power of two
  EXPECT_THROW(NttTables(64, 97), InvalidArgument);                       // 97 ≢ 1 mod 128
  EXPECT_THROW(NttTables(64, 129 * 257), InvalidArgument);                // not prime
  const NttTables ntt(64, detail::kPrimesN4096[0]);
  std::vector<uint64_t> wrong(32);
  EXPECT_THROW(ntt.forward(wrong), InvalidArgument);
  EXPECT_THROW(ntt.inverse(wrong), InvalidArgument);
}

}  // namespace
}  // namespace sotto::he
