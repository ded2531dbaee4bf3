#pragma once
/// @file inproc.h
/// The in-process backend: N parties as threads of one process, exchanging messages through
/// shared mailboxes. What every unit test uses, and the default that lets examples run without
/// any launcher (runLocal()).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "sotto/comm/communicator.h"

namespace sotto {

class InprocWorld;

/// A world of N in-process parties. Create it once, then give each party's thread its own
/// communicator(rank). Sends are buffered (they never block); receives wait for the message.
class InprocWorld : public std::enable_shared_from_this<InprocWorld> {
 public:
  /// @throws InvalidArgument if world_size < 1.
  static std::shared_ptr<InprocWorld> create(int world_size);
  ~InprocWorld();

  int worldSize() const;

  /// The communicator of party `rank`. Each rank may be taken once.
  /// @throws InvalidArgument if rank is out of range or already taken.
  std::unique_ptr<Communicator> communicator(
      int rank, std::chrono::milliseconds timeout = kDefaultCommTimeout);

  /// Makes every pending and later call of every party throw PeerAborted naming `rank` and
  /// `reason` (the first abort wins). Never throws.
  void abortAll(int rank, const std::string& reason) noexcept;

  struct State;

 private:
  explicit InprocWorld(int world_size);
  std::unique_ptr<State> state_;
};

/// Runs fn(Communicator&) once per party, each on its own thread over a fresh InprocWorld, and
/// waits for all. If any party throws, the world is aborted (the others' calls fail promptly with
/// PeerAborted) and the first exception, in time, is rethrown here.
void runLocalParties(int world_size, const std::function<void(Communicator&)>& fn,
                     std::chrono::milliseconds timeout = kDefaultCommTimeout);

/// As runLocalParties, returning each party's result in rank order (for a non-void fn).
template <typename Fn>
auto runLocal(int world_size, Fn&& fn, std::chrono::milliseconds timeout = kDefaultCommTimeout) {
  using R = std::invoke_result_t<Fn&, Communicator&>;
  if constexpr (std::is_void_v<R>) {
    runLocalParties(world_size, fn, timeout);
  } else {
    std::vector<std::optional<R>> slots(world_size > 0 ? world_size : 0);
    runLocalParties(
        world_size, [&](Communicator& c) { slots[c.rank()].emplace(fn(c)); }, timeout);
    std::vector<R> out;
    out.reserve(slots.size());
    for (auto& s : slots) out.push_back(std::move(*s));
    return out;
  }
}

}  // namespace sotto
