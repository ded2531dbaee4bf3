// shared_arith_demo: two parties secret-share a vector each, add and multiply them on shares,
// and reveal the results, printing what crossed the wire. The placeholder main job until the
// private-inference examples land.
//
//   mpirun -np 2 build/examples/shared_arith_demo              (MPI; --backend gloo|hybrid too)
//   build/examples/shared_arith_demo                           (no launcher: 2 threads, inproc)
//
// Protocol (additive shares over Z_2^64, fixed point with 16 fractional bits):
//   share:    the owner draws r from an OS-seeded AES-CTR PRG, sends r, keeps enc(x) - r
//   add:      z_i = x_i + y_i (local)
//   multiply: Beaver triple (a, b, c = a*b); open e = x - a, f = y - b in one exchange;
//             z_i = c_i + e*b_i + f*a_i (+ e*f on party 0); truncate by 16 bits locally (SecureML)
//   reveal:   exchange the shares and add
// The triples here come from an INSECURE trusted-first-party dealer: party 0 knows them.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/sotto.h"
#include "sotto/tensor/fixed_point.h"

namespace {

using sotto::Communicator;
using Words = std::vector<uint64_t>;

constexpr int kFrac = sotto::kDefaultFracBits;
const std::vector<double> kX = {1.5, -2.25, 3.0, 0.125, -7.5, 100.0};  // party 0's secret
const std::vector<double> kY = {4.0, 0.5, -1.25, 8.0, -0.3, -0.01};    // party 1's secret

sotto::ConstBytes bytes(const Words& v) { return std::as_bytes(std::span(v)); }
sotto::MutableBytes bytes(Words& v) { return std::as_writable_bytes(std::span(v)); }

// The owner's share is enc(x) - r; the other party receives r.
Words shareFrom(Communicator& comm, int owner, const std::vector<double>& secret, size_t n) {
  Words share(n);
  if (comm.rank() == owner) {
    Words r(n);
    sotto::Prg().fill(r);
    for (size_t i = 0; i < n; ++i) share[i] = sotto::encode(secret[i], kFrac) - r[i];
    comm.send(1 - owner, bytes(r));
  } else {
    comm.recv(owner, bytes(share));
  }
  return share;
}

struct Triples {
  Words a, b, c;
};

// INSECURE trusted-first-party dealer: party 0 picks a seed for party 1's shares and sends it, and
// computes its own shares so that the sums are a, b and a*b.
Triples dealTriples(Communicator& comm, size_t n) {
  Triples t{Words(n), Words(n), Words(n)};
  sotto::Prg::Seed seed{};
  if (comm.rank() == 0) {
    seed = sotto::Prg::osSeed();
    comm.send(1, std::as_bytes(std::span(seed)));
  } else {
    comm.recv(0, std::as_writable_bytes(std::span(seed)));
  }
  sotto::Prg party1(seed);
  party1.fill(t.a);
  party1.fill(t.b);
  party1.fill(t.c);
  if (comm.rank() == 0) {
    Words a(n), b(n);
    sotto::Prg().fill(a);
    sotto::Prg().fill(b);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t a1 = t.a[i], b1 = t.b[i], c1 = t.c[i];
      t.a[i] = a[i] - a1;
      t.b[i] = b[i] - b1;
      t.c[i] = a[i] * b[i] - c1;
    }
  }
  return t;
}

Words multiply(Communicator& comm, const Words& x, const Words& y, const Triples& t) {
  const size_t n = x.size();
  Words mine(2 * n), theirs(2 * n);
  for (size_t i = 0; i < n; ++i) {
    mine[i] = x[i] - t.a[i];      // e_i
    mine[n + i] = y[i] - t.b[i];  // f_i
  }
  comm.exchange(1 - comm.rank(), bytes(mine), bytes(theirs));  // one round opens e and f
  Words z(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t e = mine[i] + theirs[i];
    const uint64_t f = mine[n + i] + theirs[n + i];
    // z_i = c_i + e*b_i + f*a_i (+ e*f on party 0)
    z[i] = t.c[i] + e * t.b[i] + f * t.a[i] + (comm.rank() == 0 ? e * f : 0);
    // SecureML local truncation: party 0 shifts, party 1 negates, shifts, negates.
    const auto s = static_cast<int64_t>(comm.rank() == 0 ? z[i] : 0 - z[i]) >> kFrac;
    z[i] = comm.rank() == 0 ? static_cast<uint64_t>(s) : 0 - static_cast<uint64_t>(s);
  }
  return z;
}

Words reveal(Communicator& comm, const Words& share) {
  Words theirs(share.size()), out(share.size());
  comm.exchange(1 - comm.rank(), bytes(share), bytes(theirs));
  for (size_t i = 0; i < share.size(); ++i) out[i] = share[i] + theirs[i];
  return out;
}

int runParty(Communicator& comm) {
  if (comm.worldSize() != 2) {
    throw sotto::InvalidArgument("this demo needs exactly 2 parties, got " +
                                 std::to_string(comm.worldSize()));
  }
  const size_t n = kX.size();
  Words x, y;
  {
    auto tag = comm.tag("input sharing");
    x = shareFrom(comm, 0, kX, n);
    y = shareFrom(comm, 1, kY, n);
  }
  Triples t;
  {
    auto tag = comm.tag("dealer (insecure TFP)");
    t = dealTriples(comm, n);
  }
  Words sum(n), prod;
  {
    auto tag = comm.tag("online: add, mul");
    for (size_t i = 0; i < n; ++i) sum[i] = x[i] + y[i];
    prod = multiply(comm, x, y, t);
  }
  Words sum_out, prod_out;
  {
    auto tag = comm.tag("reveal");
    sum_out = reveal(comm, sum);
    prod_out = reveal(comm, prod);
  }
  if (comm.rank() != 0) return 0;

  std::printf("Sotto demo: 2 parties over '%s'. Party 0 owns x, party 1 owns y.\n",
              comm.backendName().c_str());
  std::printf("WARNING: Beaver triples from an INSECURE trusted-first-party dealer (party 0 knows "
              "them); for demonstration only.\n\n");
  // The reference computes on the encoded inputs (0.01 is not a multiple of 2^-16), in doubles.
  std::printf("%4s %10s %10s %12s %14s %14s %10s\n", "i", "x", "y", "x+y (MPC)", "x*y (MPC)",
              "x*y (plain)", "|error|");
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    const double xe = sotto::decode(sotto::encode(kX[i], kFrac), kFrac);
    const double ye = sotto::decode(sotto::encode(kY[i], kFrac), kFrac);
    const double s = sotto::decode(sum_out[i], kFrac);
    const double p = sotto::decode(prod_out[i], kFrac);
    const double err = std::fabs(p - xe * ye);
    worst = std::max(worst, std::max(err, std::fabs(s - (xe + ye))));
    std::printf("%4zu %10.4f %10.4f %12.4f %14.6f %14.6f %10.2e\n", i, kX[i], kY[i], s, p,
                xe * ye, err);
  }
  std::printf("\nmax abs error %.2e (1 ULP = 2^-%d = %.2e)\n\n", worst, kFrac,
              std::ldexp(1.0, -kFrac));
  std::printf("Traffic of party 0:\n%s", comm.stats().toString().c_str());
  return worst <= 2 * std::ldexp(1.0, -kFrac) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "auto";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0) backend = argv[i + 1];
  }
  try {
    if (backend == "inproc" || (backend == "auto" && !sotto::launchedByMpirun() &&
                                std::getenv("SOTTO_RANK") == nullptr)) {
      std::printf("(no launcher found: running both parties as threads of this process)\n");
      auto rc = sotto::runLocal(2, [](Communicator& c) { return runParty(c); });
      return rc[0];
    }
    auto comm = sotto::makeCommunicator(backend);
    try {
      return runParty(*comm);
    } catch (const std::exception& e) {
      comm->abort(e.what());
      throw;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shared_arith_demo: error: %s\n", e.what());
    return 1;
  }
}
