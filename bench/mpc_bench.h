#pragma once
// The machinery shared by ops_bench and math_bench: an operation on 2 parties (inproc threads, or
// the ranks of an mpirun job), timed over several runs after a warm-up, with its online rounds and
// bytes, dealer bytes and error against a double-precision reference as counters.

#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

#include "sotto/mpc/arith_tensor.h"

namespace sotto::bench {

/// Benchmark inputs only (not secrets of a real run): uniform on [lo, hi) from a fixed seed,
/// quantized to the fixed-point grid.
std::vector<double> uniform(size_t n, double lo, double hi, unsigned seed);

/// An operation under test: prepare() runs once per party before timing (sharing inputs) and
/// returns the step to time; the step's revealed output is compared with `reference`.
struct Op {
  std::function<std::function<ArithTensor()>(Party&)> prepare;
  std::vector<double> reference;
};

/// A named benchmark: ops/<op>/<variant>/<n> or math/<fn>/<variant>/<n>. `protocol`: the family
/// (protocol_factory.h) that runs it, or empty for the program's --protocol: "insecure-seeded"
/// (the default), "ttp" (the dealer a third thread, or the last of 3 mpirun ranks) or "none" (the
/// OT family, two parties alone).
struct Entry {
  std::string name;
  std::function<Op()> make;
  PartyOptions options;
  std::string protocol = {};
};

/// Registers the entries and runs them (launched on 2 ranks: every entry but the TTP ones; on 3
/// ranks with one backend: the TTP entries, the dealer the last rank): parses --protocol
/// seeded|ttp|none (the family of the entries that name none; default seeded), --backend B[,B...]
/// (inproc|mpi|gloo|hybrid), --runs N (timed runs, at least) and --min_seconds S (up to 3N runs,
/// until the fastest backend's runs take S seconds; default 0.1), then Google Benchmark's own
/// flags. With several backends (an mpirun job), every entry is measured on all of them with the
/// timed runs interleaved (run 1 on each backend, run 2 on each, ...) and reported as
/// <name>/<backend>. An entry its family cannot run (NotImplemented: exp under "none") is
/// skipped with a note naming the family; any other error skips it with the message. Counters:
/// rounds, bytes_per_party (online, sent + received by party 0), dealer_bytes (party 0's offline
/// traffic both ways, Protocol::offlineBytes: 0 under "none", whose traffic is all online),
/// bytes_per_elem and dealer_recv_per_elem (what the dealer sends party 0, per element of the
/// reference), max_abs_err, max_rel_err (relative to max(|reference|, 2^-16)), max_ulp, online_ms,
/// min_ms, max_ms, runs, setup_ms and setup_bytes (prepare() and Protocol::setup, once before the
/// warm-up; party 0's traffic both ways: apart from the timed figures); with several backends also
/// ratio_vs_<other backend>, the median over runs of this backend's time over the other's in the
/// same round (the order of the backends changes from round to round, round_order.h), and
/// ratio_q1_vs_<other backend>, their lower quartile. Returns the exit code.
int benchMain(int argc, char** argv, const char* program, const std::vector<Entry>& entries);

}  // namespace sotto::bench
