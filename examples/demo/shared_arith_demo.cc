// shared_arith_demo: two parties secret-share a vector each, add, multiply and compare them on
// shares, and reveal the results, printing what crossed the wire. The main job until the
// private-inference examples land.
//
//   mpirun -np 2 build/examples/shared_arith_demo              (MPI; --backend gloo|hybrid too)
//   mpirun -np 3 build/examples/shared_arith_demo --dealer ttp (the third rank is the dealer)
//   build/examples/shared_arith_demo                           (no launcher: 2 threads, inproc)
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/ttp_dealer.h"
#include "sotto/sotto.h"

namespace {

using sotto::ArithTensor;
using sotto::Communicator;

const std::vector<double> kX = {1.5, -2.25, 3.0, 0.125, -7.5, 100.0};  // party 0's secret
const std::vector<double> kY = {4.0, 0.5, -1.25, 8.0, -0.3, -0.01};    // party 1's secret

int runParty(Communicator& comm, sotto::Dealer& dealer) {
  if (comm.worldSize() != 2) {
    throw sotto::InvalidArgument("this demo needs exactly 2 computing parties, got " +
                                 std::to_string(comm.worldSize()));
  }
  sotto::Party party(comm, dealer);
  const sotto::Shape shape{static_cast<int64_t>(kX.size())};
  const auto x = ArithTensor::share(party, 0, kX, shape);
  const auto y = ArithTensor::share(party, 1, kY, shape);
  const auto sum = (x + y).revealDoubles();
  const auto prod = x.mul(y).revealDoubles();                // Beaver product + exact truncation
  const auto larger = sotto::maximum(x, y).revealDoubles();  // masked digit-table comparison
  if (comm.rank() != 0) return 0;

  std::printf("Sotto demo: 2 parties over '%s', dealer: %s. Party 0 owns x, party 1 owns y.\n",
              comm.backendName().c_str(), dealer.name().c_str());
  if (!dealer.secure()) {
    std::printf(
        "WARNING: the seeded dealer is INSECURE (party 0 knows every correlation); "
        "run with --dealer ttp and 3 ranks for a trusted third party.\n");
  }
  // The reference computes on the encoded inputs (0.01 is not a multiple of 2^-16).
  std::printf("\n%4s %10s %10s %12s %14s %14s %12s %10s\n", "i", "x", "y", "x+y (MPC)", "x*y (MPC)",
              "x*y (plain)", "max (MPC)", "|error|");
  double worst = 0;
  for (size_t i = 0; i < kX.size(); ++i) {
    const double xe = sotto::decode(sotto::encode(kX[i])), ye = sotto::decode(sotto::encode(kY[i]));
    const double err = std::max({std::fabs(sum[i] - (xe + ye)), std::fabs(prod[i] - xe * ye),
                                 std::fabs(larger[i] - std::max(xe, ye))});
    worst = std::max(worst, err);
    std::printf("%4zu %10.4f %10.4f %12.4f %14.6f %14.6f %12.4f %10.2e\n", i, kX[i], kY[i], sum[i],
                prod[i], xe * ye, larger[i], err);
  }
  std::printf("\nmax abs error %.2e (1 ULP = 2^-16 = %.2e)\n\n", worst, std::ldexp(1.0, -16));
  std::printf("Online traffic of party 0:\n%s", comm.stats().toString().c_str());
  std::printf("Dealer traffic of party 0: %llu bytes\n",
              static_cast<unsigned long long>(dealer.traffic().bytes()));
  return worst <= 2 * std::ldexp(1.0, -16) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "auto", dealer_kind = "seeded";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0) backend = argv[i + 1];
    if (std::strcmp(argv[i], "--dealer") == 0) dealer_kind = argv[i + 1];
  }
  try {
    if (backend == "inproc" ||
        (backend == "auto" && !sotto::launchedByMpirun() && std::getenv("SOTTO_RANK") == nullptr)) {
      std::printf("(no launcher found: running both parties as threads of this process)\n");
      auto rc = sotto::runLocal(2, [](Communicator& c) {
        auto dealer = sotto::makeSeededDealer(c);
        return runParty(c, *dealer);
      });
      return rc[0];
    }
    auto world = sotto::makeCommunicator(backend);
    try {
      if (dealer_kind == "ttp") {
        sotto::TtpSetup ttp = sotto::setupTtp(*world);
        if (ttp.is_dealer) {
          sotto::runTtpDealer(*world);
          return 0;
        }
        return runParty(*ttp.online, *ttp.dealer);
      }
      auto dealer = sotto::makeSeededDealer(*world);
      return runParty(*world, *dealer);
    } catch (const std::exception& e) {
      world->abort(e.what());
      throw;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shared_arith_demo: error: %s\n", e.what());
    return 1;
  }
}
