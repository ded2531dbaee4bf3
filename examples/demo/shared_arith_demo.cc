// shared_arith_demo: two parties secret-share a vector each, add, multiply and compare them on
// shares, and reveal the results, printing what crossed the wire. The main job until the
// private-inference examples land.
//
//   mpirun -np 3 build/examples/shared_arith_demo    (MPI, the third rank is the dealer;
//                                                     --backend gloo|hybrid too)
//   build/examples/shared_arith_demo                 (no launcher: 3 threads, inproc)
//   mpirun -np 2 build/examples/shared_arith_demo --dealer insecure-seeded   (testing only)
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../inference/runner.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/dealer/ttp_dealer.h"
#include "sotto/sotto.h"

namespace {

using sotto::ArithTensor;
using sotto::Communicator;

const std::vector<double> kX = {1.5, -2.25, 3.0, 0.125, -7.5, 100.0};  // party 0's secret
const std::vector<double> kY = {4.0, 0.5, -1.25, 8.0, -0.3, -0.01};    // party 1's secret

int runParty(Communicator& comm, sotto::Protocol& protocol) {
  if (comm.worldSize() != 2) {
    throw sotto::InvalidArgument("this demo needs exactly 2 computing parties, got " +
                                 std::to_string(comm.worldSize()));
  }
  sotto::Party party(comm, protocol);
  const sotto::Shape shape{static_cast<int64_t>(kX.size())};
  const auto x = ArithTensor::share(party, 0, kX, shape);
  const auto y = ArithTensor::share(party, 1, kY, shape);
  const auto sum = (x + y).revealDoubles();
  const auto prod = x.mul(y).revealDoubles();                // Beaver product + exact truncation
  const auto larger = sotto::maximum(x, y).revealDoubles();  // masked digit-table comparison
  if (comm.rank() != 0) return 0;

  std::printf("Sotto demo: 2 parties over '%s', dealer: %s. Party 0 owns x, party 1 owns y.\n",
              comm.backendName().c_str(), protocol.name().c_str());
  std::printf("%s\n", sotto::examples::trustStatement(protocol).c_str());
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
  if (const sotto::Dealer* dealer = protocol.dealer())
    std::printf("Dealer traffic of party 0: %llu bytes\n",
                static_cast<unsigned long long>(dealer->traffic().bytes()));
  return worst <= 2 * std::ldexp(1.0, -16) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "auto", dealer_kind = "ttp";
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--help" || k == "-h") {
      std::printf(
          "usage: shared_arith_demo [--backend auto|inproc|mpi|gloo|hybrid|tcp] "
          "[--dealer ttp|none|insecure-seeded]\n"
          "Two parties add, multiply and compare secret-shared vectors. The default dealer is a\n"
          "trusted third party (mpirun -np 3; without a launcher, 3 threads).\n");
      return 0;
    }
    if ((k == "--backend" || k == "--dealer") && i + 1 < argc) {
      (k == "--backend" ? backend : dealer_kind) = argv[++i];
    } else {
      std::fprintf(stderr, "shared_arith_demo: unknown or incomplete option %s (see --help)\n",
                   k.c_str());
      return 2;
    }
  }
  if (const std::string problem = sotto::examples::checkDealerChoice(dealer_kind);
      !problem.empty()) {
    std::fprintf(stderr, "shared_arith_demo: %s\n", problem.c_str());
    return 2;
  }
  return sotto::examples::runParties("shared_arith_demo", backend, dealer_kind, true, runParty);
}
