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

// One timed unit of `kind` on `c`: an exchange between ranks 0 and 1 (the others idle), a
// broadcast from every root in turn (a lone broadcast lets the root run ahead), or an allReduce.
void timedUnit(Communicator& c, Kind kind, std::span<std::byte> out, std::span<std::byte> in) {
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

double secondsOf(Communicator& c, Kind kind, std::span<std::byte> out, std::span<std::byte> in) {
  const auto t0 = std::chrono::steady_clock::now();
  timedUnit(c, kind, out, in);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double medianOf(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

constexpr double kSweepBudgetSeconds = 1.5;  // per kind of call, both channels
constexpr double kPointSeconds = 0.1;        // aim per sweep size, both channels
constexpr double kMargin = 0.95;             // large must be at least 5 % faster

// The threshold of one kind of call (meaningful on rank 0; broadcast by the caller).
size_t calibrateKind(Communicator& small, Communicator& large, Kind kind,
                     std::vector<std::byte>& out, std::vector<std::byte>& in) {
  const auto sizes = hybridSweepSizes();
  std::vector<double> ts, tl;    // medians per measured size (rank 0)
  for (int w = 0; w < 2; ++w) {  // warm-up: connections, first-touch of the buffers
    timedUnit(small, kind, std::span(out).first(sizes[0]), std::span(in).first(sizes[0]));
    timedUnit(large, kind, std::span(out).first(sizes[0]), std::span(in).first(sizes[0]));
  }
  double spent = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    // Rank 0 decides how many repetitions this size gets (0: stop) and tells the others.
    uint64_t reps = 11;
    if (small.rank() == 0 && i > 0) {
      const double per_rep = 2.0 * (ts.back() + tl.back());  // both channels, size doubled
      reps = spent + 5 * per_rep > kSweepBudgetSeconds
                 ? 0
                 : std::clamp<uint64_t>(static_cast<uint64_t>(kPointSeconds / per_rep), 5, 11);
    }
    small.broadcast(0, std::as_writable_bytes(std::span(&reps, 1)));
    if (reps == 0) break;
    const auto o = std::span(out).first(sizes[i]);
    const auto n = std::span(in).first(sizes[i]);
    std::vector<double> s, l;
    for (uint64_t r = 0; r < reps; ++r) {  // interleaved, so both see the same conditions
      s.push_back(secondsOf(small, kind, o, n));
      l.push_back(secondsOf(large, kind, o, n));
    }
    for (size_t k = 0; k < s.size(); ++k) spent += s[k] + l[k];
    ts.push_back(medianOf(s));
    tl.push_back(medianOf(l));
  }
  if (small.rank() == 0 && std::getenv("SOTTO_HYBRID_VERBOSE") != nullptr) {
    static const char* const names[] = {"exchange", "broadcast", "allReduce"};
    for (size_t i = 0; i < ts.size(); ++i) {
      std::fprintf(stderr, "hybrid calibration: %-9s %9zu B  small %10.1f us  large %10.1f us\n",
                   names[static_cast<int>(kind)], sizes[i], 1e6 * ts[i], 1e6 * tl[i]);
    }
  }
  // The smallest measured size from which large wins by the margin at every larger measured size,
  // over at least two sizes (one size alone is too easily a noisy repetition).
  size_t first = ts.size();
  while (first > 0 && tl[first - 1] <= kMargin * ts[first - 1]) --first;
  return ts.size() - first >= 2 ? sizes[first] : SIZE_MAX;
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
