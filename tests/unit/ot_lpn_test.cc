// Ferret's LPN encoder (src/ot/lpn.h): the same public matrix on every call, linear over F_2,
// choice bits follow the blocks, each output XORs at most 10 base COTs and every base COT is used.
#include <gtest/gtest.h>

#include <random>

#include "lpn.h"
#include "sotto/error.h"

namespace sotto::ot {
namespace {

std::vector<Block> randomBlocks(size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<Block> v(n);
  for (Block& b : v) b = {gen(), gen()};
  return v;
}

TEST(Lpn, IsDeterministicAndLinear) {
  const size_t k = 1000, n = 5000;
  const auto a = randomBlocks(k, 1), b = randomBlocks(k, 2), z = randomBlocks(n, 3);
  std::vector<Block> ab(k);
  for (size_t i = 0; i < k; ++i) ab[i] = a[i] ^ b[i];
  auto ea = z, eb = std::vector<Block>(n), eab = z, ea2 = z;
  detail::lpnEncode(a, ea);
  detail::lpnEncode(a, ea2);
  detail::lpnEncode(b, eb);
  detail::lpnEncode(ab, eab);
  EXPECT_EQ(ea, ea2);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(eab[i], ea[i] ^ eb[i]) << i;
  EXPECT_NE(ea, z);
}

TEST(Lpn, ChoiceBitsFollowTheBlocks) {
  const size_t k = 777, n = 3000;
  std::mt19937_64 gen(4);
  std::vector<Block> base(k);
  std::vector<uint8_t> bits(k);
  for (size_t j = 0; j < k; ++j) {
    bits[j] = gen() & 1;
    base[j] = {bits[j], 0};
  }
  std::vector<Block> out(n);
  std::vector<uint8_t> out_bits(n);
  for (size_t i = 0; i < n; ++i) {
    out_bits[i] = gen() & 1;
    out[i] = {out_bits[i], 0};
  }
  detail::lpnEncode(base, out, bits, out_bits);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], (Block{out_bits[i], 0})) << i;
}

TEST(Lpn, EachOutputUsesAtMostTenBaseCotsAndEveryBaseIsUsed) {
  const size_t k = 200, n = 2000;
  // base j = the unit block of bit j - lo, 128 bases per encode: output bit c says whether
  // base lo + c is in the output's XOR (an even number of draws of one index cancel)
  std::vector<int> weight(n, 0);
  std::vector<bool> used(k, false);
  for (size_t lo = 0; lo < k; lo += 128) {
    std::vector<Block> base(k);
    for (size_t j = lo; j < std::min(k, lo + 128); ++j)
      base[j].setBit(static_cast<int>(j - lo), true);
    std::vector<Block> out(n);
    detail::lpnEncode(base, out);
    for (size_t i = 0; i < n; ++i) {
      for (int c = 0; c < 128; ++c) {
        if (out[i].bit(c)) {
          ++weight[i];
          used[lo + static_cast<size_t>(c)] = true;
        }
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    ASSERT_LE(weight[i], 10) << i;
    ASSERT_GE(weight[i], 2) << i;  // 0 only if the 10 draws cancel in pairs
  }
  for (size_t j = 0; j < k; ++j) EXPECT_TRUE(used[j]) << j;
}

TEST(Lpn, RefusesAnEmptyBase) {
  std::vector<Block> out(4);
  EXPECT_THROW(detail::lpnEncode({}, out), InvalidArgument);
}

}  // namespace
}  // namespace sotto::ot
