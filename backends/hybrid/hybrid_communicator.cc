// The hybrid backend: each call goes to `small` (MPI) below its kind's threshold, to `large`
// (Gloo) at or above it. Both sides of a call see the same size (contract), so they pick the same
// channel.
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sotto/comm/hybrid.h"
#include "sotto/comm/verify.h"

namespace sotto {
namespace {

class HybridCommunicator final : public Communicator {
 public:
  HybridCommunicator(std::unique_ptr<Communicator> small, std::unique_ptr<Communicator> large,
                     const HybridThresholds& thresholds)
      : Communicator(small->rank(), small->worldSize(), "hybrid"),
        small_(std::move(small)),
        large_(std::move(large)),
        thresholds_(thresholds) {}

  const HybridThresholds& thresholds() const { return thresholds_; }
  std::pair<CommStats, CommStats> channelStats() const {
    return {small_->stats(), large_->stats()};
  }

 protected:
  void doSend(int peer, ConstBytes data) override { p2p(data.size()).send(peer, data); }
  void doRecv(int peer, MutableBytes data) override { p2p(data.size()).recv(peer, data); }
  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    // exchange() (to == from) and sendRecv() reach here (our collectives are delegated whole).
    // Routed by the larger size, as exchange: with to != from both ends agree on the channel when
    // the sizes are equal, as in every shift of the direct collectives (e.g. a SubCommunicator's).
    Communicator& c = p2p(std::max(out.size(), in.size()));
    if (to == from) {
      c.exchange(to, out, in);
    } else {
      c.sendRecv(to, out, from, in);
    }
  }
  void doBroadcast(int root, MutableBytes data) override {
    pick(data.size(), thresholds_.broadcast).broadcast(root, data);
  }
  void doAllReduce(std::span<uint64_t> data, ReduceOp op) override {
    pick(data.size_bytes(), thresholds_.all_reduce).allReduce(data, op);
  }
  void doAllGather(ConstBytes mine, MutableBytes all) override {
    p2p(mine.size()).allGather(mine, all);
  }
  void doGather(int root, ConstBytes mine, MutableBytes all) override {
    p2p(mine.size()).gather(root, mine, all);
  }
  void doBarrier() override { small_->barrier(); }
  void doAbort(const std::string& reason) noexcept override {
    small_->abort(reason);
    large_->abort(reason);
  }
  void onTimeoutChanged() override {
    small_->setTimeout(timeout());
    large_->setTimeout(timeout());
  }

 private:
  Communicator& pick(size_t bytes, size_t threshold) {
    return bytes >= threshold ? *large_ : *small_;
  }
  Communicator& p2p(size_t bytes) { return pick(bytes, thresholds_.p2p); }

  std::unique_ptr<Communicator> small_;
  std::unique_ptr<Communicator> large_;
  HybridThresholds thresholds_;
};

enum class Kind { kExchange, kBroadcast, kAllReduce };
const char* const kKindNames[] = {"exchange", "broadcast", "allReduce"};

// One unit of `kind` on `c`: an exchange between ranks 0 and 1 (the others idle), a broadcast
// from every root in turn (a lone broadcast lets the root run ahead), or an allReduce.
void unitOf(Communicator& c, Kind kind, std::span<std::byte> out, std::span<std::byte> in) {
  switch (kind) {
    case Kind::kExchange:
      if (c.rank() < 2) c.exchange(c.rank() ^ 1, out, in);
      break;
    case Kind::kBroadcast:
      for (int root = 0; root < c.worldSize(); ++root) c.broadcast(root, in);
      break;
    case Kind::kAllReduce: {
      auto words = std::span(reinterpret_cast<uint64_t*>(in.data()), in.size() / 8);
      c.allReduce(words, ReduceOp::kAdd);
      break;
    }
  }
}

// Units per sample, back to back on one channel. A program's calls follow one another, and a
// second call can queue behind the tail of the first: MPI over TCP on a 100 Mbit/s link takes
// 1.5x Gloo's time for the second of two 1-2 MiB exchanges, and the same time for a lone one
// (measured).
constexpr int kStream = 2;
constexpr double kBudgetSeconds = 4.0;  // per kind of call, both channels
constexpr double kPointSeconds = 0.4;   // aim per measured size, both channels
constexpr double kMargin = 0.95;        // large must be at least 5 % faster
constexpr double kLoneMargin = 0.85;    // ... and 15 % where only the top size wins
constexpr size_t kProbeBytes = size_t{1} << 16;

// Seconds per unit over one sample: kStream units on `c`, timed on this rank's clock, then an
// untimed barrier on `sync` (the small channel for both), so that no sample starts while the last
// one's tail is in flight. Every unit ends on rank 0 with a delivery to it (an exchange's or an
// allReduce's result, the last root's broadcast), so rank 0's clock sees whole transfers; a local
// completion would not do (a large send returns as soon as its data is in the socket on Gloo, only
// once the receiver has it on MPI).
double sampleOf(Communicator& c, Communicator& sync, Kind kind, std::span<std::byte> out,
                std::span<std::byte> in) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < kStream; ++k) unitOf(c, kind, out, in);
  const auto t1 = std::chrono::steady_clock::now();
  sync.barrier();
  return std::chrono::duration<double>(t1 - t0).count() / kStream;
}

double medianOf(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

struct Point {
  size_t bytes = 0;
  double small_s = 0, large_s = 0;  // medians over the samples (rank 0's clock)
  double spent_s = 0;               // both channels, every sample
  bool large_wins() const { return large_s <= kMargin * small_s; }
};

// `reps` samples of each channel at `bytes`, interleaved and in alternating order (small first,
// then large first), so that both see the same conditions and neither always follows the other.
Point measure(Communicator& small, Communicator& large, Kind kind, size_t bytes, uint64_t reps,
              std::vector<std::byte>& out, std::vector<std::byte>& in) {
  const auto o = std::span(out).first(bytes);
  const auto n = std::span(in).first(bytes);
  std::vector<double> s, l;
  for (uint64_t r = 0; r < reps; ++r) {
    if (r % 2 == 0) s.push_back(sampleOf(small, small, kind, o, n));
    l.push_back(sampleOf(large, small, kind, o, n));
    if (r % 2 == 1) s.push_back(sampleOf(small, small, kind, o, n));
  }
  Point p{bytes, medianOf(s), medianOf(l), 0};
  for (size_t k = 0; k < s.size(); ++k) p.spent_s += kStream * (s[k] + l[k]);
  return p;
}

// Samples for a size whose unit takes about `unit_s` (both channels within kPointSeconds), and
// what they cost.
uint64_t repsFor(double unit_s) {
  const double n = kPointSeconds / (2.0 * kStream * std::max(unit_s, 1e-9));
  return static_cast<uint64_t>(std::clamp(n, 3.0, 9.0));
}
double costOf(double unit_s) {
  return 2.0 * kStream * static_cast<double>(repsFor(unit_s)) * unit_s;
}

// The threshold of one kind of call (meaningful on rank 0; broadcast by the caller). Only the
// large sizes decide it (the smallest size from which large wins at every larger one), so the
// sweep runs from the top down and stops at the first size where large does not win. The top is
// the largest size affordable within half the budget, predicted from a probe at 64 KiB (a unit's
// time taken to grow with its size): 16 MiB on one host, 1 MiB at 100 Mbit/s, 256 KiB at 20.
size_t calibrateKind(Communicator& small, Communicator& large, Kind kind,
                     std::vector<std::byte>& out, std::vector<std::byte>& in) {
  const auto sizes = hybridSweepSizes();
  for (int w = 0; w < 2; ++w) {  // warm-up: connections, first-touch of the buffers
    unitOf(small, kind, std::span(out).first(sizes[0]), std::span(in).first(sizes[0]));
    unitOf(large, kind, std::span(out).first(sizes[0]), std::span(in).first(sizes[0]));
  }
  const Point probe = measure(small, large, kind, kProbeBytes, 3, out, in);
  auto predicted = [&](size_t bytes) {  // seconds per unit
    const double scale = static_cast<double>(bytes) / static_cast<double>(kProbeBytes);
    return std::min(probe.small_s, probe.large_s) * std::max(1.0, scale);
  };
  // Rank 0 picks the top size and each next size's samples (0: stop) and tells the others: the
  // probe's times differ between ranks, and every rank must measure the same sizes.
  uint64_t top = 0;
  if (small.rank() == 0) {
    while (top + 1 < sizes.size() && costOf(predicted(sizes[top + 1])) <= kBudgetSeconds / 2) ++top;
  }
  small.broadcast(0, std::as_writable_bytes(std::span(&top, 1)));
  std::vector<Point> points;  // from the top down
  double spent = probe.spent_s;
  for (size_t i = top + 1; i-- > 0;) {
    uint64_t reps = 0;
    if (small.rank() == 0) {
      // The next unit takes about half the last measured one.
      const double unit = points.empty()
                              ? predicted(sizes[i])
                              : 0.5 * std::max(points.back().small_s, points.back().large_s);
      const bool go =
          points.empty() || (points.back().large_wins() && spent + costOf(unit) <= kBudgetSeconds);
      reps = go ? repsFor(unit) : 0;
    }
    small.broadcast(0, std::as_writable_bytes(std::span(&reps, 1)));
    if (reps == 0) break;
    points.push_back(measure(small, large, kind, sizes[i], reps, out, in));
    spent += points.back().spent_s;
  }
  if (small.rank() == 0 && std::getenv("SOTTO_HYBRID_VERBOSE") != nullptr) {
    const char* name = kKindNames[static_cast<int>(kind)];
    std::fprintf(stderr,
                 "hybrid calibration: %-9s %9zu B  small %10.1f us  large %10.1f us  (probe)\n",
                 name, probe.bytes, 1e6 * probe.small_s, 1e6 * probe.large_s);
    for (const auto& p : points) {
      std::fprintf(stderr, "hybrid calibration: %-9s %9zu B  small %10.1f us  large %10.1f us%s\n",
                   name, p.bytes, 1e6 * p.small_s, 1e6 * p.large_s,
                   p.large_wins() ? "  large wins" : "");
    }
    std::fprintf(stderr, "hybrid calibration: %-9s %.2f s\n", name, spent);
  }
  // The winning run from the top: two sizes at least, or the top alone by a wider margin (one
  // size is more easily a noisy sample; on a slow link the top may be the only size large wins).
  size_t wins = 0;
  while (wins < points.size() && points[wins].large_wins()) ++wins;
  if (wins >= 2) return points[wins - 1].bytes;
  if (wins == 1 && points[0].large_s <= kLoneMargin * points[0].small_s) return points[0].bytes;
  return SIZE_MAX;
}

}  // namespace

std::vector<size_t> hybridSweepSizes() {
  std::vector<size_t> sizes;
  for (size_t n = size_t{1} << 12; n <= (size_t{1} << 24); n *= 2) sizes.push_back(n);
  return sizes;
}

HybridThresholds calibrateHybridThresholds(Communicator& small, Communicator& large) {
  SOTTO_ENFORCE(small.worldSize() == large.worldSize() && small.rank() == large.rank(),
                "hybrid: the two communicators belong to different worlds");
  HybridThresholds t;
  if (small.worldSize() < 2) return t;
  std::vector<std::byte> out(hybridSweepSizes().back()), in(hybridSweepSizes().back());
  uint64_t v[3] = {calibrateKind(small, large, Kind::kExchange, out, in),
                   calibrateKind(small, large, Kind::kBroadcast, out, in),
                   calibrateKind(small, large, Kind::kAllReduce, out, in)};
  small.broadcast(0, std::as_writable_bytes(std::span(v)));  // rank 0 decides for everyone
  return HybridThresholds(v[0], v[1], v[2]);
}

std::unique_ptr<Communicator> makeHybridCommunicator(std::unique_ptr<Communicator> small,
                                                     std::unique_ptr<Communicator> large,
                                                     std::optional<HybridThresholds> thresholds) {
  SOTTO_ENFORCE(small && large, "hybrid: both communicators are needed");
  SOTTO_ENFORCE(small->worldSize() == large->worldSize() && small->rank() == large->rank(),
                "hybrid: the two communicators belong to different worlds (", small->backendName(),
                " rank ", small->rank(), "/", small->worldSize(), ", ", large->backendName(),
                " rank ", large->rank(), "/", large->worldSize(), ")");
  HybridThresholds t;
  if (thresholds) {
    t = *thresholds;
    verifySameOnAllParties(*small, "hybrid threshold (bytes, point-to-point)", t.p2p);
    verifySameOnAllParties(*small, "hybrid threshold (bytes, broadcast)", t.broadcast);
    verifySameOnAllParties(*small, "hybrid threshold (bytes, allReduce)", t.all_reduce);
  } else {
    t = calibrateHybridThresholds(*small, *large);
  }
  small->resetStats();
  large->resetStats();
  const auto timeout = small->timeout();
  auto comm = std::make_unique<HybridCommunicator>(std::move(small), std::move(large), t);
  comm->setTimeout(timeout);  // the hybrid's own timeout, forwarded to both channels
  return comm;
}

namespace {
const HybridCommunicator& asHybrid(const Communicator& comm) {
  const auto* h = dynamic_cast<const HybridCommunicator*>(&comm);
  SOTTO_ENFORCE(h != nullptr, "'", comm.backendName(), "' is not a hybrid communicator");
  return *h;
}
}  // namespace

HybridThresholds hybridThresholds(const Communicator& comm) { return asHybrid(comm).thresholds(); }

std::pair<CommStats, CommStats> hybridChannelStats(const Communicator& comm) {
  return asHybrid(comm).channelStats();
}

}  // namespace sotto
