#pragma once
/// @file ttp_dealer.h
/// The trusted-third-party (TTP) dealer: an extra party, the last rank of the world, that alone
/// sees the correlations (a, b, c = a ⊛ b, truncation pairs, fixed masks). N parties and the
/// dealer form a world of N + 1 ranks: `mpirun -np N+1` (the dealer is rank N), or N + 1 threads
/// under inproc.
///
/// Party i >= 1 draws its share of every correlation from an AES-CTR stream whose seed it
/// received from the dealer at setup (16 bytes, once); the dealer draws the same streams and sends
/// party 0 only its correction value - Σ_{i>=1} stream_i (value ⊕ stream_1 ⊕ ... for XOR-shared
/// outputs such as binary triples). Party 0 has a stream too, for the outputs that are uniform
/// words nothing earlier depends on (CorrelationRequest::freeOutputs(): a triple's a and b, a
/// truncation pair's r, a comparison's masks): each party draws its share and the dealer takes
/// their sum as the value, sending nothing for them. So per correlation only party 0 talks to the
/// dealer: one round trip, a small request up and 8 bytes per word of the other outputs down.
/// Parties i >= 1 never talk to the dealer after setup.
///
/// Online and dealer traffic are counted apart: the parties compute over a SubCommunicator of
/// ranks 0..N-1 of the world, whose stats() therefore hold the online traffic only, while the
/// dealer's messages go over the world directly under the tag "dealer" and are added up in
/// Dealer::traffic() (setup and requests). The world's own stats() hold both.
///
/// Security (semi-honest): the dealer learns every correlation but no input and no online
/// message; it must not collude with any party. Seeds and corrections travel over the world's
/// communicator: a launched communicator from makeCommunicator() is the encrypted, authenticated
/// channel by default (secure_channel.h), so an eavesdropper who captures party i's seed cannot
/// recover its stream; with SOTTO_CHANNEL=plain the network must be trusted instead.
///
/// Usage, the same under mpirun and under runLocal(N + 1, ...):
/// @code
///   TtpSetup ttp = setupTtp(world);
///   if (ttp.is_dealer) {
///     runTtpDealer(world);  // serves until party 0's client is destroyed
///     return;
///   }
///   Party party(*ttp.online, *ttp.dealer);
///   ... ArithTensor protocols ...
/// @endcode

#include <chrono>
#include <memory>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/dealer/dealer.h"

namespace sotto {

/// How long runTtpDealer waits for party 0's next request by default (the parties may compute,
/// or load a model, for a long time between two requests).
inline constexpr std::chrono::milliseconds kTtpIdleTimeout = std::chrono::hours(24);

/// Largest correlation the TTP dealer serves in one request: party 0's corrections of all its
/// outputs together, in words (2^28 - 1 words: just under 2 GiB, the mpi backend's limit per
/// message). Split larger tensors.
inline constexpr int64_t kTtpMaxCorrelationWords = (int64_t{1} << 28) - 1;

/// The TTP dealer's client for a party (world rank < world.worldSize() - 1). Setup is collective
/// with runTtpDealer(): every party receives its 16-byte seed from the dealer. `world` must outlive the client; it is used from the calling thread only (the same
/// thread as any SubCommunicator over it).
///
/// Cost per correlation (Dealer's typed methods):
/// - party 0: one round trip to the dealer, sending a 192-byte request (a request encodes to
///   11 + Σ (1 + rank) words over its operands; 8 more bytes per word beyond 23, so only for
///   operands of rank > 5) and receiving 8 bytes per word of the outputs that are not free,
///   e.g. 8·n bytes for a mul triple of n elements, 16·n for a truncation pair, 8·mn for a
///   [m, k] x [k, n] matmul triple, 8·numel(C) for a fixed-mask matmul triple, 8·w bytes for a
///   binary triple of w words, nothing for a fixed mask;
/// - parties i >= 1: no communication (their shares come from their stream).
/// Dealer::prefetch() asks for all of its requests in one message and receives one reply per
/// request as the dealer makes them: one round trip per prefetch, not per correlation.
/// Dealer::prepareNext() runs ahead: party 0 sends the next prefetch's requests at once (no wait)
/// and the dealer makes every reply while the parties compute, then sends them, waiting for party
/// 0 to receive as long as it waits for a request (runTtpDealer's idle_timeout); parties i >= 1
/// draw their shares of that batch at once, so that their streams stay in the dealer's order. Party
/// 0 receives the batch at the next prefetch, or first thing when it next needs the dealer (a
/// correlation fetched online waits for the batch ahead: record every correlation of a batch).
/// Destroying party 0's client tells the dealer to stop (best effort, never throws), after
/// receiving a batch made ahead and never used.
///
/// Every party validates a request's shapes locally before any communication (InvalidArgument
/// on every party, as the seeded dealer). A request the dealer rejects (an unknown fixed mask id,
/// for instance) makes the dealer abort the world, so party 0's call fails promptly.
///
/// secure() is true; name() is "ttp".
/// @throws InvalidArgument if world.worldSize() < 2 or this is the last rank; CommError / Timeout
///         during setup. Later, the typed methods throw InvalidArgument for bad shapes or a
///         correlation larger than kTtpMaxCorrelationWords, and, on party 0, CommError /
///         PeerAborted / Timeout if the dealer fails or rejects the request.
std::unique_ptr<Dealer> makeTtpDealerClient(Communicator& world);

/// The dealer itself, on the last rank of `world`: setup (one fresh OS seed sent to each party
/// i >= 1), then serves party 0's requests until party 0's client is destroyed, then returns.
/// While waiting for a request the world's timeout is `idle_timeout`; every other call keeps the
/// world's own timeout. All messages are counted under the tag "dealer" in world.stats().
///
/// Cost per request: computes the correlation (for a matmul triple the plaintext matmul, as the
/// parties' online product), draws N - 1 streams, sends party 0 8 bytes per output word.
///
/// Failures are left to the caller, who decides what a dead dealer means for the application:
/// @throws InvalidArgument if world.worldSize() < 2 or this is not the last rank.
/// @throws ProtocolError on a malformed or inconsistent request (bad encoding, unknown or
///         duplicate fixed mask id, a correlation over kTtpMaxCorrelationWords); before throwing,
///         the dealer aborts `world` with the reason, so the parties' pending and later calls fail
///         promptly with PeerAborted instead of waiting for their timeout.
/// @throws CommError / PeerAborted / Timeout if party 0 fails, aborts or exits without
///         destroying its client, or stays idle longer than idle_timeout.
void runTtpDealer(Communicator& world, std::chrono::milliseconds idle_timeout = kTtpIdleTimeout);

/// Launch-agnostic setup of one rank of a TTP world (N parties + the dealer on the last rank).
struct TtpSetup {
  /// True on the dealer's rank: online and dealer are null; call runTtpDealer(world) next.
  bool is_dealer = false;
  /// Parties: a SubCommunicator over ranks 0..N-1 of the world (online traffic only).
  std::unique_ptr<Communicator> online;
  /// Parties: makeTtpDealerClient(world). Destroyed before `online`.
  std::unique_ptr<Dealer> dealer;
};

/// On the last rank of `world`, returns {is_dealer = true} without communicating; on the others,
/// builds the SubCommunicator and the dealer client (collective with runTtpDealer's setup).
/// `world` must outlive the result.
/// @throws as makeTtpDealerClient.
TtpSetup setupTtp(Communicator& world);

}  // namespace sotto
