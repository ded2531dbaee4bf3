// The OT engine on 2 parties: threads over inproc by default, or one party per process under
// `mpirun -np 2 ot_bench --backend mpi` (any launched backend; `mpi+plain` for no channel
// encryption; only rank 0 writes --benchmark_out). Names ot/<protocol>/<kind>/<count>:
//   ot/base/co/128                   128 Chou–Orlandi base OTs (one direction)
//   ot/iknp/random_cot/<n>           n random COTs on a set-up session
//   ot/iknp/random_ot/<n>            n random 1-of-2 OTs (COTs hashed by both ends)
//   ot/iknp/1of16_2bit/<n>           n 1-of-16 OTs with 2-bit messages (SCI's comparison leaf)
//   ot/iknp/additive64/<n>           n additive COTs over Z_2^64
//   ot/ferret_b13/random_cot/<n>     n random COTs from Ferret (b13, ferret.h) on a session whose
//                                    warm-up call (n COTs) ran the bootstrap and the first rounds
//   ot/ferret_b13/1of16_2bit/<n>     n 1-of-16 OTs with 2-bit messages on Ferret COTs
//   ot/ferret_b13_bg/random_cot/<n>  as ferret_b13/random_cot with the background refill
//   (session.h:
//                                    a second communicator, batches of 2^20 made by a thread of
//                                    the session); bytes counted on both communicators after the
//                                    sessions end, so they include the batches made ahead
// Each iteration sets up a fresh session (not timed: the setup has its own benchmark), makes the
// call once untimed (so first-touch page faults are not counted) and times it again on party 0
// (the sender) between two barriers. Counters: ots_per_s; bits_per_ot, the
// bits both directions send per OT, amortised including the setup (setup_bytes); rounds, the
// messages of the timed call as party 0 counts them. Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "sotto/comm/factory.h"
#include "sotto/comm/inproc.h"
#include "sotto/ot/base_ot.h"
#include "sotto/ot/session.h"

namespace {

using namespace sotto;
using namespace sotto::ot;
using Clock = std::chrono::steady_clock;

struct Measured {
  double seconds = 0;
  uint64_t setup_bytes = 0, call_bytes = 0, rounds = 0;
  uint64_t warm_bytes = 0;  // the untimed warm-up call's (Ferret's bootstrap happens there)
};

// The launched world (--backend), or null: then each run is 2 threads over inproc.
std::unique_ptr<Communicator> g_world;
// The launched world's second communicator, for the background refill (null over inproc).
std::unique_ptr<Communicator> g_background;

// fn run by both parties: as 2 threads, or on this rank of the launched world with each party's
// result gathered to both (the results are plain structs).
template <typename Fn>
auto bothParties(Fn&& fn) {
  using R = std::invoke_result_t<Fn&, Communicator&>;
  static_assert(std::is_trivially_copyable_v<R>);
  if (!g_world) {
    auto out = runLocal(2, std::forward<Fn>(fn));
    return std::array<R, 2>{out[0], out[1]};
  }
  const R mine = fn(*g_world);
  std::array<R, 2> all{};
  g_world->allGather(std::as_bytes(std::span(&mine, 1)), std::as_writable_bytes(std::span(all)));
  return all;
}

// One run: fresh sessions (party 0 sends), fs / fr once untimed, then timed between barriers.
Measured runOnce(const std::function<void(OtSender&)>& fs,
                 const std::function<void(OtReceiver&)>& fr, OtOptions options = {}) {
  options.tag = "";
  auto out = bothParties([&](Communicator& comm) {
    comm.resetStats();  // a launched world carries the previous runs' counts
    std::unique_ptr<OtSender> s;
    std::unique_ptr<OtReceiver> r;
    if (comm.rank() == 0) {
      s = std::make_unique<OtSender>(comm, options);
    } else {
      r = std::make_unique<OtReceiver>(comm, options);
    }
    Measured m;
    m.setup_bytes = comm.stats().total.bytes_sent;
    if (s)
      fs(*s);
    else
      fr(*r);  // warm-up: the session's buffers and the allocator's pages
    m.warm_bytes = comm.stats().total.bytes_sent - m.setup_bytes;
    comm.barrier();
    comm.resetStats();
    const auto t0 = Clock::now();
    if (s)
      fs(*s);
    else
      fr(*r);
    m.call_bytes = comm.stats().total.bytes_sent;
    m.rounds = comm.stats().total.rounds;
    comm.barrier();
    m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return m;
  });
  // bytes both directions; time and rounds as party 0 sees them
  return {out[0].seconds, out[0].setup_bytes + out[1].setup_bytes,
          out[0].call_bytes + out[1].call_bytes, out[0].rounds,
          out[0].warm_bytes + out[1].warm_bytes};
}

void report(benchmark::State& state, size_t n, const Measured& last, double total_seconds,
            uint64_t iterations) {
  const double per_run = total_seconds / static_cast<double>(iterations);
  state.counters["ots_per_s"] = static_cast<double>(n) / per_run;
  state.counters["bits_per_ot"] =
      8.0 * static_cast<double>(last.setup_bytes + last.call_bytes) / static_cast<double>(n);
  state.counters["setup_bytes"] = static_cast<double>(last.setup_bytes);
  state.counters["call_bytes"] = static_cast<double>(last.call_bytes);
  state.counters["rounds"] = static_cast<double>(last.rounds);
}

Measured benchCall(benchmark::State& state, size_t n, const std::function<void(OtSender&)>& fs,
                   const std::function<void(OtReceiver&)>& fr, const OtOptions& options = {}) {
  Measured last;
  double total = 0;
  for (auto _ : state) {
    last = runOnce(fs, fr, options);
    state.SetIterationTime(last.seconds);
    total += last.seconds;
  }
  report(state, n, last, total, state.iterations());
  return last;
}

void baseOt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Measured last;
  double total = 0;
  for (auto _ : state) {
    auto out = bothParties([&](Communicator& comm) {
      comm.barrier();
      comm.resetStats();
      const auto t0 = Clock::now();
      if (comm.rank() == 0) {
        benchmark::DoNotOptimize(baseOtSend(comm, 1, n));
      } else {
        benchmark::DoNotOptimize(baseOtReceive(comm, 0, std::vector<uint8_t>(n, 1)));
      }
      Measured m;
      m.call_bytes = comm.stats().total.bytes_sent;
      m.rounds = comm.stats().total.rounds;
      comm.barrier();
      m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      return m;
    });
    last = {out[0].seconds, 0, out[0].call_bytes + out[1].call_bytes, out[0].rounds};
    state.SetIterationTime(last.seconds);
    total += last.seconds;
  }
  report(state, n, last, total, state.iterations());
}

void randomCot(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<Block> q(n), t(n);  // reused outputs (the span overloads)
  std::vector<uint8_t> choices(n);
  benchCall(
      state, n, [&](OtSender& s) { s.randomCot(std::span(q)); },
      [&](OtReceiver& r) { r.randomCot(std::span(t), std::span(choices)); });
  benchmark::DoNotOptimize(q.data());
  benchmark::DoNotOptimize(t.data());
}

// Ferret (b13): bits_per_ot amortises everything both parties sent (base OTs, the bootstrap, every
// round) over the 2n COTs of the warm-up and the timed call; bits_per_ot_steady counts the timed
// call alone (whole rounds only: the first round ran in the warm-up).
OtOptions ferretB13() {
  OtOptions options;
  options.extension = OtExtension::kFerret;
  options.ferret = kFerretB13;
  return options;
}

void reportFerret(benchmark::State& state, size_t n, const Measured& last) {
  const double all = static_cast<double>(last.setup_bytes + last.warm_bytes + last.call_bytes);
  state.counters["bits_per_ot"] = 8.0 * all / (2.0 * static_cast<double>(n));
  state.counters["bits_per_ot_steady"] =
      8.0 * static_cast<double>(last.call_bytes) / static_cast<double>(n);
  state.counters["warm_bytes"] = static_cast<double>(last.warm_bytes);
}

void ferretCot(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<Block> q(n), t(n);
  std::vector<uint8_t> choices(n);
  const Measured last = benchCall(
      state, n, [&](OtSender& s) { s.randomCot(std::span(q)); },
      [&](OtReceiver& r) { r.randomCot(std::span(t), std::span(choices)); }, ferretB13());
  reportFerret(state, n, last);
  benchmark::DoNotOptimize(q.data());
  benchmark::DoNotOptimize(t.data());
}

// Ferret (b13) with the background refill: each party's session gets a second communicator (a
// second inproc world, or the launched world's second communicator); the warm-up call, then the
// timed call between barriers; bytes of both communicators read after the sessions are gone.
void ferretCotBackground(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<Block> q(n), t(n);
  std::vector<uint8_t> choices(n);
  OtOptions options = ferretB13();
  options.tag = "";
  options.batch = size_t{1} << 20;
  Measured last;
  double total = 0;
  for (auto _ : state) {
    auto world = InprocWorld::create(2);
    auto out = bothParties([&](Communicator& comm) {
      std::unique_ptr<Communicator> own;
      Communicator* bg = g_background.get();
      if (bg == nullptr) {
        own = world->communicator(comm.rank());
        bg = own.get();
      }
      comm.resetStats();
      bg->resetStats();
      Measured m;
      {
        std::unique_ptr<OtSender> s;
        std::unique_ptr<OtReceiver> r;
        if (comm.rank() == 0) {
          s = std::make_unique<OtSender>(comm, *bg, options);
        } else {
          r = std::make_unique<OtReceiver>(comm, *bg, options);
        }
        if (s)
          s->randomCot(std::span(q));
        else
          r->randomCot(std::span(t), std::span(choices));
        comm.barrier();
        const auto t0 = Clock::now();
        if (s)
          s->randomCot(std::span(q));
        else
          r->randomCot(std::span(t), std::span(choices));
        comm.barrier();
        m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      }  // the sessions end: their threads finish the batches due
      m.call_bytes = comm.stats().total.bytes_sent + bg->stats().total.bytes_sent;
      return m;
    });
    last = {out[0].seconds, 0, out[0].call_bytes + out[1].call_bytes, 0, 0};
    state.SetIterationTime(last.seconds);
    total += last.seconds;
  }
  state.counters["ots_per_s"] =
      static_cast<double>(n) * static_cast<double>(state.iterations()) / total;
  state.counters["bits_per_ot"] =
      8.0 * static_cast<double>(last.call_bytes) / (2.0 * static_cast<double>(n));
  benchmark::DoNotOptimize(q.data());
  benchmark::DoNotOptimize(t.data());
}

// SCI's comparison leaf on Ferret COTs (4 per instance), amortised as ferretCot.
void ferretOneOf16(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t> table(16 * n, 2);
  const std::vector<uint8_t> choices(n, 9);
  const Measured last = benchCall(
      state, n, [&](OtSender& s) { s.oneOfN(table, 4, 2); },
      [&](OtReceiver& r) { benchmark::DoNotOptimize(r.oneOfN(choices, 4, 2)); }, ferretB13());
  reportFerret(state, n, last);
}

void randomOt(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::array<Block, 2>> m01(n);  // reused outputs (the span overloads)
  std::vector<Block> m(n);
  std::vector<uint8_t> choices(n);
  benchCall(
      state, n, [&](OtSender& s) { s.randomOt(std::span(m01)); },
      [&](OtReceiver& r) { r.randomOt(std::span(m), std::span(choices)); });
  benchmark::DoNotOptimize(m01.data());
  benchmark::DoNotOptimize(m.data());
}

void oneOf16(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t> table(16 * n, 2);
  const std::vector<uint8_t> choices(n, 9);
  benchCall(
      state, n, [&](OtSender& s) { s.oneOfN(table, 4, 2); },
      [&](OtReceiver& r) { benchmark::DoNotOptimize(r.oneOfN(choices, 4, 2)); });
}

void additive64(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<uint64_t> x(n, 12345);
  const std::vector<uint8_t> choices(n, 1);
  benchCall(
      state, n, [&](OtSender& s) { benchmark::DoNotOptimize(s.additiveCot(x, 64)); },
      [&](OtReceiver& r) { benchmark::DoNotOptimize(r.additiveCot(choices, 64)); });
}

// Fixed iteration counts: each iteration sets up fresh sessions (tens of ms), which Google
// Benchmark's automatic count would multiply by hundreds for the short calls.
BENCHMARK(baseOt)
    ->Name("ot/base/co")
    ->Arg(128)
    ->Iterations(20)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(randomCot)
    ->Name("ot/iknp/random_cot")
    ->Arg(1 << 16)
    ->Iterations(20)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(randomCot)
    ->Name("ot/iknp/random_cot")
    ->Arg(1 << 20)
    ->Iterations(5)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ferretCot)
    ->Name("ot/ferret_b13/random_cot")
    ->Arg(1 << 24)
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ferretCotBackground)
    ->Name("ot/ferret_b13_bg/random_cot")
    ->Arg(1 << 24)
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ferretOneOf16)
    ->Name("ot/ferret_b13/1of16_2bit")
    ->Arg(1 << 22)  // 2^24 COTs per call: the bootstrap amortised over 2 calls
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(randomOt)
    ->Name("ot/iknp/random_ot")
    ->Iterations(5)
    ->Arg(1 << 20)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(oneOf16)
    ->Name("ot/iknp/1of16_2bit")
    ->Iterations(5)
    ->Arg(1 << 16)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(additive64)
    ->Name("ot/iknp/additive64")
    ->Iterations(5)
    ->Arg(1 << 20)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  std::string backend;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
      backend = argv[++i];
      continue;
    }
    args.push_back(argv[i]);
  }
  if (!backend.empty() && backend != "inproc") {
    try {
      sotto::CommOptions o;
      if (backend.ends_with("+plain")) {
        backend.resize(backend.size() - 6);
        o.channel = sotto::CommOptions::Channel::kPlain;
      }
      g_world = sotto::makeCommunicator(backend, o);
      g_background = sotto::makeCommunicator(backend, o);  // collective, as the first
      if (g_world->worldSize() != 2) {
        std::cerr << "ot_bench: run with exactly 2 parties (mpirun -np 2)\n";
        return 1;
      }
    } catch (const std::exception& e) {
      std::cerr << "ot_bench: " << e.what() << "\n";
      return 1;
    }
    if (g_world->rank() != 0) {  // only rank 0 writes output files and the console table
      std::erase_if(args, [](char* a) { return std::strncmp(a, "--benchmark_out", 15) == 0; });
      if (std::freopen("/dev/null", "w", stdout) == nullptr) return 1;
    }
  }
  int nargs = static_cast<int>(args.size());
  benchmark::Initialize(&nargs, args.data());
  benchmark::AddCustomContext("backend", backend.empty() ? "inproc" : backend);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_background.reset();
  g_world.reset();
  return 0;
}
