// Ferret's extension (ferret.h): t_i == q_i ^ b_i·Δ on every output, Δ the IKNP sender's, over
// several rounds of a small set and over a whole b13 round (all 10,017,120 outputs); outputs
// do not repeat; the receiver's choice bits are balanced; bad sets are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sotto/error.h"
#include "sotto/ot/ferret.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;

// A small set of the same shape as emp-ot's (for fast tests; not a secure set).
constexpr FerretParams kSmall{"small", {64 * 256, 2000, 64, 8}, {24 * 256, 1000, 24, 8}};

struct Out {
  Block delta, iknp_delta;
  std::vector<Block> q, t;
  std::vector<uint8_t> b;
  size_t rounds = 0;
};

Out run(int sender, const FerretParams& p, const std::vector<size_t>& calls) {
  Out o;
  size_t total = 0;
  for (size_t c : calls) total += c;
  simulate(
      2,
      [&](Communicator& comm) {
        const int peer = 1 - comm.rank();
        if (comm.rank() == sender) {
          IknpCotSender iknp(comm, peer);
          FerretCotSender f(comm, peer, iknp, p);
          o.iknp_delta = iknp.delta();
          o.delta = f.delta();
          o.q.resize(total);
          size_t at = 0;
          for (size_t c : calls) {
            f.extend(std::span(o.q).subspan(at, c));
            at += c;
          }
          o.rounds = f.rounds();
        } else {
          IknpCotReceiver iknp(comm, peer);
          FerretCotReceiver f(comm, peer, iknp, p);
          o.t.resize(total);
          o.b.resize(total);
          size_t at = 0;
          for (size_t c : calls) {
            f.extend(std::span(o.t).subspan(at, c), std::span(o.b).subspan(at, c));
            at += c;
          }
        }
        return 0;
      },
      std::chrono::minutes(5));
  return o;
}

void expectCorrelated(const Out& o) {
  ASSERT_EQ(o.q.size(), o.t.size());
  EXPECT_EQ(o.delta, o.iknp_delta);
  EXPECT_TRUE(o.delta.bit(0));
  size_t ones = 0;
  for (size_t i = 0; i < o.q.size(); ++i) {
    ASSERT_LE(o.b[i], 1u) << i;
    ASSERT_EQ(o.t[i], o.q[i] ^ (o.b[i] ? o.delta : Block{})) << "COT " << i;
    ones += o.b[i];
  }
  // b_i uniform: within 6 standard deviations of n/2
  const double n = static_cast<double>(o.q.size());
  EXPECT_LT(std::abs(static_cast<double>(ones) - n / 2), 6 * std::sqrt(n / 4)) << ones;
}

class FerretTest : public ::testing::TestWithParam<int> {};

TEST_P(FerretTest, SeveralRoundsOfASmallSetAreCorrelated) {
  const size_t yield = kSmall.yield();  // 13,872 per main round
  const Out o = run(GetParam(), kSmall, {1, 100, yield - 101, 5000, 2 * yield, 7});
  expectCorrelated(o);
  EXPECT_EQ(o.rounds, 1u + 4u);  // the bootstrap and 4 main rounds
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (const Block& q : o.q) seen.insert({q.lo, q.hi});
  EXPECT_EQ(seen.size(), o.q.size()) << "COTs repeat";
}

INSTANTIATE_TEST_SUITE_P(Sender, FerretTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

TEST(Ferret, AWholeB13RoundIsCorrelated) {
  const Out o = run(0, kFerretB13, {kFerretB13.yield()});
  EXPECT_EQ(o.q.size(), 10017120u);
  expectCorrelated(o);
  EXPECT_EQ(o.rounds, 2u);
}

TEST(Ferret, RefusesASetThatIsNotRegular) {
  FerretParams bad = kSmall;
  bad.main.n += 1;
  FerretParams small_boot = kSmall;
  small_boot.bootstrap = {256, 100, 1, 8};
  simulate(2, [&](Communicator& comm) {
    const int peer = 1 - comm.rank();
    if (comm.rank() == 0) {
      IknpCotSender iknp(comm, peer);
      EXPECT_THROW(FerretCotSender(comm, peer, iknp, bad), InvalidArgument);
      EXPECT_THROW(FerretCotSender(comm, peer, iknp, small_boot), InvalidArgument);
    } else {
      IknpCotReceiver iknp(comm, peer);
      EXPECT_THROW(FerretCotReceiver(comm, peer, iknp, bad), InvalidArgument);
    }
    return 0;
  });
}

}  // namespace
}  // namespace sotto::ot
