// Ferret's regular-noise MPCOT (src/ot/mpcot.h) on IKNP COTs: w == v ^ e·Δ exactly, e one 1 per bin
// at the points read off the receiver's COT choices (set here to reach both ends of every bin,
// depths 1 to 10, both directions); every bin of v XORs to Δ (the correlated tree of ggm.h); the
// trees' leaves do not repeat; one message sender → receiver (none for depth 1), none back;
// inconsistent sizes are refused.
#include <gtest/gtest.h>

#include <set>

#include "cr_hash.h"
#include "mpcot.h"
#include "sotto/error.h"
#include "sotto/ot/iknp.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;

struct MpcotRun {
  Block delta;
  std::vector<Block> v, w;
  std::vector<uint64_t> alphas;
  uint64_t sender_messages = 0, receiver_messages = 0, sender_bytes = 0;
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
      r.sender_bytes = comm.stats().total.bytes_sent;
    } else {
      IknpCotReceiver iknp(comm, peer);
      // choices b with bit (depth − i) of α_j = 1 ⊕ b_{j·depth + i − 1}
      std::vector<uint8_t> b(cots);
      for (size_t j = 0; j < trees; ++j) {
        for (int i = 0; i < depth; ++i) {
          b[j * depth + i] = 1 ^ ((alphas[j] >> (depth - 1 - i)) & 1);
        }
      }
      std::vector<std::byte> packed((cots + 7) / 8);
      for (size_t i = 0; i < cots; ++i) packed[i / 8] |= std::byte(b[i] << (i % 8));
      std::vector<Block> t(cots);
      iknp.extend(packed, t);
      r.w.resize(n);
      r.alphas.resize(trees);
      comm.resetStats();
      detail::mpcotRecv(comm, peer, hash, depth, t, b, 7, r.w, r.alphas);
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
    EXPECT_EQ(r.alphas, alphas) << "depth " << depth;
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
    for (size_t j = 0; j < alphas.size(); ++j) {
      Block sum{};
      for (size_t k = 0; k < bin; ++k) sum ^= r.v[j * bin + k];
      EXPECT_EQ(sum, r.delta) << "bin " << j << " of depth " << depth << " does not XOR to Δ";
    }
    EXPECT_EQ(r.sender_messages, depth > 1 ? 1u : 0u);
    EXPECT_EQ(r.sender_bytes, 16u * alphas.size() * static_cast<size_t>(depth - 1));
    EXPECT_EQ(r.receiver_messages, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Sender, MpcotTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

TEST(Mpcot, RefusesInconsistentSizes) {
  detail::CrHash hash;
  std::vector<Block> t(8), w(2 * 16), msg(6), short_msg(5), v(2 * 16);
  std::vector<uint8_t> b(8);
  std::vector<uint64_t> alphas(2);
  EXPECT_NO_THROW(detail::mpcotReceiverCompute(hash, 4, t, b, msg, 0, 0, w, alphas));
  EXPECT_THROW(detail::mpcotReceiverCompute(hash, 4, t, b, short_msg, 0, 0, w, alphas),
               InvalidArgument);
  EXPECT_THROW(
      detail::mpcotReceiverCompute(hash, 4, std::span(t).first(7), b, msg, 0, 0, w, alphas),
      InvalidArgument);
  EXPECT_THROW(detail::mpcotSenderCompute(hash, Block{1, 0}, 4, t, 0, 0, v, short_msg),
               InvalidArgument);
  EXPECT_THROW(detail::mpcotSenderCompute(hash, Block{1, 0}, 25, t, 0, 0, v, msg), InvalidArgument);
}

}  // namespace
}  // namespace sotto::ot
