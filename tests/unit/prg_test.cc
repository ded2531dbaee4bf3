#include "sotto/crypto/prg.h"

#include <gtest/gtest.h>

#include <bit>
#include <set>
#include <vector>

namespace sotto {
namespace {

TEST(Prg, KnownAnswerAes128CtrOfZeroKey) {
  // AES-128 with the all-zero key encrypts the all-zero block (counter 0) to this (FIPS-197
  // style known answer); the CTR keystream's first block is exactly that.
  Prg prg(Prg::Seed{});
  std::array<std::byte, 16> block{};
  prg.fill(block);
  const uint8_t expect[16] = {0x66, 0xe9, 0x4b, 0xd4, 0xef, 0x8a, 0x2c, 0x3b,
                              0x88, 0x4c, 0xfa, 0x59, 0xca, 0x34, 0x2b, 0x2e};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(static_cast<uint8_t>(block[i]), expect[i]) << i;
}

TEST(Prg, SameSeedSameStreamAcrossChunking) {
  const auto seed = Prg::osSeed();
  Prg a(seed), b(seed);
  std::vector<uint64_t> whole(100000), parts(100000);
  a.fill(whole);
  b.fill(std::span(parts).first(3));
  b.fill(std::span(parts).subspan(3, 70000));
  b.fill(std::span(parts).subspan(70003));
  EXPECT_EQ(whole, parts);
}

TEST(Prg, OsSeedsDifferAndStreamsLookUniform) {
  std::set<Prg::Seed> seeds;
  for (int i = 0; i < 32; ++i) seeds.insert(Prg::osSeed());
  EXPECT_EQ(seeds.size(), 32u);
  Prg prg;
  std::vector<uint64_t> v(1 << 16);
  prg.fill(v);
  // Bit balance: 2^22 bits, expected half set, sd = 1024; allow 6 sd.
  uint64_t ones = 0;
  for (uint64_t w : v) ones += std::popcount(w);
  const double total = 64.0 * v.size();
  EXPECT_NEAR(static_cast<double>(ones), total / 2, 6 * 1024.0);
  // Top byte histogram: 256 bins of 256 expected each; chi-square with 255 dof well below 400.
  std::vector<int> bins(256);
  for (uint64_t w : v) bins[w >> 56]++;
  double chi = 0;
  for (int c : bins) chi += (c - 256.0) * (c - 256.0) / 256.0;
  EXPECT_LT(chi, 400.0);
}

}  // namespace
}  // namespace sotto
