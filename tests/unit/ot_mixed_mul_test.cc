// SiRnn's product of operands of different bit widths (OtKernels::mulMixed, ot_kernels.h):
// x of m bits and y of n bits -> additive shares mod 2^m and 2^n (party 0 a PRG value, party 1
// the rest) -> mulMixed on 2 parties as threads over inproc -> reveal mod 2^l, l = min(m + n, 64)
// -> compared exactly with x·y mod 2^l, for widths from 1 to 64 and values at the edges (0, 1,
// 2^w − 1) and random; the shares wrap both ways. The bytes, rounds and COTs of m = n = 16 are
// the header's.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/mpc/ot/ot_kernels.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using sotto::testing::simulate;
using Words = std::vector<uint64_t>;

uint64_t low(uint64_t v, int bits) { return bits >= 64 ? v : v & ((uint64_t{1} << bits) - 1); }

// Shares mod 2^bits: party 0 a PRG value, party 1 the rest.
Words shareOf(const Words& v, int bits, int rank, uint8_t seed) {
  Prg prg(Prg::Seed{seed});
  Words r(v.size());
  prg.fill(r);
  for (size_t i = 0; i < v.size(); ++i) r[i] = low(rank == 1 ? v[i] - r[i] : r[i], bits);
  return r;
}

// Edge values of a width, then random ones.
Words values(size_t count, int bits, std::mt19937_64& gen) {
  Words v{0, 1, low(~uint64_t{0}, bits), low(uint64_t{1} << (bits - 1), bits)};
  while (v.size() < count) v.push_back(low(gen(), bits));
  v.resize(count);
  return v;
}

TEST(OtMixedMulTest, ProductModuloTwoToTheSumOfWidths) {
  const std::vector<std::pair<int, int>> widths{{1, 1},   {1, 64},  {4, 12},  {8, 8},  {13, 5},
                                                {16, 32}, {20, 44}, {40, 40}, {64, 8}, {64, 64}};
  std::mt19937_64 gen(5);  // test inputs only
  for (const auto& [m, n] : widths) {
    const size_t count = 200;
    const Words x = values(count, m, gen), y = values(count, n, gen);
    const auto out = simulate(2, [&](Communicator& comm) {
      OtKernels k(comm);
      return k.mulMixed(shareOf(x, m, k.rank(), 1), m, shareOf(y, n, k.rank(), 2), n);
    });
    const int l = std::min(m + n, 64);
    for (size_t i = 0; i < count; ++i) {
      ASSERT_EQ(low(out[0][i] + out[1][i], l), low(x[i] * y[i], l))
          << "m " << m << ", n " << n << ", x " << x[i] << ", y " << y[i];
      ASSERT_EQ(out[0][i], low(out[0][i], l)) << "share not reduced mod 2^" << l;
      ASSERT_EQ(out[1][i], low(out[1][i], l)) << "share not reduced mod 2^" << l;
    }
  }
}

TEST(OtMixedMulTest, SixteenBySixteenCostsWhatTheHeaderSays) {
  const size_t count = 1024;  // a multiple of 8: every bit message is whole bytes
  std::mt19937_64 gen(6);
  const Words x = values(count, 16, gen), y = values(count, 16, gen);
  struct Cost {
    uint64_t rounds = 0, sent = 0;
  };
  const auto out = simulate(2, [&](Communicator& comm) {
    OtKernels k(comm);
    const OtKernels::Cots cots = OtKernels::cotsForMulMixed(count, 16, 16);
    EXPECT_EQ(cots.from_party0, 56 * count);
    EXPECT_EQ(cots.from_party1, 24 * count);
    k.reserve(cots);
    const Words a = shareOf(x, 16, k.rank(), 3), b = shareOf(y, 16, k.rank(), 4);
    const CommCounters before = comm.stats().total;
    (void)k.mulMixed(a, 16, b, 16);
    const CommCounters after = comm.stats().total;
    return Cost{after.rounds - before.rounds, after.bytes_sent - before.bytes_sent};
  });
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(out[p].rounds, 8u) << "party " << p;
    // 97 and 73 B per element (the comparison of the wraps on the smaller tree of issue 16)
    EXPECT_EQ(out[p].sent, (p == 0 ? 97u : 73u) * count) << "party " << p;
    std::cout << "[ cost     ] mulMixed 16 x 16, party " << p << ": " << double(out[p].sent) / count
              << " B per element, " << out[p].rounds << " rounds\n";
  }
}

TEST(OtMixedMulTest, BadInputGivesClearErrors) {
  const auto out = simulate(2, [](Communicator& comm) {
    OtKernels k(comm);
    const Words a(3), b(4);
    return std::make_pair(testing::errorOf([&] { (void)k.mulMixed(a, 8, b, 8); }),
                          testing::errorOf([&] { (void)k.mulMixed(a, 0, a, 8); }));
  });
  EXPECT_NE(out[0].first.find("sizes 3 and 4"), std::string::npos) << out[0].first;
  EXPECT_NE(out[0].second.find("m = 0"), std::string::npos) << out[0].second;
}

}  // namespace
}  // namespace sotto
