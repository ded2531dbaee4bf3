#pragma once
/// @file tcp.h
/// The tcp backend: plain TCP between parties started on their own hosts, with no launcher, no
/// store and no shared folder. Every party reads the same parties file (parties_file.h), so it
/// knows every address up front. (Gloo's TCP transport needs a rendezvous store to swap
/// addresses, hence this transport of our own.)
///
/// Set-up: each rank listens on its own port (all interfaces unless TcpOptions::listen_host),
/// connects to every lower rank (retrying until the timeout, so start order does not matter) and
/// accepts every higher rank. Both ends of each connection swap a 32-byte hello (protocol magic,
/// version, world size, both ranks, settings fingerprint). A disagreement fails both ends with
/// CommError naming the other party, after set-up has answered every other peer, so that every
/// party that meets the odd one out says so (rather than timing out).
///
/// Messages are framed: a 12-byte header (kind, operation, payload length) then the payload, so
/// a receive of the wrong size fails with CommError ("mismatched message size") instead of
/// hanging or reading garbage. Cost: send / recv / exchange are 1 round and their payload plus
/// 12 bytes per message on the wire; collectives are the base class's pairwise shifts (1 round,
/// N-1 messages each way per party, see communicator.h), each message again + 12 bytes. Stats
/// count payload bytes only. A send returns once the kernel took the bytes. Sockets are
/// non-blocking with TCP_NODELAY; every wait is a poll() bounded by the call's deadline(), and
/// sendRecv / exchange move both directions in one poll loop, so large messages cannot deadlock.
///
/// Failures: a call throws Timeout naming the peer when nothing moves before the deadline;
/// PeerAborted "rank R aborted: <reason>" when the peer called abort() (abort() sends that frame
/// to every peer, best effort); PeerAborted "the connection to rank R was closed" when the peer
/// exited or was killed; CommError for a size mismatch or a corrupt stream. After any of these
/// the communicator is unusable (communicator.h).
///
/// Starting a job by hand, e.g. 2 parties and a TTP dealer on three hosts, each with a copy of
/// the same parties file (any start order; each waits up to SOTTO_TIMEOUT_MS for the others):
///
///     $ cat job.parties
///     0 10.0.0.1:7000
///     1 10.0.0.2:7000
///     2 10.0.0.3:7000
///     host1$ SOTTO_RANK=0 SOTTO_PARTIES=job.parties lenet5 --backend tcp --dealer ttp
///     host2$ SOTTO_RANK=1 SOTTO_PARTIES=job.parties lenet5 --backend tcp --dealer ttp
///     host3$ SOTTO_RANK=2 SOTTO_PARTIES=job.parties lenet5 --backend tcp --dealer ttp
///
/// (--backend auto picks tcp whenever SOTTO_PARTIES is set.) Each port must be open between the
/// hosts; scripts/tcp-local starts such a job on one host.
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
