// The trusted-third-party dealer, 2 and 3 parties plus the dealer as an extra thread over inproc:
// the correlations are right (opened and checked in the ring), ArithTensor protocols on top of it
// match plaintext references, dealer traffic is counted apart from online traffic, and failures
// end promptly with a clear error instead of a hang.
#include "sotto/mpc/dealer/ttp_dealer.h"

#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include "sotto/comm/sub_communicator.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/fixed_weight.h"
#include "sotto/mpc/function_tables.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kRequestBytes = 192;  // the fixed request header (encodings of <= 23 words)

// Opens shares of ring tensors (a test oracle: a real protocol never opens a correlation).
std::vector<RingTensor> open(const Party& p, std::vector<RingTensor> shares) {
  return openTogether(p, std::move(shares));
}

class TtpDealerTest : public ::testing::TestWithParam<int> {
 protected:
  int parties() const { return GetParam(); }
};

TEST_P(TtpDealerTest, IsSecureAndNamedTtp) {
  auto out = simulateTtp(
      parties(), [](Party& p) { return std::make_pair(p.dealer().secure(), p.dealer().name()); });
  for (const auto& [secure, name] : out) {
    EXPECT_TRUE(secure);
    EXPECT_EQ(name, "ttp");
  }
}

TEST_P(TtpDealerTest, CorrelationsAreCorrectInTheRing) {
  // Every kind, opened: the streams of parties >= 1 and party 0's corrections line up.
  Conv2dOptions opt;
  opt.stride = {2, 1};
  opt.padding = {1, 0};
  auto out = simulateTtp(parties(), [&](Party& p) {
    Dealer& d = p.dealer();
    std::vector<std::string> failures;
    auto check = [&](bool ok, const char* what) {
      if (!ok) failures.push_back(what);
    };
    auto mul = d.mulTriple(Shape{5, 7});
    auto mm = d.matmulTriple(Shape{3, 4}, Shape{4, 6});
    auto conv = d.conv2dTriple(Shape{2, 3, 6, 5}, Shape{4, 3, 3, 2}, opt);
    auto trunc = d.truncationPair(Shape{300}, 16);
    auto mask = d.fixedMask(Shape{4, 6});
    auto fixed_mm = d.matmulTripleFixed(mask, Shape{2, 3, 4});
    auto mask2 = d.fixedMask(Shape{4, 3, 3, 2});
    auto fixed_conv = d.conv2dTripleFixed(mask2, Shape{1, 3, 6, 5}, opt);
    auto o = open(
        p, {mul.a, mul.b, mul.c, mm.a, mm.b, mm.c, conv.a, conv.b, conv.c, trunc.r, trunc.r_shifted,
            trunc.r_top, mask.b, fixed_mm.a, fixed_mm.c, mask2.b, fixed_conv.a, fixed_conv.c});
    check(o[2] == o[0] * o[1], "mul: c != a * b");
    check(o[5] == matmul(o[3], o[4]), "matmul: c != a @ b");
    check(o[8] == conv2d(o[6], o[7], opt), "conv2d: c != conv2d(a, b)");
    check(o[10] == o[9].shiftRightLogical(16), "truncation: r_shifted != r >> 16");
    check(o[11] == o[9].shiftRightLogical(63), "truncation: r_top != r >> 63");
    check(o[14] == matmul(o[13], o[12]), "fixed matmul: c != a @ B");
    check(o[17] == conv2d(o[16], o[15], opt), "fixed conv2d: c != conv2d(a, B)");
    check(fixed_mm.b.numel() == 0 && fixed_conv.b.numel() == 0, "fixed triples carry no b");
    // The same fixed mask serves again: a second triple with B.
    auto again = d.matmulTripleFixed(mask, Shape{5, 4});
    auto o2 = open(p, {again.a, again.c});
    check(o2[1] == matmul(o2[0], o[12]), "second fixed matmul: c != a @ B");
    // Shares look random: no party's share of a equals the opened a (a is uniform, 35 words).
    check(!(mul.a == o[0]), "a share equals the opened value");
    return failures;
  });
  for (int p = 0; p < parties(); ++p) {
    for (const auto& f : out[p]) ADD_FAILURE() << "party " << p << ": " << f;
  }
}

TEST_P(TtpDealerTest, FreeOutputsAreDrawnByEachPartyAndNotSent) {
  // A triple's a and b, a truncation pair's r, a fixed mask, a comparison's masks: each party
  // draws its share from its stream, the value is their sum, and party 0 receives only the other
  // outputs (8 bytes per word); the correlations still hold when opened.
  auto out = simulateTtp(parties(), [&](Party& p) {
    Dealer& d = p.dealer();
    std::vector<uint64_t> received;
    auto bytes = [&](auto&& make) {
      const uint64_t before = d.traffic().bytes_received;
      auto m = make();
      received.push_back(d.traffic().bytes_received - before);
      return m;
    };
    auto mul = bytes([&] { return d.mulTriple(Shape{5, 7}); });
    auto trunc = bytes([&] { return d.truncationPair(Shape{300}, 16); });
    auto mask = bytes([&] { return d.fixedMask(Shape{4, 6}); });
    auto fixed = bytes([&] { return d.matmulTripleFixed(mask, Shape{2, 3, 4}); });
    auto tables = bytes([&] { return d.compareTables(Shape{10}, Shape{10, 2}); });
    auto o = open(p, {mul.a, mul.b, mul.c, trunc.r, trunc.r_shifted, mask.b, fixed.a, fixed.c,
                      tables.r, tables.a, tables.a_mono});
    std::vector<std::string> failures;
    if (!(o[2] == o[0] * o[1])) failures.push_back("mul: c != a * b");
    if (!(o[4] == o[3].shiftRightLogical(16))) failures.push_back("truncation: r >> 16");
    if (!(o[7] == matmul(o[6], o[5]))) failures.push_back("fixed matmul: c != a @ B");
    // a_mono's first row is a·s, s = r's top bit (compare_tables.cc).
    for (int64_t j = 0; j < 20; ++j) {
      if (o[10][j] != o[9][j] * (o[8][j / 2] >> 63)) failures.push_back("compare: a·s");
    }
    if (mul.a == o[0] || tables.r == o[8]) failures.push_back("a share equals the value");
    received.push_back(static_cast<uint64_t>(tables.tables.numel() + tables.bits.numel() +
                                             tables.mono.numel() + tables.a_mono.numel()));
    return std::make_pair(received, failures);
  });
  for (int p = 0; p < parties(); ++p) {
    for (const auto& f : out[p].second) ADD_FAILURE() << "party " << p << ": " << f;
  }
  const auto& got = out[0].first;
  ASSERT_EQ(got.size(), 6u);        // 5 requests, then the compare tables' other words
  EXPECT_EQ(got[0], 8u * 35);       // c
  EXPECT_EQ(got[1], 8u * 2 * 300);  // r >> 16, r >> 63
  EXPECT_EQ(got[2], 0u);            // the fixed mask: nothing
  EXPECT_EQ(got[3], 8u * 2 * 3 * 6);
  EXPECT_EQ(got[4], 8 * out[0].first.back());  // tables, bits, monomials, a·monomials; not r, a
  for (int p = 1; p < parties(); ++p) {
    for (size_t k = 0; k < 5; ++k) EXPECT_EQ(out[p].first[k], 0u) << "party " << p;
  }
}

TEST_P(TtpDealerTest, XorSharedOutputsAreCorrected) {
  // Binary triples are XOR-shared; a bit-select mixes XOR-shared bits with additive values in one
  // request. Party 0's corrections must use ⊕ for the former and - for the latter.
  auto out = simulateTtp(parties(), [&](Party& p) {
    auto xorOpen = [&](std::vector<RingTensor> shares) {
      for (auto& t : shares) p.comm().allReduce(t.data(), ReduceOp::kXor);
      return shares;
    };
    auto bt = p.dealer().binaryTriple(100);
    auto ob = xorOpen({bt.a, bt.b, bt.c});
    auto sel = p.dealer().bitSelect(Shape{70}, Shape{70, 3});
    auto bits = xorOpen({sel.rho_bits})[0];
    auto os = open(p, {sel.a, sel.rho, sel.a_rho});
    bool select_ok = true;
    for (int64_t i = 0; i < 70; ++i) {
      const uint64_t rho = (bits[i / 64] >> (i % 64)) & 1;
      select_ok = select_ok && os[1][i] == rho;
      for (int64_t j = 0; j < 3; ++j)
        select_ok = select_ok && os[2][i * 3 + j] == os[0][i * 3 + j] * rho;
    }
    return std::make_pair(ob[2] == (ob[0] & ob[1]), select_ok);
  });
  EXPECT_TRUE(out[0].first) << "binary triple: c != a & b";
  EXPECT_TRUE(out[0].second) << "bit select: rho or a·rho inconsistent";
}

TEST_P(TtpDealerTest, LongRequestsTravelInTwoMessages) {
  // Rank-8 operands encode to 29 words, more than the 23 the header carries.
  const Shape sa{1, 1, 1, 1, 1, 2, 3, 4}, sb{1, 1, 1, 1, 1, 2, 4, 5};
  auto out = simulateTtp(parties(), [&](Party& p) {
    auto t = p.dealer().matmulTriple(sa, sb);
    auto o = open(p, {t.a, t.b, t.c});
    return std::make_pair(o[2] == matmul(o[0], o[1]), p.dealer().traffic());
  });
  EXPECT_TRUE(out[0].first);
  EXPECT_EQ(out[0].second.bytes_sent, kRequestBytes + 6 * 8);  // header + 6 more words
  EXPECT_EQ(out[0].second.messages_sent, 2u);
  EXPECT_EQ(out[0].second.bytes_received, 16u + 8u * 30);  // its seed, then c (a, b are free)
}

// Uses every output of a recorded sequence (a mul triple, a truncation pair, a binary triple)
// from the prefetched queue and checks them opened; returns the failures.
std::vector<std::string> useBatch(Party& p, const char* batch) {
  Dealer& d = p.dealer();
  auto mul = d.mulTriple(Shape{50});
  auto trunc = d.truncationPair(Shape{30}, 16);
  auto bt = d.binaryTriple(10);
  auto o = open(p, {mul.a, mul.b, mul.c, trunc.r, trunc.r_shifted});
  for (auto* t : {&bt.a, &bt.b, &bt.c}) p.comm().allReduce(t->data(), ReduceOp::kXor);
  std::vector<std::string> failures;
  if (!(o[2] == o[0] * o[1])) failures.push_back(std::string(batch) + ": mul c != a * b");
  if (!(o[4] == o[3].shiftRightLogical(16))) failures.push_back(std::string(batch) + ": trunc");
  if (!(bt.c == (bt.a & bt.b))) failures.push_back(std::string(batch) + ": binary c != a & b");
  return failures;
}

TEST_P(TtpDealerTest, RunAheadServesTheNextBatchInTheStreamsOrder) {
  // prefetch, prepareNext, a correlation fetched online in between (it reaches the dealer after
  // the batch asked ahead: party 0 receives that batch first, the others drew it at once), the
  // next prefetch from what was made ahead, then a prefetch of something else (the batch made
  // ahead is dropped) and a batch made ahead that no prefetch asks for (dropped at shutdown).
  auto out = simulateTtp(parties(), [&](Party& p) {
    Dealer& d = p.dealer();
    d.startRecording();
    auto failures = useBatch(p, "recorded");
    const std::vector<CorrelationRequest> batch = d.stopRecording();
    for (int i = 0; i < 3; ++i) {
      d.prefetch(batch);
      d.prepareNext(batch);
      const std::string name = "batch " + std::to_string(i);
      for (auto& f : useBatch(p, name.c_str())) failures.push_back(f);
      auto online = d.mulTriple(Shape{7});  // not prefetched
      auto o = open(p, {online.a, online.b, online.c});
      if (!(o[2] == o[0] * o[1])) failures.push_back(name + ": online mul after run-ahead");
    }
    CorrelationRequest other;
    other.kind = CorrelationRequest::Kind::kMul;
    other.shapes = {Shape{9}};
    d.prefetch({other, other});
    for (int k = 0; k < 2; ++k) {
      auto t = d.mulTriple(Shape{9});
      auto o = open(p, {t.a, t.b, t.c});
      if (!(o[2] == o[0] * o[1])) failures.push_back("after a dropped batch: mul");
    }
    if (d.prefetched() != 0) failures.push_back("prefetched material left over");
    d.prepareNext(batch);  // never used
    return failures;
  });
  for (int p = 0; p < parties(); ++p) {
    for (const auto& f : out[p]) ADD_FAILURE() << "party " << p << ": " << f;
  }
}

TEST_P(TtpDealerTest, RunAheadCostsWhatAPrefetchCosts) {
  // Two prefetches of a batch, the second asked ahead or not: the same dealer traffic on party 0.
  auto run = [&](bool ahead) {
    return simulateTtp(parties(), [&](Party& p) {
      Dealer& d = p.dealer();
      d.startRecording();
      (void)useBatch(p, "recorded");
      const std::vector<CorrelationRequest> batch = d.stopRecording();
      const CommCounters before = d.traffic();
      d.prefetch(batch);
      if (ahead) d.prepareNext(batch);
      (void)useBatch(p, "first");
      d.prefetch(batch);
      const uint64_t used0 = d.usedBytes();
      (void)useBatch(p, "second");
      CommCounters spent = d.traffic();
      spent.bytes_sent -= before.bytes_sent;
      spent.bytes_received -= before.bytes_received;
      spent.messages_sent -= before.messages_sent;
      spent.messages_received -= before.messages_received;
      return std::make_pair(spent, d.usedBytes() - used0);
    });
  };
  const auto plain = run(false), ahead = run(true);
  EXPECT_EQ(ahead[0].first.bytes_sent, plain[0].first.bytes_sent);
  EXPECT_EQ(ahead[0].first.bytes_received, plain[0].first.bytes_received);
  EXPECT_EQ(ahead[0].first.messages_sent, plain[0].first.messages_sent);
  EXPECT_EQ(ahead[0].first.messages_received, plain[0].first.messages_received);
  // Each correlation of the batch made ahead carries its own traffic when it is used.
  EXPECT_EQ(ahead[0].second, plain[0].second);
  EXPECT_GT(ahead[0].second, 0u);
  for (int p = 1; p < parties(); ++p) EXPECT_EQ(ahead[p].first.bytes_received, 0u);
}

// ArithTensor, FixedWeight, comparisons and binary shares run their whole suites under this
// dealer too (arith_tensor_test, compare_test, binary_tensor_test are parametrised by dealer).

TEST_P(TtpDealerTest, DealerTrafficIsCountedApartFromOnlineTraffic) {
  const int64_t n = 1000;
  const auto x = quantized(uniform(n, -5, 5, 20));
  struct Result {
    CommCounters setup, after_mul;  // dealer traffic
    CommCounters online;            // the mul's online traffic
    bool online_has_dealer_tag;
    uint64_t world_dealer_tag_bytes;
    std::vector<double> product;
  };
  auto out = simulateTtp(parties(), [&](Party& p) {
    Result r;
    r.setup = p.dealer().traffic();
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    auto b = ArithTensor::share(p, p.numParties() - 1, x, Shape{n});
    p.comm().resetStats();
    auto c = a.mul(b);  // one mul triple + one truncation pair
    r.online = p.comm().stats().total;
    r.after_mul = p.dealer().traffic();
    r.online_has_dealer_tag = p.comm().stats().by_tag.count("dealer") > 0;
    auto& world = static_cast<SubCommunicator&>(p.comm()).parent();
    r.world_dealer_tag_bytes =
        world.stats().by_tag.count("dealer") ? world.stats().by_tag.at("dealer").bytes() : 0;
    r.product = c.revealDoubles();
    return r;
  });
  const uint64_t N = parties();
  const uint64_t words = static_cast<uint64_t>(n);
  // Setup: each party receives its 16-byte seed.
  for (uint64_t p = 0; p < N; ++p) {
    EXPECT_EQ(out[p].setup.bytes_received, 16u) << "party " << p;
    EXPECT_EQ(out[p].setup.bytes_sent, 0u) << "party " << p;
  }
  // Per mul: party 0 sends two requests and receives n words for the triple (c: a and b are free
  // outputs, drawn by each party) and 2n for the truncation pair (r is free); the other parties
  // nothing beyond their seed.
  EXPECT_EQ(out[0].after_mul.bytes_received, 16 + 3 * 8 * words);
  EXPECT_EQ(out[0].after_mul.bytes_sent, 2 * kRequestBytes);
  EXPECT_EQ(out[0].after_mul.messages_sent, 2u);
  EXPECT_EQ(out[0].after_mul.messages_received, 3u);  // the seed and two replies
  EXPECT_EQ(out[0].world_dealer_tag_bytes, out[0].after_mul.bytes());
  for (uint64_t p = 1; p < N; ++p) {
    EXPECT_EQ(out[p].after_mul.bytes(), 16u) << "party " << p;
    EXPECT_EQ(out[p].world_dealer_tag_bytes, 16u) << "party " << p;
  }
  // Online: opening e and f (2n words to each other party), then the truncation's opening (n).
  for (uint64_t p = 0; p < N; ++p) {
    EXPECT_EQ(out[p].online.bytes_sent, (N - 1) * 3 * 8 * words) << "party " << p;
    EXPECT_EQ(out[p].online.bytes_received, (N - 1) * 3 * 8 * words) << "party " << p;
    EXPECT_EQ(out[p].online.calls, 2u) << "party " << p;
    EXPECT_FALSE(out[p].online_has_dealer_tag) << "party " << p;
  }
  std::vector<double> expect(n);
  for (int64_t i = 0; i < n; ++i) expect[i] = x[i] * x[i];
  EXPECT_LE(maxAbsDiff(out[0].product, expect), 1.0001 * kUlp);
  std::cout << "[ measured ] " << N << " parties, mul of " << n << " elements: party 0 dealer "
            << out[0].after_mul.bytes_sent << " B sent, " << out[0].after_mul.bytes_received - 16
            << " B received (" << (out[0].after_mul.bytes_received - 16) / (2 * words)
            << " B per element per correlation); online sent " << out[0].online.bytes_sent
            << " B per party\n";
}

TEST_P(TtpDealerTest, FunctionTablesTravelInTheBitsThePartiesRead) {
  // One quadratic window of 2^10 rows on the grid math_detail builds (2^12 points and 7 more).
  FunctionTableSpec spec;
  spec.windows = {PolyWindow{.low_bits = 10,
                             .mid_bits = 10,
                             .degree = 2,
                             .grid_step = 8,
                             .grid_start = -1024,
                             .coefficients = std::vector<double>(3 * 4103, 0.5),
                             .scale_bits = 30,
                             .trunc_width = 40,
                             .trunc_shift = 20}};
  const int64_t n = 5;
  auto out = simulateTtp(parties(), [&](Party& p) {
    const uint64_t before = p.dealer().traffic().bytes_received;
    auto material = p.dealer().functionTables(spec, Shape{n});
    return p.dealer().traffic().bytes_received - before;
  });
  // Per table, the packed entries are padded to a whole byte (10 tables).
  const double per_element = functionTableBytes(spec);
  EXPECT_GE(static_cast<double>(out[0]), n * per_element);
  EXPECT_LE(static_cast<double>(out[0]), n * per_element + 10);
  EXPECT_LT(per_element, 8.0 * static_cast<double>(functionTableWords(spec)) / 2);
  for (int p = 1; p < parties(); ++p) EXPECT_EQ(out[p], 0u) << "party " << p;
}

TEST_P(TtpDealerTest, BadShapesAreRejectedOnEveryPartyBeforeAnyTraffic) {
  auto out = simulateTtp(parties(), [&](Party& p) {
    int thrown = 0;
    try {
      p.dealer().matmulTriple(Shape{2, 3}, Shape{4, 5});
    } catch (const InvalidArgument&) {
      ++thrown;
    }
    try {
      p.dealer().truncationPair(Shape{4}, 70);
    } catch (const InvalidArgument&) {
      ++thrown;
    }
    const CommCounters traffic = p.dealer().traffic();
    // The dealer still serves afterwards.
    auto t = p.dealer().mulTriple(Shape{3});
    auto o = open(p, {t.a, t.b, t.c});
    return std::make_tuple(thrown, traffic.bytes_sent, o[2] == o[0] * o[1]);
  });
  for (int p = 0; p < parties(); ++p) {
    EXPECT_EQ(std::get<0>(out[p]), 2) << "party " << p;
    EXPECT_EQ(std::get<1>(out[p]), 0u) << "party " << p;
    EXPECT_TRUE(std::get<2>(out[p])) << "party " << p;
  }
}

TEST_P(TtpDealerTest, UnknownFixedMaskAbortsPromptly) {
  // Party 0 names a mask the dealer never made: the dealer throws ProtocolError and aborts the
  // world, so party 0's pending request and the others' next call fail at once.
  const auto start = std::chrono::steady_clock::now();
  auto out = simulate(parties() + 1, [&](Communicator& world) -> std::string {
    try {
      TtpSetup ttp = setupTtp(world);
      if (ttp.is_dealer) {
        runTtpDealer(world);
        return "dealer returned";
      }
      FixedMask bogus{999, Shape{3, 3}, RingTensor(Shape{3, 3})};
      ttp.dealer->matmulTripleFixed(bogus, Shape{2, 3});
      ttp.online->barrier();
      return "no error";
    } catch (const ProtocolError& e) {
      return std::string("ProtocolError: ") + e.what();
    } catch (const PeerAborted& e) {
      return std::string("PeerAborted: ") + e.what();
    }
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  const std::string& dealer = out.back();
  EXPECT_EQ(dealer.rfind("ProtocolError: ", 0), 0u) << dealer;
  EXPECT_NE(dealer.find("unknown fixed mask id 999"), std::string::npos) << dealer;
  for (int p = 0; p < parties(); ++p) {
    EXPECT_EQ(out[p].rfind("PeerAborted: ", 0), 0u) << "party " << p << ": " << out[p];
  }
  EXPECT_NE(out[0].find("unknown fixed mask id 999"), std::string::npos) << out[0];
}

INSTANTIATE_TEST_SUITE_P(Parties, TtpDealerTest, ::testing::Values(2, 3),
                         [](const auto& p) { return std::to_string(p.param) + "parties"; });

// ---- Malformed requests on the wire -----------------------------------------------------------

// Party 0 sends `header` (and `tail`, if any) by hand instead of using the client, then waits for
// a reply; party 1 waits for a message from party 0 that never comes. Returns what each caught.
std::vector<std::string> sendRaw(std::vector<uint64_t> header, std::vector<uint64_t> tail = {}) {
  header.resize(24);
  return simulate(3, [&](Communicator& world) -> std::string {
    try {
      if (world.rank() == 2) {
        runTtpDealer(world);
        return "dealer returned";
      }
      auto client = world.rank() == 1 ? makeTtpDealerClient(world) : nullptr;
      std::vector<uint64_t> reply(64), seed(2);
      if (world.rank() == 0) {
        world.recv(2, std::as_writable_bytes(std::span(seed)));
        world.send(2, std::as_bytes(std::span(header)));
        if (!tail.empty()) world.send(2, std::as_bytes(std::span(tail)));
        world.recv(2, std::as_writable_bytes(std::span(reply)));
      } else {
        world.recv(0, std::as_writable_bytes(std::span(reply)));
      }
      return "no error";
    } catch (const ProtocolError& e) {
      return std::string("ProtocolError: ") + e.what();
    } catch (const PeerAborted& e) {
      return std::string("PeerAborted: ") + e.what();
    }
  });
}

void expectRejected(const std::vector<std::string>& out, const std::string& why) {
  EXPECT_EQ(out[2].rfind("ProtocolError: ", 0), 0u) << out[2];
  EXPECT_NE(out[2].find(why), std::string::npos) << out[2];
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(out[p].rfind("PeerAborted: ", 0), 0u) << "party " << p << ": " << out[p];
    EXPECT_NE(out[p].find("rank 2 aborted: ttp dealer: rejected a request from party 0"),
              std::string::npos)
        << out[p];
  }
}

TEST(TtpDealerWire, MalformedRequestsAbortTheWorldPromptly) {
  const auto start = std::chrono::steady_clock::now();
  // Unknown kind.
  expectRejected(sendRaw({13, 99, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 4}), "kind 99");
  // Truncated: two shapes announced, none present.
  expectRejected(sendRaw({11, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 2}), "truncated");
  // An absurd word count.
  expectRejected(sendRaw({uint64_t{1} << 40}), "words (at most");
  // A correlation far beyond kTtpMaxCorrelationWords.
  expectRejected(sendRaw({13, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, uint64_t{1} << 40}),
                 "split the tensor");
  // A negative dimension.
  expectRejected(sendRaw({13, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, ~uint64_t{0}}), "negative");
  // A fixed mask id used twice.
  {
    const std::vector<uint64_t> mask = {13, 5, 0, 7, 1, 1, 0, 0, 1, 1, 1, 1, 1, 4};
    auto out = simulate(3, [&](Communicator& world) -> std::string {
      try {
        if (world.rank() == 2) {
          runTtpDealer(world);
          return "dealer returned";
        }
        auto client = world.rank() == 1 ? makeTtpDealerClient(world) : nullptr;
        std::vector<uint64_t> header = mask, reply(4), seed(2);
        header.resize(24);
        if (world.rank() == 0) {
          world.recv(2, std::as_writable_bytes(std::span(seed)));
          world.send(2, std::as_bytes(std::span(header)));
          reply.clear();  // a fixed mask is a free output: an empty reply
          world.recv(2, std::as_writable_bytes(std::span(reply)));  // the first is served
          world.send(2, std::as_bytes(std::span(header)));
          world.recv(2, std::as_writable_bytes(std::span(reply)));
        } else {
          world.recv(0, std::as_writable_bytes(std::span(reply)));
        }
        return "no error";
      } catch (const ProtocolError& e) {
        return std::string("ProtocolError: ") + e.what();
      } catch (const PeerAborted& e) {
        return std::string("PeerAborted: ") + e.what();
      }
    });
    expectRejected(out, "fixed mask id 7 is already in use");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(TtpDealerWire, RequestTailIsRead) {
  // A request announcing more than the header's 23 words: the rest arrives as a second message.
  // mul triple of shape [1 x 14, 3]: 11 + 1 + 15 = 27 words.
  std::vector<uint64_t> words = {1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 15};
  for (int i = 0; i < 14; ++i) words.push_back(1);
  words.push_back(3);
  std::vector<uint64_t> header = {words.size()};
  header.insert(header.end(), words.begin(), words.begin() + 23);
  std::vector<uint64_t> tail(words.begin() + 23, words.end());
  auto out = simulate(3, [&](Communicator& world) -> std::string {
    if (world.rank() == 2) {
      runTtpDealer(world);
      return "dealer returned";
    }
    if (world.rank() == 1) {
      auto client = makeTtpDealerClient(world);  // takes its seed
      return "idle";
    }
    std::vector<uint64_t> seed(2);
    world.recv(2, std::as_writable_bytes(std::span(seed)));
    world.send(2, std::as_bytes(std::span(header)));
    world.send(2, std::as_bytes(std::span(tail)));
    std::vector<uint64_t> reply(3);  // c's 3 words (a and b are free outputs)
    world.recv(2, std::as_writable_bytes(std::span(reply)));
    std::vector<uint64_t> shutdown(24, 0);
    world.send(2, std::as_bytes(std::span(shutdown)));
    return "served";
  });
  EXPECT_EQ(out[0], "served");
  EXPECT_EQ(out[2], "dealer returned");
}

// ---- Setup and shutdown ---------------------------------------------------------------------

TEST(TtpDealerSetup, WrongRanksAreInvalidArguments) {
  auto out = simulate(2, [](Communicator& world) {
    int thrown = 0;
    try {
      if (world.rank() == 0) runTtpDealer(world);         // not the last rank
      if (world.rank() == 1) makeTtpDealerClient(world);  // the dealer's rank
    } catch (const InvalidArgument&) {
      ++thrown;
    }
    try {
      runTtpDealer(world, 0ms);
    } catch (const InvalidArgument&) {
      ++thrown;
    }
    return thrown;
  });
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], 2);
  EXPECT_THROW(simulate(1, [](Communicator& world) { setupTtp(world); }), InvalidArgument);
}

TEST(TtpDealerSetup, OnePartyAndTheDealer) {
  auto out = simulateTtp(1, [](Party& p) {
    auto t = p.dealer().mulTriple(Shape{4});
    return t.c == t.a * t.b;
  });
  EXPECT_TRUE(out[0]);
}

TEST(TtpDealerSetup, PartyZeroFailingStillStopsTheDealer) {
  // Party 0 throws a non-communication error: while the exception unwinds, its client's
  // destructor tells the dealer to stop, so the dealer returns normally.
  auto out = simulate(3, [](Communicator& world) -> std::string {
    if (world.rank() == 2) {
      try {
        runTtpDealer(world);
        return "dealer returned";
      } catch (const CommError& e) {
        return std::string("CommError: ") + e.what();
      }
    }
    try {
      TtpSetup ttp = setupTtp(world);
      Party party(*ttp.online, *ttp.dealer);
      auto a = ArithTensor::share(party, 0, std::vector<double>{1.5, -2}, Shape{2});
      auto b = a.mul(a);
      if (world.rank() == 0) throw InvalidArgument("party 0 gives up");
      return "party";
    } catch (const InvalidArgument& e) {
      return e.what();
    }
  });
  EXPECT_EQ(out[0], "party 0 gives up");
  EXPECT_EQ(out[2], "dealer returned");
}

TEST(TtpDealerSetup, AbortByAPartyReachesTheDealer) {
  auto out = simulate(3, [](Communicator& world) -> std::string {
    try {
      TtpSetup ttp = setupTtp(world);
      if (ttp.is_dealer) {
        runTtpDealer(world);
        return "dealer returned";
      }
      if (world.rank() == 1) {
        ttp.online->abort("party 1 stops");
        return "party";
      }
      ttp.online->barrier();  // party 1 never comes: this fails once it aborted
      return "no error";
    } catch (const CommError& e) {
      return std::string("CommError: ") + e.what();
    }
  });
  EXPECT_EQ(out[2].rfind("CommError: ", 0), 0u) << out[2];
  EXPECT_NE(out[2].find("party 1 stops"), std::string::npos) << out[2];
}

TEST(TtpDealerSetup, DealerIdleTimeoutIsHonoured) {
  // The dealer waits for requests up to its idle timeout, not the world's.
  const auto start = std::chrono::steady_clock::now();
  auto out = simulate(2, [](Communicator& world) -> std::string {
    if (world.rank() == 0) {
      std::this_thread::sleep_for(600ms);  // longer than the idle timeout, then leaves
      return "party";
    }
    try {
      runTtpDealer(world, 200ms);
      return "dealer returned";
    } catch (const Timeout& e) {
      return std::string("Timeout: ") + e.what() +
             " / timeout after: " + std::to_string(world.timeout().count());
    }
  });
  EXPECT_EQ(out[1].rfind("Timeout: ", 0), 0u) << out[1];
  EXPECT_NE(out[1].find("/ timeout after: 20000"), std::string::npos) << out[1];
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace sotto::testing
