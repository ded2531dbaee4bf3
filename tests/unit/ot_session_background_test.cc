// The OT session with background refill (session.h: a second communicator for the COT source,
// refilled by a thread of the session): COTs hold the correlation and the kinds built on them are
// right, with IKNP and with Ferret (several rounds), both directions; a peer that stops refilling
// gives a CommError naming the background refill at the call that needs the COTs (no hang, no
// terminate), both directions; a background communicator that is not a second one between the
// same parties is refused.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

#include "sotto/error.h"
#include "sotto/ot/session.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;

// A small set of emp-ot's shape (fast; not a secure set): rounds of 13,872 COTs.
constexpr FerretParams kSmall{"small", {64 * 256, 2000, 64, 8}, {24 * 256, 1000, 24, 8}};

struct Case {
  int sender;
  OtExtension extension;
};

OtOptions options(OtExtension e) {
  OtOptions o;
  o.extension = e;
  o.ferret = kSmall;
  o.batch = 3000;  // not a divisor of a round: chunks straddle Ferret rounds
  return o;
}

// Runs fs on the sender and fr on the receiver, each session with a background communicator of
// its own (a second in-process world).
template <typename FS, typename FR>
auto runBackground(int sender, FS&& fs, FR&& fr, const OtOptions& o) {
  std::optional<std::invoke_result_t<FS&, OtSender&>> rs;
  std::optional<std::invoke_result_t<FR&, OtReceiver&>> rr;
  auto world = InprocWorld::create(2);
  simulate(2, [&](Communicator& comm) {
    auto bg = world->communicator(comm.rank(), std::chrono::seconds(10));
    if (comm.rank() == sender) {
      OtSender s(comm, *bg, o);
      rs.emplace(fs(s));
    } else {
      OtReceiver r(comm, *bg, o);
      rr.emplace(fr(r));
    }
    return 0;
  });
  return std::make_pair(std::move(*rs), std::move(*rr));
}

class BackgroundTest : public ::testing::TestWithParam<Case> {};

TEST_P(BackgroundTest, CotsAndKindsAreRight) {
  const auto [sender, extension] = GetParam();
  const std::vector<size_t> sizes{1, 1000, 5003, 20000, 9000};  // 35,004: 3 small Ferret rounds
  const size_t n = 4000;
  std::mt19937_64 gen(5);
  std::vector<uint64_t> x0(n), x1(n), x(n);
  for (auto* v : {&x0, &x1, &x}) {
    for (auto& w : *v) w = gen();
  }
  std::vector<uint8_t> c(n);
  for (auto& b : c) b = gen() & 1;
  struct S {
    Block delta;
    std::vector<std::vector<Block>> q;
    std::vector<uint64_t> add;
  };
  struct R {
    std::vector<ChoiceBlocks> t;
    std::vector<uint64_t> chosen, add;
  };
  auto [s, r] = runBackground(
      sender,
      [&](OtSender& ot) {
        S out{ot.delta(), {}, {}};
        for (size_t k : sizes) out.q.push_back(ot.randomCot(k));
        ot.chosenOt(x0, x1, 64);
        out.add = ot.additiveCot(x, 37);
        return out;
      },
      [&](OtReceiver& ot) {
        R out;
        for (size_t k : sizes) out.t.push_back(ot.randomCot(k));
        out.chosen = ot.chosenOt(c, 64);
        out.add = ot.additiveCot(c, 37);
        return out;
      },
      options(extension));
  size_t ones = 0, total = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    ASSERT_EQ(s.q[k].size(), sizes[k]);
    ASSERT_EQ(r.t[k].blocks.size(), sizes[k]);
    for (size_t i = 0; i < sizes[k]; ++i) {
      ASSERT_LE(r.t[k].choices[i], 1);
      ASSERT_EQ(r.t[k].blocks[i], s.q[k][i] ^ (r.t[k].choices[i] ? s.delta : Block{}))
          << "call " << k << ", COT " << i;
      ones += r.t[k].choices[i];
      ++total;
    }
  }
  EXPECT_GT(ones, total / 2 - total / 20);
  EXPECT_LT(ones, total / 2 + total / 20);
  const uint64_t mask = (uint64_t{1} << 37) - 1;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(r.chosen[i], c[i] ? x1[i] : x0[i]) << "chosen OT " << i;
    ASSERT_EQ((s.add[i] + r.add[i]) & mask, (c[i] * x[i]) & mask) << "additive COT " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Session, BackgroundTest,
                         ::testing::Values(Case{0, OtExtension::kIknp}, Case{1, OtExtension::kIknp},
                                           Case{0, OtExtension::kFerret},
                                           Case{1, OtExtension::kFerret}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.extension == OtExtension::kIknp ? "Iknp"
                                                                                      : "Ferret") +
                                  "Party" + std::to_string(i.param.sender);
                         });

// The peer sets the session up (base OTs on the background communicator) but never refills: the
// worker's first refill times out, and the call that needs COTs throws it. Party 0 has the
// background refill, as the sender (IKNP, Ferret) or as the Ferret receiver; an IKNP receiver only
// sends while refilling, so a silent peer does not stop it (as without background).
class BackgroundStopTest : public ::testing::TestWithParam<Case> {};

TEST_P(BackgroundStopTest, APeerThatStopsGivesAClearError) {
  const auto [sender, extension] = GetParam();
  const OtOptions o = options(extension);
  auto world = InprocWorld::create(2);
  std::string what;
  simulate(2, [&](Communicator& comm) {
    auto bg = world->communicator(comm.rank(), std::chrono::milliseconds(500));
    if (comm.rank() == 0) {  // the party with the background refill
      try {
        if (sender == 0) {
          OtSender s(comm, *bg, o);
          (void)s.randomCot(10);
        } else {
          OtReceiver r(comm, *bg, o);
          (void)r.randomCot(10);
        }
      } catch (const CommError& e) {
        what = e.what();
      }
    } else {  // the peer: setup only, on the background communicator, then silence
      if (sender == 0) {
        OtReceiver r(*bg, OtOptions{.extension = o.extension, .ferret = o.ferret});
      } else {
        OtSender s(*bg, OtOptions{.extension = o.extension, .ferret = o.ferret});
      }
    }
    comm.barrier();  // the peer's communicators stay open (silent) until party 0 has failed
    return 0;
  });
  EXPECT_NE(what.find("background"), std::string::npos) << what;
  EXPECT_NE(what.find("rank 1"), std::string::npos) << what;
}

INSTANTIATE_TEST_SUITE_P(Session, BackgroundStopTest,
                         ::testing::Values(Case{0, OtExtension::kIknp},
                                           Case{0, OtExtension::kFerret},
                                           Case{1, OtExtension::kFerret}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.extension == OtExtension::kIknp ? "Iknp"
                                                                                      : "Ferret") +
                                  (i.param.sender == 0 ? "Sender" : "Receiver");
                         });

TEST(Background, RefusesTheSessionsOwnCommunicatorOrAnotherParty) {
  auto world = InprocWorld::create(2);
  simulate(2, [&](Communicator& comm) {
    auto bg = world->communicator(1 - comm.rank(), std::chrono::seconds(1));  // the wrong rank
    if (comm.rank() == 0) {
      EXPECT_THROW(OtSender(comm, comm), InvalidArgument);
      EXPECT_THROW(OtSender(comm, *bg), InvalidArgument);
    } else {
      EXPECT_THROW(OtReceiver(comm, comm), InvalidArgument);
      EXPECT_THROW(OtReceiver(comm, *bg), InvalidArgument);
    }
    return 0;
  });
}

}  // namespace
}  // namespace sotto::ot
