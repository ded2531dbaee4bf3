#include "sotto/comm/secure_channel.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <utility>

#include "crypto/kex.h"

namespace sotto {
namespace {

constexpr std::string_view kLabel = "sotto secure channel v1";  // transcript prefix
constexpr std::string_view kKeyInfo = "sotto channel keys v1";  // HKDF info
constexpr std::array<char, 8> kMagic = {'S', 'O', 'T', 'T', 'O', 'C', 'H', '1'};
constexpr std::string_view kConfirm = "sotto key confirmation v1.......";  // 32 bytes

// Hello: magic[8] | sender u32 | receiver u32 | world size u32 | flags u8, 3 zero bytes |
// ephemeral key[32] | static key[32] (zeros if none). Integers little-endian.
constexpr size_t kHelloBytes = 88;
constexpr uint8_t kHasStatic = 1;
using Hello = std::array<uint8_t, kHelloBytes>;

// The kind of call a message belongs to, bound in its AAD. A send and its recv share one kind.
enum class Kind : uint32_t {
  kHandshake,
  kPointToPoint,
  kExchange,
  kBroadcast,
  kAllReduce,
  kAllGather,
  kGather,
  kBarrier
};

Kind kindOf(CommOp op) {
  switch (op) {
    case CommOp::kSend:
    case CommOp::kRecv:
      return Kind::kPointToPoint;
    case CommOp::kExchange:
      return Kind::kExchange;
    case CommOp::kBroadcast:
      return Kind::kBroadcast;
    case CommOp::kAllReduce:
      return Kind::kAllReduce;
    case CommOp::kAllGather:
      return Kind::kAllGather;
    case CommOp::kGather:
      return Kind::kGather;
    case CommOp::kBarrier:
      return Kind::kBarrier;
  }
  return Kind::kHandshake;
}

void putU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t getU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

// AAD of a message from `sender` to `receiver`: sender u32 | receiver u32 | kind u32.
std::array<std::byte, 12> aadOf(int sender, int receiver, Kind kind) {
  std::array<uint8_t, 12> a{};
  putU32(a.data(), static_cast<uint32_t>(sender));
  putU32(a.data() + 4, static_cast<uint32_t>(receiver));
  putU32(a.data() + 8, static_cast<uint32_t>(kind));
  std::array<std::byte, 12> out;
  std::memcpy(out.data(), a.data(), a.size());
  return out;
}

PublicKey keyAt(const Hello& h, size_t offset) {
  PublicKey k;
  std::copy_n(h.begin() + offset, k.size(), k.begin());
  return k;
}

// The pair's streams {this party -> peer, peer -> this party} from the two hellos and the keys
// behind them, or nullopt if an X25519 key of the peer is invalid. `lo`: this party has the lower
// rank. ikm = ee || es || se || ss in (lo, hi) order, the static terms only where presented.
std::optional<std::pair<AeadStream, AeadStream>> sessionStreams(
    bool lo, const Hello& mine, const Hello& theirs, const IdentityKey& eph,
    const IdentityKey* self, const PublicKey& peer_eph,
    const std::optional<PublicKey>& peer_static) {
  std::vector<uint8_t> ikm;
  bool ok = true;
  auto mix = [&](const std::array<uint8_t, 32>& priv, const PublicKey& pub) {
    kex::Bytes32 dh{};
    ok = ok && kex::x25519(priv, pub, dh);
    ikm.insert(ikm.end(), dh.begin(), dh.end());
    kex::wipe(dh.data(), dh.size());
  };
  mix(eph.private_key, peer_eph);  // ee
  const bool hi_static = lo ? peer_static.has_value() : self != nullptr;
  const bool lo_static = lo ? self != nullptr : peer_static.has_value();
  if (hi_static && lo) mix(eph.private_key, *peer_static);           // es = DH(e_lo, s_hi)
  if (hi_static && !lo) mix(self->private_key, peer_eph);            // (as seen by hi)
  if (lo_static && lo) mix(self->private_key, peer_eph);             // se = DH(s_lo, e_hi)
  if (lo_static && !lo) mix(eph.private_key, *peer_static);          // (as seen by hi)
  if (lo_static && hi_static) mix(self->private_key, *peer_static);  // ss
  if (!ok) {
    kex::wipe(ikm.data(), ikm.size());
    return std::nullopt;
  }
  // salt = SHA-256(label || hello_lo || hello_hi); k_lo->hi || k_hi->lo = HKDF(ikm, salt, info).
  std::vector<uint8_t> transcript(kLabel.begin(), kLabel.end());
  const Hello& h_lo = lo ? mine : theirs;
  const Hello& h_hi = lo ? theirs : mine;
  transcript.insert(transcript.end(), h_lo.begin(), h_lo.end());
  transcript.insert(transcript.end(), h_hi.begin(), h_hi.end());
  const auto salt = kex::sha256(transcript);
  std::array<uint8_t, 64> okm{};
  kex::hkdfSha256(ikm, salt,
                  std::span(reinterpret_cast<const uint8_t*>(kKeyInfo.data()), kKeyInfo.size()),
                  okm);
  AeadStream::Key k_lo_hi, k_hi_lo;
  std::copy_n(okm.begin(), 32, k_lo_hi.begin());
  std::copy_n(okm.begin() + 32, 32, k_hi_lo.begin());
  std::pair<AeadStream, AeadStream> streams(
      AeadStream(lo ? k_lo_hi : k_hi_lo, AeadStream::Direction::kSeal),
      AeadStream(lo ? k_hi_lo : k_lo_hi, AeadStream::Direction::kOpen));
  kex::wipe(ikm.data(), ikm.size());
  kex::wipe(okm.data(), okm.size());
  kex::wipe(k_lo_hi.data(), k_lo_hi.size());
  kex::wipe(k_hi_lo.data(), k_hi_lo.size());
  return streams;
}

Communicator& checkedInner(Communicator* inner) {
  SOTTO_ENFORCE(inner != nullptr, "SecureChannelCommunicator: the inner communicator is null");
  return *inner;
}

}  // namespace

struct SecureChannelCommunicator::Peer {
  AeadStream out;  // this party -> peer
  AeadStream in;   // peer -> this party
  std::optional<PublicKey> identity;
  bool verified = false;
};

SecureChannelCommunicator::SecureChannelCommunicator(Communicator& inner,
                                                     const ChannelOptions& options)
    : Communicator(inner.rank(), inner.worldSize(), inner.backendName() + "+aead"), inner_(inner) {
  SOTTO_ENFORCE(options.expected_peers.empty() ||
                    options.expected_peers.size() == static_cast<size_t>(worldSize()),
                "SecureChannelCommunicator: expected_peers has ", options.expected_peers.size(),
                " entries; give none or one per rank (world size ", worldSize(), ")");
  setTimeout(inner.timeout());
  handshake(options);
}

SecureChannelCommunicator::SecureChannelCommunicator(std::unique_ptr<Communicator> inner,
                                                     const ChannelOptions& options)
    : SecureChannelCommunicator(checkedInner(inner.get()), options) {
  owned_ = std::move(inner);
}

SecureChannelCommunicator::~SecureChannelCommunicator() = default;

void SecureChannelCommunicator::innerSendRecv(int to, ConstBytes out, int from, MutableBytes in) {
  if (to == from) {
    inner_.exchange(to, out, in);
  } else {
    inner_.sendRecv(to, out, from, in);
  }
}

void SecureChannelCommunicator::failHandshake(int peer, const std::string& why) {
  const std::string msg = backendName() + " rank " + std::to_string(rank()) +
                          ": handshake with rank " + std::to_string(peer) + ": " + why;
  inner_.abort(msg);
  throw CommError(msg);
}

void SecureChannelCommunicator::handshake(const ChannelOptions& options) {
  const int n = worldSize(), me = rank();
  peers_.resize(n);
  if (n == 1) return;
  const IdentityKey* self = options.identity ? &*options.identity : nullptr;

  // Round 1: hellos, one fresh ephemeral key per peer.
  std::vector<IdentityKey> eph(n);
  std::vector<Hello> mine(n), theirs(n);
  for (int p = 0; p < n; ++p) {
    if (p == me) continue;
    eph[p] = generateIdentityKey();
    Hello& h = mine[p];
    h.fill(0);
    std::memcpy(h.data(), kMagic.data(), kMagic.size());
    putU32(h.data() + 8, static_cast<uint32_t>(me));
    putU32(h.data() + 12, static_cast<uint32_t>(p));
    putU32(h.data() + 16, static_cast<uint32_t>(n));
    h[20] = self != nullptr ? kHasStatic : 0;
    std::copy(eph[p].public_key.begin(), eph[p].public_key.end(), h.begin() + 24);
    if (self != nullptr)
      std::copy(self->public_key.begin(), self->public_key.end(), h.begin() + 56);
  }
  for (int s = 1; s < n; ++s) {
    const int to = (me + s) % n, from = (me - s + n) % n;
    innerSendRecv(to, std::as_bytes(std::span(mine[to])), from,
                  std::as_writable_bytes(std::span(theirs[from])));
  }

  // Check each hello and the peer's identity, then derive the pair's keys.
  for (int p = 0; p < n; ++p) {
    if (p == me) continue;
    const Hello& h = theirs[p];
    if (std::memcmp(h.data(), kMagic.data(), kMagic.size()) != 0) {
      failHandshake(p, "the peer does not speak this protocol version (bad hello)");
    }
    if (getU32(h.data() + 8) != static_cast<uint32_t>(p) ||
        getU32(h.data() + 12) != static_cast<uint32_t>(me) ||
        getU32(h.data() + 16) != static_cast<uint32_t>(n)) {
      failHandshake(p, "hello names sender " + std::to_string(getU32(h.data() + 8)) +
                           ", receiver " + std::to_string(getU32(h.data() + 12)) + ", world size " +
                           std::to_string(getU32(h.data() + 16)) +
                           " (the parties disagree on ranks or world size)");
    }
    std::optional<PublicKey> identity;
    if (h[20] & kHasStatic) identity = keyAt(h, 56);
    const std::optional<PublicKey> expected =
        options.expected_peers.empty() ? std::nullopt : options.expected_peers[p];
    if (expected) {
      if (!identity) {
        failHandshake(p, "identity key mismatch: expected " + fingerprint(*expected) + ", rank " +
                             std::to_string(p) + " presented no identity key");
      }
      if (*identity != *expected) {
        failHandshake(p, "identity key mismatch: expected " + fingerprint(*expected) + ", rank " +
                             std::to_string(p) + " presented " + fingerprint(*identity));
      }
    }

    // verified: key confirmation below then proves possession of the pinned key's private key.
    const PublicKey peer_eph = keyAt(h, 24);
    auto streams = sessionStreams(me < p, mine[p], h, eph[p], self, peer_eph, identity);
    if (!streams) failHandshake(p, "the peer sent an invalid (low-order) X25519 key");
    peers_[p] = std::make_unique<Peer>(Peer{std::move(streams->first), std::move(streams->second),
                                            identity, expected.has_value()});
  }

  // Round 2: key confirmation, message 0 of every direction.
  const auto confirm = std::as_bytes(std::span(kConfirm.data(), kConfirm.size()));
  std::vector<std::byte> sealed(confirm.size() + kAeadTagBytes), got(sealed.size());
  std::vector<std::byte> opened(confirm.size());
  for (int s = 1; s < n; ++s) {
    const int to = (me + s) % n, from = (me - s + n) % n;
    peers_[to]->out.seal(confirm, aadOf(me, to, Kind::kHandshake), sealed);
    innerSendRecv(to, sealed, from, got);
    if (!peers_[from]->in.open(got, aadOf(from, me, Kind::kHandshake), opened) ||
        !std::equal(opened.begin(), opened.end(), confirm.begin())) {
      failHandshake(from,
                    "key confirmation failed: the parties derived different keys (a static key "
                    "presented without its private key, or the handshake was altered on the "
                    "way)");
    }
  }
}

void SecureChannelCommunicator::failAuthentication(int peer) {
  const std::string msg = describe(peer) +
                          ": message failed authentication (AES-GCM tag mismatch): it was "
                          "altered, truncated, replayed or reordered on the way, or the parties' "
                          "calls differ; no data returned";
  inner_.abort(msg);
  throw CommError(msg);
}

namespace {

// Frames of a message of `bytes`: at least one (an empty message is one empty frame).
size_t framesOf(size_t bytes) {
  return bytes == 0 ? 1 : (bytes + kChannelFrameBytes - 1) / kChannelFrameBytes;
}

// Frame k of `whole`: empty past its end.
template <typename Span>
Span frame(Span whole, size_t k) {
  const size_t at = std::min(k * kChannelFrameBytes, whole.size());
  return whole.subspan(at, std::min(kChannelFrameBytes, whole.size() - at));
}

}  // namespace

void SecureChannelCommunicator::doSend(int peer, ConstBytes data) {
  const auto aad = aadOf(rank(), peer, kindOf(currentOp()));
  for (size_t k = 0, n = framesOf(data.size()); k < n; ++k) {
    const ConstBytes plain = frame(data, k);
    out_buf_.resize(plain.size() + kAeadTagBytes);
    peers_[peer]->out.seal(plain, aad, out_buf_);
    inner_.send(peer, out_buf_);
  }
}

void SecureChannelCommunicator::doRecv(int peer, MutableBytes data) {
  const auto aad = aadOf(peer, rank(), kindOf(currentOp()));
  for (size_t k = 0, n = framesOf(data.size()); k < n; ++k) {
    const MutableBytes plain = frame(data, k);
    in_buf_.resize(plain.size() + kAeadTagBytes);
    inner_.recv(peer, in_buf_);
    if (!peers_[peer]->in.open(in_buf_, aad, plain)) failAuthentication(peer);
  }
}

void SecureChannelCommunicator::doSendRecv(int to, ConstBytes out, int from, MutableBytes in) {
  const Kind kind = kindOf(currentOp());
  const auto aad_out = aadOf(rank(), to, kind), aad_in = aadOf(from, rank(), kind);
  // An exchange (to == from) goes frame by frame, both directions at each step: max(frames of
  // out, frames of in) steps on both sides, the shorter direction's last steps empty frames. A
  // shift between different peers (rings of 3+ parties) goes in one piece: its two peers would
  // count different steps.
  const bool framed = to == from;
  const size_t steps = framed ? std::max(framesOf(out.size()), framesOf(in.size())) : 1;
  for (size_t k = 0; k < steps; ++k) {
    const ConstBytes o = framed ? frame(out, k) : out;
    const MutableBytes i = framed ? frame(in, k) : in;
    out_buf_.resize(o.size() + kAeadTagBytes);
    in_buf_.resize(i.size() + kAeadTagBytes);
    peers_[to]->out.seal(o, aad_out, out_buf_);
    innerSendRecv(to, out_buf_, from, in_buf_);
    if (!peers_[from]->in.open(in_buf_, aad_in, i)) failAuthentication(from);
  }
}

void SecureChannelCommunicator::doAbort(const std::string& reason) noexcept {
  inner_.abort(reason);
}

void SecureChannelCommunicator::onTimeoutChanged() { inner_.setTimeout(timeout()); }

bool SecureChannelCommunicator::authenticated() const {
  return std::all_of(peers_.begin(), peers_.end(),
                     [](const auto& p) { return p == nullptr || p->verified; });
}

std::optional<PublicKey> SecureChannelCommunicator::peerIdentity(int r) const {
  SOTTO_ENFORCE(r >= 0 && r < worldSize() && r != rank(), backendName(), " rank ", rank(),
                ": peerIdentity(", r, "): not a peer");
  return peers_[r]->identity;
}

std::string SecureChannelCommunicator::description() const {
  std::string unverified;
  for (size_t p = 0; p < peers_.size(); ++p) {
    if (peers_[p] != nullptr && !peers_[p]->verified) {
      unverified += (unverified.empty() ? "" : ", ") + std::to_string(p);
    }
  }
  const std::string what = "AES-256-GCM channels keyed by an X25519 handshake";
  if (unverified.empty()) return what + "; every peer authenticated by its pinned identity key";
  return "WARNING: " + what + ", but rank(s) " + unverified +
         " not authenticated (no identity key pinned for them): secret from passive "
         "eavesdroppers only, an active attacker in the middle could read and alter traffic";
}

std::unique_ptr<Communicator> withSecureChannel(std::unique_ptr<Communicator> inner,
                                                const ChannelOptions& options) {
  return std::make_unique<SecureChannelCommunicator>(std::move(inner), options);
}

std::string channelDescription(const Communicator& comm) {
  if (const auto* s = dynamic_cast<const SecureChannelCommunicator*>(&comm)) {
    return s->description();
  }
  return "WARNING: " + comm.backendName() +
         " channels are neither encrypted nor authenticated (no secure channel)";
}

}  // namespace sotto
