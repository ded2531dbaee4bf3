#pragma once
// What both ends of an OT session share (session.h): the pair check, the traffic tags, the hash
// tweak domains and the refill size. Private to src/ot.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "sotto/comm/communicator.h"
#include "sotto/error.h"
#include "sotto/ot/session.h"

namespace sotto::ot::detail {

// Tweak (index, domain) of H: index = the COT's position in the session; domain 0 for the 1-of-2
// kinds (random, chosen-message, additive), 1 + x for entry x of a 1-of-N instance.
inline constexpr uint64_t kDomainOneOfTwo = 0;
inline constexpr uint64_t domainOneOfN(uint64_t x) { return 1 + x; }

/// The other party of a 2-party world. @throws InvalidArgument for any other world size.
inline int pairPeer(const Communicator& comm) {
  SOTTO_ENFORCE(comm.worldSize() == 2, "OT session: the world has ", comm.worldSize(),
                " parties; a session is between exactly 2 (use a SubCommunicator of the pair)");
  return 1 - comm.rank();
}

/// Counts the traffic in scope under "<prefix>/<what>" (nothing if prefix is empty).
class OtTag {
 public:
  OtTag(Communicator& comm, const std::string& prefix, const char* what) {
    if (!prefix.empty()) scope_.emplace(comm, prefix + "/" + what);
  }

 private:
  std::optional<Communicator::TagScope> scope_;
};

/// Chunks the refill thread keeps ready ahead of the calls (session.h, background).
inline constexpr size_t kBackgroundAhead = 2;

/// COTs per chunk of the refill thread: OtOptions::batch rounded up to a multiple of 128.
inline size_t chunkSize(size_t batch) { return (std::max<size_t>(batch, 1) + 127) / 128 * 128; }

/// A background communicator must join the same two parties, this one with the same rank.
/// @throws InvalidArgument otherwise.
inline void checkBackground(const Communicator& comm, const Communicator& background) {
  SOTTO_ENFORCE(&comm != &background,
                "OT session: the background communicator is the session's "
                "own; it needs a second communicator between the same two parties");
  SOTTO_ENFORCE(background.worldSize() == 2 && background.rank() == comm.rank(),
                "OT session: the background communicator (rank ", background.rank(), " of ",
                background.worldSize(), ") is not this party (rank ", comm.rank(),
                ") in a world of 2");
}

/// COTs to add when `needed` are asked for and `available` are buffered (0 if enough).
inline size_t refillSize(size_t needed, size_t available, size_t batch) {
  if (available >= needed) return 0;
  const size_t m = std::max(needed - available, batch);
  return (m + 127) / 128 * 128;
}

/// Runs fn; a communication or protocol error from it is rethrown as the same type with
/// "<where>: " in front, so that it names the OT step as well as the peer and the call.
template <typename Fn>
decltype(auto) inStep(const std::string& where, Fn&& fn) {
  try {
    return fn();
  } catch (const Timeout& e) {
    throw Timeout(where + ": " + e.what());
  } catch (const PeerAborted& e) {
    throw PeerAborted(where + ": " + e.what());
  } catch (const CommError& e) {
    throw CommError(where + ": " + e.what());
  } catch (const ProtocolError& e) {
    throw ProtocolError(where + ": " + e.what());
  }
}

inline void checkWidth(int bits) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OT: message width ", bits, " bits is not in [1, 64]");
}

inline void checkArity(int k) {
  SOTTO_ENFORCE(k >= 1 && k <= 8, "OT: 1-of-2^k with k = ", k, " is not in [1, 8]");
}

/// The COTs, table entries and table bits of 1-of-N instances of these shapes.
struct OneOfNSizes {
  size_t cots = 0, entries = 0, table_bits = 0;
};
/// @throws InvalidArgument for a shape with k ∉ [1, 8] or bits ∉ [1, 64].
inline OneOfNSizes oneOfNSizes(std::span<const OneOfNShape> shapes) {
  OneOfNSizes s;
  for (const OneOfNShape& shape : shapes) {
    checkArity(shape.k);
    checkWidth(shape.bits);
    s.cots += static_cast<size_t>(shape.k);
    s.entries += size_t{1} << shape.k;
    s.table_bits += (size_t{1} << shape.k) * static_cast<size_t>(shape.bits);
  }
  return s;
}

inline void checkRowArity(int k) {
  SOTTO_ENFORCE(k >= 1 && k <= 16, "OT: 1-of-2^k rows with k = ", k, " is not in [1, 16]");
}

}  // namespace sotto::ot::detail
