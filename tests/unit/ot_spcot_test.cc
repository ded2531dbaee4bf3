// Single-point COT (the GGM-tree SPCOT of Ferret, session.h): w == v ^ (k == alpha ? Δ : 0) for
// every leaf, both directions, depths 1 to 12, points at both ends and inside; the leaves differ
// from one call to the next; the traffic is what the header says.
#include <gtest/gtest.h>

#include <set>

#include "sotto/ot/session.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;

struct Spcot {
  Block delta;
  std::vector<std::vector<Block>> v, w;
};

Spcot run(int sender, const std::vector<std::pair<uint64_t, int>>& calls) {
  Spcot r;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == sender) {
      OtSender s(comm);
      r.delta = s.delta();
      for (const auto& c : calls) r.v.push_back(s.singlePointCot(c.second));
    } else {
      OtReceiver rc(comm);
      for (const auto& c : calls) r.w.push_back(rc.singlePointCot(c.first, c.second));
    }
    return 0;
  });
  return r;
}

class SpcotTest : public ::testing::TestWithParam<int> {};

TEST_P(SpcotTest, ReceiverGetsEveryLeafAndTheLeafAtAlphaPlusDelta) {
  const std::vector<std::pair<uint64_t, int>> calls{{0, 1},     {1, 1},     {2, 2},  {0, 5},
                                                    {31, 5},    {17, 5},    {0, 12}, {4095, 12},
                                                    {1234, 12}, {2049, 12}, {5, 3}};
  const Spcot r = run(GetParam(), calls);
  ASSERT_EQ(r.v.size(), calls.size());
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (size_t c = 0; c < calls.size(); ++c) {
    const auto [alpha, depth] = calls[c];
    ASSERT_EQ(r.v[c].size(), size_t{1} << depth);
    ASSERT_EQ(r.w[c].size(), size_t{1} << depth);
    for (size_t k = 0; k < r.v[c].size(); ++k) {
      ASSERT_EQ(r.w[c][k], r.v[c][k] ^ (k == alpha ? r.delta : Block{}))
          << "call " << c << " (alpha " << alpha << ", depth " << depth << "), leaf " << k;
      seen.insert({r.v[c][k].lo, r.v[c][k].hi});
    }
  }
  size_t leaves = 0;
  for (const auto& c : calls) leaves += size_t{1} << c.second;
  EXPECT_EQ(seen.size(), leaves) << "leaves repeat within or across calls";
}

TEST_P(SpcotTest, TrafficIsWhatTheHeaderSays) {
  simulate(2, [&](Communicator& comm) {
    const int depth = 10;
    if (comm.rank() == GetParam()) {
      OtSender s(comm);
      s.reserve(1024);
      (void)s.singlePointCot(depth);
      const auto& t = comm.stats().by_tag.at("ot/spcot");
      EXPECT_EQ(t.bytes_received, 2u);
      EXPECT_EQ(t.bytes_sent, 16u * (depth - 1));  // one correction per level but the first
    } else {
      OtReceiver r(comm);
      r.reserve(1024);
      (void)r.singlePointCot(3, depth);
    }
    return 0;
  });
}

INSTANTIATE_TEST_SUITE_P(Sender, SpcotTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

}  // namespace
}  // namespace sotto::ot
