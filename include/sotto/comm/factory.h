#pragma once
/// @file factory.h
/// One entry point for every backend:
/// makeCommunicator("inproc"|"tcp"|"mpi"|"gloo"|"hybrid"|"auto").

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/comm/hybrid_thresholds.h"
#include "sotto/comm/verify.h"

namespace sotto {

class InprocWorld;

/// Options of makeCommunicator. Fields a backend does not use are ignored. Unset fields are read
/// from the environment:
///   tcp: SOTTO_RANK, SOTTO_PARTIES (the parties file), SOTTO_HOST (listen address, default all
///        interfaces);
///   gloo started without mpirun: SOTTO_RANK, SOTTO_WORLD_SIZE, SOTTO_RENDEZVOUS_DIR, SOTTO_HOST
///        (default 127.0.0.1).
/// SOTTO_TIMEOUT_MS, if set, overrides the default timeout for every backend;
/// SOTTO_HYBRID_THRESHOLD, if set and hybrid_threshold is not, fixes the hybrid's thresholds:
/// "N" bytes for every kind of call, or e.g. "p2p=262144,broadcast=1048576,allreduce=never"
/// (parseHybridThresholds). SOTTO_DELAY_MS (milliseconds, fractions allowed), if set and positive,
/// wraps every communicator made here in a DelayCommunicator adding that one-way latency (emulated
/// networks; see delay_communicator.h).
struct CommOptions {
  /// Timeout of every blocking call, including connection set-up.
  std::chrono::milliseconds timeout = kDefaultCommTimeout;

  /// inproc: the shared world and this party's rank (tcp, gloo: this party's rank).
  std::shared_ptr<InprocWorld> inproc_world;
  int rank = -1;

  /// tcp: the parties file (every party's host:port, see parties_file.h) and a fingerprint of
  /// the caller's settings (model, parameters): parties whose fingerprints differ refuse to
  /// connect, each naming the other.
  std::string parties_file;
  uint64_t settings = 0;

  /// gloo standalone: number of parties, a directory all parties can reach (on one host any
  /// directory; across hosts a shared file system) and this host's address as the others reach it
  /// (tcp: the address to listen on; empty: every interface).
  int world_size = -1;
  std::string rendezvous_dir;
  std::string host;

  /// hybrid: calls of at least this many bytes go to Gloo, smaller ones to MPI, per kind of call
  /// (a single number sets every kind). Unset: measured at start-up by a sweep
  /// (calibrateHybridThresholds in hybrid.h). All parties must agree.
  std::optional<HybridThresholds> hybrid_threshold;

  /// Channel security of the launched backends (mpi, gloo, hybrid, tcp; inproc never leaves the
  /// process and is never wrapped). kDefault reads SOTTO_CHANNEL: unset or "aead" encrypts and
  /// authenticates every message (secure_channel.h), "plain" leaves the traffic in the clear.
  enum class Channel { kDefault, kEncrypted, kPlain };
  Channel channel = Channel::kDefault;
  /// This party's identity key file (made by sotto-keygen); unset: SOTTO_KEY. Without one the
  /// channel is encrypted with ephemeral keys only and every rank prints once that it is not
  /// authenticated.
  std::string key_file;
  /// The peers' public keys by rank, pinned at the handshake; unset: read from the parties file
  /// (SOTTO_PARTIES, parties_file.h) when it lists keys.
  std::vector<std::optional<std::array<uint8_t, 32>>> peer_keys;
};

/// Creates this party's communicator for `backend`:
/// - "inproc": needs options.inproc_world and options.rank (see inproc.h; runLocal() is simpler);
/// - "tcp": parties started on their own hosts with no launcher: options.rank / SOTTO_RANK and
///   options.parties_file / SOTTO_PARTIES (see tcp.h; encrypted by the channel below, with the
///   peers' public keys from the parties file pinned when it lists them);
/// - "mpi": this process is a rank of an `mpirun` job;
/// - "gloo": inside an mpirun job the TCP connections are set up over MPI; otherwise from the
///   options / environment above (no MPI involved, works across hosts);
/// - "hybrid": MPI for small messages, Gloo for large (mpirun job);
/// - "auto": "mpi" under mpirun, "tcp" if a parties file is given (options or SOTTO_PARTIES),
///   "gloo" if SOTTO_RANK is set, else InvalidArgument.
/// Connecting is collective: every party must call it with the same backend and settings (the
/// channel mode included); the factory checks this and throws CommError naming the disagreeing
/// ranks. Launched backends are then wrapped in the encrypted channel unless options.channel (or
/// SOTTO_CHANNEL) says plain: backendName() is then e.g. "tcp+aead".
/// @throws InvalidArgument unknown backend or missing options; NotImplemented backend not built;
///         CommError / Timeout when the parties cannot connect.
std::unique_ptr<Communicator> makeCommunicator(std::string_view backend,
                                               const CommOptions& options = {});

/// The backends compiled into this build, e.g. {"inproc", "tcp", "mpi", "gloo", "hybrid"}.
std::vector<std::string> availableBackends();

/// True if this process was started by mpirun / mpiexec (Open MPI or a PMI launcher).
bool launchedByMpirun();

}  // namespace sotto
