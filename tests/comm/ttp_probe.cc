// A TTP run under a launcher: every rank of
//   mpiexec -n N+1 ttp_probe --backend mpi|gloo|hybrid
// (or: scripts/tcp-local N+1 ttp_probe --backend tcp)
// joins one world; the last rank is the dealer, the others share inputs, multiply, take a matrix
// product and open the results over a SubCommunicator. Each party prints
//   "rank R: ttp ok max_err=E online_sent=B dealer_sent=B dealer_received=B"
// (or "ttp FAILED ..." when the error exceeds one ULP), the dealer "dealer rank R: served ...".
// Any exception prints "rank R: caught <message>" and exits with 2.
#include <cmath>
#include <cstring>
#include <iostream>

#include "sotto/comm/factory.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/dealer/ttp_dealer.h"

namespace {

using sotto::ArithTensor;
using sotto::Shape;

// Deterministic test inputs at the encoding's precision (no randomness needed here).
std::vector<double> inputs(int64_t n, double scale, double step) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = sotto::decode(sotto::encode(scale * std::sin(step * i)));
  return v;
}

double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = a.size() == b.size() ? 0 : INFINITY;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

int runParty(sotto::Communicator& online, sotto::Dealer& dealer) {
  sotto::Party party(online, dealer);
  const int last = party.numParties() - 1;
  // Elementwise product.
  const int64_t n = 1000;
  const auto x = inputs(n, 7, 0.37), y = inputs(n, 5, 0.11);
  auto a = ArithTensor::share(party, 0, x, Shape{n});
  auto b = ArithTensor::share(party, last, y, Shape{n});
  const auto prod = a.mul(b).revealDoubles();
  std::vector<double> prod_ref(n);
  for (int64_t i = 0; i < n; ++i) prod_ref[i] = x[i] * y[i];
  // Matrix product.
  const int64_t m = 8, k = 16, p = 4;
  const auto u = inputs(m * k, 3, 0.7), w = inputs(k * p, 2, 0.3);
  auto ua = ArithTensor::share(party, last, u, Shape{m, k});
  auto wa = ArithTensor::share(party, 0, w, Shape{k, p});
  const auto mm = ua.matmul(wa).revealDoubles();
  std::vector<double> mm_ref(m * p, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < p; ++j)
      for (int64_t l = 0; l < k; ++l) mm_ref[i * p + j] += u[i * k + l] * w[l * p + j];

  const double err = std::max(maxAbsDiff(prod, prod_ref), maxAbsDiff(mm, mm_ref));
  const double ulp = 1.0 / (1 << sotto::kDefaultFracBits);
  const bool ok = err <= 1.0001 * ulp;
  std::cout << "rank " << party.id() << ": ttp " << (ok ? "ok" : "FAILED") << " max_err=" << err
            << " online_sent=" << online.stats().total.bytes_sent
            << " dealer_sent=" << dealer.traffic().bytes_sent
            << " dealer_received=" << dealer.traffic().bytes_received << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "mpi";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0) backend = argv[++i];
  }
  int rank = -1;
  try {
    sotto::CommOptions options;
    options.timeout = std::chrono::seconds(30);
    auto world = sotto::makeCommunicator(backend, options);
    rank = world->rank();
    sotto::TtpSetup ttp = sotto::setupTtp(*world);
    if (ttp.is_dealer) {
      sotto::runTtpDealer(*world);
      const auto& tags = world->stats().by_tag;
      const auto it = tags.find("dealer");
      std::cout << "dealer rank " << rank << ": served, sent "
                << (it == tags.end() ? 0 : it->second.bytes_sent) << " B" << std::endl;
      return 0;
    }
    return runParty(*ttp.online, *ttp.dealer);
  } catch (const std::exception& e) {
    std::cout << "rank " << rank << ": caught " << e.what() << std::endl;
    return 2;
  }
}
