#include "sotto/comm/communicator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace sotto {

// Sets up one public call: the usability check, the deadline, the operation name, the counting,
// and the bookkeeping of failures (a CommError leaves the communicator unusable).
class Communicator::CallGuard {
 public:
  CallGuard(Communicator& c, CommOp op) : c_(c) {
    SOTTO_ENFORCE(!c_.in_call_, "communicator calls must not nest or run from several threads");
    c_.checkUsable();
    c_.in_call_ = true;
    c_.current_op_ = op;
    c_.deadline_ = std::chrono::steady_clock::time_point::min();  // read lazily by deadline()
  }
  ~CallGuard() { c_.in_call_ = false; }
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;

  // Runs the hook; records a CommError as this communicator's failure before rethrowing.
  template <typename F>
  void run(F&& hook) {
    try {
      hook();
    } catch (const CommError& e) {
      if (c_.failure_.empty()) c_.failure_ = e.what();
      throw;
    }
  }

  // Adds a call's logical traffic to the totals, the per-op and the per-tag counters.
  void count(uint64_t sent, uint64_t received, uint64_t msgs_sent, uint64_t msgs_received) {
    CommCounters d;
    d.bytes_sent = sent;
    d.bytes_received = received;
    d.messages_sent = msgs_sent;
    d.messages_received = msgs_received;
    d.rounds = c_.world_size_ > 1 ? 1 : 0;
    d.calls = 1;
    c_.stats_.total += d;
    c_.stats_.by_op[static_cast<int>(c_.current_op_)] += d;
    if (c_.tag_counters_ == nullptr) c_.tag_counters_ = &c_.stats_.by_tag[c_.tag_];
    *c_.tag_counters_ += d;
  }

 private:
  Communicator& c_;
};

Communicator::Communicator(int rank, int world_size, std::string backend)
    : rank_(rank), world_size_(world_size), backend_(std::move(backend)) {
  SOTTO_ENFORCE(world_size >= 1, backend_, ": world size must be >= 1, got ", world_size);
  SOTTO_ENFORCE(rank >= 0 && rank < world_size, backend_, ": rank ", rank,
                " is outside the world of size ", world_size);
}

Communicator::~Communicator() = default;

void Communicator::checkPeer(int peer, const char* what) const {
  SOTTO_ENFORCE(peer >= 0 && peer < world_size_, backend_, " rank ", rank_, ": ", what, " rank ",
                peer, " does not exist (world size ", world_size_, ")");
}

void Communicator::checkUsable() const {
  if (!failure_.empty()) {
    throw CommError(describe() +
                    ": communicator is unusable after an earlier failure: " + failure_);
  }
}

std::string Communicator::describe(int peer) const {
  std::string s = backend_ + " rank " + std::to_string(rank_) + ": " + commOpName(current_op_);
  if (peer >= 0) {
    switch (current_op_) {
      case CommOp::kSend:
        s += " to";
        break;
      case CommOp::kRecv:
        s += " from";
        break;
      default:
        s += " with";
    }
    s += " rank " + std::to_string(peer);
  }
  return s;
}

void Communicator::send(int peer, ConstBytes data) {
  checkPeer(peer, "send to");
  SOTTO_ENFORCE(peer != rank_, backend_, " rank ", rank_, ": cannot send to itself");
  CallGuard g(*this, CommOp::kSend);
  g.run([&] { doSend(peer, data); });
  g.count(data.size(), 0, 1, 0);
}

void Communicator::recv(int peer, MutableBytes data) {
  checkPeer(peer, "recv from");
  SOTTO_ENFORCE(peer != rank_, backend_, " rank ", rank_, ": cannot receive from itself");
  CallGuard g(*this, CommOp::kRecv);
  g.run([&] { doRecv(peer, data); });
  g.count(0, data.size(), 0, 1);
}

void Communicator::exchange(int peer, ConstBytes out, MutableBytes in) {
  checkPeer(peer, "exchange with");
  SOTTO_ENFORCE(peer != rank_, backend_, " rank ", rank_, ": cannot exchange with itself");
  CallGuard g(*this, CommOp::kExchange);
  g.run([&] { doSendRecv(peer, out, peer, in); });
  g.count(out.size(), in.size(), 1, 1);
}

void Communicator::sendRecv(int to, ConstBytes out, int from, MutableBytes in) {
  checkPeer(to, "sendRecv to");
  checkPeer(from, "sendRecv from");
  SOTTO_ENFORCE(to != rank_ && from != rank_, backend_, " rank ", rank_,
                ": cannot sendRecv with itself (to ", to, ", from ", from, ")");
  CallGuard g(*this, CommOp::kExchange);
  g.run([&] { doSendRecv(to, out, from, in); });
  g.count(out.size(), in.size(), 1, 1);
}

void Communicator::broadcast(int root, MutableBytes data) {
  checkPeer(root, "broadcast from root");
  CallGuard g(*this, CommOp::kBroadcast);
  if (world_size_ > 1) g.run([&] { doBroadcast(root, data); });
  const uint64_t others = world_size_ - 1;
  if (rank_ == root) {
    g.count(others * data.size(), 0, others, 0);
  } else {
    g.count(0, data.size(), 0, 1);
  }
}

void Communicator::allReduce(std::span<uint64_t> data, ReduceOp op) {
  CallGuard g(*this, CommOp::kAllReduce);
  if (world_size_ > 1) g.run([&] { doAllReduce(data, op); });
  const uint64_t others = world_size_ - 1;
  g.count(others * data.size_bytes(), others * data.size_bytes(), others, others);
}

void Communicator::allGather(ConstBytes mine, MutableBytes all) {
  SOTTO_ENFORCE(all.size() == mine.size() * world_size_, backend_, " rank ", rank_,
                ": allGather output has ", all.size(), " bytes, expected worldSize ", world_size_,
                " x ", mine.size());
  CallGuard g(*this, CommOp::kAllGather);
  if (world_size_ > 1) {
    g.run([&] { doAllGather(mine, all); });
  } else {
    std::copy(mine.begin(), mine.end(), all.begin());
  }
  const uint64_t others = world_size_ - 1;
  g.count(others * mine.size(), others * mine.size(), others, others);
}

void Communicator::gather(int root, ConstBytes mine, MutableBytes all) {
  checkPeer(root, "gather to root");
  if (rank_ == root) {
    SOTTO_ENFORCE(all.size() == mine.size() * world_size_, backend_, " rank ", rank_,
                  ": gather output has ", all.size(), " bytes, expected worldSize ", world_size_,
                  " x ", mine.size());
  }
  CallGuard g(*this, CommOp::kGather);
  if (world_size_ > 1) {
    g.run([&] { doGather(root, mine, all); });
  } else {
    std::copy(mine.begin(), mine.end(), all.begin());
  }
  const uint64_t others = world_size_ - 1;
  if (rank_ == root) {
    g.count(0, others * mine.size(), 0, others);
  } else {
    g.count(mine.size(), 0, 1, 0);
  }
}

void Communicator::barrier() {
  CallGuard g(*this, CommOp::kBarrier);
  if (world_size_ > 1) g.run([&] { doBarrier(); });
  const uint64_t others = world_size_ - 1;
  g.count(0, 0, others, others);
}

void Communicator::setTimeout(std::chrono::milliseconds timeout) {
  SOTTO_ENFORCE(timeout.count() > 0, "timeout must be positive, got ", timeout.count(), " ms");
  timeout_ = timeout;
  onTimeoutChanged();
}

void Communicator::abort(std::string_view reason) noexcept {
  try {
    std::string why = reason.empty() ? std::string("aborted") : std::string(reason);
    if (failure_.empty()) failure_ = "aborted by this party: " + why;
    doAbort(why);
  } catch (...) {
    // Best effort by contract.
  }
}

void Communicator::resetStats() {
  stats_ = CommStats{};
  tag_counters_ = nullptr;
}

Communicator::TagScope::TagScope(Communicator& comm, std::string tag)
    : comm_(comm), previous_(std::exchange(comm.tag_, std::move(tag))) {
  comm_.tag_counters_ = nullptr;
}

Communicator::TagScope::~TagScope() {
  comm_.tag_ = std::move(previous_);
  comm_.tag_counters_ = nullptr;
}

// ---- Default collectives: the direct algorithm over point-to-point hooks ------------------------
// Step s = 1..N-1: send to (rank + s) mod N while receiving from (rank - s) mod N. Every pair
// meets once per direction, nothing waits on a cycle, and each step is one doSendRecv.

void Communicator::doBroadcast(int root, MutableBytes data) {
  if (rank_ == root) {
    for (int p = 0; p < world_size_; ++p) {
      if (p != root) doSend(p, data);
    }
  } else {
    doRecv(root, data);
  }
}

namespace {

// n words of `buf` whose address is 2 KiB away from `data`'s modulo 4 KiB (buf grows as needed).
// The incoming words are copied from the peer's `data` and then added into ours. A copy whose
// destination lies 8 or 16 bytes past its source modulo 4 KiB is 3-5x slower on the AMD EPYC
// machines here (measured over shared memory: 250 us for 2 MiB at most distances, 1.1-1.3 ms at
// +8 and +16; 32 KiB 9 us against 25 us), and a scratch vector lands wherever the allocator's
// history puts it. Half a page from our own `data` keeps the add clear of it, and the copy too
// when the peer's buffer sits at our offset (as the same program's buffers tend to).
std::span<uint64_t> awayFrom(std::vector<uint64_t>& buf, size_t n, const uint64_t* data) {
  constexpr size_t kPage = 4096;
  constexpr size_t kSlack = kPage / sizeof(uint64_t);
  if (buf.size() < n + kSlack) buf.resize(n + kSlack);
  const auto base = reinterpret_cast<uintptr_t>(buf.data());
  const auto want = (reinterpret_cast<uintptr_t>(data) + kPage / 2) % kPage;
  const size_t skip = ((want + kPage - base % kPage) % kPage) / sizeof(uint64_t);
  return std::span<uint64_t>(buf.data() + skip, n);
}

}  // namespace

// Sends `data` unchanged in every step; the others' words accumulate in scratch buffers, placed
// half a page away from `data` (awayFrom). The scratch belongs to the calling thread, shared by
// every communicator that thread drives (no allocation or page faults per call once warm, and one
// buffer rather than one per communicator: a hybrid and the mpi communicator beside it then add
// through the same memory). Nothing reached from doSendRecv reduces, so the uses never nest.
void Communicator::doAllReduce(std::span<uint64_t> data, ReduceOp op) {
  thread_local std::vector<uint64_t> scratch_in;
  thread_local std::vector<uint64_t> scratch_acc;
  const size_t n = data.size();
  auto combine = [op](std::span<uint64_t> into, std::span<const uint64_t> from) {
    if (op == ReduceOp::kAdd) {
      for (size_t i = 0; i < into.size(); ++i) into[i] += from[i];
    } else {
      for (size_t i = 0; i < into.size(); ++i) into[i] ^= from[i];
    }
  };
  if (world_size_ == 2 && n >= kHalvesFromWords) {
    // Reduce-scatter, then all-gather, by halves (the ring algorithm at two ranks): the same n
    // words travel as in one exchange, but each rank adds only the half it keeps (rank 0 the
    // first). The direct exchange-and-add spent ~1.8 of its 5.0 ms on the adds at 16 MiB, where
    // MPI_Allreduce took 3.3-4.1 ms.
    const int peer = 1 - rank_;
    const size_t h = n / 2;
    const std::span<uint64_t> mine = rank_ == 0 ? data.first(h) : data.subspan(h);
    const std::span<uint64_t> theirs = rank_ == 0 ? data.subspan(h) : data.first(h);
    const std::span<uint64_t> incoming = awayFrom(scratch_in, mine.size(), mine.data());
    doSendRecv(peer, std::as_bytes(theirs), peer, std::as_writable_bytes(incoming));
    combine(mine, incoming);
    doSendRecv(peer, std::as_bytes(mine), peer, std::as_writable_bytes(theirs));
    return;
  }
  const std::span<uint64_t> incoming = awayFrom(scratch_in, n, data.data());
  std::span<uint64_t> others;
  if (world_size_ > 2) {
    others = awayFrom(scratch_acc, n, data.data());
    std::fill(others.begin(), others.end(), 0);
  }
  for (int s = 1; s < world_size_; ++s) {
    const int to = (rank_ + s) % world_size_;
    const int from = (rank_ - s + world_size_) % world_size_;
    doSendRecv(to, std::as_bytes(data), from, std::as_writable_bytes(incoming));
    combine(world_size_ > 2 ? others : data, incoming);
  }
  if (world_size_ > 2) combine(data, others);
}

void Communicator::doAllGather(ConstBytes mine, MutableBytes all) {
  const size_t n = mine.size();
  std::copy(mine.begin(), mine.end(), all.begin() + rank_ * n);
  for (int s = 1; s < world_size_; ++s) {
    const int to = (rank_ + s) % world_size_;
    const int from = (rank_ - s + world_size_) % world_size_;
    doSendRecv(to, mine, from, all.subspan(from * n, n));
  }
}

void Communicator::doGather(int root, ConstBytes mine, MutableBytes all) {
  const size_t n = mine.size();
  if (rank_ == root) {
    std::copy(mine.begin(), mine.end(), all.begin() + rank_ * n);
    for (int p = 0; p < world_size_; ++p) {
      if (p != root) doRecv(p, all.subspan(p * n, n));
    }
  } else {
    doSend(root, mine);
  }
}

void Communicator::doBarrier() {
  uint64_t token = 0;
  doAllReduce(std::span(&token, 1), ReduceOp::kXor);
}

}  // namespace sotto
