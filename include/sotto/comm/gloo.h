#pragma once
/// @file gloo.h
/// The Gloo TCP backend (no Gloo header needed by users).
///
/// Set-up handles Gloo's known traps for you: rendezvous files live in a fresh per-run
/// subdirectory that rank 0 creates and removes (a reused directory never fails with "File already
/// exists"); the connection thread is not pinned to the caller's core (mpirun's --bind-to core
/// would otherwise stall every call by a scheduler slice); receives are always posted before sends.

#include <chrono>
#include <memory>
#include <string>

#include "sotto/comm/communicator.h"

namespace sotto {

struct GlooOptions {
  int rank = -1;
  int world_size = -1;
  /// Address this party listens on and the others connect to (default 127.0.0.1).
  std::string host;
  /// Rendezvous directory (used when `bootstrap` is null).
  std::string rendezvous_dir;
  /// If set, connection addresses are exchanged over this communicator (e.g. MPI) instead of the
  /// directory; rank and world size are taken from it. Only used during construction.
  Communicator* bootstrap = nullptr;
  std::chrono::milliseconds timeout = kDefaultCommTimeout;
};

/// Connects to every peer (collective). Costs one rendezvous plus a barrier.
/// @throws InvalidArgument bad rank / world size / missing directory;
///         CommError when a party started with a different world size;
///         Timeout when some ranks never join (they are named).
std::unique_ptr<Communicator> makeGlooCommunicator(const GlooOptions& options);

}  // namespace sotto
