#pragma once
/// @file stats.h
/// Communication statistics: bytes, messages and rounds, per operation kind and per tag.

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace sotto {

/// The communicating operations of a Communicator.
enum class CommOp : int {
  kSend,
  kRecv,
  kExchange,
  kBroadcast,
  kAllReduce,
  kAllGather,
  kGather,
  kBarrier,
};
inline constexpr int kNumCommOps = 8;

/// Name of an operation, as it appears in errors and reports ("exchange", "allReduce", ...).
const char* commOpName(CommOp op);

/// Counters of one party. Bytes are payload bytes; rounds count the calls that communicate
/// (each blocking call is one round of latency from this party's point of view).
struct CommCounters {
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_received = 0;
  uint64_t rounds = 0;
  uint64_t calls = 0;

  CommCounters& operator+=(const CommCounters& o);
  /// bytes_sent + bytes_received.
  uint64_t bytes() const { return bytes_sent + bytes_received; }
};

/// Statistics of one communicator since construction or the last resetStats().
///
/// The byte and message counts are those of the direct algorithm for each call (for example an
/// allReduce of n bytes among N parties counts (N-1)·n bytes sent and (N-1)·n received), so they
/// are identical across backends and comparable with other systems; what a backend's own algorithm
/// puts on the wire may differ.
struct CommStats {
  CommCounters total;
  std::array<CommCounters, kNumCommOps> by_op{};
  /// Per tag (see Communicator::TagScope); calls made outside any scope count under "".
  std::map<std::string, CommCounters> by_tag;

  const CommCounters& op(CommOp o) const { return by_op[static_cast<int>(o)]; }
  /// A compact table, one line per operation and per tag with calls.
  std::string toString() const;
};

}  // namespace sotto
