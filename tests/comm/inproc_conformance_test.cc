// The conformance suite over the in-process backend, for 2, 3 and 4 parties (threads).
#include <gtest/gtest.h>

#include "comm/conformance.h"
#include "testing/simulate.h"

namespace sotto::testing {
namespace {

class InprocConformance : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(InprocConformance, Case) {
  const auto& [name, parties] = GetParam();
  const ConformanceCase& c = conformanceCase(name);
  simulate(parties, [&](Communicator& comm) { c.run(comm); });
}

INSTANTIATE_TEST_SUITE_P(All, InprocConformance,
                         ::testing::Combine(::testing::ValuesIn(conformanceCaseNames()),
                                            ::testing::Values(2, 3, 4)),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" +
                                  std::to_string(std::get<1>(p.param)) + "parties";
                         });

}  // namespace
}  // namespace sotto::testing
