#pragma once
/// @file hybrid_thresholds.h
/// Where a hybrid communicator (hybrid.h) switches from its `small` channel (MPI) to its `large`
/// one (Gloo), per kind of call. Kept apart from hybrid.h so that CommOptions can hold it in
/// builds without the hybrid backend.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sotto {

/// A call of at least this many bytes goes to `large`; SIZE_MAX: never. Each kind of call has its
/// own threshold, because the two libraries' algorithms differ by kind: on a LAN, Gloo's one-way
/// send of 16 MiB (a 2-party broadcast) beats MPI's by 30 % while their exchanges are level.
/// - p2p: send, recv, exchange, sendRecv, and allGather / gather (pairwise exchanges of the same
///   bytes); the size is the message's (the larger side of an exchange);
/// - broadcast: the buffer's size;
/// - all_reduce: the buffer's size in bytes.
struct HybridThresholds {
  size_t p2p = SIZE_MAX;
  size_t broadcast = SIZE_MAX;
  size_t all_reduce = SIZE_MAX;

  HybridThresholds() = default;
  /// The same threshold for every kind of call (so `options.hybrid_threshold = 4096` works).
  HybridThresholds(size_t all) : p2p(all), broadcast(all), all_reduce(all) {}  // NOLINT
  HybridThresholds(size_t p2p_bytes, size_t broadcast_bytes, size_t all_reduce_bytes)
      : p2p(p2p_bytes), broadcast(broadcast_bytes), all_reduce(all_reduce_bytes) {}

  bool operator==(const HybridThresholds&) const = default;
};

/// "p2p=4096,broadcast=never,allreduce=262144" (the form parseHybridThresholds reads).
std::string toString(const HybridThresholds& t);

/// Reads "N" (every kind of call) or a comma-separated list of kind=N with kinds p2p, broadcast,
/// allreduce (a kind not named keeps N of a bare number given first, else never); N is a byte
/// count or "never". Used for SOTTO_HYBRID_THRESHOLD.
/// @throws InvalidArgument naming the text and what is wrong with it.
HybridThresholds parseHybridThresholds(std::string_view text);

}  // namespace sotto
