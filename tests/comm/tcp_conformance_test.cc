// The conformance suite over the tcp backend for 2, 3 and 4 parties: threads of this process,
// each with its own communicator over real loopback TCP.
#include <gtest/gtest.h>

#include "comm/conformance.h"
#include "comm/tcp_world.h"

namespace sotto::testing {
namespace {

class TcpConformance : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(TcpConformance, Case) {
  const auto& [name, parties] = GetParam();
  const ConformanceCase& c = conformanceCase(name);
  simulateTcp(parties, [&](Communicator& comm) { c.run(comm); });
}

INSTANTIATE_TEST_SUITE_P(All, TcpConformance,
                         ::testing::Combine(::testing::ValuesIn(conformanceCaseNames()),
                                            ::testing::Values(2, 3, 4)),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" +
                                  std::to_string(std::get<1>(p.param)) + "parties";
                         });

}  // namespace
}  // namespace sotto::testing
