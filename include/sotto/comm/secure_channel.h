#pragma once
/// @file secure_channel.h
/// SecureChannelCommunicator: a decorator over any communicator that encrypts and authenticates
/// every message with AES-256-GCM under per-pair, per-direction session keys agreed by an X25519
/// handshake when it is constructed.
///
/// What it protects: the confidentiality and integrity of every message between two parties
/// against a network attacker who can read, alter, drop, replay or reorder traffic. Parties are
/// assumed semi-honest (they follow the protocol); a party may be impersonated only if its peers
/// pinned no identity key for it (see authenticated()). Not protected: traffic analysis (message
/// sizes, timing and who talks to whom stay visible), and availability (an attacker can always
/// make the calls fail, never return wrong data).
///
/// Handshake (in the constructor; 2 round trips over the inner communicator, run as N-1 pairwise
/// shift steps each, so that no party waits on a cycle). The pattern is close to Noise KK with the
/// static keys sent in the clear (no identity hiding) and without Noise's payload encryption:
/// 1. Every party sends each peer a hello: protocol label, both ranks, world size, a fresh
///    X25519 ephemeral key for that peer and, if it has an identity key, its static public key.
///    A peer whose static key differs from the one pinned for its rank (or that presents none
///    while one is pinned) fails the handshake: CommError naming the rank and both fingerprints;
///    the inner communicator is aborted with the same reason, so the peer fails promptly too.
/// 2. With lo < hi the two ranks, ikm = DH(e_lo, e_hi) || DH(e_lo, s_hi) || DH(s_lo, e_hi) ||
///    DH(s_lo, s_hi), each static term present only when the static keys it needs were presented
///    (Noise's ee, es, se, ss tokens). k_lo->hi || k_hi->lo = HKDF-SHA256(ikm, salt =
///    SHA-256(label || hello_lo || hello_hi), info = "sotto channel keys v1"), 64 bytes.
/// 3. Key confirmation: each party sends each peer an AES-GCM-sealed fixed string (message 0 of
///    its direction). A peer holding other keys (a static key without its private key, a tampered
///    hello) fails here: CommError, inner communicator aborted.
///
/// Messages: AES-256-GCM, nonce = the direction's 64-bit message counter (implied by order, never
/// sent, never repeated), tag appended: +16 bytes per message (aead.h). The AAD binds the sender
/// rank, the receiver rank and the kind of call (point-to-point send/recv, exchange, or the
/// collective the message belongs to). A message that was altered, truncated, replayed or
/// reordered fails its tag check: CommError naming the peer and the operation, nothing is
/// returned, the inner communicator is aborted and this communicator is failed.
///
/// Frames: a message over kChannelFrameBytes travels as frames of that size (the last shorter),
/// each sealed with its own nonce and tag and sent as one inner message, so that the receiver
/// opens frame k while the sender seals frame k + 1 (a 73 MB dealer reply was sealed, sent and
/// opened one whole step after the other) and each frame stays in cache between its steps. An
/// exchange sends and receives frame k of each direction at step k (an empty frame where one
/// direction has ended); a shift between two different peers (sendRecv, the rings of 3 or more
/// parties' collectives) goes in one piece. When a frame fails its tag check the call throws as
/// below; the frames before it, authentic, may already be in the caller's buffer.
///
/// Cost: each call is 1 round as the inner communicator's point-to-point calls, with 16 extra
/// bytes per frame on the inner communicator; stats() of this decorator count payload bytes
/// only (so they equal an unencrypted run's). Collectives run as the base class's direct
/// algorithms over this decorator's point-to-point hooks (the inner backend never reduces
/// ciphertexts), so they cost what those algorithms cost on the inner point-to-point calls.
/// AES-GCM runs at several GB/s per core with AES-NI (bench/aead_bench.cc).
///
/// Backend name: "<inner's backend name>+aead", e.g. "mpi+aead". The timeout is taken from the
/// inner communicator and setTimeout() is forwarded to it.
///
/// Contract, on top of Communicator's: a non-owning decorator's inner communicator must outlive
/// it; calls made directly on the inner communicator bypass the channel (plaintext). Every
/// party must wrap its communicator at the same point (otherwise the handshake fails with a
/// CommError or a Timeout).
///
/// Usage:
///   sotto::ChannelOptions ch;
///   ch.identity = sotto::loadPrivateKey("alice.key");        // made by `sotto-keygen alice`
///   ch.expected_peers = {std::nullopt, sotto::loadPublicKey("bob.pub")};  // by rank
///   comm = sotto::withSecureChannel(std::move(comm), ch);    // collective: every party at once
///   std::cerr << sotto::channelDescription(*comm) << "\n";   // once; "WARNING: ..." if unpinned

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/crypto/aead.h"
#include "sotto/crypto/identity.h"

namespace sotto {

/// Keys of the secure channel. With neither field set, the channel is encrypted against passive
/// attackers only (ephemeral keys: an active attacker in the middle could replace them).
struct ChannelOptions {
  /// This party's long-term key; without it no peer can authenticate this party.
  std::optional<IdentityKey> identity;
  /// Indexed by rank: the public key that party must present (entry for this party ignored).
  /// Empty, or exactly worldSize() entries.
  std::vector<std::optional<PublicKey>> expected_peers;
};

/// Largest plaintext of one sealed frame (see the file comment).
inline constexpr size_t kChannelFrameBytes = size_t{1} << 20;

class SecureChannelCommunicator final : public Communicator {
 public:
  /// Decorates `inner` (not owned, must outlive this) and runs the handshake with every peer:
  /// collective, every party constructs its decorator at the same point of its calls.
  /// @throws InvalidArgument if expected_peers has neither 0 nor worldSize() entries;
  ///   CommError if a peer's identity key is not the one expected (message: the rank and both
  ///   fingerprints), its hello is malformed (other world size, ranks or protocol version), or
  ///   key confirmation fails; Timeout / PeerAborted as the inner communicator's calls.
  SecureChannelCommunicator(Communicator& inner, const ChannelOptions& options);
  /// As above, owning `inner`. @throws InvalidArgument also if inner is null.
  SecureChannelCommunicator(std::unique_ptr<Communicator> inner, const ChannelOptions& options);
  ~SecureChannelCommunicator() override;

  Communicator& inner() const { return inner_; }

  /// True if every peer proved possession of the identity key pinned for its rank.
  bool authenticated() const;
  /// One line for logs: the cipher and who is authenticated. Starts with "WARNING:" when some
  /// peer is not authenticated (callers should print it once).
  std::string description() const;
  /// The static public key peer `rank` presented, if any. @throws InvalidArgument if rank is out
  /// of range or this party's.
  std::optional<PublicKey> peerIdentity(int rank) const;

 protected:
  void doSend(int peer, ConstBytes data) override;
  void doRecv(int peer, MutableBytes data) override;
  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override;
  void doAbort(const std::string& reason) noexcept override;
  void onTimeoutChanged() override;
  // doBroadcast, doAllReduce, doAllGather, doGather, doBarrier: the base class's defaults, which
  // call the three point-to-point hooks above.

 private:
  struct Peer;
  void handshake(const ChannelOptions& options);
  [[noreturn]] void failHandshake(int peer, const std::string& why);
  [[noreturn]] void failAuthentication(int peer);
  void innerSendRecv(int to, ConstBytes out, int from, MutableBytes in);

  std::unique_ptr<Communicator> owned_;
  Communicator& inner_;
  std::vector<std::unique_ptr<Peer>> peers_;  // by rank; null for this party
  std::vector<std::byte> out_buf_, in_buf_;   // sealed messages, reused between calls
};

/// `inner` wrapped in a SecureChannelCommunicator (runs the handshake: collective).
/// @throws as SecureChannelCommunicator's constructor.
std::unique_ptr<Communicator> withSecureChannel(std::unique_ptr<Communicator> inner,
                                                const ChannelOptions& options);

/// description() of a SecureChannelCommunicator; for any other communicator, a line saying its
/// traffic is neither encrypted nor authenticated.
std::string channelDescription(const Communicator& comm);

}  // namespace sotto
