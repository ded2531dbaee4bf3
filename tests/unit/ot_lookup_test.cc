// SiRnn's lookup on OT (OtKernels::lookup, sotto/mpc/ot/ot_kernels.h): index -> additive shares
// over Z_2^64 (party 0 a PRG word, party 1 the rest) -> lookup on 2 parties as threads over
// inproc -> reveal (the sum) -> compared exactly, modulo 2^out_bits, with T[x mod 2^k] in
// plaintext, for k = 1 to 12, 1 to 5 columns and out_bits = 1 to 64. The bytes each party sends,
// its rounds and the COTs are those the header states (after reserve(cotsFor(kLookup)) the call
// sends nothing for the OT extension); bad input gives clear errors.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/mpc/ot/ot_kernels.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using sotto::testing::simulate;
using Words = std::vector<uint64_t>;

// Additive shares: party 0 gets a PRG word, party 1 the rest.
Words shareOf(const Words& v, int rank) {
  Prg prg(Prg::Seed{9});
  Words r(v.size());
  prg.fill(r);
  if (rank == 1) {
    for (size_t i = 0; i < v.size(); ++i) r[i] = v[i] - r[i];
  }
  return r;
}

Words randomWords(size_t n, std::mt19937_64& gen) {
  Words v(n);
  for (auto& x : v) x = gen();
  return v;
}

TEST(OtLookupTest, EveryElementGetsItsRowModuloOutBits) {
  struct Case {
    int k, columns, out_bits;
    size_t n;
  };
  const std::vector<Case> cases{{1, 1, 64, 100}, {2, 5, 1, 33},  {4, 1, 16, 300},
                                {4, 3, 64, 64},  {8, 2, 37, 50}, {12, 1, 13, 4}};
  std::mt19937_64 gen(3);  // test inputs only
  for (const Case& c : cases) {
    const size_t cols = static_cast<size_t>(c.columns);
    const Words table = randomWords(cols << c.k, gen);
    Words x = randomWords(c.n, gen);
    x[0] = 0;
    x[1] = ~uint64_t{0};  // −1: row 2^k − 1
    const auto out = simulate(2, [&](Communicator& comm) {
      OtKernels k(comm);
      return k.lookup(shareOf(x, k.rank()), c.k, c.columns, table, c.out_bits);
    });
    const uint64_t mask = c.out_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << c.out_bits) - 1;
    ASSERT_EQ(out[0].size(), c.n * cols);
    for (size_t i = 0; i < c.n; ++i) {
      const uint64_t row = x[i] & ((uint64_t{1} << c.k) - 1);
      for (size_t col = 0; col < cols; ++col) {
        const size_t e = i * cols + col;
        ASSERT_EQ((out[0][e] + out[1][e]) & mask, table[row * cols + col] & mask)
            << "k " << c.k << ", out_bits " << c.out_bits << ", element " << i << ", column "
            << col;
        ASSERT_EQ(out[0][e] & ~mask, 0u) << "party 0's share is not reduced mod 2^out_bits";
        ASSERT_EQ(out[1][e] & ~mask, 0u) << "party 1's share is not reduced mod 2^out_bits";
      }
    }
  }
}

TEST(OtLookupTest, RoundsBytesAndCotsMatchTheDocumentation) {
  // n a multiple of 8: every message is whole bytes. Per element: party 0 sends 2^k·c·ℓ bits,
  // party 1 k bits; 2 blocking calls each; k COTs from party 0's direction.
  const size_t n = 1024;
  struct Case {
    int k, columns, out_bits;
  };
  const std::vector<Case> cases{{4, 1, 64}, {4, 3, 16}, {8, 1, 64}, {8, 2, 13}};
  std::mt19937_64 gen(4);  // test inputs only
  const Words x = randomWords(n, gen);
  std::vector<Words> tables;
  for (const Case& c : cases) tables.push_back(randomWords(size_t(c.columns) << c.k, gen));
  struct Cost {
    uint64_t rounds = 0, sent = 0;
  };
  const auto out = simulate(2, [&](Communicator& comm) {
    OtKernels k(comm);
    std::vector<Cost> costs;
    const Words mine = shareOf(x, k.rank());
    for (size_t t = 0; t < cases.size(); ++t) {
      const OtKernels::Cots cots = OtKernels::cotsFor(OtKernels::Kernel::kLookup, n, cases[t].k);
      EXPECT_EQ(cots.from_party0, n * size_t(cases[t].k));
      EXPECT_EQ(cots.from_party1, 0u);
      k.reserve(cots);
      const CommCounters before = comm.stats().total;
      (void)k.lookup(mine, cases[t].k, cases[t].columns, tables[t], cases[t].out_bits);
      const CommCounters after = comm.stats().total;
      costs.push_back({after.rounds - before.rounds, after.bytes_sent - before.bytes_sent});
    }
    return costs;
  });
  for (size_t t = 0; t < cases.size(); ++t) {
    const Case& c = cases[t];
    const uint64_t sent0 = (n << c.k) * uint64_t(c.columns) * uint64_t(c.out_bits) / 8;
    const uint64_t sent1 = n * uint64_t(c.k) / 8;
    for (int p = 0; p < 2; ++p) {
      EXPECT_EQ(out[p][t].rounds, 2u) << "k " << c.k << ", party " << p;
      EXPECT_EQ(out[p][t].sent, p == 0 ? sent0 : sent1) << "k " << c.k << ", party " << p;
    }
    std::cout << "[ cost     ] lookup k = " << c.k << ", " << c.columns << " columns of "
              << c.out_bits << " bits, n = " << n << ": bytes sent per element: party 0 "
              << double(out[0][t].sent) / n << ", party 1 " << double(out[1][t].sent) / n << "\n";
  }
}

TEST(OtLookupTest, BadInputGivesClearErrors) {
  const auto out = simulate(2, [](Communicator& comm) {
    OtKernels k(comm);
    const Words x(3), t16(16), t4(4);
    return std::make_tuple(testing::errorOf([&] { (void)k.lookup(x, 4, 2, t16); }),
                           testing::errorOf([&] { (void)k.lookup(x, 17, 1, t16); }),
                           testing::errorOf([&] { (void)k.lookup(x, 2, 1, t4, 65); }),
                           testing::errorOf([&] { (void)k.lookup(x, 2, 0, t4); }));
  });
  for (int p = 0; p < 2; ++p) {
    EXPECT_NE(std::get<0>(out[p]).find("16 words is not 2^4 rows of 2 columns"), std::string::npos)
        << std::get<0>(out[p]);
    EXPECT_NE(std::get<1>(out[p]).find("index bits 17"), std::string::npos) << std::get<1>(out[p]);
    EXPECT_NE(std::get<2>(out[p]).find("out_bits = 65"), std::string::npos) << std::get<2>(out[p]);
    EXPECT_NE(std::get<3>(out[p]).find("columns must be >= 1"), std::string::npos)
        << std::get<3>(out[p]);
  }
}

}  // namespace
}  // namespace sotto
