#include "sotto/comm/delay_communicator.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

namespace sotto {
namespace {

Communicator& checkedInner(Communicator* inner, std::chrono::nanoseconds one_way) {
  SOTTO_ENFORCE(inner != nullptr, "DelayCommunicator: the inner communicator is null");
  SOTTO_ENFORCE(one_way.count() >= 0, "DelayCommunicator: the delay must not be negative, got ",
                one_way.count(), " ns");
  return *inner;
}

}  // namespace

DelayCommunicator::DelayCommunicator(Communicator& inner, std::chrono::nanoseconds one_way)
    : Communicator(inner.rank(), inner.worldSize(), "delay(" + inner.backendName() + ")"),
      inner_(checkedInner(&inner, one_way)),
      delay_(one_way) {
  setTimeout(inner.timeout());
}

DelayCommunicator::DelayCommunicator(std::unique_ptr<Communicator> inner,
                                     std::chrono::nanoseconds one_way)
    : DelayCommunicator(checkedInner(inner.get(), one_way), one_way) {
  owned_ = std::move(inner);
}

DelayCommunicator::~DelayCommunicator() = default;

void DelayCommunicator::hold() const {
  if (delay_.count() == 0) return;
  using Clock = std::chrono::steady_clock;
  // Sleep most of the delay (a sleep overshoots by the timer slack, ~50-100 us), then yield until
  // the time point: never earlier than the delay, and rarely more than a few microseconds later.
  constexpr std::chrono::microseconds kSpin{200};
  const auto until = Clock::now() + delay_;
  if (delay_ > kSpin) std::this_thread::sleep_until(until - kSpin);
  while (Clock::now() < until) std::this_thread::yield();
}

void DelayCommunicator::doSend(int peer, ConstBytes data) {
  hold();
  inner_.send(peer, data);
}

void DelayCommunicator::doRecv(int peer, MutableBytes data) { inner_.recv(peer, data); }

void DelayCommunicator::doSendRecv(int to, ConstBytes out, int from, MutableBytes in) {
  hold();
  if (to == from) {
    inner_.exchange(to, out, in);
  } else {
    inner_.sendRecv(to, out, from, in);
  }
}

void DelayCommunicator::doAbort(const std::string& reason) noexcept { inner_.abort(reason); }

void DelayCommunicator::doBroadcast(int root, MutableBytes data) {
  if (rank() == root) hold();
  inner_.broadcast(root, data);
}

void DelayCommunicator::doAllReduce(std::span<uint64_t> data, ReduceOp op) {
  hold();
  inner_.allReduce(data, op);
}

void DelayCommunicator::doAllGather(ConstBytes mine, MutableBytes all) {
  hold();
  inner_.allGather(mine, all);
}

void DelayCommunicator::doGather(int root, ConstBytes mine, MutableBytes all) {
  if (rank() != root) hold();
  inner_.gather(root, mine, all);
}

void DelayCommunicator::doBarrier() {
  hold();
  inner_.barrier();
}

void DelayCommunicator::onTimeoutChanged() { inner_.setTimeout(timeout()); }

std::chrono::nanoseconds delayFromEnvironment() {
  const char* v = std::getenv("SOTTO_DELAY_MS");
  if (v == nullptr || *v == '\0') return std::chrono::nanoseconds(0);
  char* end = nullptr;
  errno = 0;
  const double ms = std::strtod(v, &end);
  SOTTO_ENFORCE(
      end != v && *end == '\0' && errno == 0 && std::isfinite(ms) && ms >= 0 && ms <= 3.6e6,
      "environment variable SOTTO_DELAY_MS='", v,
      "' is not a number of milliseconds in [0, 3600000]");
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(ms * 1e6)));
}

std::unique_ptr<Communicator> withDelay(std::unique_ptr<Communicator> comm,
                                        std::chrono::nanoseconds delay) {
  if (delay.count() <= 0) return comm;
  return std::make_unique<DelayCommunicator>(std::move(comm), delay);
}

}  // namespace sotto
