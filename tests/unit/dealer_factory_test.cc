// makeDealer: every correlation source by name, the same product under each, and clear errors.
#include "sotto/mpc/dealer/dealer_factory.h"

#include <gtest/gtest.h>

#include "testing/errors.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

class DealerFactoryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DealerFactoryTest, ProductIsRightAndSecurityIsStated) {
  // plaintext -> share -> mul -> reveal, under the dealer named by the parameter.
  const auto x = uniform(64, -50, 50, 1), y = uniform(64, -50, 50, 2);
  const auto out = simulateDealer(GetParam(), 2, [&](Party& p) {
    auto a = ArithTensor::share(p, 0, p.id() == 0 ? x : std::vector<double>{}, Shape{64});
    auto b = ArithTensor::share(p, 1, p.id() == 1 ? y : std::vector<double>{}, Shape{64});
    return std::make_pair(a.mul(b).revealDoubles(), p.dealer().secure());
  });
  for (int party = 0; party < 2; ++party) {
    EXPECT_EQ(out[party].second, GetParam() == "ttp");
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_NEAR(out[party].first[i], quantize(x[i]) * quantize(y[i]), 2 * kUlp) << i;
    }
  }
}

TEST_P(DealerFactoryTest, WorldSizeAndRoles) {
  const int world = worldSizeFor(GetParam(), 2);
  EXPECT_EQ(world, GetParam() == "ttp" ? 3 : 2);
  const auto roles = simulate(world, [&](Communicator& c) {
    DealerSetup setup = makeDealer(c, GetParam());
    EXPECT_EQ(setup.name(), GetParam());
    if (setup.serves()) {
      EXPECT_THROW(setup.online(), InvalidArgument);
      EXPECT_THROW(setup.dealer(), InvalidArgument);
      setup.serve();
      return -1;
    }
    EXPECT_THROW(setup.serve(), InvalidArgument);
    EXPECT_EQ(setup.online().worldSize(), 2);
    return setup.online().rank();
  });
  EXPECT_EQ(roles[0], 0);
  EXPECT_EQ(roles[1], 1);
  if (world == 3) {
    EXPECT_EQ(roles[2], -1);  // the last rank deals
  }
}

std::string testName(const ::testing::TestParamInfo<std::string>& p) {
  return p.param == "ttp" ? "ttp" : "insecure_seeded";
}

INSTANTIATE_TEST_SUITE_P(Dealers, DealerFactoryTest, ::testing::Values("ttp", "insecure-seeded"),
                         testName);

TEST(DealerFactory, UnknownNameListsTheKnownOnes) {
  EXPECT_NE(errorOf([] {
              worldSizeFor("tpp", 2);
            }).find("unknown dealer 'tpp' (known: ttp, insecure-seeded)"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              simulate(2, [](Communicator& c) { return makeDealer(c, "ot").serves(); });
            }).find("unknown dealer 'ot'"),
            std::string::npos);
}

TEST(DealerFactory, SecureFirst) {
  const auto names = availableDealers();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "ttp");
}

}  // namespace
}  // namespace sotto::testing
