#pragma once
// errorOf(fn): the message of the sotto::InvalidArgument that fn throws, for tests that check what
// an error says; "(no InvalidArgument thrown)" if it throws none (other exceptions propagate).
#include <string>

#include "sotto/error.h"

namespace sotto::testing {

template <typename Fn>
std::string errorOf(Fn&& fn) {
  try {
    fn();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no InvalidArgument thrown)";
}

}  // namespace sotto::testing
