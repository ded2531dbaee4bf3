// The two-party OT kernels (sotto/mpc/ot/ot_kernels.h) on 2 threads over inproc. Names
// ot_kernels/<extension>/<kernel>/<n>, kernel drelu, relu or mul. Each iteration sets up fresh
// kernels (base OTs, not timed), warms up on a first call of n elements (Ferret's bootstrap and
// first round run there), then times, between two barriers on party 0: reserve (the COTs the call
// needs: the OT extension, the offline phase) plus the call (the online phase). Counters:
//   bits_per_element      what both parties send in the timed reserve + call, per element
//   online_bits_per_element  the call alone (the kernel's own messages)
//   bytes_per_party       the larger of the two parties' sent bytes in reserve + call
//   rounds                party 0's blocking communicator calls in the call alone
//   elements_per_s
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
#include "sotto/mpc/ot/ot_kernels.h"

namespace {

using namespace sotto;
using Clock = std::chrono::steady_clock;
using Kernel = OtKernels::Kernel;

struct Measured {
  double seconds = 0;
  uint64_t all_sent = 0, call_sent = 0, rounds = 0;
};

void runKernel(benchmark::State& state, Kernel kernel, ot::OtExtension extension) {
  const size_t n = static_cast<size_t>(state.range(0));
  ot::OtOptions options;
  options.extension = extension;
  options.tag = "";
  std::array<Measured, 2> last{};
  double total = 0;
  for (auto _ : state) {
    auto out = runLocal(2, [&](Communicator& comm) {
      OtKernels k(comm, options);
      std::vector<uint64_t> x(n), y(n);
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
          default:
            benchmark::DoNotOptimize(k.drelu(x));
        }
      };
      call();  // warm-up
      comm.barrier();
      comm.resetStats();
      const auto t0 = Clock::now();
      k.reserve(OtKernels::cotsFor(kernel, n));
      Measured m;
      const CommCounters offline = comm.stats().total;
      call();
      m.all_sent = comm.stats().total.bytes_sent;
      m.call_sent = m.all_sent - offline.bytes_sent;
      m.rounds = comm.stats().total.rounds - offline.rounds;
      comm.barrier();
      m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      return m;
    });
    last = {out[0], out[1]};
    state.SetIterationTime(last[0].seconds);
    total += last[0].seconds;
  }
  const double nd = static_cast<double>(n);
  state.counters["elements_per_s"] = nd * static_cast<double>(state.iterations()) / total;
  state.counters["bits_per_element"] =
      8.0 * static_cast<double>(last[0].all_sent + last[1].all_sent) / nd;
  state.counters["online_bits_per_element"] =
      8.0 * static_cast<double>(last[0].call_sent + last[1].call_sent) / nd;
  state.counters["bytes_per_party"] =
      static_cast<double>(std::max(last[0].all_sent, last[1].all_sent));
  state.counters["rounds"] = static_cast<double>(last[0].rounds);
}

void registerAll() {
  const std::pair<const char*, ot::OtExtension> extensions[] = {
      {"iknp", ot::OtExtension::kIknp}, {"ferret_b13", ot::OtExtension::kFerret}};
  const std::pair<const char*, Kernel> kernels[] = {
      {"drelu", Kernel::kMsb}, {"relu", Kernel::kRelu}, {"mul", Kernel::kMul}};
  for (const auto& [ename, ext] : extensions) {
    for (const auto& [kname, kernel] : kernels) {
      const std::string name = std::string("ot_kernels/") + ename + "/" + kname;
      benchmark::RegisterBenchmark(
          name.c_str(),
          [kernel = kernel, ext = ext](benchmark::State& s) { runKernel(s, kernel, ext); })
          ->Arg(65536)
          ->UseManualTime()
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
    }
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
