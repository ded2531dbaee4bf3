// Ferret's regular-noise MPCOT (src/ot/mpcot.h) on IKNP COTs: w == v ^ e·Δ exactly, e one 1 per bin
// at the receiver's points (both ends of every bin, depths 1 to 10, both directions); the trees'
// leaves do not repeat; one message each way; a point outside its bin is refused.
#include <gtest/gtest.h>

#include <set>

#include "cr_hash.h"
#include "mpcot.h"
#include "sotto/ot/iknp.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;

struct MpcotRun {
  Block delta;
  std::vector<Block> v, w;
  uint64_t sender_messages = 0, receiver_messages = 0;
};

MpcotRun run(int sender, int depth, const std::vector<uint64_t>& alphas) {
  MpcotRun r;
  const size_t trees = alphas.size(), cots = trees * static_cast<size_t>(depth);
  const size_t n = trees << depth;
  simulate(2, [&](Communicator& comm) {
    const int peer = 1 - comm.rank();
    detail::CrHash hash;
    if (comm.rank() == sender) {
      IknpCotSender iknp(comm, peer);
      r.delta = iknp.delta();
      std::vector<Block> q(cots);
      iknp.extend(q);
      r.v.resize(n);
      comm.resetStats();
      detail::mpcotSend(comm, peer, hash, r.delta, depth, q, 7, r.v);
      r.sender_messages = comm.stats().total.messages_sent;
    } else {
      IknpCotReceiver iknp(comm, peer);
      std::vector<std::byte> packed((cots + 7) / 8);
      for (size_t i = 0; i < packed.size(); ++i)
        packed[i] = std::byte(static_cast<uint8_t>(i * 37));
      std::vector<Block> t(cots);
      iknp.extend(packed, t);
      std::vector<uint8_t> b(cots);
      for (size_t i = 0; i < cots; ++i)
        b[i] = (std::to_integer<unsigned>(packed[i / 8]) >> (i % 8)) & 1;
      r.w.resize(n);
      comm.resetStats();
      detail::mpcotRecv(comm, peer, hash, depth, alphas, t, b, 7, r.w);
      r.receiver_messages = comm.stats().total.messages_sent;
    }
    return 0;
  });
  return r;
}

class MpcotTest : public ::testing::TestWithParam<int> {};

TEST_P(MpcotTest, ReceiverGetsVPlusDeltaAtExactlyOnePointPerBin) {
  for (int depth : {1, 2, 5, 9, 10}) {
    const uint64_t top = (uint64_t{1} << depth) - 1;
    const std::vector<uint64_t> alphas{0, top, top / 2, 1 & top, top, 0, (top * 3) / 4};
    const MpcotRun r = run(GetParam(), depth, alphas);
    const size_t bin = size_t{1} << depth;
    ASSERT_EQ(r.v.size(), alphas.size() * bin);
    ASSERT_EQ(r.w.size(), r.v.size());
    std::set<std::pair<uint64_t, uint64_t>> seen;
    for (size_t i = 0; i < r.v.size(); ++i) {
      const bool e = (i % bin) == alphas[i / bin];
      ASSERT_EQ(r.w[i], r.v[i] ^ (e ? r.delta : Block{}))
          << "depth " << depth << ", bin " << i / bin << ", leaf " << i % bin;
      seen.insert({r.v[i].lo, r.v[i].hi});
    }
    EXPECT_EQ(seen.size(), r.v.size()) << "leaves repeat (depth " << depth << ")";
    EXPECT_EQ(r.sender_messages, 1u);
    EXPECT_EQ(r.receiver_messages, 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Sender, MpcotTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

TEST(Mpcot, RefusesAPointOutsideItsBin) {
  detail::CrHash hash;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == 1) {
      std::vector<Block> t(8), w(2 * 16);
      std::vector<uint8_t> b(8);
      const std::vector<uint64_t> alphas{3, 16};
      EXPECT_THROW(detail::mpcotRecv(comm, 0, hash, 4, alphas, t, b, 0, w), InvalidArgument);
    }
    return 0;
  });
}

}  // namespace
}  // namespace sotto::ot
