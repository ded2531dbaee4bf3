#pragma once
// simulateMpc(n, fn): simulate() with a Party per thread (seeded dealer unless another family is
// asked for), so MPC tests read plaintext -> share -> op -> reveal -> compare.

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/dealer/dealer_factory.h"
#include "sotto/mpc/party.h"
#include "sotto/mpc/protocol_factory.h"
#include "testing/simulate.h"

namespace sotto::testing {

/// `parties` computing parties with the protocol family `family` (protocol_factory.h: "none",
/// "ttp" with the dealer's thread as the last rank, "insecure-seeded"), each running fn(party);
/// returns the parties' results in rank order.
template <typename Fn>
auto simulateProtocol(std::string_view family, int parties, Fn&& fn, PartyOptions options = {}) {
  using R = std::invoke_result_t<Fn&, Party&>;
  auto results =
      simulate(protocolWorldSize(family, parties), [&](Communicator& world) -> std::optional<R> {
        ProtocolSetup setup = makeProtocol(world, family);
        if (setup.serves()) {
          setup.serve();
          return std::nullopt;
        }
        Party party(setup.online(), setup.protocol(), options);
        return fn(party);
      });
  std::vector<R> out;
  for (int p = 0; p < parties; ++p) out.push_back(std::move(*results[p]));
  return out;
}

/// The same under its old name (a dealer family: "ttp", "insecure-seeded").
template <typename Fn>
auto simulateDealer(std::string_view dealer, int parties, Fn&& fn, PartyOptions options = {}) {
  return simulateProtocol(dealer, parties, std::forward<Fn>(fn), options);
}

template <typename Fn>
auto simulateMpc(int parties, Fn&& fn, PartyOptions options = {}) {
  return simulateDealer("insecure-seeded", parties, std::forward<Fn>(fn), options);
}

/// As simulateMpc with the trusted-third-party dealer on one more thread (the last rank); the
/// parties compute over a SubCommunicator of the others.
template <typename Fn>
auto simulateTtp(int parties, Fn&& fn, PartyOptions options = {}) {
  return simulateDealer("ttp", parties, std::forward<Fn>(fn), options);
}

enum class TestDealer { kSeeded, kTtp };

inline const char* dealerName(TestDealer d) { return d == TestDealer::kSeeded ? "seeded" : "ttp"; }

/// simulateMpc or simulateTtp.
template <typename Fn>
auto simulateWith(TestDealer dealer, int parties, Fn&& fn, PartyOptions options = {}) {
  return simulateDealer(dealer == TestDealer::kTtp ? "ttp" : "insecure-seeded", parties,
                        std::forward<Fn>(fn), options);
}

/// A fixture for MPC suites run for 2 and 3 parties under both dealers:
///   class FooTest : public PartiesDealersTest {};
///   TEST_P(FooTest, Bar) { auto out = run([&](Party& p) { ... }); }
///   SOTTO_PARTIES_AND_DEALERS(FooTest);
class PartiesDealersTest : public ::testing::TestWithParam<std::tuple<int, TestDealer>> {
 protected:
  int parties() const { return std::get<0>(GetParam()); }
  TestDealer dealer() const { return std::get<1>(GetParam()); }
  template <typename Fn>
  auto run(Fn&& fn, PartyOptions options = {}) {
    return simulateWith(dealer(), parties(), std::forward<Fn>(fn), options);
  }
};

inline std::string partiesDealerName(
    const ::testing::TestParamInfo<std::tuple<int, TestDealer>>& p) {
  return std::to_string(std::get<0>(p.param)) + "parties_" + dealerName(std::get<1>(p.param));
}

#define SOTTO_PARTIES_AND_DEALERS(Suite)                                          \
  INSTANTIATE_TEST_SUITE_P(                                                       \
      PartiesDealers, Suite,                                                      \
      ::testing::Combine(::testing::Values(2, 3),                                 \
                         ::testing::Values(::sotto::testing::TestDealer::kSeeded, \
                                           ::sotto::testing::TestDealer::kTtp)),  \
      ::sotto::testing::partiesDealerName)

/// Decoded value of encode(x): what a shared input really holds.
inline double quantize(double x, int frac_bits = kDefaultFracBits) {
  return decode(encode(x, frac_bits), frac_bits);
}

/// One ULP at the default scale.
inline constexpr double kUlp = 1.0 / (1 << kDefaultFracBits);

/// Test inputs only (never shares or masks): uniform on [lo, hi) from a fixed seed, so failures
/// reproduce.
inline std::vector<double> uniform(size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

/// Every value replaced by what its encoding holds.
inline std::vector<double> quantized(std::vector<double> v) {
  for (auto& x : v) x = quantize(x);
  return v;
}

/// Largest |a[i] - b[i]|.
inline double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return a.size() == b.size() ? m : INFINITY;
}

}  // namespace sotto::testing
