#pragma once
// simulateMpc(n, fn): simulate() with a Party per thread (seeded dealer unless another is asked
// for), so MPC tests read plaintext -> share -> op -> reveal -> compare.

#include <cmath>
#include <vector>

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/party.h"
#include "testing/simulate.h"

namespace sotto::testing {

template <typename Fn>
auto simulateMpc(int parties, Fn&& fn, PartyOptions options = {}) {
  return simulate(parties, [&](Communicator& comm) {
    auto dealer = makeSeededDealer(comm);
    Party party(comm, *dealer, options);
    return fn(party);
  });
}

/// Decoded value of encode(x): what a shared input really holds.
inline double quantize(double x, int frac_bits = kDefaultFracBits) {
  return decode(encode(x, frac_bits), frac_bits);
}

/// Largest |a[i] - b[i]|.
inline double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return a.size() == b.size() ? m : INFINITY;
}

}  // namespace sotto::testing
