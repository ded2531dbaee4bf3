// comm_bench: latency and throughput of exchange, allReduce and broadcast, 8 B to 64 MiB, for
// Sotto's mpi, gloo and hybrid communicators and for raw MPI and raw Gloo (the floor), in one run.
//
//   mpirun -np 2 --bind-to none build/bench/comm_bench [--benchmark_format=json]
//   mpirun -np 2 --bind-to none --mca btl tcp,self build/bench/comm_bench   (TCP, as across hosts)
//
// Names: comm/<exchange|allReduce|broadcast>/<mpi|gloo|hybrid|raw_mpi|raw_gloo>/<bytes>.
// Counters per call and party: bytes (sent + received), rounds; p50_us, the median time per call
// over timed blocks of calls (see timedLoop); calls, the calls timed. The reported time is the
// mean per call. Each repetition times about --rep_ms of calls: rank 0 estimates the time per call
// and broadcasts the count to the others (agreeOnCalls: every rank must make the same calls); only
// rank 0 reports.
// Exchange needs an even number of ranks (pairs rank ^ 1). Broadcast's root rotates call by
// call, so that no rank runs ahead of the others (a fixed root only injects its sends: rank 0's
// clock would not see delivery); its bytes counter is the average over roots. Each repetition
// starts with one untimed call (warm-up), and for short calls 8 untimed probe calls.
// Repetitions are interleaved: for each pattern and size, repetition 1 of every backend, then
// repetition 2 of every backend, and so on. On a shared machine whose speed drifts (other work,
// the host moving virtual CPUs) every backend then samples the same conditions, so their ratios
// hold even when the absolute times move. The order of the backends changes from repetition to
// repetition (round_order.h), so that none always runs right after the same one. Each repetition is
// reported on its own (same name, no aggregates): the harness takes median, min and max over them.
//
// Options (before Google Benchmark's own; every rank must get the same):
//   --reps N         repetitions of each benchmark (default 7)
//   --rep_ms T       aim for T ms of timed calls per repetition (default 20)
//   --min_iters N    at least N calls per repetition (default 5)
//   --max_iters N    at most N calls per repetition (default 100000; wins over --min_iters)
// Environment: SOTTO_HOST is the address raw Gloo listens on too (default 127.0.0.1);
// SOTTO_DELAY_MS adds an emulated one-way latency to Sotto's communicators (not to the raw floors).

#include <benchmark/benchmark.h>
#include <gloo/allreduce.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/transport/tcp/device.h>
#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "round_order.h"
#include "sotto/comm/delay_communicator.h"
#include "sotto/comm/factory.h"
#include "sotto/comm/hybrid.h"

namespace {

struct World {
  int rank = 0;
  int size = 1;
  std::unique_ptr<sotto::Communicator> mpi, gloo, hybrid;
  std::shared_ptr<::gloo::rendezvous::Context> raw_gloo;
};
World* world = nullptr;

const std::vector<size_t> kSizes = {8, 64, 512, 4096, 32768, 262144, 2097152, 16777216, 67108864};

struct Settings {
  int64_t reps = 7;
  int64_t rep_ms = 20;
  int64_t min_iters = 5;
  int64_t max_iters = 100000;
};
Settings settings;

double secondsOf(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Calls in this repetition, after the warm-up call `once` that took `warm_s` on this rank: rank 0
// estimates the time per call (from the warm-up, or where that was short from 8 more calls, which
// every rank makes: they are collective) and takes rep_ms worth, within [min_iters, max_iters];
// every rank gets that count (untimed MPI broadcasts).
int64_t agreeOnCalls(const std::function<void()>& once, double warm_s) {
  const double budget = 1e-3 * static_cast<double>(settings.rep_ms);
  int64_t probes = (world->rank == 0 && 8 * warm_s < budget / 4) ? 8 : 0;
  MPI_Bcast(&probes, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  double per_call = warm_s;
  if (probes > 0) {
    per_call = secondsOf([&] {
                 for (int64_t i = 0; i < probes; ++i) once();
               }) /
               static_cast<double>(probes);
  }
  int64_t n = static_cast<int64_t>(budget / std::max(per_call, 1e-9));
  n = std::min<int64_t>(settings.max_iters, std::max<int64_t>(settings.min_iters, n));
  MPI_Bcast(&n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  return n;
}

// Raw Gloo with its own device and context, rendezvous through a FileStore in a directory that
// rank 0 creates and broadcasts over MPI: Gloo as a user would set it up by hand.
std::shared_ptr<::gloo::rendezvous::Context> makeRawGloo(int rank, int size) {
  char path[256] = {0};
  if (rank == 0) {
    std::snprintf(path, sizeof path, "/tmp/sotto-bench-gloo.XXXXXX");
    if (mkdtemp(path) == nullptr) throw std::runtime_error("mkdtemp failed");
  }
  MPI_Bcast(path, sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  ::gloo::rendezvous::FileStore store(path);
  ::gloo::transport::tcp::attr attr;
  const char* host = std::getenv("SOTTO_HOST");
  attr.hostname = (host != nullptr && *host != '\0') ? host : "127.0.0.1";
  // The device thread inherits the creating thread's CPU affinity. scripts/bench pins each rank
  // to a core (bench/harness/party-run); a device thread pinned beside its caller makes every
  // collective wait a scheduler slice (~3 ms for an 8-byte allreduce, measured), so create it
  // with every CPU allowed, as Sotto's gloo backend does.
  cpu_set_t saved;
  const bool have_saved = sched_getaffinity(0, sizeof saved, &saved) == 0;
  if (have_saved) {
    cpu_set_t all;
    CPU_ZERO(&all);
    for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; ++i) CPU_SET(i, &all);
    sched_setaffinity(0, sizeof all, &all);
  }
  auto dev = ::gloo::transport::tcp::CreateDevice(attr);
  if (have_saved) sched_setaffinity(0, sizeof saved, &saved);
  auto ctx = std::make_shared<::gloo::rendezvous::Context>(rank, size);
  ctx->setTimeout(std::chrono::seconds(60));
  ctx->connectFullMesh(store, dev);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) std::filesystem::remove_all(path);
  return ctx;
}

enum class Pattern { kExchange, kAllReduce, kBroadcast };

// The send and receive buffers of one size, the same for every backend and repetition: which
// physical pages a buffer gets (and so how it shares the caches) moves a shared-memory allReduce
// of 256 KiB or more by up to 2x from one allocation to the next; with one allocation every
// backend is measured on the same memory.
std::pair<std::vector<uint64_t>, std::vector<uint64_t>>& buffersFor(size_t bytes) {
  static std::map<size_t, std::pair<std::vector<uint64_t>, std::vector<uint64_t>>> buffers;
  auto& b = buffers[bytes];
  if (b.first.empty()) b = {std::vector<uint64_t>(bytes / 8), std::vector<uint64_t>(bytes / 8)};
  return b;
}

void setCounters(benchmark::State& state, int64_t calls, size_t bytes, double bytes_per_call,
                 double rounds_per_call) {
  state.SetBytesProcessed(calls * static_cast<int64_t>(bytes));
  state.counters["bytes"] = bytes_per_call;
  state.counters["rounds"] = rounds_per_call;
  state.counters["calls"] = static_cast<double>(calls);
}

// Calls per timed block: small calls are timed in groups so that reading the clock (~20 ns) stays
// a small part of a block.
int64_t blockFor(size_t bytes) { return bytes <= 512 ? 16 : bytes <= 32768 ? 4 : 1; }

// Times `calls` calls (Google Benchmark's one iteration, manual time: the mean per call), timing
// each block of calls; sets the counter `p50_us`, the median time per call over the blocks, and
// returns the calls made. The mean is pulled up by every pause of a shared machine (another
// process, the host stealing the virtual CPU: here a few milliseconds every few milliseconds); the
// median of many blocks is not, and is what the harness reports. A block is a whole number of
// `unit`s of calls, and for broadcast a unit is one call per root from root 0 (callers restart the
// rotation there), so every block ends on rank 0 with a delivery to it. A call where rank 0 is the
// root ends at its local completion instead, which Gloo reports as soon as the data is in the
// socket and MPI only once the receiver has it: blocks that ended on such calls showed Gloo's 2-16
// MiB broadcasts 10-25 % faster than MPI's on the LAN, where end to end the two are level.
template <typename Once>
int64_t timedLoop(benchmark::State& state, size_t bytes, int64_t calls, Once&& once,
                  int64_t unit = 1) {
  int64_t block = std::min(blockFor(bytes), calls);
  block = (block + unit - 1) / unit * unit;
  calls = (calls + block - 1) / block * block;
  std::vector<double> per_call;
  per_call.reserve(static_cast<size_t>(calls / block + 1));
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    const auto start = t0;
    for (int64_t i = 1; i <= calls; ++i) {
      once();
      if (i % block == 0) {
        const auto t1 = std::chrono::steady_clock::now();
        per_call.push_back(std::chrono::duration<double>(t1 - t0).count() / block);
        t0 = t1;
      }
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(total / static_cast<double>(calls));
  }
  if (!per_call.empty()) {
    std::nth_element(per_call.begin(), per_call.begin() + per_call.size() / 2, per_call.end());
    state.counters["p50_us"] = 1e6 * per_call[per_call.size() / 2];
  }
  return calls;
}

// Calls that make one timed unit of pattern `p`: a broadcast from every root in turn.
int64_t unitOf(Pattern p) { return p == Pattern::kBroadcast ? world->size : 1; }

// Our communicators: counters come from the communicator's own statistics.
void runOurs(benchmark::State& state, sotto::Communicator* comm, Pattern p, size_t bytes) {
  auto& [out, in] = buffersFor(bytes);
  auto ob = std::as_bytes(std::span(out));
  auto ib = std::as_writable_bytes(std::span(in));
  const int peer = comm->rank() ^ 1;
  int call = 0;
  auto once = [&] {
    switch (p) {
      case Pattern::kExchange:
        comm->exchange(peer, ob, ib);
        break;
      case Pattern::kAllReduce:
        comm->allReduce(in, sotto::ReduceOp::kAdd);
        break;
      case Pattern::kBroadcast:
        comm->broadcast(call++ % comm->worldSize(), ib);
        break;
    }
  };
  // warm-up: lazy connections, TCP windows, page faults on the buffers
  const int64_t agreed = agreeOnCalls(once, secondsOf(once));
  comm->barrier();
  comm->resetStats();
  call = 0;  // blocks start at root 0 (see timedLoop)
  const int64_t calls = timedLoop(state, bytes, agreed, once, unitOf(p));
  const auto& t = comm->stats().total;
  const double n = static_cast<double>(calls);
  setCounters(state, calls, bytes, t.bytes() / n, t.rounds / n);
}

// The same counting model for the raw floors (see CommStats): direct-algorithm bytes.
double modelBytes(Pattern p, size_t bytes, int size) {
  switch (p) {
    case Pattern::kExchange:
      return 2.0 * bytes;
    case Pattern::kAllReduce:
      return 2.0 * (size - 1) * bytes;
    case Pattern::kBroadcast:  // the root rotates: the average over roots
      return 2.0 * (size - 1) * bytes / size;
  }
  return 0;
}

void runRawMpi(benchmark::State& state, Pattern p, size_t bytes) {
  auto& [out, in] = buffersFor(bytes);
  const int peer = world->rank ^ 1;
  const int n = static_cast<int>(bytes);
  int call = 0;
  auto once = [&] {
    switch (p) {
      case Pattern::kExchange:
        MPI_Sendrecv(out.data(), n, MPI_BYTE, peer, 1, in.data(), n, MPI_BYTE, peer, 1,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        break;
      case Pattern::kAllReduce:
        MPI_Allreduce(MPI_IN_PLACE, in.data(), n / 8, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        break;
      case Pattern::kBroadcast:
        MPI_Bcast(in.data(), n, MPI_BYTE, call++ % world->size, MPI_COMM_WORLD);
        break;
    }
  };
  const int64_t agreed = agreeOnCalls(once, secondsOf(once));  // after a warm-up call
  MPI_Barrier(MPI_COMM_WORLD);
  call = 0;  // blocks start at root 0 (see timedLoop)
  const int64_t calls = timedLoop(state, bytes, agreed, once, unitOf(p));
  setCounters(state, calls, bytes, modelBytes(p, bytes, world->size), 1);
}

void runRawGloo(benchmark::State& state, Pattern p, size_t bytes) {
  auto& ctx = world->raw_gloo;
  auto& [out, in] = buffersFor(bytes);
  const int peer = world->rank ^ 1;
  auto sbuf = ctx->createUnboundBuffer(out.data(), bytes);
  auto rbuf = ctx->createUnboundBuffer(in.data(), bytes);
  int call = 0;
  auto once = [&] {
    switch (p) {
      case Pattern::kExchange:
        rbuf->recv(peer, 1);
        sbuf->send(peer, 1);
        rbuf->waitRecv();
        sbuf->waitSend();
        break;
      case Pattern::kAllReduce: {
        ::gloo::AllreduceOptions opts(ctx);
        opts.setOutput(in.data(), in.size());
        opts.setReduceFunction(
            static_cast<void (*)(void*, const void*, const void*, size_t)>(&::gloo::sum<uint64_t>));
        ::gloo::allreduce(opts);
        break;
      }
      case Pattern::kBroadcast: {
        ::gloo::BroadcastOptions opts(ctx);
        opts.setOutput(in.data(), in.size());
        opts.setRoot(call++ % world->size);
        ::gloo::broadcast(opts);
        break;
      }
    }
  };
  const int64_t agreed = agreeOnCalls(once, secondsOf(once));  // after a warm-up call
  MPI_Barrier(MPI_COMM_WORLD);
  call = 0;  // blocks start at root 0 (see timedLoop)
  const int64_t calls = timedLoop(state, bytes, agreed, once, unitOf(p));
  setCounters(state, calls, bytes, modelBytes(p, bytes, world->size), 1);
}

class NullReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

void registerAll() {
  const std::pair<Pattern, const char*> patterns[] = {{Pattern::kExchange, "exchange"},
                                                      {Pattern::kAllReduce, "allReduce"},
                                                      {Pattern::kBroadcast, "broadcast"}};
  for (const auto& [p, pname] : patterns) {
    if (p == Pattern::kExchange && world->size % 2 != 0) continue;
    for (size_t bytes : kSizes) {
      auto reg = [&](const std::string& backend, auto fn) {
        const std::string name =
            std::string("comm/") + pname + "/" + backend + "/" + std::to_string(bytes);
        benchmark::RegisterBenchmark(name.c_str(), fn)
            ->Iterations(1)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      };
      const Pattern pp = p;
      using Run = std::function<void(benchmark::State&)>;
      const std::pair<const char*, Run> backends[] = {
          {"raw_mpi", [pp, bytes](benchmark::State& s) { runRawMpi(s, pp, bytes); }},
          {"raw_gloo", [pp, bytes](benchmark::State& s) { runRawGloo(s, pp, bytes); }},
          {"mpi", [pp, bytes](benchmark::State& s) { runOurs(s, world->mpi.get(), pp, bytes); }},
          {"gloo", [pp, bytes](benchmark::State& s) { runOurs(s, world->gloo.get(), pp, bytes); }},
          {"hybrid",
           [pp, bytes](benchmark::State& s) { runOurs(s, world->hybrid.get(), pp, bytes); }}};
      for (int64_t rep = 0; rep < settings.reps; ++rep) {  // interleaved, reordered (see the top)
        for (size_t k : sotto::bench::roundOrder(static_cast<size_t>(rep), std::size(backends))) {
          reg(backends[k].first, backends[k].second);
        }
      }
    }
  }
}

// Reads --reps / --rep_ms / --min_iters / --max_iters (removing them from argv); false on a
// bad value.
bool parseSettings(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    int64_t* target = a == "--reps"        ? &settings.reps
                      : a == "--rep_ms"    ? &settings.rep_ms
                      : a == "--min_iters" ? &settings.min_iters
                      : a == "--max_iters" ? &settings.max_iters
                                           : nullptr;
    if (target != nullptr && i + 1 < argc) {
      const long long v = std::atoll(argv[++i]);
      if (v < 1) {
        std::cerr << "comm_bench: " << a << " needs a positive number\n";
        return false;
      }
      *target = v;
      continue;
    }
    argv[out++] = argv[i];
  }
  argc = out;
  return true;
}

// The hybrid's thresholds, also through an emulated-latency decorator.
sotto::HybridThresholds thresholdsOf(const sotto::Communicator& comm) {
  if (const auto* d = dynamic_cast<const sotto::DelayCommunicator*>(&comm)) {
    return sotto::hybridThresholds(d->inner());
  }
  return sotto::hybridThresholds(comm);
}

}  // namespace

int main(int argc, char** argv) {
  if (!parseSettings(argc, argv)) return 1;
  World w;
  world = &w;
  try {
    // Plain channels: the backends against the raw libraries (the encrypted channel's cost is
    // measured by aead_bench and, end to end, by the MPC benchmarks' default).
    sotto::CommOptions plain;
    plain.channel = sotto::CommOptions::Channel::kPlain;
    w.mpi = sotto::makeCommunicator("mpi", plain);  // initialises MPI
    w.rank = w.mpi->rank();
    w.size = w.mpi->worldSize();
    w.gloo = sotto::makeCommunicator("gloo", plain);
    w.hybrid = sotto::makeCommunicator("hybrid", plain);
    w.raw_gloo = makeRawGloo(w.rank, w.size);
  } catch (const std::exception& e) {
    std::cerr << "comm_bench: " << e.what() << "\n(run it under mpirun with 2 ranks)\n";
    return 1;
  }
  // Only rank 0 writes output files: drop --benchmark_out* on the others.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (w.rank != 0 && std::strncmp(argv[i], "--benchmark_out", 15) == 0) continue;
    args.push_back(argv[i]);
  }
  int nargs = static_cast<int>(args.size());
  benchmark::Initialize(&nargs, args.data());
  const sotto::HybridThresholds thresholds = thresholdsOf(*w.hybrid);
  const auto* delayed = dynamic_cast<const sotto::DelayCommunicator*>(w.mpi.get());
  benchmark::AddCustomContext(
      "delay_ms", std::to_string(delayed != nullptr ? delayed->delay().count() / 1e6 : 0.0));
  benchmark::AddCustomContext("reps", std::to_string(settings.reps));
  benchmark::AddCustomContext("parties", std::to_string(w.size));
  benchmark::AddCustomContext("hybrid_thresholds", sotto::toString(thresholds));
  registerAll();
  if (w.rank == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    NullReporter quiet;
    benchmark::RunSpecifiedBenchmarks(&quiet);
  }
  benchmark::Shutdown();
  w.hybrid.reset();
  w.gloo.reset();
  w.raw_gloo.reset();
  w.mpi.reset();
  return 0;
}
