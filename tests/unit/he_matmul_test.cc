// HeMatmul (sotto/mpc/ot/he_matmul.h): shares -> Cheetah's coefficient-encoded product on 2
// threads over inproc -> reveal -> exact comparison with the plaintext product mod 2^64, on
// full-range random values; bytes and rounds as the header states; and party 1's view: the
// decrypted coefficients it does not read (which, unmasked, would carry partial sums of the
// weights) are uniform.
#include "sotto/mpc/ot/he_matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "testing/bit_balance.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

std::vector<uint64_t> randomWords(size_t count, std::mt19937_64& rng) {
  std::vector<uint64_t> v(count);
  for (uint64_t& x : v) x = rng();
  return v;
}

std::vector<uint64_t> plainProduct(const std::vector<uint64_t>& x, const std::vector<uint64_t>& w,
                                   size_t m, size_t k, size_t n) {
  std::vector<uint64_t> y(m * n, 0);
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < k; ++j)
      for (size_t i = 0; i < n; ++i) y[r * n + i] += x[r * k + j] * w[j * n + i];
  return y;
}

struct PartyRun {
  std::vector<uint64_t> share;
  CommCounters setup, call;
  HeMatmulBlocks blocks;
  size_t up = 0, down = 0, returned = 0;
  std::vector<std::vector<uint64_t>> decryptions;
  std::vector<double> budgets;
};

// One setup and one multiply per party; the counters of each phase.
std::vector<PartyRun> runProduct(const std::vector<uint64_t>& x, const std::vector<uint64_t>& w,
                                 size_t m, size_t k, size_t n, uint64_t seed, bool trim = true) {
  std::mt19937_64 rng(seed);
  const std::vector<uint64_t> x1 = randomWords(m * k, rng);
  std::vector<uint64_t> x0(m * k);
  for (size_t i = 0; i < x.size(); ++i) x0[i] = x[i] - x1[i];
  return testing::simulate(2, [&](Communicator& comm) {
    PartyRun run;
    HeMatmul mm(comm, trim);
    mm.keepView(true);
    run.setup = comm.stats().total;
    comm.resetStats();
    const bool owner = comm.rank() == 0;
    run.share =
        mm.multiply(owner ? x0 : x1,
                    owner ? std::span<const uint64_t>(w) : std::span<const uint64_t>(), m, k, n);
    run.call = comm.stats().total;
    run.blocks = mm.blocks(m, k, n);
    run.up = mm.uploadCiphertextBytes();
    run.down = mm.downloadCiphertextBytes();
    const HeMatmulBlocks& b = run.blocks;
    for (size_t mb = 0; mb < b.m_blocks; ++mb)
      for (size_t nb = 0; nb < b.n_blocks; ++nb)
        run.returned += mm.returnedCiphertextBytes((std::min(m, (mb + 1) * b.m_w) - mb * b.m_w) *
                                                   (std::min(n, (nb + 1) * b.n_w) - nb * b.n_w));
    run.decryptions = mm.lastDecryptions();
    run.budgets = mm.lastNoiseBudgets();
    return run;
  });
}

struct Shape {
  size_t m, k, n;
};

class HeMatmulShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(HeMatmulShapes, ExactProductModRing) {
  const auto [m, k, n] = GetParam();
  std::mt19937_64 rng(1000 * m + 10 * k + n);
  const std::vector<uint64_t> x = randomWords(m * k, rng), w = randomWords(k * n, rng);
  const std::vector<PartyRun> runs = runProduct(x, w, m, k, n, rng());
  const std::vector<uint64_t> want = plainProduct(x, w, m, k, n);
  ASSERT_EQ(runs[0].share.size(), m * n);
  ASSERT_EQ(runs[1].share.size(), m * n);
  size_t wrong = 0;
  for (size_t i = 0; i < m * n; ++i) wrong += (runs[0].share[i] + runs[1].share[i]) != want[i];
  EXPECT_EQ(wrong, 0u) << "of " << m * n;

  // Bytes and rounds as the header states: setup the ring options (4 B each way) and one seeded
  // ciphertext 1 -> 0; the call one message each way.
  const HeMatmulBlocks& b = runs[0].blocks;
  EXPECT_LE(b.m_w * b.k_w * b.n_w, 8192u);
  EXPECT_EQ(runs[0].up, 217113u);
  EXPECT_EQ(runs[0].down, 100352u);  // trimmed: c1 in full, c0 at the m·n read coefficients
  // c1: 2·N·49 bits; c0: 98 bits per output; at most one byte of padding per ciphertext.
  const size_t trimmed = b.outputCiphertexts() * 100352u + (m * n * 98) / 8;
  EXPECT_GE(runs[0].returned, trimmed);
  EXPECT_LE(runs[0].returned, trimmed + b.outputCiphertexts());
  EXPECT_EQ(runs[1].setup.bytes_sent, 4u + 217113u);
  EXPECT_EQ(runs[0].setup.bytes_received, 4u + 217113u);
  EXPECT_EQ(runs[0].setup.bytes_sent, 4u);
  EXPECT_EQ(runs[1].call.bytes_sent, b.inputCiphertexts() * runs[0].up);
  EXPECT_EQ(runs[0].call.bytes_sent, runs[0].returned);
  for (const PartyRun& r : runs) {
    EXPECT_EQ(r.call.messages_sent, 1u);
    EXPECT_EQ(r.call.messages_received, 1u);
    EXPECT_EQ(r.call.rounds, 2u);
  }
}

// LeNet5-like FC, a small batch, shapes that need several input or output ciphertexts, k prime.
INSTANTIATE_TEST_SUITE_P(Shapes, HeMatmulShapes,
                         ::testing::Values(Shape{1, 784, 10}, Shape{4, 100, 30}, Shape{1, 400, 120},
                                           Shape{3, 9001, 2}, Shape{2, 97, 131}, Shape{1, 1, 1},
                                           Shape{64, 120, 84}));

// Party 0 keeps the weight polynomials of the last call: calls with (W1, 3x20x5), W1 again, W2,
// W1 at another shape (2x20x5) and W3 of another shape (3x5x20) are exact every time.
TEST(HeMatmul, RepeatedCallsReuseOrRebuildTheWeightPolynomials) {
  std::mt19937_64 rng(31);
  struct Call {
    size_t m, k, n;
    int weights;
  };
  const std::vector<Call> calls = {
      {3, 20, 5, 1}, {3, 20, 5, 1}, {3, 20, 5, 2}, {2, 20, 5, 1}, {3, 5, 20, 3}};
  const std::vector<std::vector<uint64_t>> ws = {
      {}, randomWords(100, rng), randomWords(100, rng), randomWords(100, rng)};
  std::vector<std::vector<uint64_t>> x0s, x1s, wants;
  for (const Call& c : calls) {
    const std::vector<uint64_t> x = randomWords(c.m * c.k, rng), x1 = randomWords(c.m * c.k, rng);
    std::vector<uint64_t> x0(x.size()), want(c.m * c.n, 0);
    for (size_t i = 0; i < x.size(); ++i) x0[i] = x[i] - x1[i];
    const std::vector<uint64_t>& w = ws[static_cast<size_t>(c.weights)];
    for (size_t r = 0; r < c.m; ++r)
      for (size_t j = 0; j < c.k; ++j)
        for (size_t i = 0; i < c.n; ++i) want[r * c.n + i] += x[r * c.k + j] * w[j * c.n + i];
    x0s.push_back(x0), x1s.push_back(x1), wants.push_back(want);
  }
  const auto got = testing::simulate(2, [&](Communicator& comm) {
    HeMatmul mm(comm);
    const bool owner = comm.rank() == 0;
    std::vector<std::vector<uint64_t>> out;
    for (size_t t = 0; t < calls.size(); ++t) {
      const Call& c = calls[t];
      const std::vector<uint64_t>& w = ws[static_cast<size_t>(c.weights)];
      out.push_back(mm.multiply(owner ? x0s[t] : x1s[t],
                                owner ? std::span<const uint64_t>(w) : std::span<const uint64_t>(),
                                c.m, c.k, c.n));
    }
    return out;
  });
  for (size_t t = 0; t < calls.size(); ++t) {
    size_t wrong = 0;
    for (size_t i = 0; i < wants[t].size(); ++i)
      wrong += got[0][t][i] + got[1][t][i] != wants[t][i];
    EXPECT_EQ(wrong, 0u) << "call " << t;
  }
}

// prepare encodes W for a shape without a message; the multiply of that shape after it encodes
// nothing more and is exact. Weights of the wrong size or a 0 dimension are refused.
TEST(HeMatmul, PrepareEncodesTheWeightsBeforeTheFirstMultiply) {
  std::mt19937_64 rng(43);
  const size_t m = 3, k = 300, n = 40;
  const std::vector<uint64_t> x = randomWords(m * k, rng), x1 = randomWords(m * k, rng),
                              w = randomWords(k * n, rng);
  std::vector<uint64_t> x0(x.size()), want(m * n, 0);
  for (size_t i = 0; i < x.size(); ++i) x0[i] = x[i] - x1[i];
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < k; ++j)
      for (size_t i = 0; i < n; ++i) want[r * n + i] += x[r * k + j] * w[j * n + i];
  struct Run {
    std::vector<uint64_t> share;
    uint64_t prepared = 0, after = 0, prepare_messages = 0, polys = 0;
  };
  const auto got = testing::simulate(2, [&](Communicator& comm) {
    HeMatmul mm(comm);
    const bool owner = comm.rank() == 0;
    const std::span<const uint64_t> wv =
        owner ? std::span<const uint64_t>(w) : std::span<const uint64_t>();
    Run run;
    comm.resetStats();
    mm.prepare(wv, m, k, n);
    run.prepared = mm.weightEncodings();
    run.prepare_messages = comm.stats().total.messages_sent + comm.stats().total.messages_received;
    run.share = mm.multiply(owner ? x0 : x1, wv, m, k, n);
    run.after = mm.weightEncodings();
    const HeMatmulBlocks b = mm.blocks(m, k, n);
    run.polys = b.k_blocks * b.n_blocks;
    return run;
  });
  size_t wrong = 0;
  for (size_t i = 0; i < want.size(); ++i) wrong += got[0].share[i] + got[1].share[i] != want[i];
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(got[0].prepared, got[0].polys);
  EXPECT_EQ(got[0].after, got[0].prepared);  // the multiply encoded nothing
  EXPECT_EQ(got[1].after, 0u);
  for (const Run& r : got) EXPECT_EQ(r.prepare_messages, 0u);
  for (const auto& [size, rows] : {std::pair<size_t, size_t>{k * n - 1, m}, {k * n, 0}}) {
    EXPECT_THROW(testing::simulate(2,
                                   [&](Communicator& comm) {
                                     HeMatmul mm(comm);
                                     const std::vector<uint64_t> bad(size, 1);
                                     mm.prepare(bad, rows, k, n);
                                     return 0;
                                   }),
                 InvalidArgument);
  }
}

TEST(HeMatmul, ChoosesBlocksThatFit) {
  for (auto [m, k, n] : {Shape{1, 784, 10}, Shape{64, 400, 120}, Shape{7, 13, 8193}}) {
    const HeMatmulBlocks b = chooseHeMatmulBlocks(m, k, n, 8192, 217113, 200713);
    EXPECT_LE(b.m_w * b.k_w * b.n_w, 8192u);
    EXPECT_EQ(b.m_blocks, (m + b.m_w - 1) / b.m_w);
    EXPECT_EQ(b.k_blocks, (k + b.k_w - 1) / b.k_w);
    EXPECT_EQ(b.n_blocks, (n + b.n_w - 1) / b.n_w);
  }
  EXPECT_THROW(chooseHeMatmulBlocks(0, 1, 1, 8192, 1, 1), InvalidArgument);
}

// Party 1 decrypts whole polynomials; the coefficients it does not read hold, before the mask,
// partial sums of X1 and W. They must be uniform mod 2^64 whatever the weights: each bit balanced
// (binomial z-test at 6 sigma over all unread coefficients) for two very different weight sets on
// the same input, a constant one (an unmasked product would then be far from uniform: the test
// fails with the mask removed) and a full-range random one.
TEST(HeMatmul, UnreadCoefficientsLookUniform) {
  const size_t m = 1, k = 60, n = 100;
  const std::vector<uint64_t> x(m * k, 3);
  std::mt19937_64 rng(5);
  for (const std::vector<uint64_t>& w :
       {std::vector<uint64_t>(k * n, 5), randomWords(k * n, rng)}) {
    const std::vector<PartyRun> runs = runProduct(x, w, m, k, n, 7, /*trim=*/false);
    EXPECT_EQ(runs[0].down, 200713u);
    const HeMatmulBlocks& b = runs[1].blocks;
    ASSERT_EQ(runs[1].decryptions.size(), b.outputCiphertexts());
    std::vector<bool> read(8192, false);
    for (size_t r = 0; r < b.m_w; ++r)
      for (size_t i = 0; i < b.n_w; ++i) read[r * b.k_w * b.n_w + i * b.k_w + b.k_w - 1] = true;
    std::vector<uint64_t> unread;
    for (const auto& dec : runs[1].decryptions) {
      ASSERT_EQ(dec.size(), 8192u);
      for (size_t c = 0; c < dec.size(); ++c)
        if (!read[c]) unread.push_back(dec[c]);
    }
    ASSERT_GT(unread.size(), 8000u);
    EXPECT_LT(testing::worstBitZ(unread), 6.0) << "weights " << w[0];
  }
}

// The flooding is there and of the stated width: with one k-block the product noise is below
// B = N·2^63·21.5 + η·(2N + 1) + 1 ≈ 2^80.4 and the flooding uniform on [−2^f, 2^f), f = 134, so
// the invariant noise t·2^f/Q ≈ 2^−14 dominates (budget ≈ 13 bits); without flooding the
// modulus-switching rounding (worst case t·(N + 1)/Q_L ≈ 2^−21) leaves ≈ 26.5 bits (measured with
// the flooding removed: this test then fails). Several k-blocks add
// ⌈log2 k_blocks⌉ bits of flooding; the budget never falls below the 1 bit the header's 1/4 keeps.
TEST(HeMatmul, ReturnedNoiseIsFlooded) {
  for (auto [m, k, n] : {Shape{1, 60, 100}, Shape{3, 9001, 2}}) {
    std::mt19937_64 rng(k);
    const std::vector<uint64_t> x = randomWords(m * k, rng), w = randomWords(k * n, rng);
    const std::vector<PartyRun> runs = runProduct(x, w, m, k, n, 11, /*trim=*/false);
    const HeMatmulBlocks& b = runs[1].blocks;
    ASSERT_EQ(runs[1].budgets.size(), b.outputCiphertexts());
    const double lg = std::ceil(std::log2(static_cast<double>(b.k_blocks)));
    for (double budget : runs[1].budgets) {
      EXPECT_GE(budget, 1.0);
      EXPECT_LE(budget, 14.0 - lg) << "k_blocks " << b.k_blocks;
      EXPECT_GE(budget, 11.0 - lg) << "k_blocks " << b.k_blocks;
    }
  }
}

// A public key that does not deserialise is a ProtocolError naming the peer.
TEST(HeMatmul, RejectsAMalformedKeyNamingThePeer) {
  try {
    testing::simulate(2, [&](Communicator& comm) {
      if (comm.rank() == 0) {
        HeMatmul mm(comm);
      } else {
        // The right ring options ('R', ℓ = 64, b = 63, set kN8192), then junk for the key.
        const std::array<std::byte, 4> ring{std::byte{'R'}, std::byte{64}, std::byte{63},
                                            std::byte{2}};
        std::array<std::byte, 4> peer{};
        comm.exchange(0, ring, peer);
        std::vector<std::byte> junk(217113, std::byte{0x5a});
        comm.send(0, junk);
      }
      return 0;
    });
    FAIL() << "no exception";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("public key from party 1"), std::string::npos) << e.what();
  }
}

// So is an input ciphertext that does not deserialise.
TEST(HeMatmul, RejectsAMalformedInputNamingThePeer) {
  try {
    testing::simulate(2, [&](Communicator& comm) {
      HeMatmul mm(comm);
      const std::vector<uint64_t> x(1, 1), w(1, 1);
      if (comm.rank() == 0) {
        mm.multiply(x, w, 1, 1, 1);
      } else {
        std::vector<std::byte> junk(mm.uploadCiphertextBytes(), std::byte{0x5a});
        comm.send(0, junk);
      }
      return 0;
    });
    FAIL() << "no exception";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("input ciphertext from party 1"), std::string::npos)
        << e.what();
  }
}

TEST(HeMatmul, RejectsWrongSizes) {
  EXPECT_THROW(testing::simulate(2,
                                 [&](Communicator& comm) {
                                   HeMatmul mm(comm);
                                   std::vector<uint64_t> x(5), w(6);
                                   return mm.multiply(x, w, 2, 3, 2);
                                 }),
               InvalidArgument);
}

}  // namespace
}  // namespace sotto
