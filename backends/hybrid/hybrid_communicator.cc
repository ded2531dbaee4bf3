// The hybrid backend: each call goes to `small` (MPI) below the threshold, to `large` (Gloo) at
// or above it. Both sides of a call see the same size (contract), so they pick the same channel.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sotto/comm/hybrid.h"
#include "sotto/comm/verify.h"

namespace sotto {
namespace {

class HybridCommunicator final : public Communicator {
 public:
  HybridCommunicator(std::unique_ptr<Communicator> small, std::unique_ptr<Communicator> large,
                     size_t threshold)
      : Communicator(small->rank(), small->worldSize(), "hybrid"),
        small_(std::move(small)),
        large_(std::move(large)),
        threshold_(threshold) {}

  size_t threshold() const { return threshold_; }
  std::pair<CommStats, CommStats> channelStats() const {
    return {small_->stats(), large_->stats()};
  }

 protected:
  void doSend(int peer, ConstBytes data) override { pick(data.size()).send(peer, data); }
  void doRecv(int peer, MutableBytes data) override { pick(data.size()).recv(peer, data); }
  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    // exchange() (to == from) and sendRecv() reach here (our collectives are delegated whole).
    // Routed by the larger size, as exchange: with to != from both ends agree on the channel when
    // the sizes are equal, as in every shift of the direct collectives (e.g. a SubCommunicator's).
    Communicator& c = pick(std::max(out.size(), in.size()));
    if (to == from) {
      c.exchange(to, out, in);
    } else {
      c.sendRecv(to, out, from, in);
    }
  }
  void doBroadcast(int root, MutableBytes data) override {
    pick(data.size()).broadcast(root, data);
  }
  void doAllReduce(std::span<uint64_t> data, ReduceOp op) override {
    pick(data.size_bytes()).allReduce(data, op);
  }
  void doAllGather(ConstBytes mine, MutableBytes all) override {
    pick(mine.size()).allGather(mine, all);
  }
  void doGather(int root, ConstBytes mine, MutableBytes all) override {
    pick(mine.size()).gather(root, mine, all);
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
  Communicator& pick(size_t bytes) { return bytes >= threshold_ ? *large_ : *small_; }

  std::unique_ptr<Communicator> small_;
  std::unique_ptr<Communicator> large_;
  size_t threshold_;
};

// Median seconds of `reps` exchanges of `bytes` between ranks 0 and 1 (the others only join the
// barrier); 0 on ranks >= 2.
double timeExchange(Communicator& c, size_t bytes, int reps) {
  c.barrier();
  if (c.rank() >= 2) return 0;
  const int peer = c.rank() ^ 1;
  std::vector<std::byte> out(bytes), in(bytes);
  std::vector<double> times;
  for (int i = 0; i < reps + 1; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    c.exchange(peer, out, in);
    const auto t1 = std::chrono::steady_clock::now();
    if (i > 0) times.push_back(std::chrono::duration<double>(t1 - t0).count());  // skip warm-up
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

}  // namespace

std::vector<size_t> hybridSweepSizes() {
  return {1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22};
}

namespace {

// Least-squares line t = a + b·n through the measured points: a per-message latency and a cost
// per byte.
std::pair<double, double> fitLine(const std::vector<size_t>& sizes, const std::vector<double>& t) {
  const double k = static_cast<double>(sizes.size());
  double sn = 0, st = 0, snn = 0, snt = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const double n = static_cast<double>(sizes[i]);
    sn += n;
    st += t[i];
    snn += n * n;
    snt += n * t[i];
  }
  const double b = (k * snt - sn * st) / (k * snn - sn * sn);
  return {(st - b * sn) / k, b};
}

}  // namespace

size_t calibrateHybridThreshold(Communicator& small, Communicator& large) {
  SOTTO_ENFORCE(small.worldSize() == large.worldSize() && small.rank() == large.rank(),
                "hybrid: the two communicators belong to different worlds");
  const auto sizes = hybridSweepSizes();
  std::vector<double> ts(sizes.size()), tl(sizes.size());
  for (size_t i = 0; small.worldSize() > 1 && i < sizes.size(); ++i) {
    const int reps = sizes[i] >= (1 << 20) ? 5 : 15;
    ts[i] = timeExchange(small, sizes[i], reps);
    tl[i] = timeExchange(large, sizes[i], reps);
  }
  // Model each channel as latency + bytes / bandwidth (fitted, so one noisy point or a size
  // between sweep points cannot decide) and switch where `large` becomes 10 % faster:
  // a_l + b_l·n <= 0.9·(a_s + b_s·n)  <=>  n >= (a_l - 0.9·a_s) / (0.9·b_s - b_l).
  uint64_t threshold = SIZE_MAX;
  if (small.rank() == 0 && small.worldSize() > 1) {
    const auto [as, bs] = fitLine(sizes, ts);
    const auto [al, bl] = fitLine(sizes, tl);
    if (0.9 * bs > bl) {
      const double n = std::max(1.0, (al - 0.9 * as) / (0.9 * bs - bl));
      if (n < 1e15) threshold = static_cast<uint64_t>(std::ceil(n));
    }
  }
  // Rank 0 decides for everyone.
  small.broadcast(0, std::as_writable_bytes(std::span(&threshold, 1)));
  return threshold;
}

std::unique_ptr<Communicator> makeHybridCommunicator(std::unique_ptr<Communicator> small,
                                                     std::unique_ptr<Communicator> large,
                                                     std::optional<size_t> threshold) {
  SOTTO_ENFORCE(small && large, "hybrid: both communicators are needed");
  SOTTO_ENFORCE(small->worldSize() == large->worldSize() && small->rank() == large->rank(),
                "hybrid: the two communicators belong to different worlds (", small->backendName(),
                " rank ", small->rank(), "/", small->worldSize(), ", ", large->backendName(),
                " rank ", large->rank(), "/", large->worldSize(), ")");
  size_t t = 0;
  if (threshold) {
    t = *threshold;
    verifySameOnAllParties(*small, "hybrid threshold (bytes)", t);
  } else {
    t = calibrateHybridThreshold(*small, *large);
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

size_t hybridThreshold(const Communicator& comm) { return asHybrid(comm).threshold(); }

std::pair<CommStats, CommStats> hybridChannelStats(const Communicator& comm) {
  return asHybrid(comm).channelStats();
}

}  // namespace sotto
