#pragma once
// simulateMpc(n, fn): simulate() with a Party per thread (seeded dealer unless another is asked
// for), so MPC tests read plaintext -> share -> op -> reveal -> compare.

#include <cmath>
#include <optional>
#include <type_traits>
#include <vector>

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/party.h"
#include "sotto/mpc/ttp_dealer.h"
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

/// As simulateMpc with the trusted-third-party dealer on one more thread (the last rank); the
/// parties compute over a SubCommunicator of the others.
template <typename Fn>
auto simulateTtp(int parties, Fn&& fn, PartyOptions options = {}) {
  using R = std::invoke_result_t<Fn&, Party&>;
  auto results = simulate(parties + 1, [&](Communicator& world) -> std::optional<R> {
    TtpSetup ttp = setupTtp(world);
    if (ttp.is_dealer) {
      runTtpDealer(world);
      return std::nullopt;
    }
    Party party(*ttp.online, *ttp.dealer, options);
    return fn(party);
  });
  std::vector<R> out;
  for (int p = 0; p < parties; ++p) out.push_back(std::move(*results[p]));
  return out;
}

enum class TestDealer { kSeeded, kTtp };

inline const char* dealerName(TestDealer d) { return d == TestDealer::kSeeded ? "seeded" : "ttp"; }

/// simulateMpc or simulateTtp.
template <typename Fn>
auto simulateWith(TestDealer dealer, int parties, Fn&& fn, PartyOptions options = {}) {
  if (dealer == TestDealer::kTtp) return simulateTtp(parties, std::forward<Fn>(fn), options);
  return simulateMpc(parties, std::forward<Fn>(fn), options);
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
