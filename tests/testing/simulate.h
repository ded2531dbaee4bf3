#pragma once
// simulate(n, fn): runs fn once per party on threads over the in-process backend and returns each
// party's result in rank order. The first exception aborts the world (no test hangs) and is
// rethrown. The default timeout is short so that a broken test fails in seconds, not minutes.

#include <chrono>

#include "sotto/comm/inproc.h"

namespace sotto::testing {

inline constexpr std::chrono::milliseconds kTestTimeout{20000};

template <typename Fn>
auto simulate(int parties, Fn&& fn, std::chrono::milliseconds timeout = kTestTimeout) {
  return runLocal(parties, std::forward<Fn>(fn), timeout);
}

}  // namespace sotto::testing
