// The OT front end (session.h): for each kind the sender's and the receiver's outputs are checked
// against each other exactly (random COT: t_i == q_i ^ b_i·Δ; random OT: m_{b_i}; chosen OT: x_c;
// 1-of-N: the chosen entry; additive COT: s_i + y_i == c_i·x_i mod 2^ℓ), with party 0 as sender
// and as receiver, for batch sizes 1, non-multiples of 128 and beyond one refill; the traffic is
// what the header says; both directions and several sessions on one communicator; the secure
// channel; bad input and a peer that stops give clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <thread>
#include <tuple>

#include "bit_pack.h"
#include "sotto/comm/secure_channel.h"
#include "sotto/ot/session.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;
using ::testing::HasSubstr;

// Runs fs(OtSender&) on party `sender` and fr(OtReceiver&) on the other; returns both results.
template <typename FS, typename FR>
auto runOt(int sender, FS&& fs, FR&& fr, OtOptions options = {}) {
  using RS = std::invoke_result_t<FS&, OtSender&>;
  using RR = std::invoke_result_t<FR&, OtReceiver&>;
  std::optional<RS> rs;
  std::optional<RR> rr;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == sender) {
      OtSender s(comm, options);
      rs.emplace(fs(s));
    } else {
      OtReceiver r(comm, options);
      rr.emplace(fr(r));
    }
    return 0;
  });
  return std::make_pair(std::move(*rs), std::move(*rr));
}

std::vector<uint64_t> randomWords(size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = gen();
  return v;
}

std::vector<uint8_t> randomBelow(size_t n, unsigned bound, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(gen() % bound);
  return v;
}

uint64_t low(uint64_t x, int bits) { return detail::lowBits(x, bits); }

// Sizes per call: 1, below and above 128, past a small batch's refill.
const std::vector<size_t> kSizes{1, 100, 128, 1000, 5003};

class OtSessionTest : public ::testing::TestWithParam<int> {
 protected:
  int sender() const { return GetParam(); }
  // A small batch so that the sizes above need several refills.
  static OtOptions smallBatch() {
    OtOptions o;
    o.batch = 1024;
    return o;
  }
};

TEST_P(OtSessionTest, RandomCotHoldsTheCorrelation) {
  auto [s, r] = runOt(
      sender(),
      [](OtSender& ot) {
        std::vector<std::vector<Block>> q;
        for (size_t n : kSizes) q.push_back(ot.randomCot(n));
        return std::make_pair(ot.delta(), q);
      },
      [](OtReceiver& ot) {
        std::vector<ChoiceBlocks> t;
        for (size_t n : kSizes) t.push_back(ot.randomCot(n));
        return t;
      },
      smallBatch());
  const Block delta = s.first;
  EXPECT_TRUE(delta.bit(0));
  size_t ones = 0, total = 0;
  for (size_t k = 0; k < kSizes.size(); ++k) {
    ASSERT_EQ(s.second[k].size(), kSizes[k]);
    ASSERT_EQ(r[k].blocks.size(), kSizes[k]);
    ASSERT_EQ(r[k].choices.size(), kSizes[k]);
    for (size_t i = 0; i < kSizes[k]; ++i) {
      ASSERT_LE(r[k].choices[i], 1);
      ASSERT_EQ(r[k].blocks[i], s.second[k][i] ^ (r[k].choices[i] ? delta : Block{}))
          << "call " << k << ", COT " << i;
      ones += r[k].choices[i];
      ++total;
    }
  }
  // the random choices are balanced: |ones − n/2| within 6 sigma
  EXPECT_NEAR(static_cast<double>(ones), total / 2.0, 6 * std::sqrt(total / 4.0));
}

TEST_P(OtSessionTest, AMillionRandomCotsIntoReusedBuffers) {
  // twice into the same buffers (the span overloads), after a small call that leaves COTs buffered
  const size_t n = size_t{1} << 20;
  auto [s, r] = runOt(
      sender(),
      [&](OtSender& ot) {
        ot.randomCot(3);
        std::vector<std::vector<Block>> q(2, std::vector<Block>(n));
        std::vector<Block> buf(n);
        for (auto& out : q) {
          ot.randomCot(std::span(buf));
          out = buf;
        }
        return std::make_pair(ot.delta(), q);
      },
      [&](OtReceiver& ot) {
        ot.randomCot(3);
        std::vector<ChoiceBlocks> t(2);
        std::vector<Block> buf(n);
        std::vector<uint8_t> choices(n);
        for (auto& out : t) {
          ot.randomCot(std::span(buf), std::span(choices));
          out = {choices, buf};
        }
        return t;
      });
  for (int k = 0; k < 2; ++k) {
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(r[k].blocks[i], s.second[k][i] ^ (r[k].choices[i] ? s.first : Block{}))
          << "call " << k << ", COT " << i;
    }
  }
  EXPECT_NE(s.second[0][0], s.second[1][0]);
}

TEST_P(OtSessionTest, RandomOtGivesTheMessageOfTheChoice) {
  auto [s, r] = runOt(
      sender(),
      [](OtSender& ot) {
        std::vector<std::vector<std::array<Block, 2>>> m;
        for (size_t n : kSizes) m.push_back(ot.randomOt(n));
        return m;
      },
      [](OtReceiver& ot) {
        std::vector<ChoiceBlocks> m;
        for (size_t n : kSizes) m.push_back(ot.randomOt(n));
        return m;
      },
      smallBatch());
  for (size_t k = 0; k < kSizes.size(); ++k) {
    for (size_t i = 0; i < kSizes[k]; ++i) {
      const uint8_t b = r[k].choices[i];
      ASSERT_EQ(r[k].blocks[i], s[k][i][b]) << "call " << k << ", OT " << i;
      ASSERT_NE(r[k].blocks[i], s[k][i][1 - b]) << "call " << k << ", OT " << i;
    }
  }
}

TEST_P(OtSessionTest, RandomOtIntoSpansAfterABufferedCall) {
  const size_t n = 70000;  // past the default batch: straight into the spans
  auto [s, r] = runOt(
      sender(),
      [&](OtSender& ot) {
        (void)ot.randomOt(5);
        std::vector<std::array<Block, 2>> m(n);
        ot.randomOt(std::span(m));
        return m;
      },
      [&](OtReceiver& ot) {
        (void)ot.randomOt(5);
        ChoiceBlocks m{std::vector<uint8_t>(n), std::vector<Block>(n)};
        ot.randomOt(std::span(m.blocks), std::span(m.choices));
        return m;
      });
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(r.blocks[i], s[i][r.choices[i]]) << i;
    ASSERT_NE(r.blocks[i], s[i][1 - r.choices[i]]) << i;
  }
}

TEST_P(OtSessionTest, ChosenOtReturnsTheChosenMessage) {
  for (int bits : {1, 7, 32, 64}) {
    for (size_t n : kSizes) {
      const auto x0 = randomWords(n, 1), x1 = randomWords(n, 2);
      const auto c = randomBelow(n, 2, 3);
      auto [s, got] = runOt(
          sender(),
          [&](OtSender& ot) {
            ot.chosenOt(x0, x1, bits);
            return 0;
          },
          [&](OtReceiver& ot) { return ot.chosenOt(c, bits); }, smallBatch());
      ASSERT_EQ(got.size(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(got[i], low(c[i] ? x1[i] : x0[i], bits))
            << bits << " bits, n " << n << ", OT " << i;
      }
    }
  }
}

TEST_P(OtSessionTest, OneOfNReturnsTheChosenEntry) {
  for (int k : {1, 2, 4, 8}) {
    for (int bits : {2, 13, 64}) {
      for (size_t n : {size_t{1}, size_t{33}, size_t{300}}) {
        const size_t big_n = size_t{1} << k;
        const auto table = randomWords(n * big_n, 4);
        const auto c = randomBelow(n, static_cast<unsigned>(big_n), 5);
        auto [s, got] = runOt(
            sender(),
            [&](OtSender& ot) {
              ot.oneOfN(table, k, bits);
              return 0;
            },
            [&](OtReceiver& ot) { return ot.oneOfN(c, k, bits); }, smallBatch());
        ASSERT_EQ(got.size(), n);
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(got[i], low(table[i * big_n + c[i]], bits))
              << "1-of-" << big_n << ", " << bits << " bits, n " << n << ", instance " << i;
        }
      }
    }
  }
}

// Instances of mixed shapes in one round trip: every shape of k ∈ {1, 2, 3, 4, 8} and widths 1,
// 2, 13, 64, in a repeating pattern; the right entries and the traffic session.h states.
TEST_P(OtSessionTest, OneOfNOfMixedShapesInOneRoundTrip) {
  const std::vector<OneOfNShape> pattern{{4, 2}, {1, 1}, {3, 2}, {8, 13}, {2, 64}, {4, 1}};
  const size_t n = 301;
  std::vector<OneOfNShape> shapes;
  size_t entries = 0, cots = 0, table_bits = 0;
  for (size_t i = 0; i < n; ++i) {
    shapes.push_back(pattern[i % pattern.size()]);
    entries += size_t{1} << shapes.back().k;
    cots += static_cast<size_t>(shapes.back().k);
    table_bits += (size_t{1} << shapes.back().k) * static_cast<size_t>(shapes.back().bits);
  }
  const auto table = randomWords(entries, 14);
  const auto r = randomBelow(n, 256, 15);
  std::vector<uint8_t> c(n);
  for (size_t i = 0; i < n; ++i) c[i] = static_cast<uint8_t>(r[i] & ((1u << shapes[i].k) - 1));
  auto out = simulate(2, [&](Communicator& comm) {
    std::vector<uint64_t> got;
    if (comm.rank() == sender()) {
      OtSender s(comm);
      s.reserve(cots);
      s.oneOfN(table, shapes);
    } else {
      OtReceiver rc(comm);
      rc.reserve(cots);
      got = rc.oneOfN(c, shapes);
    }
    const CommCounters& t = comm.stats().by_tag.at("ot/1ofN");
    return std::make_tuple(got, t.bytes_sent, t.rounds);
  });
  const auto& got = std::get<0>(out[1 - sender()]);
  ASSERT_EQ(got.size(), n);
  for (size_t i = 0, e = 0; i < n; e += size_t{1} << shapes[i].k, ++i) {
    ASSERT_EQ(got[i], low(table[e + c[i]], shapes[i].bits))
        << "1-of-" << (1 << shapes[i].k) << ", " << shapes[i].bits << " bits, instance " << i;
  }
  EXPECT_EQ(std::get<1>(out[sender()]), (table_bits + 7) / 8);
  EXPECT_EQ(std::get<1>(out[1 - sender()]), (cots + 7) / 8);
  EXPECT_EQ(std::get<2>(out[sender()]), 2u);
}

TEST_P(OtSessionTest, AdditiveCotSumsToChoiceTimesX) {
  for (int bits : {1, 17, 63, 64}) {
    for (size_t n : kSizes) {
      const auto x = randomWords(n, 6);
      const auto c = randomBelow(n, 2, 7);
      auto [s, y] = runOt(
          sender(), [&](OtSender& ot) { return ot.additiveCot(x, bits); },
          [&](OtReceiver& ot) { return ot.additiveCot(c, bits); }, smallBatch());
      ASSERT_EQ(s.size(), n);
      ASSERT_EQ(y.size(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(low(s[i] + y[i], bits), low(c[i] * x[i], bits))
            << bits << " bits, n " << n << ", COT " << i;
        ASSERT_EQ(s[i], low(s[i], bits));
        ASSERT_EQ(y[i], low(y[i], bits));
      }
    }
  }
}

TEST_P(OtSessionTest, TrafficIsWhatTheHeaderSays) {
  const size_t n = 1000;
  const int bits = 13, k = 4;
  simulate(2, [&](Communicator& comm) {
    const bool is_sender = comm.rank() == sender();
    std::optional<OtSender> s;
    std::optional<OtReceiver> r;
    if (is_sender) {
      s.emplace(comm);
    } else {
      r.emplace(comm);
    }
    const auto& tags = comm.stats().by_tag;
    // setup: the base OTs, 32 bytes from the COT receiver and 32·128 back
    EXPECT_EQ(tags.at("ot/setup").bytes(), 32u + 32u * 128u);
    if (is_sender)
      s->reserve(1 << 16);
    else
      r->reserve(1 << 16);
    EXPECT_EQ(tags.at("ot/extend").bytes(), 16u << 16);
    EXPECT_EQ(tags.at("ot/extend").messages_sent + tags.at("ot/extend").messages_received, 2u);
    std::vector<uint64_t> x(n, 5), table(n << k, 9);
    std::vector<uint8_t> c(n, 1), cn(n, 3);
    if (is_sender) {
      s->chosenOt(x, x, bits);
      s->oneOfN(table, k, bits);
      s->additiveCot(x, bits);
    } else {
      r->chosenOt(c, bits);
      r->oneOfN(cn, k, bits);
      r->additiveCot(c, bits);
    }
    const auto up = [&](const char* tag) {  // receiver → sender bytes
      return is_sender ? tags.at(tag).bytes_received : tags.at(tag).bytes_sent;
    };
    const auto down = [&](const char* tag) {
      return is_sender ? tags.at(tag).bytes_sent : tags.at(tag).bytes_received;
    };
    EXPECT_EQ(up("ot/chosen"), (n + 7) / 8);
    EXPECT_EQ(down("ot/chosen"), (2 * n * bits + 7) / 8);
    EXPECT_EQ(up("ot/1ofN"), (n * k + 7) / 8);
    EXPECT_EQ(down("ot/1ofN"), ((n << k) * bits + 7) / 8);
    EXPECT_EQ(up("ot/additive"), (n + 7) / 8);
    EXPECT_EQ(down("ot/additive"), (n * bits + 7) / 8);
    EXPECT_EQ(tags.at("ot/chosen").rounds, 2u);
    // 1000 + 4000 + 1000 COTs came from the reserve: no refill since
    EXPECT_EQ(tags.at("ot/extend").bytes(), 16u << 16);
    return 0;
  });
}

INSTANTIATE_TEST_SUITE_P(Sender, OtSessionTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

TEST(OtSession, BothDirectionsAndSeveralSessionsOnOneCommunicator) {
  const size_t n = 777;
  const int bits = 64;
  const auto x = randomWords(n, 8);
  const auto c = randomBelow(n, 2, 9);
  struct Out {
    std::vector<uint64_t> s1, y1, s2, y2;
  };
  auto out = simulate(2, [&](Communicator& comm) {
    OtPair a = makeOtPair(comm);
    OtPair b = makeOtPair(comm);  // a second pair of sessions, interleaved with the first
    Out o;
    for (int round = 0; round < 2; ++round) {
      OtPair& p = round == 0 ? a : b;
      // party 0 sends first, then party 1; a call on one direction pairs with the other party's
      // call on the opposite direction
      if (comm.rank() == 0) {
        o.s1 = p.send->additiveCot(x, bits);
        o.y2 = p.recv->additiveCot(c, bits);
      } else {
        o.y1 = p.recv->additiveCot(c, bits);
        o.s2 = p.send->additiveCot(x, bits);
      }
    }
    return o;
  });
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(out[0].s1[i] + out[1].y1[i], c[i] * x[i]) << "party 0 → 1, COT " << i;
    ASSERT_EQ(out[1].s2[i] + out[0].y2[i], c[i] * x[i]) << "party 1 → 0, COT " << i;
  }
}

TEST(OtSession, WorksOverTheSecureChannel) {
  const size_t n = 500;
  const auto x0 = randomWords(n, 10), x1 = randomWords(n, 11);
  const auto c = randomBelow(n, 2, 12);
  auto out = simulate(2, [&](Communicator& inner) {
    SecureChannelCommunicator comm(inner, ChannelOptions{});
    std::vector<uint64_t> got;
    if (comm.rank() == 0) {
      OtSender s(comm);
      s.chosenOt(x0, x1, 64);
    } else {
      OtReceiver r(comm);
      got = r.chosenOt(c, 64);
    }
    return got;
  });
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[1][i], c[i] ? x1[i] : x0[i]) << i;
}

TEST(OtSession, AWorldOfThreeIsRefused) {
  simulate(3, [&](Communicator& comm) {
    EXPECT_THAT(sotto::testing::errorOf([&] { OtSender s(comm); }),
                HasSubstr("world has 3 parties"));
    return 0;
  });
}

TEST(OtSession, BadArgumentsAreRefused) {
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == 0) {
      OtSender s(comm);
      const std::vector<uint64_t> one(1), two(2), three(3);
      EXPECT_THAT(sotto::testing::errorOf([&] { s.chosenOt(one, two, 8); }),
                  HasSubstr("1 and 2 messages"));
      EXPECT_THAT(sotto::testing::errorOf([&] { s.chosenOt(one, one, 65); }), HasSubstr("65 bits"));
      EXPECT_THAT(sotto::testing::errorOf([&] { s.oneOfN(three, 1, 8); }),
                  HasSubstr("not a whole number"));
      EXPECT_THAT(sotto::testing::errorOf([&] { s.oneOfN(two, 9, 8); }), HasSubstr("k = 9"));
      const std::vector<OneOfNShape> shapes{{1, 8}, {2, 8}};
      EXPECT_THAT(sotto::testing::errorOf([&] { s.oneOfN(three, shapes); }),
                  HasSubstr("table of 3 entries for instances of 6"));
    } else {
      OtReceiver r(comm);
      const std::vector<uint8_t> c{0, 2}, c16{16};
      EXPECT_THAT(sotto::testing::errorOf([&] { r.chosenOt(c, 8); }), HasSubstr("choice 1 is 2"));
      EXPECT_THAT(sotto::testing::errorOf([&] { r.oneOfN(c16, 4, 8); }),
                  HasSubstr("choice 0 is 16"));
      const std::vector<OneOfNShape> shapes{{1, 8}, {3, 65}};
      EXPECT_THAT(sotto::testing::errorOf([&] { r.oneOfN(c, shapes); }), HasSubstr("65 bits"));
      EXPECT_THAT(sotto::testing::errorOf([&] { r.oneOfN(c16, shapes); }),
                  HasSubstr("1 choices for 2 instances"));
      const std::vector<uint8_t> one{1};
      EXPECT_THAT(sotto::testing::errorOf([&] { r.additiveCot(one, 0); }), HasSubstr("0 bits"));
    }
    return 0;
  });
}

// Party 1 sets up, then stays silent for `silence` (alive) and returns; party 0, with a 300 ms
// timeout, asks for COTs, which needs party 1's extension. Returns party 0's error.
template <typename E>
std::string errorWhenThePeerStops(std::chrono::milliseconds silence) {
  std::string error = "(no error of the expected type thrown)";
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == 0) {
      OtSender s(comm);
      comm.setTimeout(std::chrono::milliseconds(300));
      try {
        s.randomCot(10);
      } catch (const E& e) {
        error = e.what();
      }
    } else {
      OtReceiver r(comm);
      std::this_thread::sleep_for(silence);
    }
    return 0;
  });
  return error;
}

TEST(OtSession, APeerThatStopsMidExtensionGivesATimeout) {
  const std::string e = errorWhenThePeerStops<Timeout>(std::chrono::milliseconds(800));
  EXPECT_THAT(e, HasSubstr("rank 1"));
  EXPECT_THAT(e, HasSubstr("OT sender, extend (IKNP)"));
}

TEST(OtSession, ACallOfAnotherSizeIsACommErrorNamingTheStep) {
  // the receiver asks for 90 chosen OTs, the sender offers 100: the flips are 12 bytes, not 13
  std::string error = "(no CommError thrown)";
  EXPECT_THROW(simulate(2,
                        [&](Communicator& comm) {
                          if (comm.rank() == 0) {
                            OtSender s(comm);
                            const std::vector<uint64_t> x(100, 1);
                            try {
                              s.chosenOt(x, x, 8);
                            } catch (const CommError& e) {
                              error = e.what();
                              throw;
                            }
                          } else {
                            OtReceiver r(comm);
                            r.chosenOt(std::vector<uint8_t>(90, 1), 8);
                          }
                          return 0;
                        }),
               CommError);
  EXPECT_THAT(error, HasSubstr("OT sender, chosenOt: receiving the choice flips"));
  EXPECT_THAT(error, HasSubstr("rank 1"));
}

TEST(OtSession, APeerThatLeavesMidExtensionGivesPeerAborted) {
  EXPECT_THAT(errorWhenThePeerStops<PeerAborted>(std::chrono::milliseconds(0)),
              HasSubstr("rank 1"));
}

TEST(OtBitPack, RoundTripsEveryWidth) {
  for (int bits = 1; bits <= 64; ++bits) {
    for (size_t n : {size_t{1}, size_t{7}, size_t{65}}) {
      auto v = randomWords(n, static_cast<unsigned>(bits));
      std::vector<std::byte> packed(detail::packedSize(n, bits));
      detail::packBits(v, bits, packed);
      std::vector<uint64_t> back(n);
      detail::unpackBits(packed, bits, back);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(back[i], low(v[i], bits)) << bits << " " << i;
    }
  }
}

}  // namespace
}  // namespace sotto::ot
