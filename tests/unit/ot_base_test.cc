// Chou–Orlandi base OT (base_ot.h) alone: each receiver key is the sender's key of its choice and
// differs from the other; fresh keys each run; a point that does not decode, a count the peer does
// not expect, a bad peer or choice: clear errors naming the peer and the step.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "sotto/ot/base_ot.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;
using ::testing::HasSubstr;

struct BaseRun {
  std::vector<std::array<Block, 2>> sent;
  std::vector<Block> received;
};

BaseRun run(int sender, const std::vector<uint8_t>& choices) {
  BaseRun r;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == sender) {
      r.sent = baseOtSend(comm, 1 - sender, choices.size());
    } else {
      r.received = baseOtReceive(comm, sender, choices);
    }
    return 0;
  });
  return r;
}

std::vector<uint8_t> randomChoices(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> c(n);
  for (auto& x : c) x = static_cast<uint8_t>(gen() & 1);
  return c;
}

class BaseOtTest : public ::testing::TestWithParam<int> {};

TEST_P(BaseOtTest, ReceiverGetsTheKeyOfItsChoiceOnly) {
  for (size_t n : {size_t{1}, size_t{3}, size_t{128}}) {
    const auto choices = randomChoices(n, 7 + static_cast<unsigned>(n));
    const BaseRun r = run(GetParam(), choices);
    ASSERT_EQ(r.sent.size(), n);
    ASSERT_EQ(r.received.size(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(r.received[i], r.sent[i][choices[i]]) << "OT " << i << " of " << n;
      EXPECT_NE(r.received[i], r.sent[i][1 - choices[i]]) << "OT " << i << " of " << n;
      EXPECT_NE(r.sent[i][0], r.sent[i][1]);
    }
  }
}

TEST_P(BaseOtTest, AllZeroAndAllOneChoices) {
  for (uint8_t c : {uint8_t{0}, uint8_t{1}}) {
    const std::vector<uint8_t> choices(128, c);
    const BaseRun r = run(GetParam(), choices);
    for (size_t i = 0; i < choices.size(); ++i) EXPECT_EQ(r.received[i], r.sent[i][c]) << i;
  }
}

TEST_P(BaseOtTest, KeysAreFreshEachRunAndDistinctAcrossPositions) {
  const auto choices = randomChoices(128, 3);
  const BaseRun a = run(GetParam(), choices), b = run(GetParam(), choices);
  for (size_t i = 0; i < choices.size(); ++i) {
    EXPECT_NE(a.sent[i][0], b.sent[i][0]) << i;
    EXPECT_NE(a.sent[i][1], b.sent[i][1]) << i;
    if (i > 0) {
      EXPECT_NE(a.sent[i][0], a.sent[i - 1][0]) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sender, BaseOtTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

// Runs the receiver against a peer that sends `garbage` instead of A; returns its error.
std::string receiverErrorOnA(const std::vector<unsigned char>& garbage) {
  std::string error = "(no ProtocolError thrown)";
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == 0) {
      comm.send(1, std::as_bytes(std::span(garbage)));
    } else {
      try {
        baseOtReceive(comm, 0, std::vector<uint8_t>(4, 1));
      } catch (const ProtocolError& e) {
        error = e.what();
      }
    }
    return 0;
  });
  return error;
}

TEST(BaseOt, APointThatDoesNotDecodeIsAProtocolErrorNamingPeerAndStep) {
  const std::string ff = receiverErrorOnA(std::vector<unsigned char>(32, 0xff));
  EXPECT_THAT(ff, HasSubstr("party 0"));
  EXPECT_THAT(ff, HasSubstr("step 1, the point A"));
  // the identity (all zeros) decodes but must be refused too
  EXPECT_THAT(receiverErrorOnA(std::vector<unsigned char>(32, 0)), HasSubstr("step 1"));
}

TEST(BaseOt, AGarbageReplyIsAProtocolErrorOnTheSender) {
  std::string error = "(no ProtocolError thrown)";
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == 1) {
      std::vector<unsigned char> a(32), garbage(2 * 32, 0xee);
      comm.recv(0, std::as_writable_bytes(std::span(a)));
      comm.send(0, std::as_bytes(std::span(garbage)));
    } else {
      try {
        baseOtSend(comm, 1, 2);
      } catch (const ProtocolError& e) {
        error = e.what();
      }
    }
    return 0;
  });
  EXPECT_THAT(error, HasSubstr("party 1"));
  EXPECT_THAT(error, HasSubstr("step 2, the point B_0"));
}

TEST(BaseOt, ACountThePeerDoesNotExpectIsACommError) {
  EXPECT_THROW(simulate(2,
                        [&](Communicator& comm) {
                          if (comm.rank() == 0) {
                            baseOtSend(comm, 1, 128);
                          } else {
                            baseOtReceive(comm, 0, std::vector<uint8_t>(64, 0));
                          }
                          return 0;
                        }),
               CommError);
}

TEST(BaseOt, BadArgumentsAreRefusedBeforeAnyTraffic) {
  simulate(2, [&](Communicator& comm) {
    EXPECT_THAT(sotto::testing::errorOf([&] { baseOtSend(comm, comm.rank(), 4); }),
                HasSubstr("peer"));
    EXPECT_THAT(sotto::testing::errorOf([&] { baseOtSend(comm, 1 - comm.rank(), 0); }),
                HasSubstr("count must be positive"));
    const std::vector<uint8_t> two{0, 2};
    EXPECT_THAT(sotto::testing::errorOf([&] { baseOtReceive(comm, 1 - comm.rank(), two); }),
                HasSubstr("choice 1 is 2"));
    EXPECT_EQ(comm.stats().total.calls, 0u);
    return 0;
  });
}

}  // namespace
}  // namespace sotto::ot
