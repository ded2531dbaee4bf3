// The two-party OT kernels (sotto/mpc/ot/ot_kernels.h) on 2 threads over inproc. Names
// ot_kernels/<extension>/<kernel>/<n>, kernel drelu, relu, mul, lookup_k4 or lookup_k8 (SiRnn's
// lookup of a random 2^k-row table, one 64-bit column). Each iteration sets up fresh
// kernels (base OTs, not timed), warms up on a first call of n elements (Ferret's bootstrap and
// first round run there), then times, between two barriers on party 0: reserve (the COTs the call
// needs: the OT extension, the offline phase) plus the call (the online phase). Counters:
//   bits_per_element      what both parties send in the timed reserve + call, per element
//   online_bits_per_element  the call alone (the kernel's own messages)
//   bytes_per_party       the larger of the two parties' sent bytes in reserve + call
//   rounds                party 0's blocking communicator calls in the call alone
//   party0_ms, party1_ms  each party's time from the first barrier to the end of its call
//   elements_per_s
// Beside them, the dealer family's lookup through the protocol seam (lut.h's lookup() on
// makeProtocol(world, "ttp"), the TTP dealer on a third thread): ot_kernels/dealer_ttp/lookup_k<k>
// with bits_per_element (the parties' online traffic, both directions), dealer_bits_per_element
// (what the dealer sends the parties for it) and party0_ms, party1_ms (each party's lookup()).
// Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "sotto/comm/inproc.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/lut.h"
#include "sotto/mpc/ot/ot_kernels.h"
#include "sotto/mpc/party.h"
#include "sotto/mpc/protocol_factory.h"

namespace {

using namespace sotto;
using Clock = std::chrono::steady_clock;
using Kernel = OtKernels::Kernel;

struct Measured {
  double seconds = 0, call_seconds = 0;
  uint64_t all_sent = 0, call_sent = 0, rounds = 0;
};

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The counters of the last iteration (and the rate over all): both parties' bytes sent, their
// call_sent bytes under `call_counter`, party 0's rounds, each party's time.
void report(benchmark::State& state, const std::array<Measured, 2>& last, double total,
            const char* call_counter) {
  const double nd = static_cast<double>(state.range(0));
  state.counters["elements_per_s"] = nd * static_cast<double>(state.iterations()) / total;
  state.counters["bits_per_element"] =
      8.0 * static_cast<double>(last[0].all_sent + last[1].all_sent) / nd;
  state.counters[call_counter] =
      8.0 * static_cast<double>(last[0].call_sent + last[1].call_sent) / nd;
  state.counters["bytes_per_party"] =
      static_cast<double>(std::max(last[0].all_sent, last[1].all_sent));
  state.counters["rounds"] = static_cast<double>(last[0].rounds);
  state.counters["party0_ms"] = 1e3 * last[0].call_seconds;
  state.counters["party1_ms"] = 1e3 * last[1].call_seconds;
}

// Runs body(world) on `parties` threads once per iteration (parties 0 and 1 return their
// Measured), then reports the last iteration's figures.
template <typename Body>
void iterate(benchmark::State& state, int parties, const char* call_counter, Body&& body) {
  std::array<Measured, 2> last{};
  double total = 0;
  for (auto _ : state) {
    auto out = runLocal(parties, body);
    last = {out[0], out[1]};
    state.SetIterationTime(last[0].seconds);
    total += last[0].seconds;
  }
  report(state, last, total, call_counter);
}

// A random public table of 2^k rows, one column (the same on both parties).
std::vector<uint64_t> randomTable(int k) {
  std::vector<uint64_t> t(size_t{1} << k);
  Prg prg(Prg::Seed{7});
  prg.fill(t);
  return t;
}

void runKernel(benchmark::State& state, Kernel kernel, ot::OtExtension extension,
               int index_bits = 0) {
  const size_t n = static_cast<size_t>(state.range(0));
  ot::OtOptions options;
  options.extension = extension;
  options.tag = "";
  iterate(state, 2, "online_bits_per_element", [&](Communicator& comm) {
    OtKernels k(comm, options);
    std::vector<uint64_t> x(n), y(n);
    const std::vector<uint64_t> table = index_bits > 0 ? randomTable(index_bits) : y;
    Prg prg;
    prg.fill(x);
    prg.fill(y);
    auto call = [&] {
      switch (kernel) {
        case Kernel::kMul:
          benchmark::DoNotOptimize(k.mul(x, y));
          break;
        case Kernel::kRelu:
          benchmark::DoNotOptimize(k.relu(x));
          break;
        case Kernel::kLookup:
          benchmark::DoNotOptimize(k.lookup(x, index_bits, 1, table));
          break;
        default:
          benchmark::DoNotOptimize(k.drelu(x));
      }
    };
    call();  // warm-up
    comm.barrier();
    comm.resetStats();
    const auto t0 = Clock::now();
    k.reserve(OtKernels::cotsFor(kernel, n, index_bits > 0 ? index_bits : 16));
    Measured m;
    const CommCounters offline = comm.stats().total;
    call();
    m.all_sent = comm.stats().total.bytes_sent;
    m.call_sent = m.all_sent - offline.bytes_sent;
    m.rounds = comm.stats().total.rounds - offline.rounds;
    m.call_seconds = since(t0);
    comm.barrier();
    m.seconds = since(t0);
    return m;
  });
}

// The dealer family's lookup (TTP) through the seam: 2 parties and the dealer on 3 threads.
void runDealerLookup(benchmark::State& state, int index_bits) {
  const size_t n = static_cast<size_t>(state.range(0));
  const LookupTable table(index_bits, 1, randomTable(index_bits));
  iterate(state, 3, "dealer_bits_per_element", [&](Communicator& world) -> Measured {
    ProtocolSetup setup = makeProtocol(world, "ttp");
    if (setup.serves()) {
      setup.serve();
      return {};
    }
    Party party(setup.online(), setup.protocol());
    Communicator& comm = setup.online();
    std::vector<uint64_t> x(n);
    Prg prg;
    prg.fill(x);
    const Shape shape{static_cast<int64_t>(n)};
    const ArithTensor index(party, RingTensor(shape, x), 0);
    (void)lookup(index, table, 0);  // warm-up
    comm.barrier();
    comm.resetStats();
    const uint64_t offline = setup.protocol().offlineBytes();
    const auto t0 = Clock::now();
    benchmark::DoNotOptimize(lookup(index, table, 0));
    Measured m;
    m.call_seconds = since(t0);
    m.all_sent = comm.stats().total.bytes_sent;
    m.call_sent = setup.protocol().offlineBytes() - offline;  // the dealer's bytes to us
    m.rounds = comm.stats().total.rounds;
    comm.barrier();
    m.seconds = since(t0);
    return m;
  });
}

// One iteration of n = 65,536 elements, timed by the function itself.
void registerOne(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), std::move(fn))
      ->Arg(65536)
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
}

void registerAll() {
  const std::pair<const char*, ot::OtExtension> extensions[] = {
      {"iknp", ot::OtExtension::kIknp}, {"ferret_b13", ot::OtExtension::kFerret}};
  const std::pair<const char*, Kernel> kernels[] = {
      {"drelu", Kernel::kMsb}, {"relu", Kernel::kRelu}, {"mul", Kernel::kMul}};
  for (const auto& [ename, ext] : extensions) {
    const std::string prefix = std::string("ot_kernels/") + ename + "/";
    for (const auto& [kname, kernel] : kernels) {
      registerOne(prefix + kname,
                  [kernel = kernel, ext = ext](benchmark::State& s) { runKernel(s, kernel, ext); });
    }
    for (int k : {4, 8}) {
      registerOne(prefix + "lookup_k" + std::to_string(k),
                  [k, ext = ext](benchmark::State& s) { runKernel(s, Kernel::kLookup, ext, k); });
    }
  }
  for (int k : {4, 8}) {
    registerOne("ot_kernels/dealer_ttp/lookup_k" + std::to_string(k),
                [k](benchmark::State& s) { runDealerLookup(s, k); });
  }
}

}  // namespace

int main(int argc, char** argv) {
  registerAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
