#include "mpc_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include "round_order.h"
#include "sotto/comm/factory.h"
#include "sotto/comm/inproc.h"
#include "sotto/error.h"
#include "sotto/mpc/dealer/dealer.h"
#include "sotto/mpc/protocol_factory.h"
#include "sotto/tensor/heap.h"

namespace sotto::bench {
namespace {

// The family of entries that name none (--protocol) and the OT family's extension (--ot).
std::string g_protocol = "insecure-seeded";
ot::OtOptions g_ot;

// Launched runs: this rank's communicators, one per --backend (several: measured interleaved);
// inproc: empty.
std::vector<std::pair<std::string, std::unique_ptr<Communicator>>> g_worlds;

int g_runs = 15;              // timed runs per operation, at least (--runs)
double g_min_seconds = 0.1;   // ... and up to 3x more, until the fastest backend's runs take this
constexpr int kMoreRuns = 3;  // (--min_seconds): fast operations get more runs, so that their
                              // medians and paired ratios hold still on a noisy machine

struct Measurement {
  std::vector<double> ratio_vs;     // per other backend: median over runs of (this run / theirs)
  std::vector<double> ratio_vs_q1;  // ... and their lower quartile
  double max_rel_err = 0;
  double runs = 0;  // timed runs
  double seconds = 0;
  double min_seconds = 0;
  double max_seconds = 0;
  double online_seconds = 0;  // seconds minus party 0's time obtaining correlations
  double rounds = 0;
  double bytes = 0;
  double dealer_bytes = 0;
  double dealer_received = 0;  // dealer -> party 0
  double elements = 0;         // of the reference
  double max_abs_err = 0;
  double setup_seconds = 0;  // prepare() and Protocol::setup, once, before the warm-up
  double setup_bytes = 0;    // party 0's traffic (sent + received) in them
};

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// The dealer's share of a party's work, 0 for a family without a dealer: its bytes sent to the
// party, and the seconds the party spent obtaining correlations.
uint64_t dealerReceived(const Protocol& p) {
  return p.dealer() != nullptr ? p.dealer()->traffic().bytes_received : 0;
}
double dealerSeconds(const Protocol& p) {
  return p.dealer() != nullptr ? p.dealer()->seconds() : 0.0;
}

// One backend's party running the operation.
struct Lane {
  Communicator* comm = nullptr;
  Protocol* protocol = nullptr;
  std::unique_ptr<Party> party;
  std::function<ArithTensor()> step;
  std::vector<double> times, online;
  Measurement m;
};

void timeOnce(Lane& lane, const Op& op, bool last) {
  Communicator& comm = *lane.comm;
  comm.barrier();
  const CommCounters before = comm.stats().total;
  const Protocol& protocol = *lane.protocol;
  const uint64_t dealer_before = protocol.offlineBytes();
  const uint64_t received_before = dealerReceived(protocol);
  const double dealer_s = dealerSeconds(protocol);
  const auto t0 = std::chrono::steady_clock::now();
  ArithTensor out = lane.step();
  const auto t1 = std::chrono::steady_clock::now();
  lane.times.push_back(std::chrono::duration<double>(t1 - t0).count());
  lane.online.push_back(lane.times.back() - (dealerSeconds(protocol) - dealer_s));
  const CommCounters after = comm.stats().total;
  Measurement& m = lane.m;
  m.rounds = static_cast<double>(after.rounds - before.rounds);
  m.bytes = static_cast<double>(after.bytes() - before.bytes());
  m.dealer_bytes = static_cast<double>(protocol.offlineBytes() - dealer_before);
  m.dealer_received = static_cast<double>(dealerReceived(protocol) - received_before);
  if (!last) return;
  const auto got = out.revealDoubles();
  const double floor = std::ldexp(1.0, -kDefaultFracBits);
  for (size_t k = 0; k < got.size(); ++k) {
    const double err = std::fabs(got[k] - op.reference[k]);
    m.max_abs_err = std::max(m.max_abs_err, err);
    m.max_rel_err = std::max(m.max_rel_err, err / std::max(std::fabs(op.reference[k]), floor));
  }
}

// The operation on every communicator (backend), timed run by run in turn: run 1 on each backend,
// then run 2 on each, ... so that every backend samples the same machine conditions (a shared
// machine drifts; timed one after another, backends would be compared across different moments).
// The order changes from run to run (round_order.h), so that no backend always follows the same
// one. Backend b's ratio_vs[c] is the median over runs of its time over c's in the same round
// (ratio_vs_q1[c] their lower quartile): a paired ratio, which the drift of the machine between
// rounds does not move.
// protocols[b]: the kernels of the lane on comms[b].
std::vector<Measurement> runOp(const std::vector<Communicator*>& comms,
                               const std::vector<Protocol*>& protocols, const Op& op,
                               PartyOptions options) {
  std::vector<Lane> lanes(comms.size());
  double fastest = 1e30;
  for (size_t b = 0; b < comms.size(); ++b) {
    Lane& lane = lanes[b];
    lane.comm = comms[b];
    lane.protocol = protocols[b];
    lane.party = std::make_unique<Party>(*lane.comm, *lane.protocol, options);
    const uint64_t bytes0 = lane.comm->stats().total.bytes();
    const auto ts = std::chrono::steady_clock::now();
    lane.step = op.prepare(*lane.party);
    lane.protocol->setup(*lane.party);  // the family's one-time work, reported apart
    const auto t0 = std::chrono::steady_clock::now();
    lane.m.setup_seconds = std::chrono::duration<double>(t0 - ts).count();
    lane.m.setup_bytes = static_cast<double>(lane.comm->stats().total.bytes() - bytes0);
    lane.step();  // warm-up (caches, first allocations), untimed
    fastest = std::min(
        fastest, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  // Party 0's count for everyone (every party must run the same steps).
  uint64_t runs = static_cast<uint64_t>(std::clamp(g_min_seconds / std::max(fastest, 1e-9),
                                                   double(g_runs), double(kMoreRuns * g_runs)));
  comms[0]->broadcast(0, std::as_writable_bytes(std::span(&runs, 1)));
  const size_t nb = lanes.size();
  for (int i = 0; i < static_cast<int>(runs); ++i) {
    const bool last = i + 1 == static_cast<int>(runs);
    for (size_t k : roundOrder(static_cast<size_t>(i), nb)) timeOnce(lanes[k], op, last);
  }
  std::vector<Measurement> out;
  for (Lane& lane : lanes) {
    Measurement m = lane.m;
    m.runs = static_cast<double>(runs);
    for (const Lane& other : lanes) {
      std::vector<double> r(lane.times.size());
      for (size_t i = 0; i < r.size(); ++i) r[i] = lane.times[i] / other.times[i];
      m.ratio_vs.push_back(median(r));
      std::sort(r.begin(), r.end());
      m.ratio_vs_q1.push_back(r[(r.size() - 1) / 4]);
    }
    m.seconds = median(lane.times);
    m.min_seconds = *std::min_element(lane.times.begin(), lane.times.end());
    m.max_seconds = *std::max_element(lane.times.begin(), lane.times.end());
    m.online_seconds = median(lane.online);
    out.push_back(m);
  }
  return out;
}

// An entry's family: its own, or the program's --protocol.
std::string familyOf(const Entry& e) { return e.protocol.empty() ? g_protocol : e.protocol; }

// What an entry measured, one Measurement per backend; or why it did not run.
struct Measured {
  std::vector<Measurement> per_backend;
  std::string skipped;
};

// The insecure seeded dealer accepted (labelled in the output); the OT family on --ot.
ProtocolOptions protocolOptions() {
  ProtocolOptions po;
  po.insecure = InsecureDealer::kAccept;
  po.ot = g_ot;
  return po;
}

// This rank's part in the entry on one world: the TTP dealer serves (no measurement), a party
// measures.
std::vector<Measurement> onWorld(Communicator& world, const std::string& family, const Entry& e,
                                 const Op& op) {
  ProtocolSetup setup = makeProtocol(world, family, protocolOptions());
  if (setup.serves()) {
    setup.serve();
    return {};
  }
  return runOp({&setup.online()}, {&setup.protocol()}, op, e.options);
}

std::vector<Measurement> measureOn(const std::string& family, const Entry& e, const Op& op) {
  if (g_worlds.empty()) {  // the parties (and the TTP dealer) as threads
    return runLocal(protocolWorldSize(family, 2),
                    [&](Communicator& c) { return onWorld(c, family, e, op); })[0];
  }
  if (g_worlds.size() == 1) return onWorld(*g_worlds[0].second, family, e, op);
  std::vector<ProtocolSetup> setups;
  setups.reserve(g_worlds.size());
  std::vector<Communicator*> comms;
  std::vector<Protocol*> protocols;
  for (auto& [name, comm] : g_worlds) {
    setups.push_back(
        makeProtocol(*comm, family, protocolOptions()));  // 2 ranks: every rank a party
    comms.push_back(comm.get());
    protocols.push_back(&setups.back().protocol());
  }
  return runOp(comms, protocols, op, e.options);
}

// Per entry name: the first benchmark of an entry measures every backend (interleaved) and the
// others report from here.
std::map<std::string, Measured> g_measured;

const Measured& measure(const Entry& e) {
  auto it = g_measured.find(e.name);
  if (it != g_measured.end()) return it->second;
  const std::string family = familyOf(e);
  const Op op = e.make();
  Measured r;
  try {
    r.per_backend = measureOn(family, e, op);
  } catch (const NotImplemented& x) {  // thrown alike on both parties, before any traffic
    r.skipped = "skipped: not available with --protocol " + family + " (" + x.what() + ")";
  }
  for (Measurement& m : r.per_backend) m.elements = static_cast<double>(op.reference.size());
  return g_measured.emplace(e.name, std::move(r)).first->second;
}

void report(benchmark::State& state, const Entry& e, size_t backend,
            const std::vector<std::string>& names) {
  Measurement m;
  for (auto _ : state) {
    const Measured& r = measure(e);
    if (!r.skipped.empty()) {
      state.SkipWithError(r.skipped.c_str());
      break;
    }
    if (r.per_backend.empty()) {  // the TTP dealer's rank: nothing measured, nothing reported
      state.SetIterationTime(0);
      continue;
    }
    m = r.per_backend[backend];
    state.SetIterationTime(m.seconds);
  }
  if (state.error_occurred()) return;
  state.counters["runs"] = m.runs;
  state.counters["online_ms"] = 1e3 * m.online_seconds;
  state.counters["setup_ms"] = 1e3 * m.setup_seconds;
  state.counters["setup_bytes"] = m.setup_bytes;
  state.counters["min_ms"] = 1e3 * m.min_seconds;
  state.counters["max_ms"] = 1e3 * m.max_seconds;
  state.counters["rounds"] = m.rounds;
  state.counters["bytes_per_party"] = m.bytes;
  state.counters["dealer_bytes"] = m.dealer_bytes;
  state.counters["bytes_per_elem"] = m.bytes / m.elements;
  state.counters["dealer_recv_per_elem"] = m.dealer_received / m.elements;
  state.counters["max_abs_err"] = m.max_abs_err;
  state.counters["max_rel_err"] = m.max_rel_err;
  state.counters["max_ulp"] = m.max_abs_err / std::ldexp(1.0, -e.options.frac_bits);
  for (size_t c = 0; c < m.ratio_vs.size() && names.size() > 1; ++c) {
    if (c == backend) continue;
    state.counters["ratio_vs_" + names[c]] = m.ratio_vs[c];
    state.counters["ratio_q1_vs_" + names[c]] = m.ratio_vs_q1[c];
  }
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
  retainFreedMemory();  // as every Party does (heap.h); before any tensor is allocated
  std::string backend = "inproc";
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
      backend = argv[++i];
      continue;
    }
    if (std::strcmp(argv[i], "--protocol") == 0 && i + 1 < argc) {
      g_protocol = argv[++i];
      if (g_protocol == "seeded") g_protocol = "insecure-seeded";
      if (g_protocol != "insecure-seeded" && g_protocol != "ttp" && g_protocol != "none") {
        std::cerr << program << ": --protocol must be seeded, ttp or none, not '" << g_protocol
                  << "'\n";
        return 1;
      }
      continue;
    }
    if (std::strcmp(argv[i], "--ot") == 0 && i + 1 < argc) {
      const std::string ext = argv[++i];
      if (ext != "iknp" && ext != "ferret") {
        std::cerr << program << ": --ot must be iknp or ferret, not '" << ext << "'\n";
        return 1;
      }
      g_ot.extension = ext == "ferret" ? ot::OtExtension::kFerret : ot::OtExtension::kIknp;
      continue;
    }
    if (std::strcmp(argv[i], "--min_seconds") == 0 && i + 1 < argc) {
      g_min_seconds = std::atof(argv[++i]);
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
  std::vector<std::string> backends;
  for (size_t pos = 0; pos <= backend.size();) {
    const size_t comma = std::min(backend.find(',', pos), backend.size());
    backends.push_back(backend.substr(pos, comma - pos));
    pos = comma + 1;
  }
  const bool inproc = backends.size() == 1 && backends[0] == "inproc";
  if (!inproc) {
    try {
      // "mpi" is the default (encrypted) channel, "mpi+plain" the backend in the clear.
      for (const auto& b : backends) {
        CommOptions o;
        std::string name = b;
        if (name.size() > 6 && name.ends_with("+plain")) {
          name.resize(name.size() - 6);
          o.channel = CommOptions::Channel::kPlain;
        }
        g_worlds.emplace_back(b, makeCommunicator(name, o));
      }
    } catch (const std::exception& e) {
      std::cerr << program << ": " << e.what() << "\n";
      return 1;
    }
    // 2 ranks: every row but the TTP ones; 3 ranks (one backend): the TTP rows, the dealer the
    // last rank.
    const int ranks = g_worlds[0].second->worldSize();
    const char* problem = nullptr;
    if (ranks != 2 && !(ranks == 3 && backends.size() == 1)) {
      problem = "run with 2 ranks (3 with one backend for the TTP rows)";
    } else if (g_protocol == "ttp" && ranks != 3) {
      problem = "--protocol ttp takes 3 ranks (the dealer the last rank)";
    }
    if (problem != nullptr) {
      std::cerr << program << ": " << problem << "\n";
      while (!g_worlds.empty()) g_worlds.pop_back();  // before MPI's finalisation
      return 1;
    }
    if (g_worlds[0].second->rank() != 0) {  // only rank 0 writes output files
      std::erase_if(args, [](char* a) { return std::strncmp(a, "--benchmark_out", 15) == 0; });
    }
  }
  int nargs = static_cast<int>(args.size());
  benchmark::Initialize(&nargs, args.data());
  benchmark::AddCustomContext("backend", backend);
  benchmark::AddCustomContext("parties", "2");
  benchmark::AddCustomContext("runs", std::to_string(g_runs) + " to " +
                                          std::to_string(kMoreRuns * g_runs) + " (--min_seconds " +
                                          std::to_string(g_min_seconds) + ")");
  benchmark::AddCustomContext(
      "protocol", g_protocol == "insecure-seeded"
                      ? "insecure-seeded (INSECURE trusted first party: for benchmarks)"
                  : g_protocol == "ttp" ? "ttp (the trusted third party as a third thread)"
                                        : "none (the OT family: two parties, no dealer)");
  benchmark::AddCustomContext("rows",
                              "*_ttp/*: the TTP dealer (a third thread, or the last of 3 ranks); "
                              "*_none/*: the OT family");
  benchmark::AddCustomContext(
      "ot", g_ot.extension == ot::OtExtension::kFerret ? "ferret" : "iknp (--ot ferret: Ferret)");
  if (backends.size() > 1) {
    benchmark::AddCustomContext("interleaved", "runs alternate between the backends");
  }
  for (const auto& e : entries) {
    // Launched: a world of 3 ranks runs the TTP rows only, a world of 2 every other row.
    if (!inproc && (familyOf(e) == "ttp") != (g_worlds[0].second->worldSize() == 3)) continue;
    for (size_t b = 0; b < backends.size(); ++b) {
      // One backend: the entry's name; several: <name>/<backend>.
      const std::string name = backends.size() == 1 ? e.name : e.name + "/" + backends[b];
      benchmark::RegisterBenchmark(
          name.c_str(), [e, b, backends](benchmark::State& s) { report(s, e, b, backends); })
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  if (!inproc && g_worlds[0].second->rank() != 0) {
    NullReporter quiet;
    benchmark::RunSpecifiedBenchmarks(&quiet);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  g_measured.clear();
  while (!g_worlds.empty()) g_worlds.pop_back();  // the hybrid and gloo before mpi
  return 0;
}

}  // namespace sotto::bench
