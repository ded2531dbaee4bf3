// BinaryTensor, the A2B / B2A conversions and CrypTen's comparison baseline over the seeded dealer,
// 2 and 3 parties: plaintext -> share -> op -> reveal -> compare with a plaintext reference.
#include "sotto/mpc/binary_tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

#include "sotto/mpc/conversions.h"
#include "sotto/mpc/crypten_compare.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

// Test inputs only (never shares or masks): a fixed-seed generator keeps failures reproducible.
std::vector<uint64_t> randomWords(size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::vector<uint64_t> v(n);
  for (auto& w : v) w = gen();
  return v;
}

// Words whose sums stress the adder: 0, all ones, the sign boundary, long carry chains.
const std::vector<uint64_t> kEdgeWords = {
    0, ~uint64_t{0},       uint64_t{1} << 63,  (uint64_t{1} << 63) - 1, 1,
    2, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0x00000000ffffffff,      0xffffffff00000000};

class BinaryTensorTest : public PartiesDealersTest {};

TEST_P(BinaryTensorTest, ShareAndRevealFromEveryOwner) {
  const auto x = randomWords(37, 1);
  const RingTensor input(Shape{37}, x);
  for (int owner = 0; owner < parties(); ++owner) {
    auto out = run([&](Party& p) {
      return BinaryTensor::shareEncoded(p, owner, input, input.shape()).reveal();
    });
    for (const auto& o : out) EXPECT_EQ(o, input) << "owner " << owner;
  }
}

TEST_P(BinaryTensorTest, LocalGatesMatchPlaintext) {
  const int64_t n = 300;
  const RingTensor x(Shape{3, 100}, randomWords(n, 2));
  const RingTensor y(Shape{3, 100}, randomWords(n, 3));
  const RingTensor row(Shape{100}, randomWords(100, 4));
  const uint64_t mask = 0x0f0f00ff12345678;
  auto out = run([&](Party& p) {
    auto a = BinaryTensor::shareEncoded(p, 0, x, x.shape());
    auto b = BinaryTensor::shareEncoded(p, p.numParties() - 1, y, y.shape());
    std::vector<RingTensor> r;
    r.push_back((a ^ b).reveal());
    r.push_back((~a).reveal());
    r.push_back((a << 7).reveal());
    r.push_back((a >> 13).reveal());
    r.push_back(a.shiftLeft(63).reveal());
    r.push_back((a & mask).reveal());
    r.push_back((a ^ mask).reveal());
    r.push_back(a.andPublic(row).reveal());  // broadcast along the rows
    r.push_back(a.xorPublic(row).reveal());
    r.push_back(a.bit(0).reveal());
    r.push_back(a.bit(37).reveal());
    r.push_back(a.msb().reveal());
    r.push_back(BinaryTensor::fromPublic(p, y).reveal());
    r.push_back(a.reshape({-1}).reveal());
    return r;
  });
  const std::vector<RingTensor> expect = {
      x ^ y,
      ~x,
      x.shiftLeft(7),
      x.shiftRightLogical(13),
      x.shiftLeft(63),
      x & mask,
      x ^ mask,
      x & row,
      x ^ row,
      x & uint64_t{1},
      x.shiftRightLogical(37) & uint64_t{1},
      x.shiftRightLogical(63),
      y,
      x.reshape({-1}),
  };
  for (int party = 0; party < parties(); ++party) {
    ASSERT_EQ(out[party].size(), expect.size());
    for (size_t k = 0; k < expect.size(); ++k)
      EXPECT_EQ(out[party][k], expect[k]) << "operation " << k << ", party " << party;
  }
}

TEST_P(BinaryTensorTest, AndOrAndBatchedAndMatchPlaintext) {
  const RingTensor x(Shape{1000}, randomWords(1000, 5));
  const RingTensor y(Shape{1000}, randomWords(1000, 6));
  const RingTensor z(Shape{4, 5}, randomWords(20, 7));
  const RingTensor w(Shape{4, 5}, randomWords(20, 8));
  auto out = run([&](Party& p) {
    auto a = BinaryTensor::shareEncoded(p, 0, x, x.shape());
    auto b = BinaryTensor::shareEncoded(p, 1, y, y.shape());
    auto c = BinaryTensor::shareEncoded(p, 0, z, z.shape());
    auto d = BinaryTensor::shareEncoded(p, p.numParties() - 1, w, w.shape());
    const auto rounds = p.comm().stats().total.rounds;
    auto both = andTogether({a, c}, {b, d});
    const auto batched_rounds = p.comm().stats().total.rounds - rounds;
    return std::vector<RingTensor>{(a & b).reveal(), (a | b).reveal(),
                                   both[0].reveal(), both[1].reveal(),
                                   (a & a).reveal(), RingTensor::scalar(batched_rounds)};
  });
  EXPECT_EQ(out[0][0], x & y);
  EXPECT_EQ(out[0][1], x | y);
  EXPECT_EQ(out[0][2], x & y);
  EXPECT_EQ(out[0][3], z & w);
  EXPECT_EQ(out[0][4], x);
  EXPECT_EQ(out[0][5].item(), 1u) << "andTogether must take one round";
}

TEST_P(BinaryTensorTest, AdderIsExactOnCarryChains) {
  std::vector<uint64_t> xs, ys;
  for (uint64_t a : kEdgeWords) {
    for (uint64_t b : kEdgeWords) {
      xs.push_back(a);
      ys.push_back(b);
    }
  }
  const auto more_x = randomWords(500, 9), more_y = randomWords(500, 10);
  xs.insert(xs.end(), more_x.begin(), more_x.end());
  ys.insert(ys.end(), more_y.begin(), more_y.end());
  const auto n = static_cast<int64_t>(xs.size());
  const RingTensor x(Shape{n}, xs), y(Shape{n}, ys);
  auto out = run([&](Party& p) {
    auto a = BinaryTensor::shareEncoded(p, 0, x, x.shape());
    auto b = BinaryTensor::shareEncoded(p, p.numParties() - 1, y, y.shape());
    return addBinary(a, b).reveal();
  });
  EXPECT_EQ(out[0], x + y);
}

TEST_P(BinaryTensorTest, A2bMatchesPlaintextWords) {
  auto words = randomWords(2000, 11);
  words.insert(words.begin(), kEdgeWords.begin(), kEdgeWords.end());
  const auto n = static_cast<int64_t>(words.size());
  const RingTensor x(Shape{2, n / 2}, words);
  for (int owner = 0; owner < parties(); ++owner) {
    auto out = run([&](Party& p) {
      auto a = ArithTensor::shareEncoded(p, owner, x, x.shape(), 0);
      auto b = a2b(a);
      return std::make_pair(b.reveal(), b2a(b, 16).reveal());
    });
    EXPECT_EQ(out[0].first, x) << "owner " << owner;
    EXPECT_EQ(out[0].second, x) << "b2a(a2b(x)), owner " << owner;
  }
  // Rank-0 (scalar) tensors keep their shape.
  auto scalar = run([&](Party& p) {
    auto a = ArithTensor::shareEncoded(p, 0, RingTensor::scalar(uint64_t{1} << 63), Shape{}, 0);
    return a2b(a).reveal();
  });
  EXPECT_EQ(scalar[0], RingTensor::scalar(uint64_t{1} << 63));
}

TEST_P(BinaryTensorTest, B2aBitAndB2a) {
  const int64_t n = 1000;  // not a multiple of 64: the last packed word is partial
  auto bits = randomWords(n, 12);
  for (auto& b : bits) b &= 1;
  bits[0] = 0;
  bits[1] = 1;
  auto noisy = bits;  // bits above bit 0 must be ignored
  const auto noise = randomWords(n, 13);
  for (int64_t i = 0; i < n; ++i) noisy[i] |= noise[i] & ~uint64_t{1};
  const RingTensor b(Shape{n}, noisy);
  const RingTensor words(Shape{10, 100}, randomWords(n, 14));
  auto out = run([&](Party& p) {
    auto sb = BinaryTensor::shareEncoded(p, 0, b, b.shape());
    auto sw = BinaryTensor::shareEncoded(p, p.numParties() - 1, words, words.shape());
    const auto b0 = b2aBit(sb);
    const auto b16 = b2aBit(sb, kDefaultFracBits);
    const auto w = b2a(sw);
    EXPECT_EQ(b0.fracBits(), 0);
    EXPECT_EQ(b16.fracBits(), kDefaultFracBits);
    return std::vector<RingTensor>{b0.reveal(), b16.reveal(), w.reveal()};
  });
  const RingTensor plain(Shape{n}, bits);
  EXPECT_EQ(out[0][0], plain);
  EXPECT_EQ(out[0][1], plain.shiftLeft(kDefaultFracBits));
  EXPECT_EQ(out[0][2], words);
}

// Inputs of the comparison tests: U[-10, 10] plus the edge cases the baseline must get exactly.
struct ComparePair {
  std::vector<double> x, y;
};

ComparePair compareInputs() {
  ComparePair c;
  c.x = quantized(uniform(3000, -10, 10, 15));
  c.y = quantized(uniform(3000, -10, 10, 16));
  const std::vector<std::pair<double, double>> edges = {
      {0.0, 0.0},
      {1.5, 1.5},
      {-7.25, -7.25},  // x == y
      {kUlp, 0.0},
      {0.0, kUlp},
      {-kUlp, 0.0},  // one ULP apart
      {0.0, -kUlp},
      {3.0, 3.0 + kUlp},
      {3.0 + kUlp, 3.0},
      {-5.0, -5.0 + kUlp},
      {-5.0 + kUlp, -5.0},
      {-kUlp, -2 * kUlp},
      {-2 * kUlp, -kUlp},  // tiny negatives
      {30000.0, -30000.0},
      {-30000.0, 30000.0},
      {30000.0, 30000.0 - kUlp},
      {-30000.0, -30000.0},
      {-30000.0, -30000.0 + kUlp},
  };
  for (size_t i = 0; i < edges.size(); ++i) {
    c.x[i] = edges[i].first;
    c.y[i] = edges[i].second;
  }
  return c;
}

TEST_P(BinaryTensorTest, CryptenLtzLtReluAreExact) {
  const auto in = compareInputs();
  const auto n = static_cast<int64_t>(in.x.size());
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, in.x, Shape{n});
    auto b = ArithTensor::share(p, p.numParties() - 1, in.y, Shape{n});
    return std::vector<std::vector<double>>{crypten_style::ltz(a).revealDoubles(),
                                            crypten_style::lt(a, b).revealDoubles(),
                                            crypten_style::relu(a).revealDoubles()};
  });
  std::vector<double> ltz(n), lt(n), relu(n);
  for (int64_t i = 0; i < n; ++i) {
    ltz[i] = in.x[i] < 0 ? 1.0 : 0.0;
    lt[i] = in.x[i] < in.y[i] ? 1.0 : 0.0;
    relu[i] = std::max(in.x[i], 0.0);
  }
  EXPECT_EQ(out[0][0], ltz);
  EXPECT_EQ(out[0][1], lt);
  EXPECT_LE(maxAbsDiff(out[0][2], relu), kUlp) << "relu within 1 ULP after its truncation";
}

TEST_P(BinaryTensorTest, CryptenLtzAtAnotherScale) {
  const std::vector<double> x = {-3.0, 0.0, 2.5, -0.125, 1e6};
  auto out = run(
      [&](Party& p) {
        auto a = ArithTensor::share(p, 1, x, Shape{5});
        auto r = crypten_style::ltz(a);
        EXPECT_EQ(r.fracBits(), 8);
        return r.reveal();
      },
      PartyOptions{8, Truncation::kDealer});
  EXPECT_EQ(out[0], RingTensor(Shape{5}, {256, 0, 0, 256, 0}));
}

TEST_P(BinaryTensorTest, RoundsAndBytesMatchTheDocumentation) {
  const int64_t n = 4096;  // the costs are linear in n (bit-packed words: n a multiple of 64)
  const auto x = quantized(uniform(n, -10, 10, 17));
  struct Cost {
    uint64_t rounds = 0, sent = 0;
  };
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    std::vector<Cost> costs;
    auto measure = [&](auto&& fn) {
      const CommCounters before = p.comm().stats().total;
      fn();
      const CommCounters after = p.comm().stats().total;
      costs.push_back({after.rounds - before.rounds, after.bytes_sent - before.bytes_sent});
    };
    measure([&] { (void)a2b(a); });
    measure([&] { (void)crypten_style::ltz(a); });
    measure([&] { (void)crypten_style::relu(a); });
    return costs;
  });
  const auto np = static_cast<uint64_t>(parties());
  const uint64_t levels = parties() == 2 ? 1 : 2;  // ceil(log2 N) for N = 2, 3
  const uint64_t b2a_sent = (np - 1) * 8 * ((n + 63) / 64);
  // Every level of the tree: 24n opened words per addition; additions: N - 1 in all.
  const uint64_t a2b_sent = (np - 1) * (np - 1) * 192 * n;
  const std::vector<Cost> expect = {
      {7 * levels, a2b_sent},
      {7 * levels + 1, a2b_sent + b2a_sent},
      {7 * levels + 3, a2b_sent + b2a_sent + (np - 1) * 24 * n},  // + mul (16n) + truncation (8n)
  };
  const char* names[] = {"a2b", "ltz", "relu"};
  for (size_t k = 0; k < expect.size(); ++k) {
    for (int party = 0; party < parties(); ++party) {
      EXPECT_EQ(out[party][k].rounds, expect[k].rounds) << names[k] << ", party " << party;
      EXPECT_EQ(out[party][k].sent, expect[k].sent) << names[k] << ", party " << party;
    }
    std::cout << "[ cost     ] " << parties() << " parties, n = " << n << ": " << names[k] << " "
              << out[0][k].rounds << " rounds, " << out[0][k].sent << " bytes sent per party\n";
  }
}

TEST_P(BinaryTensorTest, ZeroSizeTensors) {
  auto out = run([&](Party& p) {
    const Shape empty{0, 3};
    auto a = ArithTensor::share(p, 0, std::vector<double>{}, empty);
    auto b = BinaryTensor::shareEncoded(p, 0, RingTensor(empty), empty);
    std::vector<int64_t> sizes = {
        (b & b).reveal().numel(),
        a2b(a).reveal().numel(),
        b2aBit(b).reveal().numel(),
        b2a(b).reveal().numel(),
        crypten_style::ltz(a).reveal().numel(),
        crypten_style::lt(a, a).reveal().numel(),
        crypten_style::relu(a).reveal().numel(),
    };
    EXPECT_EQ(a2b(a).shape(), empty);
    return sizes;
  });
  for (int64_t s : out[0]) EXPECT_EQ(s, 0);
}

TEST_P(BinaryTensorTest, BadInputIsAClearErrorOnEveryParty) {
  auto expectInvalid = [&](auto&& fn) { EXPECT_THROW(run(fn), InvalidArgument); };
  auto words = [](Party& p, int64_t n) {
    return BinaryTensor::fromPublic(p, RingTensor(Shape{n}));
  };
  expectInvalid([&](Party& p) { return (words(p, 3) ^ words(p, 4)).numel(); });
  expectInvalid([&](Party& p) { return (words(p, 3) & words(p, 4)).numel(); });
  expectInvalid([&](Party& p) { return (words(p, 3) | words(p, 4)).numel(); });
  expectInvalid([&](Party& p) { return andTogether({words(p, 3)}, {}).size(); });
  expectInvalid([&](Party& p) { return addBinary(words(p, 3), words(p, 2)).numel(); });
  expectInvalid([&](Party& p) { return words(p, 3).bit(64).numel(); });
  expectInvalid([&](Party& p) { return words(p, 3).xorPublic(RingTensor(Shape{2})).numel(); });
  expectInvalid([&](Party& p) { return b2aBit(words(p, 3), 63).numel(); });
  expectInvalid([&](Party& p) {
    return BinaryTensor::shareEncoded(p, parties(), RingTensor(Shape{2}), Shape{2}).numel();
  });
  expectInvalid([&](Party& p) {
    auto a = ArithTensor::share(p, 0, std::vector<double>(6, 1), Shape{6});
    auto b = ArithTensor::share(p, 0, std::vector<double>(3, 1), Shape{3});
    return crypten_style::lt(a, b).numel();
  });
  expectInvalid([&](Party& p) {
    // Broadcastable shapes are still a mismatch for a comparison.
    auto a = ArithTensor::share(p, 0, std::vector<double>(6, 1), Shape{2, 3});
    auto b = ArithTensor::share(p, 0, std::vector<double>(3, 1), Shape{3});
    return crypten_style::lt(a, b).numel();
  });
  expectInvalid([&](Party& p) {
    // The same communicator and dealer wrapped by a second Party: a different context.
    Party other(p.comm(), p.dealer());
    auto a = BinaryTensor::fromPublic(p, RingTensor(Shape{2}));
    auto b = BinaryTensor::fromPublic(other, RingTensor(Shape{2}));
    return (a ^ b).numel();
  });
  expectInvalid([&](Party& p) {
    ArithTensor a(p, RingTensor(Shape{2}), 0);
    return crypten_style::relu(a).numel();
  });
}

TEST_P(BinaryTensorTest, ReceivedSharesLookUniformWhateverTheSecret) {
  // Party 1's share is all it sees: its top byte must be uniform for the secret 0 and for all ones
  // (chi-square over 256 bins, 2^16 samples; 255 dof, 400 is ~p < 1e-7).
  for (uint64_t secret : {uint64_t{0}, ~uint64_t{0}}) {
    const RingTensor input = RingTensor::full(Shape{1 << 16}, secret);
    auto out = run(
        [&](Party& p) { return BinaryTensor::shareEncoded(p, 0, input, input.shape()).share(); });
    std::vector<int> bins(256);
    for (uint64_t w : out[1].data()) bins[w >> 56]++;
    double chi = 0;
    for (int c : bins) chi += (c - 256.0) * (c - 256.0) / 256.0;
    EXPECT_LT(chi, 400.0) << "secret " << secret;
  }
}

SOTTO_PARTIES_AND_DEALERS(BinaryTensorTest);

}  // namespace
}  // namespace sotto::testing
