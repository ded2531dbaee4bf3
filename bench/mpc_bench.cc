#include "mpc_bench.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

#include "sotto/comm/factory.h"
#include "sotto/comm/inproc.h"

namespace sotto::bench {
namespace {

Communicator* g_world = nullptr;  // launched runs: this rank's communicator; inproc: null

int g_runs = 15;  // timed runs per operation (--runs)

struct Measurement {
  double max_rel_err = 0;
  double seconds = 0;
  double min_seconds = 0;
  double max_seconds = 0;
  double online_seconds = 0;  // seconds minus party 0's time obtaining correlations
  double rounds = 0;
  double bytes = 0;
  double dealer_bytes = 0;
  double max_abs_err = 0;
};

Measurement runOp(Communicator& comm, const Op& op, PartyOptions options) {
  auto dealer = makeSeededDealer(comm);
  Party party(comm, *dealer, options);
  auto step = op.prepare(party);
  step();  // warm-up
  std::vector<double> times, online;
  Measurement m;
  for (int i = 0; i < g_runs; ++i) {
    comm.barrier();
    const CommCounters before = comm.stats().total;
    const uint64_t dealer_before = dealer->traffic().bytes();
    const double dealer_s = dealer->seconds();
    const auto t0 = std::chrono::steady_clock::now();
    ArithTensor out = step();
    const auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double>(t1 - t0).count());
    online.push_back(times.back() - (dealer->seconds() - dealer_s));
    const CommCounters after = comm.stats().total;
    m.rounds = static_cast<double>(after.rounds - before.rounds);
    m.bytes = static_cast<double>(after.bytes() - before.bytes());
    m.dealer_bytes = static_cast<double>(dealer->traffic().bytes() - dealer_before);
    if (i == g_runs - 1) {
      const auto got = out.revealDoubles();
      for (size_t k = 0; k < got.size(); ++k) {
        const double err = std::fabs(got[k] - op.reference[k]);
        m.max_abs_err = std::max(m.max_abs_err, err);
        m.max_rel_err = std::max(m.max_rel_err, err / std::max(std::fabs(op.reference[k]),
                                                               std::ldexp(1.0, -kDefaultFracBits)));
      }
    }
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  m.seconds = times[times.size() / 2];
  m.min_seconds = *std::min_element(times.begin(), times.end());
  m.max_seconds = *std::max_element(times.begin(), times.end());
  std::nth_element(online.begin(), online.begin() + online.size() / 2, online.end());
  m.online_seconds = online[online.size() / 2];
  return m;
}

void report(benchmark::State& state, const Op& op, PartyOptions options) {
  Measurement m;
  for (auto _ : state) {
    if (g_world != nullptr) {
      m = runOp(*g_world, op, options);
    } else {
      auto all = runLocal(2, [&](Communicator& c) { return runOp(c, op, options); });
      m = all[0];
    }
    state.SetIterationTime(m.seconds);
  }
  state.counters["online_ms"] = 1e3 * m.online_seconds;
  state.counters["min_ms"] = 1e3 * m.min_seconds;
  state.counters["max_ms"] = 1e3 * m.max_seconds;
  state.counters["rounds"] = m.rounds;
  state.counters["bytes_per_party"] = m.bytes;
  state.counters["dealer_bytes"] = m.dealer_bytes;
  state.counters["max_abs_err"] = m.max_abs_err;
  state.counters["max_rel_err"] = m.max_rel_err;
  state.counters["max_ulp"] = m.max_abs_err / std::ldexp(1.0, -options.frac_bits);
}

class NullReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

std::vector<double> uniform(size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = decode(encode(d(gen)));
  return v;
}

int benchMain(int argc, char** argv, const char* program, const std::vector<Entry>& entries) {
  // Keep freed tensors' memory in the heap rather than returning it to the OS after every call:
  // otherwise each multi-megabyte correlation table is faulted in afresh (~1.5 µs per 4 KiB page,
  // 5 ms for the 15 MB of a 65536-element comparison), and glibc's adaptive threshold makes runs
  // bimodal. A long-running service would do the same (or use jemalloc).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  std::string backend = "inproc";
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
      backend = argv[++i];
      continue;
    }
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      g_runs = std::atoi(argv[++i]);
      if (g_runs < 1) {
        std::cerr << program << ": --runs needs a positive number\n";
        return 1;
      }
      continue;
    }
    args.push_back(argv[i]);
  }
  std::unique_ptr<Communicator> world;
  if (backend != "inproc") {
    try {
      world = makeCommunicator(backend);
    } catch (const std::exception& e) {
      std::cerr << program << ": " << e.what() << "\n";
      return 1;
    }
    if (world->worldSize() != 2) {
      std::cerr << program << ": run with exactly 2 parties\n";
      return 1;
    }
    g_world = world.get();
    if (world->rank() != 0) {  // only rank 0 writes output files
      std::erase_if(args, [](char* a) { return std::strncmp(a, "--benchmark_out", 15) == 0; });
    }
  }
  int nargs = static_cast<int>(args.size());
  benchmark::Initialize(&nargs, args.data());
  benchmark::AddCustomContext("backend", backend);
  benchmark::AddCustomContext("parties", "2");
  benchmark::AddCustomContext("runs", std::to_string(g_runs));
  benchmark::AddCustomContext("dealer", "seeded (INSECURE trusted first party: for benchmarks)");
  for (const auto& e : entries) {
    benchmark::RegisterBenchmark(e.name.c_str(),
                                 [e](benchmark::State& s) { report(s, e.make(), e.options); })
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  if (world && world->rank() != 0) {
    NullReporter quiet;
    benchmark::RunSpecifiedBenchmarks(&quiet);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace sotto::bench
