#pragma once
// The communicator conformance suite: one set of cases every backend must pass, for any world
// size >= 2. Each case is run by every party with its own communicator and checks real results
// with gtest assertions (thread-safe, so the inproc runner can call them from party threads).

#include <functional>
#include <string>
#include <vector>

#include "sotto/comm/communicator.h"

namespace sotto::testing {

struct ConformanceCase {
  std::string name;
  std::function<void(Communicator&)> run;
};

/// Every case, in a fixed order (all parties must run them in the same order).
const std::vector<ConformanceCase>& conformanceCases();

/// The cases' names, in that order (the parameter list of a suite instantiated per case).
std::vector<std::string> conformanceCaseNames();

/// The case named `name`. @throws std::out_of_range if there is none.
const ConformanceCase& conformanceCase(const std::string& name);

}  // namespace sotto::testing
