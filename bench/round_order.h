#pragma once
// The order in which the benchmarks measure their backends in round r (a repetition of each, or a
// timed run of each): rotated by r, and reversed in odd rounds. Over 2n rounds every backend runs
// right after every other equally often (for 3 backends: all 6 orders, each ordered pair once), so
// what one backend leaves behind (Gloo's TCP traffic: cold caches, a scheduler in its own state)
// falls on all the others alike.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace sotto::bench {

inline std::vector<size_t> roundOrder(size_t round, size_t n) {
  std::vector<size_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = (round + k) % n;
  if (round % 2 == 1) std::reverse(order.begin(), order.end());
  return order;
}

}  // namespace sotto::bench
