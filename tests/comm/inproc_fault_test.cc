// Failures on the in-process backend: every one is a clear exception, never a hang.
#include <gtest/gtest.h>

#include <thread>

#include "sotto/comm/factory.h"
#include "sotto/comm/inproc.h"
#include "sotto/comm/verify.h"
#include "testing/simulate.h"

namespace sotto::testing {
namespace {

using namespace std::chrono_literals;

template <typename E>
std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(InprocFault, MismatchedSizesNameBothSizes) {
  const auto msg = messageOf<CommError>([] {
    simulate(2, [](Communicator& c) {
      std::vector<std::byte> buf(800);
      if (c.rank() == 0) c.recv(1, buf);
      if (c.rank() == 1) c.send(0, std::span(buf).first(400));
      c.barrier();
    });
  });
  EXPECT_NE(msg.find("mismatched message size: expected 800 bytes, rank 1 sent 400"),
            std::string::npos)
      << msg;
}

TEST(InprocFault, DifferentSettingsShowEachRanksText) {
  // Every party throws, and the message lists each rank's text (a long one cut at 56 bytes).
  const std::string long_text(80, 'x');
  std::vector<std::string> messages(3);
  EXPECT_THROW(simulate(3,
                        [&](Communicator& c) {
                          const std::string mine = c.rank() == 1 ? "--batch 8" : "--batch 1";
                          try {
                            verifySameOnAllParties(c, "--batch", mine);
                          } catch (const CommError& e) {
                            messages[static_cast<size_t>(c.rank())] = e.what();
                            throw;
                          }
                        }),
               CommError);
  for (const auto& msg : messages) {
    EXPECT_NE(msg.find("different settings for --batch (rank 0: \"--batch 1\", rank 1: "
                       "\"--batch 8\", rank 2: \"--batch 1\")"),
              std::string::npos)
        << msg;
  }
  // Texts that differ only past the shown prefix still differ (the hash covers them).
  const auto msg = messageOf<CommError>([&] {
    simulate(2, [&](Communicator& c) {
      verifySameOnAllParties(c, "model", long_text + (c.rank() == 0 ? "a" : "b"));
    });
  });
  EXPECT_NE(msg.find("rank 0: \"" + std::string(56, 'x') + "\""), std::string::npos) << msg;
  // The same text passes.
  simulate(2, [](Communicator& c) { verifySameOnAllParties(c, "--batch", "--batch 1"); });
}

TEST(InprocFault, DifferentCallsAreNamed) {
  const auto msg = messageOf<CommError>([] {
    simulate(2, [](Communicator& c) {
      std::vector<uint64_t> v(1);
      if (c.rank() == 0) c.allReduce(v, ReduceOp::kAdd);
      if (c.rank() == 1) {
        c.broadcast(1, std::as_writable_bytes(std::span(v)));
        c.barrier();  // stay open, so rank 0 meets the mismatch rather than a closed peer
      }
    });
  });
  EXPECT_NE(msg.find("different calls"), std::string::npos) << msg;
}

TEST(InprocFault, TimeoutNamesPeerAndOperation) {
  const auto start = std::chrono::steady_clock::now();
  const auto msg = messageOf<Timeout>([] {
    simulate(
        2,
        [](Communicator& c) {
          std::vector<std::byte> buf(8);
          if (c.rank() == 0) c.recv(1, buf);
          if (c.rank() == 1) std::this_thread::sleep_for(600ms);  // then returns, never sends
        },
        300ms);
  });
  EXPECT_NE(msg.find("inproc rank 0: recv from rank 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("300 ms"), std::string::npos) << msg;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(InprocFault, PeerThatReturnsEarlyIsReported) {
  const auto msg = messageOf<PeerAborted>([] {
    simulate(2, [](Communicator& c) {
      std::vector<std::byte> buf(8);
      if (c.rank() == 0) c.recv(1, buf);  // rank 1 returns at once without sending
    });
  });
  EXPECT_NE(msg.find("rank 1 closed its communicator"), std::string::npos) << msg;
}

TEST(InprocFault, FirstExceptionWinsAndOthersStopPromptly) {
  const auto start = std::chrono::steady_clock::now();
  const auto msg = messageOf<ProtocolError>([] {
    simulate(3, [](Communicator& c) {
      if (c.rank() == 2) throw ProtocolError("party 2 found bad material");
      std::vector<uint64_t> v(4);
      c.allReduce(v, ReduceOp::kAdd);  // would wait for rank 2 forever
    });
  });
  EXPECT_EQ(msg, "party 2 found bad material");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // not the 20 s timeout
}

TEST(InprocFault, AbortReachesPeersWithReason) {
  auto world = InprocWorld::create(2);
  std::string seen;
  std::thread t([&] {
    auto c = world->communicator(0, 10s);
    std::vector<std::byte> buf(8);
    try {
      c->recv(1, buf);
    } catch (const PeerAborted& e) {
      seen = e.what();
    }
  });
  auto c1 = world->communicator(1, 10s);
  std::this_thread::sleep_for(50ms);
  c1->abort("disk on fire");
  t.join();
  EXPECT_NE(seen.find("rank 1 aborted: disk on fire"), std::string::npos) << seen;
  EXPECT_TRUE(c1->failed());
  std::vector<std::byte> buf(8);
  EXPECT_THROW(c1->send(0, buf), CommError);  // unusable after abort
}

TEST(InprocFault, CommunicatorIsUnusableAfterFailure) {
  simulate(2, [](Communicator& c) {
    c.setTimeout(100ms);
    if (c.rank() == 0) {
      std::vector<std::byte> buf(8);
      EXPECT_THROW(c.recv(1, buf), Timeout);
      EXPECT_TRUE(c.failed());
      const auto msg = messageOf<CommError>([&] { c.barrier(); });
      EXPECT_NE(msg.find("unusable after an earlier failure"), std::string::npos) << msg;
    } else {
      std::this_thread::sleep_for(300ms);
    }
  });
}

TEST(InprocFault, FactoryChecksItsOptions) {
  EXPECT_THROW(makeCommunicator("inproc"), InvalidArgument);
  const auto msg = messageOf<InvalidArgument>([] { makeCommunicator("carrier-pigeon"); });
  EXPECT_NE(msg.find("unknown backend 'carrier-pigeon'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("inproc"), std::string::npos) << msg;
  auto world = InprocWorld::create(2);
  EXPECT_THROW(world->communicator(2), InvalidArgument);
  auto c0 = world->communicator(0);
  EXPECT_THROW(world->communicator(0), InvalidArgument);  // taken twice
  EXPECT_THROW(InprocWorld::create(0), InvalidArgument);
}

TEST(InprocFault, RunLocalReturnsResultsInRankOrder) {
  auto results = runLocal(4, [](Communicator& c) {
    std::vector<uint64_t> v{static_cast<uint64_t>(c.rank() + 1)};
    c.allReduce(v, ReduceOp::kAdd);
    return c.rank() * 100 + static_cast<int>(v[0]);
  });
  EXPECT_EQ(results, (std::vector<int>{10, 110, 210, 310}));
}

}  // namespace
}  // namespace sotto::testing
