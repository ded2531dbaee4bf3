// DelayCommunicator: the conformance suite over it (results unchanged), the same statistics as the
// undecorated communicator, and no message arriving before the delay. Times are only ever checked
// from below: a loaded machine may make anything slower, never the delay shorter.
#include "sotto/comm/delay_communicator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "comm/conformance.h"
#include "sotto/comm/factory.h"
#include "sotto/comm/inproc.h"
#include "testing/simulate.h"

namespace sotto::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kDelay{25};

template <typename T>
auto bytesOf(std::vector<T>& v) {
  return std::as_writable_bytes(std::span(v));
}

class DelayConformance : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(DelayConformance, Case) {
  const auto& [name, parties] = GetParam();
  const ConformanceCase& c = conformanceCase(name);
  simulate(parties, [&](Communicator& inner) {
    DelayCommunicator delayed(inner, 200us);
    c.run(delayed);
  });
}

INSTANTIATE_TEST_SUITE_P(All, DelayConformance,
                         ::testing::Combine(::testing::ValuesIn(conformanceCaseNames()),
                                            ::testing::Values(2, 3)),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" +
                                  std::to_string(std::get<1>(p.param)) + "parties";
                         });

TEST(DelayCommunicator, NameTimeoutDelayAndArguments) {
  simulate(2, [](Communicator& inner) {
    inner.setTimeout(1234ms);
    DelayCommunicator d(inner, 3ms);
    EXPECT_EQ(d.backendName(), "delay(inproc)");
    EXPECT_EQ(d.rank(), inner.rank());
    EXPECT_EQ(d.worldSize(), inner.worldSize());
    EXPECT_EQ(d.delay(), 3ms);
    EXPECT_EQ(d.timeout(), 1234ms);  // taken from the inner communicator
    d.setTimeout(4321ms);
    EXPECT_EQ(inner.timeout(), 4321ms);  // forwarded
    EXPECT_EQ(&d.inner(), &inner);
    EXPECT_THROW(DelayCommunicator(inner, -1ms), InvalidArgument);
  });
  EXPECT_THROW(DelayCommunicator(std::unique_ptr<Communicator>(), 1ms), InvalidArgument);
}

// One timed call per pattern: each party notes when it entered and left the call. A message from
// party s to party r held for the delay means left[r] >= entered[s] + delay.
struct Times {
  Clock::time_point entered, left;
};

template <typename Call>
std::vector<Times> timed(int parties, std::chrono::nanoseconds delay, Call call) {
  return simulate(parties, [&](Communicator& inner) {
    DelayCommunicator d(inner, delay);
    inner.barrier();  // start together (undelayed)
    Times t;
    t.entered = Clock::now();
    call(d);
    t.left = Clock::now();
    return t;
  });
}

// left[receiver] - entered[sender] >= delay, as a readable failure if not.
void expectHeld(const std::vector<Times>& t, int sender, int receiver) {
  const auto waited = t[receiver].left - t[sender].entered;
  EXPECT_GE(waited, kDelay) << "message " << sender << " -> " << receiver << " arrived after "
                            << std::chrono::duration<double, std::milli>(waited).count()
                            << " ms, less than the " << kDelay.count() << " ms delay";
}

TEST(DelayCommunicator, SendArrivesNoEarlierThanTheDelay) {
  auto t = timed(2, kDelay, [](Communicator& c) {
    std::vector<uint64_t> v(16, 7);
    if (c.rank() == 0) {
      c.send(1, bytesOf(v));
    } else {
      c.recv(0, bytesOf(v));
    }
  });
  expectHeld(t, 0, 1);
}

TEST(DelayCommunicator, PingPongTakesTwoDelays) {
  auto t = timed(2, kDelay, [](Communicator& c) {
    std::vector<uint64_t> v(16, 7);
    if (c.rank() == 0) {
      c.send(1, bytesOf(v));
      c.recv(1, bytesOf(v));
    } else {
      c.recv(0, bytesOf(v));
      c.send(0, bytesOf(v));
    }
  });
  EXPECT_GE(t[0].left - t[0].entered, 2 * kDelay);
}

TEST(DelayCommunicator, ExchangeAndCollectivesAreHeld) {
  for (int parties : {2, 3}) {
    SCOPED_TRACE(std::to_string(parties) + " parties");
    const int n = parties;
    auto exchange = timed(2, kDelay, [](Communicator& c) {
      std::vector<uint64_t> out(1000, c.rank()), in(1000);
      c.exchange(c.rank() ^ 1, bytesOf(out), bytesOf(in));
    });
    expectHeld(exchange, 0, 1);
    expectHeld(exchange, 1, 0);

    auto bcast = timed(n, kDelay, [](Communicator& c) {
      std::vector<uint64_t> v(100, c.rank() == 1 ? 5 : 0);
      c.broadcast(1, bytesOf(v));
    });
    for (int r = 0; r < n; ++r) {
      if (r != 1) expectHeld(bcast, 1, r);
    }

    auto reduce = timed(n, kDelay, [](Communicator& c) {
      std::vector<uint64_t> v(100, 1);
      c.allReduce(v, ReduceOp::kAdd);
    });
    auto gather_all = timed(n, kDelay, [n](Communicator& c) {
      std::vector<uint64_t> mine(10, c.rank()), all(10 * n);
      c.allGather(bytesOf(mine), bytesOf(all));
    });
    auto barrier = timed(n, kDelay, [](Communicator& c) { c.barrier(); });
    for (int s = 0; s < n; ++s) {
      for (int r = 0; r < n; ++r) {
        if (s == r) continue;
        expectHeld(reduce, s, r);
        expectHeld(gather_all, s, r);
        expectHeld(barrier, s, r);
      }
    }

    auto gather = timed(n, kDelay, [n](Communicator& c) {
      std::vector<uint64_t> mine(10, c.rank()), all(c.rank() == 0 ? 10 * n : 0);
      c.gather(0, bytesOf(mine), bytesOf(all));
    });
    for (int s = 1; s < n; ++s) expectHeld(gather, s, 0);

    auto shift = timed(n, kDelay, [n](Communicator& c) {
      std::vector<uint64_t> out(10, c.rank()), in(10);
      const int to = (c.rank() + 1) % n, from = (c.rank() + n - 1) % n;
      if (n == 2) {
        c.exchange(to, bytesOf(out), bytesOf(in));
      } else {
        c.sendRecv(to, bytesOf(out), from, bytesOf(in));
      }
    });
    for (int r = 0; r < n; ++r) expectHeld(shift, (r + n - 1) % n, r);
  }
}

// A fixed sequence of every call with checked results; returns this party's stats.
CommStats workload(Communicator& c) {
  const int n = c.worldSize();
  const uint64_t r = static_cast<uint64_t>(c.rank());
  c.resetStats();
  {
    auto scope = c.tag("open");
    if (c.rank() < 2) {
      std::vector<uint64_t> out(300, r + 1), in(300);
      c.exchange(c.rank() ^ 1, bytesOf(out), bytesOf(in));
      EXPECT_EQ(in[17], (r ^ 1) + 1);
    }
  }
  std::vector<uint64_t> v(257, r + 1);
  c.allReduce(v, ReduceOp::kAdd);
  EXPECT_EQ(v[256], static_cast<uint64_t>(n * (n + 1) / 2));
  std::vector<uint64_t> x(33, r);
  c.allReduce(x, ReduceOp::kXor);
  uint64_t want_xor = 0;
  for (int i = 0; i < n; ++i) want_xor ^= static_cast<uint64_t>(i);
  EXPECT_EQ(x[0], want_xor);
  std::vector<uint64_t> b(40, c.rank() == n - 1 ? 99 : 0);
  c.broadcast(n - 1, bytesOf(b));
  EXPECT_EQ(b[39], 99u);
  std::vector<uint64_t> mine(5, r * 10), all(5 * n);
  c.allGather(bytesOf(mine), bytesOf(all));
  for (int i = 0; i < n; ++i) EXPECT_EQ(all[5 * i + 4], static_cast<uint64_t>(i) * 10);
  std::vector<uint64_t> g(c.rank() == 0 ? 5 * n : 0);
  c.gather(0, bytesOf(mine), bytesOf(g));
  if (c.rank() == 0) {
    EXPECT_EQ(g[5 * (n - 1)], static_cast<uint64_t>(n - 1) * 10);
  }
  std::vector<uint64_t> msg(9, 1234);
  if (c.rank() == 0) c.send(1, bytesOf(msg));
  if (c.rank() == 1) {
    std::vector<uint64_t> got(9);
    c.recv(0, bytesOf(got));
    EXPECT_EQ(got[8], 1234u);
  }
  c.barrier();
  return c.stats();
}

void expectSameCounters(const CommCounters& a, const CommCounters& b, const std::string& what) {
  EXPECT_EQ(a.bytes_sent, b.bytes_sent) << what;
  EXPECT_EQ(a.bytes_received, b.bytes_received) << what;
  EXPECT_EQ(a.messages_sent, b.messages_sent) << what;
  EXPECT_EQ(a.messages_received, b.messages_received) << what;
  EXPECT_EQ(a.rounds, b.rounds) << what;
  EXPECT_EQ(a.calls, b.calls) << what;
}

TEST(DelayCommunicator, ResultsAndStatsAreThoseOfTheInnerCommunicator) {
  for (int parties : {2, 3}) {
    SCOPED_TRACE(std::to_string(parties) + " parties");
    auto plain = simulate(parties, [](Communicator& c) { return workload(c); });
    auto delayed = simulate(parties, [](Communicator& inner) {
      DelayCommunicator d(inner, 1ms);
      inner.resetStats();
      CommStats outer = workload(d);
      return std::make_pair(outer, inner.stats());
    });
    for (int r = 0; r < parties; ++r) {
      const auto& [outer, inner] = delayed[r];
      expectSameCounters(outer.total, plain[r].total, "decorator total, rank " + std::to_string(r));
      expectSameCounters(inner.total, plain[r].total, "inner total, rank " + std::to_string(r));
      for (int op = 0; op < static_cast<int>(outer.by_op.size()); ++op) {
        expectSameCounters(outer.by_op[op], plain[r].by_op[op], "by_op " + std::to_string(op));
      }
      ASSERT_EQ(outer.by_tag.count("open"), plain[r].by_tag.count("open"));
      if (outer.by_tag.count("open")) {
        expectSameCounters(outer.by_tag.at("open"), plain[r].by_tag.at("open"), "tag open");
      }
    }
  }
}

TEST(DelayCommunicator, AbortReachesThePeers) {
  simulate(2, [](Communicator& inner) {
    if (inner.rank() == 0) {
      DelayCommunicator d(inner, 1ms);
      d.abort("stop");
      EXPECT_TRUE(d.failed());
      EXPECT_TRUE(inner.failed());
    } else {
      std::vector<uint64_t> v(1);
      EXPECT_THROW(inner.recv(0, bytesOf(v)), CommError);
    }
  });
}

TEST(DelayCommunicator, EnvironmentVariable) {
  ::unsetenv("SOTTO_DELAY_MS");
  EXPECT_EQ(delayFromEnvironment(), 0ns);
  ::setenv("SOTTO_DELAY_MS", "2.5", 1);
  EXPECT_EQ(delayFromEnvironment(), 2500us);
  ::setenv("SOTTO_DELAY_MS", "0", 1);
  EXPECT_EQ(delayFromEnvironment(), 0ns);
  for (const char* bad : {"fast", "-1", "5ms", "nan"}) {
    ::setenv("SOTTO_DELAY_MS", bad, 1);
    EXPECT_THROW(delayFromEnvironment(), InvalidArgument) << bad;
  }
  ::unsetenv("SOTTO_DELAY_MS");
  auto none = withDelay(nullptr, 0ns);
  EXPECT_EQ(none, nullptr);
}

TEST(DelayCommunicator, FactoryWrapsWhenTheVariableIsSet) {
  ::setenv("SOTTO_DELAY_MS", "1", 1);
  auto world = InprocWorld::create(2);
  std::unique_ptr<Communicator> comms[2];
  // Creation is local for inproc: no communication, so one thread makes both.
  for (int r = 0; r < 2; ++r) {
    CommOptions o;
    o.inproc_world = world;
    o.rank = r;
    comms[r] = makeCommunicator("inproc", o);
  }
  ::unsetenv("SOTTO_DELAY_MS");
  EXPECT_EQ(comms[0]->backendName(), "delay(inproc)");
  ASSERT_NE(dynamic_cast<DelayCommunicator*>(comms[1].get()), nullptr);
  EXPECT_EQ(dynamic_cast<DelayCommunicator*>(comms[1].get())->delay(), 1ms);
}

}  // namespace
}  // namespace sotto::testing
