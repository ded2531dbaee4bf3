// Cheetah's coefficient-encoded matrix product (sotto/mpc/ot/he_matmul.h) on 2 threads over
// inproc, one thread per party. Names he/fc/<m>x<k>x<n>: LeNet5's fully connected layers at
// batch 1 and 64. Each iteration makes a fresh HeMatmul (setup: the public key, not timed), then
// times one multiply between two barriers on party 0 (both parties' compute and the one round
// trip). Counters:
//   p1_sent_bytes      party 1 → 0: the seeded input ciphertexts
//   p0_sent_bytes      party 0 → 1: the returned ciphertexts
//   setup_bytes        the one-time public key (party 1 → 0), apart
//   ct_in, ct_out      ciphertexts each way; rounds: party 0's blocking calls in the multiply
// Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "sotto/comm/inproc.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/ot/he_matmul.h"

namespace {

using namespace sotto;
using Clock = std::chrono::steady_clock;

struct Measured {
  double seconds = 0;
  uint64_t setup_sent = 0, sent = 0, rounds = 0;
  HeMatmulBlocks blocks;
};

void runFc(benchmark::State& state, size_t m, size_t k, size_t n) {
  std::array<Measured, 2> last{};
  for (auto _ : state) {
    auto out = runLocal(2, [&](Communicator& comm) {
      Measured r;
      HeMatmul mm(comm);
      r.setup_sent = comm.stats().total.bytes_sent;
      std::vector<uint64_t> x(m * k), w(comm.rank() == 0 ? k * n : 0);
      Prg prg;
      prg.fill(x);
      prg.fill(w);
      comm.barrier();
      comm.resetStats();
      const auto t0 = Clock::now();
      benchmark::DoNotOptimize(mm.multiply(x, w, m, k, n));
      r.sent = comm.stats().total.bytes_sent;
      r.rounds = comm.stats().total.rounds;
      comm.barrier();
      r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      r.blocks = mm.blocks(m, k, n);
      return r;
    });
    last = {out[0], out[1]};
    state.SetIterationTime(last[0].seconds);
  }
  state.counters["p0_sent_bytes"] = static_cast<double>(last[0].sent);
  state.counters["p1_sent_bytes"] = static_cast<double>(last[1].sent);
  state.counters["setup_bytes"] = static_cast<double>(last[1].setup_sent);
  state.counters["ct_in"] = static_cast<double>(last[0].blocks.inputCiphertexts());
  state.counters["ct_out"] = static_cast<double>(last[0].blocks.outputCiphertexts());
  state.counters["rounds"] = static_cast<double>(last[0].rounds);
}

void registerAll() {
  struct Fc {
    size_t m, k, n;
  };
  for (const Fc fc : {Fc{1, 400, 120}, Fc{1, 120, 84}, Fc{1, 84, 10}, Fc{64, 400, 120},
                      Fc{64, 120, 84}, Fc{64, 84, 10}}) {
    const std::string name =
        "he/fc/" + std::to_string(fc.m) + "x" + std::to_string(fc.k) + "x" + std::to_string(fc.n);
    benchmark::RegisterBenchmark(name.c_str(),
                                 [fc](benchmark::State& s) { runFc(s, fc.m, fc.k, fc.n); })
        ->UseManualTime()
        ->Iterations(3)
        ->Unit(benchmark::kMillisecond);
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
