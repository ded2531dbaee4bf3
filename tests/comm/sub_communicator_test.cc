// SubCommunicator: the conformance suite over the first k ranks of an inproc world of k + 1 (the
// last rank idle, as a TTP dealer between requests), for k = 2 and 3; plus what is particular to
// it: stats apart from the parent's, no traffic to the excluded rank, argument checks, abort.
// Also Communicator::sendRecv, the parent primitive it relies on.
#include "sotto/comm/sub_communicator.h"

#include <gtest/gtest.h>

#include "comm/conformance.h"
#include "testing/simulate.h"

namespace sotto::testing {
namespace {

using namespace std::chrono_literals;

class SubConformance : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(SubConformance, Case) {
  const auto& [name, parties] = GetParam();
  const ConformanceCase& c = conformanceCase(name);
  simulate(parties + 1, [&](Communicator& world) {
    if (world.rank() == parties) return;  // the idle rank
    SubCommunicator sub(world, parties);
    EXPECT_EQ(sub.worldSize(), parties);
    EXPECT_EQ(sub.rank(), world.rank());
    c.run(sub);
  });
}

INSTANTIATE_TEST_SUITE_P(All, SubConformance,
                         ::testing::Combine(::testing::ValuesIn(conformanceCaseNames()),
                                            ::testing::Values(2, 3)),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" +
                                  std::to_string(std::get<1>(p.param)) + "of" +
                                  std::to_string(std::get<1>(p.param) + 1);
                         });

TEST(SubCommunicator, NameTimeoutAndArguments) {
  simulate(3, [](Communicator& world) {
    world.setTimeout(1234ms);
    if (world.rank() < 2) {
      SubCommunicator sub(world, 2);
      EXPECT_EQ(sub.backendName(), "sub(inproc)");
      EXPECT_EQ(sub.timeout(), 1234ms);  // taken from the parent
      sub.setTimeout(4321ms);
      EXPECT_EQ(world.timeout(), 4321ms);  // forwarded to the parent
      EXPECT_EQ(&sub.parent(), &world);
      SubCommunicator whole(world, 3);  // k may be the whole world
      EXPECT_EQ(whole.worldSize(), 3);
    }
    EXPECT_THROW({ SubCommunicator bad(world, 0); }, InvalidArgument);
    EXPECT_THROW({ SubCommunicator bad(world, 4); }, InvalidArgument);
    if (world.rank() == 2) {
      try {
        SubCommunicator sub(world, 2);
        ADD_FAILURE() << "rank 2 is not among the first 2";
      } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("inproc rank 2 is not among the first 2 ranks"),
                  std::string::npos)
            << e.what();
      }
    }
  });
}

TEST(SubCommunicator, CountsOnlyItsOwnTrafficAndNeverTouchesTheExcludedRank) {
  // 3 parties + an excluded rank: every collective of the sub runs over ranks 0..2 only. The
  // excluded rank counts its own messages with party 0 in its stats; they are not in the sub's.
  auto out = simulate(4, [](Communicator& world) {
    std::vector<uint64_t> side(5, 7);
    if (world.rank() == 3) {
      world.recv(0, std::as_writable_bytes(std::span(side)));
      return world.stats().total;
    }
    SubCommunicator sub(world, 3);
    std::vector<uint64_t> v(10, static_cast<uint64_t>(world.rank() + 1));
    sub.allReduce(v, ReduceOp::kAdd);
    EXPECT_EQ(v[0], 6u);
    std::vector<std::byte> all(3 * 8);
    sub.allGather(std::as_bytes(std::span(v).first(1)), all);
    sub.barrier();
    if (world.rank() == 0) world.send(3, std::as_bytes(std::span(side)));  // beside the sub
    const CommCounters s = sub.stats().total;
    // allReduce: 2 x 80 B sent; allGather: 2 x 8 B; barrier: none.
    EXPECT_EQ(s.bytes_sent, 2u * 80 + 2u * 8);
    EXPECT_EQ(s.calls, 3u);
    // The parent counts the sub's traffic (as exchanges/sendRecvs) plus its own.
    // The barrier's token words (2 x 8 B) travel but the sub counts a barrier as payload-free.
    EXPECT_EQ(world.stats().total.bytes_sent, s.bytes_sent + 16 + (world.rank() == 0 ? 40u : 0u));
    return s;
  });
  EXPECT_EQ(out[3].bytes_received, 40u);  // only party 0's direct message
  EXPECT_EQ(out[3].calls, 1u);
}

TEST(SubCommunicator, AbortReachesEveryRankOfTheParent) {
  const auto start = std::chrono::steady_clock::now();
  auto out = simulate(3, [](Communicator& world) -> std::string {
    try {
      if (world.rank() == 2) {
        std::vector<std::byte> buf(8);
        world.recv(0, buf);  // never sent: woken by the abort
        return "no error";
      }
      SubCommunicator sub(world, 2);
      if (world.rank() == 1) {
        sub.abort("sub party 1 gives up");
        EXPECT_TRUE(sub.failed());
        return "aborted";
      }
      sub.barrier();
      return "no error";
    } catch (const PeerAborted& e) {
      return std::string("PeerAborted: ") + e.what();
    }
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  for (int r : {0, 2}) {
    EXPECT_NE(out[r].find("rank 1 aborted: sub party 1 gives up"), std::string::npos)
        << "rank " << r << ": " << out[r];
  }
}

TEST(SubCommunicator, ParentFailureMakesTheSubFail) {
  auto out = simulate(3, [](Communicator& world) -> std::string {
    if (world.rank() == 2) return "idle";
    SubCommunicator sub(world, 2);
    // Each expects as many bytes as it sends, but they send 8 and 4: a CommError inside the
    // parent, seen through the sub.
    std::vector<std::byte> mine(world.rank() == 0 ? 8 : 4), theirs(mine.size());
    try {
      sub.exchange(1 - world.rank(), mine, theirs);
      return "no error";
    } catch (const CommError&) {
    }
    std::string state = std::string(sub.failed() ? "sub failed" : "sub usable") + ", " +
                        (world.failed() ? "parent failed" : "parent usable");
    return state;
  });
  // Both read a wrong size: the parent records the failure, and so does the sub it went through.
  EXPECT_EQ(out[0], "sub failed, parent failed");
  EXPECT_EQ(out[1], "sub failed, parent failed");
}

// ---- Communicator::sendRecv ----------------------------------------------------------------

TEST(SendRecv, ShiftsAroundARingAndCountsAsExchange) {
  auto out = simulate(4, [](Communicator& c) {
    const int n = c.worldSize();
    const int to = (c.rank() + 1) % n, from = (c.rank() + n - 1) % n;
    std::vector<uint64_t> mine(3, static_cast<uint64_t>(c.rank())), theirs(3);
    c.sendRecv(to, std::as_bytes(std::span(mine)), from, std::as_writable_bytes(std::span(theirs)));
    EXPECT_EQ(theirs, std::vector<uint64_t>(3, static_cast<uint64_t>(from)));
    // Different sizes in the two directions, and to == from (as exchange).
    std::vector<uint64_t> big(c.rank() % 2 == 0 ? 5 : 2), in(c.rank() % 2 == 0 ? 2 : 5);
    c.sendRecv(c.rank() ^ 1, std::as_bytes(std::span(big)), c.rank() ^ 1,
               std::as_writable_bytes(std::span(in)));
    std::vector<uint64_t> v(1);
    EXPECT_THROW(c.sendRecv(c.rank(), std::as_bytes(std::span(v)), from,
                            std::as_writable_bytes(std::span(v))),
                 InvalidArgument);
    EXPECT_THROW(
        c.sendRecv(to, std::as_bytes(std::span(v)), n, std::as_writable_bytes(std::span(v))),
        InvalidArgument);
    EXPECT_FALSE(c.failed());
    return c.stats().op(CommOp::kExchange);
  });
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(out[r].calls, 2u);
    EXPECT_EQ(out[r].bytes_sent, 24u + (r % 2 == 0 ? 40u : 16u));
    EXPECT_EQ(out[r].bytes_received, 24u + (r % 2 == 0 ? 16u : 40u));
  }
}

}  // namespace
}  // namespace sotto::testing
