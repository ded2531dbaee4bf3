#pragma once
/// @file communicator.h
/// The abstract communicator every protocol talks through, and that every backend implements.
///
/// Contract (holds for every backend):
/// - Every party issues the same calls, in the same order, with the same sizes.
/// - One thread per communicator; calls block until they complete on this party.
/// - Every blocking call gives up after timeout() and throws sotto::Timeout naming the operation
///   and the peer; a peer that aborts, exits or is killed makes the call throw sotto::CommError
///   (sotto::PeerAborted where the backend can tell) instead of hanging.
/// - After a CommError the communicator is unusable: every later call throws CommError repeating
///   the first failure. Create a new one to continue.
///
/// The public methods are non-virtual: they validate arguments, count statistics and call the
/// protected do*() hooks that backends implement, so no backend can forget the counting.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/comm/stats.h"
#include "sotto/error.h"

namespace sotto {

/// Reduction of allReduce over uint64 words: Add wraps mod 2^64 (the ring), Xor is bitwise.
enum class ReduceOp { kAdd, kXor };

using ConstBytes = std::span<const std::byte>;
using MutableBytes = std::span<std::byte>;

/// Default timeout of every blocking call.
inline constexpr std::chrono::milliseconds kDefaultCommTimeout{60000};

class Communicator {
 public:
  virtual ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  /// This party's index in [0, worldSize()).
  int rank() const { return rank_; }
  /// Number of parties.
  int worldSize() const { return world_size_; }
  /// "inproc", "mpi", "gloo" or "hybrid" (or a decorator's name).
  const std::string& backendName() const { return backend_; }

  /// Sends data to peer. 1 round, data.size() bytes. Blocks until the data is handed off (the
  /// peer may not have received it yet). Send/recv pairs must not cross (use exchange()).
  /// @throws InvalidArgument peer out of range or == rank(); CommError / Timeout.
  void send(int peer, ConstBytes data);

  /// Receives exactly data.size() bytes from peer. 1 round.
  /// @throws InvalidArgument as send(); CommError if the peer sent a different size; Timeout.
  void recv(int peer, MutableBytes data);

  /// Sends `out` to peer and receives `in` from it at the same time: the 2-party open.
  /// 1 round, out.size() bytes sent, in.size() received.
  /// @throws as send() and recv().
  void exchange(int peer, ConstBytes out, MutableBytes in);

  /// Sends `out` to `to` while receiving `in` from `from` (to may differ from from): one step of a
  /// shift, the primitive of the default collectives (exchange() is the case to == from). `to`
  /// must receive with its own sendRecv() (or exchange()) whose `from` is this rank, and `from`
  /// must send likewise. 1 round, out.size() bytes sent, in.size() received; counted under
  /// CommOp::kExchange. Used by decorators such as SubCommunicator.
  /// @throws InvalidArgument to or from out of range or == rank(); CommError / Timeout.
  void sendRecv(int to, ConstBytes out, int from, MutableBytes in);

  /// Root's data is copied into every party's data (same size everywhere). 1 round; the root
  /// sends (N-1)·size bytes, the others receive size bytes.
  void broadcast(int root, MutableBytes data);

  /// In place: data becomes the element-wise sum mod 2^64 (or XOR) over all parties. 1 round,
  /// (N-1)·8·data.size() bytes sent and received by each party.
  void allReduce(std::span<uint64_t> data, ReduceOp op);

  /// Every party's `mine` (same size everywhere) is placed at all[r*mine.size()...] for r in
  /// rank order. all.size() must be worldSize()·mine.size(). 1 round, (N-1)·mine.size() bytes
  /// sent and received.
  void allGather(ConstBytes mine, MutableBytes all);

  /// As allGather, but only the root receives (all is ignored elsewhere and may be empty).
  void gather(int root, ConstBytes mine, MutableBytes all);

  /// Returns once every party has entered the barrier. 1 round, no payload.
  void barrier();

  /// Timeout of each later blocking call (default 60 s). @throws InvalidArgument if <= 0.
  void setTimeout(std::chrono::milliseconds timeout);
  std::chrono::milliseconds timeout() const { return timeout_; }

  /// Marks this communicator failed and tells the peers, best effort, so that their pending and
  /// later calls fail promptly (PeerAborted / CommError naming this rank and the reason) rather
  /// than waiting for their timeout. Never throws; safe to call from a catch block.
  void abort(std::string_view reason) noexcept;

  /// True once abort() was called or a call failed with CommError.
  bool failed() const { return !failure_.empty(); }

  /// Statistics since construction or the last resetStats().
  const CommStats& stats() const { return stats_; }
  void resetStats();

  /// While alive, counts every call under `tag` in stats().by_tag (e.g. "relu", "matmul").
  /// Scopes nest; the innermost wins.
  class TagScope {
   public:
    TagScope(Communicator& comm, std::string tag);
    ~TagScope();
    TagScope(const TagScope&) = delete;
    TagScope& operator=(const TagScope&) = delete;

   private:
    Communicator& comm_;
    std::string previous_;
  };
  /// Convenience: `auto scope = comm.tag("relu");`.
  [[nodiscard]] TagScope tag(std::string name) { return TagScope(*this, std::move(name)); }

 protected:
  Communicator(int rank, int world_size, std::string backend);

  // Hooks. Arguments are already validated; sizes are as the contract says. Every hook must
  // honour deadline() and throw Timeout / CommError / PeerAborted with describe() in the message.
  virtual void doSend(int peer, ConstBytes data) = 0;
  virtual void doRecv(int peer, MutableBytes data) = 0;
  /// Send `out` to `to` while receiving `in` from `from` (to may differ from from).
  virtual void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) = 0;
  /// Best-effort notification of the peers; must not throw.
  virtual void doAbort(const std::string& reason) noexcept = 0;

  // Collectives: defaults implement the direct algorithm over doSend/doRecv/doSendRecv
  // (pairwise shifts; allReduce of 1 MiB or more on two ranks by halves, two exchanges of half the
  // words). Backends with better native collectives override them.
  virtual void doBroadcast(int root, MutableBytes data);
  virtual void doAllReduce(std::span<uint64_t> data, ReduceOp op);
  virtual void doAllGather(ConstBytes mine, MutableBytes all);
  virtual void doGather(int root, ConstBytes mine, MutableBytes all);
  virtual void doBarrier();

  /// Called after setTimeout() so a backend can forward it.
  virtual void onTimeoutChanged() {}

  /// The operation in progress (set by the public method around each hook call).
  CommOp currentOp() const { return current_op_; }
  /// Deadline of the call in progress: timeout() after the call first asked for it. Read lazily
  /// (a clock read costs as much as a shared-memory message), so calls that complete without
  /// waiting never read the clock; the first wait is at most microseconds after the call began.
  std::chrono::steady_clock::time_point deadline() const {
    if (deadline_ == std::chrono::steady_clock::time_point::min()) {
      deadline_ = std::chrono::steady_clock::now() + timeout_;
    }
    return deadline_;
  }
  /// "gloo rank 0: exchange with rank 1" style prefix for error messages.
  std::string describe(int peer = -1) const;

 private:
  class CallGuard;
  friend class CallGuard;
  void checkPeer(int peer, const char* what) const;
  void checkUsable() const;
  // Words from which doAllReduce on two ranks goes by halves (1 MiB).
  static constexpr size_t kHalvesFromWords = size_t{1} << 17;

  int rank_;
  int world_size_;
  std::string backend_;
  std::chrono::milliseconds timeout_ = kDefaultCommTimeout;
  mutable std::chrono::steady_clock::time_point deadline_{};
  CommOp current_op_ = CommOp::kSend;
  bool in_call_ = false;
  std::string failure_;
  CommStats stats_;
  std::string tag_;
  CommCounters* tag_counters_ = nullptr;  // &stats_.by_tag[tag_], looked up once per tag
};

}  // namespace sotto
