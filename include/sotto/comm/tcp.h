#pragma once
/// @file tcp.h
/// The tcp backend: plain TCP between parties started on their own hosts, with no launcher, no
/// store and no shared folder. Every party reads the same parties file (parties_file.h), so it
/// knows every address up front. (Gloo's TCP transport needs a rendezvous store to swap
/// addresses, hence this transport of our own.)
///
/// Set-up: each rank listens on its own port (all interfaces unless TcpOptions::listen_host),
/// connects to every lower rank (retrying until the timeout, so start order does not matter) and
/// accepts every higher rank. Both ends of each connection swap a hello (protocol magic, version,
/// world size, ranks, settings fingerprint); any disagreement fails on both ends.
///
/// Messages are framed: a 12-byte header (kind, operation, payload length) then the payload, so
/// a receive of the wrong size fails with CommError instead of hanging or reading garbage. Every
/// call is 1 round per peer and costs its payload plus 12 bytes per message on the wire (the
/// stats count payload bytes only). Collectives are the base class's pairwise shifts. Sockets
/// are non-blocking with TCP_NODELAY; every wait is a poll() bounded by the call's deadline.
///
/// The channel is PLAINTEXT and unauthenticated: anyone on the path can read and alter it. Use it
/// on a trusted network, or wrap it in the encrypted channel decorator (keys from the parties
/// file's public_key fields).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sotto/comm/communicator.h"
#include "sotto/comm/parties_file.h"

namespace sotto {

struct TcpOptions {
  /// This party's rank in the parties file.
  int rank = -1;
  /// Every party's address; if empty, read from `parties_path`.
  PartiesFile parties;
  std::string parties_path;
  /// Address to listen on; empty: every interface (the port is the one in the parties file).
  std::string listen_host;
  /// Bound on connection set-up and, afterwards, on each blocking call.
  std::chrono::milliseconds timeout = kDefaultCommTimeout;
  /// Fingerprint of whatever the parties must agree on (model, parameters, protocol): parties
  /// with different values refuse each other during set-up.
  uint64_t settings = 0;
};

/// Connects to every other party (collective: every rank of the parties file must call it).
/// Costs one connection and one hello of 32 bytes each way per pair.
/// @throws InvalidArgument bad rank, parties file errors (see parsePartiesFile), timeout <= 0;
///         CommError the port is in use (names port and rank), a peer runs another protocol
///         version, world size or settings (names the peer), or a connection breaks;
///         Timeout some parties never came within the timeout (names the missing ranks).
std::unique_ptr<Communicator> makeTcpCommunicator(const TcpOptions& options);

}  // namespace sotto
