// SecureChannelCommunicator: the conformance suite over it (with and without identity keys, 2-4
// parties); attacks on the wire (a flipped bit, a truncated, replayed or reordered message) end
// in a CommError naming the peer and the call, never in wrong data; a wrong identity key fails
// on both sides with both fingerprints; the framing (fresh nonces, exactly 16 bytes overhead);
// identity key files.
#include "sotto/comm/secure_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "comm/conformance.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto::testing {
namespace {

using ::testing::HasSubstr;

template <typename T>
auto bytesOf(std::vector<T>& v) {
  return std::as_writable_bytes(std::span(v));
}

// Identity keys of ranks 0..3, made once.
const std::vector<IdentityKey>& keys() {
  static const std::vector<IdentityKey> k = [] {
    std::vector<IdentityKey> v;
    for (int i = 0; i < 4; ++i) v.push_back(generateIdentityKey());
    return v;
  }();
  return k;
}

// Every party has its identity key and pins every peer's, or (with_identity false) none.
ChannelOptions optionsFor(int rank, int parties, bool with_identity) {
  ChannelOptions o;
  if (!with_identity) return o;
  o.identity = keys()[rank];
  o.expected_peers.resize(parties);
  for (int p = 0; p < parties; ++p) {
    if (p != rank) o.expected_peers[p] = keys()[p].public_key;
  }
  return o;
}

class SecureConformance : public ::testing::TestWithParam<std::tuple<std::string, int, bool>> {};

TEST_P(SecureConformance, Case) {
  const auto& [name, parties, with_identity] = GetParam();
  const ConformanceCase& c = conformanceCase(name);
  simulate(parties, [&](Communicator& inner) {
    SecureChannelCommunicator secure(inner, optionsFor(inner.rank(), parties, with_identity));
    EXPECT_EQ(secure.authenticated(), with_identity);
    c.run(secure);
  });
}

INSTANTIATE_TEST_SUITE_P(All, SecureConformance,
                         ::testing::Combine(::testing::ValuesIn(conformanceCaseNames()),
                                            ::testing::Values(2, 3, 4), ::testing::Bool()),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" +
                                  std::to_string(std::get<1>(p.param)) + "parties_" +
                                  (std::get<2>(p.param) ? "identity" : "ephemeral");
                         });

// ---- An attacker on the wire: a decorator below the secure channel ------------------------------

enum class Attack { kNone, kFlipBit, kTruncate, kReplay, kReorder };

// Forwards everything to inner; once `attack` is set, alters this party's outgoing messages.
// Records what it sends.
class WireCommunicator final : public Communicator {
 public:
  explicit WireCommunicator(Communicator& inner)
      : Communicator(inner.rank(), inner.worldSize(), inner.backendName()), inner_(inner) {
    setTimeout(inner.timeout());
  }
  Attack attack = Attack::kNone;
  std::vector<std::vector<std::byte>> sent;

 protected:
  void doSend(int peer, ConstBytes data) override {
    std::vector<std::byte> msg(data.begin(), data.end());
    sent.push_back(msg);
    switch (attack) {
      case Attack::kNone:
        break;
      case Attack::kFlipBit:
        msg[msg.size() / 2] ^= std::byte{4};
        break;
      case Attack::kTruncate:
        msg.pop_back();
        break;
      case Attack::kReplay:
        if (sent.size() >= 2) msg = sent[sent.size() - 2];
        break;
      case Attack::kReorder:
        if (!held_) {  // hold the first message, deliver it after the second
          held_ = std::move(msg);
          return;
        }
        inner_.send(peer, msg);
        msg = std::move(*held_);
        held_.reset();
        break;
    }
    inner_.send(peer, msg);
  }
  void doRecv(int peer, MutableBytes data) override { inner_.recv(peer, data); }
  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    std::vector<std::byte> msg(out.begin(), out.end());
    if (attack == Attack::kFlipBit) msg[msg.size() - 1] ^= std::byte{1};  // in the tag
    if (to == from) {
      inner_.exchange(to, msg, in);
    } else {
      inner_.sendRecv(to, msg, from, in);
    }
  }
  void doAbort(const std::string& reason) noexcept override { inner_.abort(reason); }

 private:
  Communicator& inner_;
  std::optional<std::vector<std::byte>> held_;
};

// Rank 0 sends two different 512-byte messages under `attack`; returns rank 1's error (checking
// that it never saw wrong data) or "(no error)".
std::string sendUnder(Attack attack) {
  auto errors = simulate(2, [&](Communicator& inner) -> std::string {
    WireCommunicator wire(inner);
    SecureChannelCommunicator secure(wire, optionsFor(inner.rank(), 2, true));
    std::vector<uint64_t> first(64, 11), second(64, 22);
    if (secure.rank() == 0) {
      wire.attack = attack;
      try {
        secure.send(1, bytesOf(first));
        secure.send(1, bytesOf(second));
      } catch (const CommError&) {  // rank 1 may abort first
      }
      return "";
    }
    std::vector<uint64_t> got(64, 0);
    try {
      secure.recv(0, bytesOf(got));
      EXPECT_EQ(got, first);
      std::fill(got.begin(), got.end(), 0);
      secure.recv(0, bytesOf(got));
      EXPECT_EQ(got, second);
    } catch (const CommError& e) {
      EXPECT_EQ(got, std::vector<uint64_t>(64, 0)) << "unauthenticated data returned";
      EXPECT_TRUE(secure.failed());
      return e.what();
    }
    return "(no error)";
  });
  return errors[1];
}

TEST(SecureChannel, UntouchedMessagesArrive) { EXPECT_EQ(sendUnder(Attack::kNone), "(no error)"); }

TEST(SecureChannel, FlippedBitFailsNamingPeerAndOperation) {
  const std::string e = sendUnder(Attack::kFlipBit);
  EXPECT_THAT(e, HasSubstr("inproc+aead rank 1: recv from rank 0"));
  EXPECT_THAT(e, HasSubstr("failed authentication"));
}

TEST(SecureChannel, TruncatedMessageFailsNamingPeerAndOperation) {
  // The inner communicator already sees the wrong size; either way, a CommError and no data.
  const std::string e = sendUnder(Attack::kTruncate);
  EXPECT_THAT(e, HasSubstr("recv from rank 0"));
}

TEST(SecureChannel, ReplayedMessageFails) {
  const std::string e = sendUnder(Attack::kReplay);
  EXPECT_THAT(e, HasSubstr("inproc+aead rank 1: recv from rank 0"));
  EXPECT_THAT(e, HasSubstr("failed authentication"));
}

TEST(SecureChannel, ReorderedMessagesFail) {
  const std::string e = sendUnder(Attack::kReorder);
  EXPECT_THAT(e, HasSubstr("inproc+aead rank 1: recv from rank 0"));
  EXPECT_THAT(e, HasSubstr("failed authentication"));
}

// A flipped tag bit in exchange and in a collective (which runs over doSendRecv).
TEST(SecureChannel, TamperedExchangeAndAllReduceFail) {
  for (CommOp op : {CommOp::kExchange, CommOp::kAllReduce}) {
    SCOPED_TRACE(commOpName(op));
    auto errors = simulate(2, [&](Communicator& inner) -> std::string {
      WireCommunicator wire(inner);
      SecureChannelCommunicator secure(wire, optionsFor(inner.rank(), 2, false));
      if (secure.rank() == 0) wire.attack = Attack::kFlipBit;
      std::vector<uint64_t> out(100, 5), in(100, 0);
      try {
        if (op == CommOp::kExchange) {
          secure.exchange(secure.rank() ^ 1, bytesOf(out), bytesOf(in));
        } else {
          secure.allReduce(out, ReduceOp::kAdd);
        }
      } catch (const CommError& e) {
        return std::string(e.what());
      }
      return std::string("(no error)");
    });
    EXPECT_THAT(errors[1], HasSubstr(std::string("rank 1: ") + commOpName(op) + " with rank 0"));
    EXPECT_THAT(errors[1], HasSubstr("failed authentication"));
  }
}

// ---- Identity keys in the handshake
// --------------------------------------------------------------

// Each party's handshake error, or "(no error)".
std::vector<std::string> handshakeErrors(int parties,
                                         const std::function<void(ChannelOptions&, int)>& edit) {
  return simulate(parties, [&](Communicator& inner) -> std::string {
    ChannelOptions o = optionsFor(inner.rank(), parties, true);
    edit(o, inner.rank());
    try {
      SecureChannelCommunicator secure(inner, o);
    } catch (const CommError& e) {
      return e.what();
    }
    return "(no error)";
  });
}

TEST(SecureChannel, WrongIdentityKeyFailsOnBothSidesWithFingerprints) {
  const IdentityKey other = generateIdentityKey();
  const auto errors = handshakeErrors(2, [&](ChannelOptions& o, int rank) {
    if (rank == 1) o.identity = other;  // presents K' while rank 0 pins K
  });
  for (int r = 0; r < 2; ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    EXPECT_THAT(errors[r], HasSubstr("handshake with rank 1: identity key mismatch"));
    EXPECT_THAT(errors[r], HasSubstr("expected " + fingerprint(keys()[1].public_key)));
    EXPECT_THAT(errors[r], HasSubstr("presented " + fingerprint(other.public_key)));
  }
}

TEST(SecureChannel, MissingIdentityKeyFailsWhenOneIsPinned) {
  const auto errors = handshakeErrors(3, [](ChannelOptions& o, int rank) {
    if (rank == 2) o.identity.reset();
  });
  EXPECT_THAT(errors[0], HasSubstr("handshake with rank 2: identity key mismatch"));
  EXPECT_THAT(errors[0], HasSubstr("presented no identity key"));
}

TEST(SecureChannel, PublicKeyWithoutItsPrivateKeyFailsKeyConfirmation) {
  const IdentityKey other = generateIdentityKey();
  const auto errors = handshakeErrors(2, [&](ChannelOptions& o, int rank) {
    if (rank == 1) o.identity->private_key = other.private_key;  // claims K, holds K''s secret
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_THAT(errors[r], HasSubstr("key confirmation failed")) << "rank " << r;
  }
}

// A hello altered on the way (its unused static key field: only the transcript notices) makes
// the parties derive different keys: key confirmation fails on both sides.
TEST(SecureChannel, TamperedHelloFailsKeyConfirmation) {
  auto errors = simulate(2, [](Communicator& inner) -> std::string {
    WireCommunicator wire(inner);
    if (inner.rank() == 0) wire.attack = Attack::kFlipBit;
    try {
      SecureChannelCommunicator secure(wire, ChannelOptions{});
    } catch (const CommError& e) {
      return e.what();
    }
    return "(no error)";
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_THAT(errors[r], HasSubstr("key confirmation failed")) << "rank " << r;
  }
}

TEST(SecureChannel, AuthenticatedDescriptionsAndOptions) {
  simulate(3, [](Communicator& inner) {
    ChannelOptions o = optionsFor(inner.rank(), 3, true);
    if (inner.rank() == 0) o.expected_peers[2].reset();  // rank 0 does not pin rank 2
    SecureChannelCommunicator secure(inner, o);
    EXPECT_EQ(secure.backendName(), "inproc+aead");
    EXPECT_EQ(secure.timeout(), inner.timeout());
    const int other = (inner.rank() + 1) % 3;
    EXPECT_EQ(secure.peerIdentity(other), keys()[other].public_key);
    EXPECT_EQ(secure.authenticated(), inner.rank() != 0);
    if (inner.rank() == 0) {
      EXPECT_THAT(secure.description(), HasSubstr("WARNING"));
      EXPECT_THAT(secure.description(), HasSubstr("rank(s) 2 not authenticated"));
    } else {
      EXPECT_THAT(channelDescription(secure), HasSubstr("every peer authenticated"));
    }
    EXPECT_THAT(channelDescription(inner), HasSubstr("neither encrypted nor authenticated"));
    EXPECT_THROW(secure.peerIdentity(inner.rank()), InvalidArgument);
  });
  simulate(2, [](Communicator& inner) {
    ChannelOptions o;
    o.expected_peers.resize(3);
    EXPECT_THAT(errorOf([&] { SecureChannelCommunicator s(inner, o); }),
                HasSubstr("expected_peers has 3 entries"));
  });
  EXPECT_THROW(SecureChannelCommunicator(std::unique_ptr<Communicator>(), ChannelOptions{}),
               InvalidArgument);
}

TEST(SecureChannel, OwningFactory) {
  auto world = InprocWorld::create(2);
  std::vector<std::unique_ptr<Communicator>> comms(2);
  std::thread t([&] { comms[1] = withSecureChannel(world->communicator(1), ChannelOptions{}); });
  comms[0] = withSecureChannel(world->communicator(0), ChannelOptions{});
  t.join();
  std::vector<uint64_t> out{1, 2, 3}, in(3);
  std::thread u([&] {
    std::vector<uint64_t> o{4, 5, 6}, i(3);
    comms[1]->exchange(0, bytesOf(o), bytesOf(i));
  });
  comms[0]->exchange(1, bytesOf(out), bytesOf(in));
  u.join();
  EXPECT_EQ(in, (std::vector<uint64_t>{4, 5, 6}));
  EXPECT_THAT(channelDescription(*comms[0]), HasSubstr("WARNING"));
}

// ---- Framing ---------------------------------------------------------------------------------

TEST(SecureChannel, EqualPlaintextsGiveDifferentCiphertexts) {
  simulate(2, [](Communicator& inner) {
    WireCommunicator wire(inner);
    SecureChannelCommunicator secure(wire, optionsFor(inner.rank(), 2, false));
    std::vector<uint64_t> v(32, 42);
    if (secure.rank() == 0) {
      wire.sent.clear();
      secure.send(1, bytesOf(v));
      secure.send(1, bytesOf(v));
      ASSERT_EQ(wire.sent.size(), 2u);
      EXPECT_EQ(wire.sent[0].size(), 32 * 8 + kAeadTagBytes);
      EXPECT_NE(wire.sent[0], wire.sent[1]);
      const auto plain = std::as_bytes(std::span(v));
      EXPECT_FALSE(std::equal(plain.begin(), plain.end(), wire.sent[0].begin()));
    } else {
      secure.recv(0, bytesOf(v));
      secure.recv(0, bytesOf(v));
      EXPECT_EQ(v, std::vector<uint64_t>(32, 42));
    }
  });
}

TEST(SecureChannel, OverheadIsExactlySixteenBytesPerMessage) {
  simulate(3, [](Communicator& inner) {
    SecureChannelCommunicator secure(inner, optionsFor(inner.rank(), 3, true));
    inner.resetStats();
    secure.resetStats();
    std::vector<uint64_t> a(1000, 1), b(1000), none;
    if (secure.rank() < 2) secure.exchange(secure.rank() ^ 1, bytesOf(a), bytesOf(b));
    if (secure.rank() == 2) secure.send(0, bytesOf(a));
    if (secure.rank() == 0) secure.recv(2, bytesOf(b));
    secure.allReduce(a, ReduceOp::kXor);
    secure.broadcast(1, bytesOf(b));
    secure.allGather(bytesOf(none), bytesOf(none));
    const auto& in = inner.stats().total;
    const auto& out = secure.stats().total;
    EXPECT_EQ(in.messages_sent, out.messages_sent);
    EXPECT_EQ(in.messages_received, out.messages_received);
    EXPECT_EQ(in.bytes_sent, out.bytes_sent + kAeadTagBytes * out.messages_sent);
    EXPECT_EQ(in.bytes_received, out.bytes_received + kAeadTagBytes * out.messages_received);
  });
}

// Messages over kChannelFrameBytes travel as frames, each its own inner message with its own
// tag: every pattern (send/recv, an exchange whose directions differ in size, a ring of shifts
// with three sizes, which goes in one piece) arrives whole, the inner traffic is the payload plus
// 16 bytes per frame.
TEST(SecureChannel, LargeMessagesTravelInFramesAndArriveWhole) {
  constexpr size_t kWords = kChannelFrameBytes / 8;
  const std::vector<size_t> sizes = {2 * kWords + kWords / 2, 1, 3 * kWords};  // by rank
  simulate(3, [&](Communicator& inner) {
    SecureChannelCommunicator secure(inner, optionsFor(inner.rank(), 3, false));
    const int me = secure.rank();
    auto message = [](int from, size_t words) {
      std::vector<uint64_t> v(words);
      for (size_t i = 0; i < words; ++i) v[i] = (uint64_t(from) << 40) + i * 0x9e3779b9u;
      return v;
    };
    auto frames = [](size_t words) {
      return (words * 8 + kChannelFrameBytes - 1) / kChannelFrameBytes;
    };
    inner.resetStats();
    secure.resetStats();
    uint64_t inner_messages = 0;
    // send/recv of 2.5 frames, rank 0 to rank 2
    if (me == 0) {
      auto m = message(0, sizes[0]);
      secure.send(2, bytesOf(m));
      inner_messages += frames(sizes[0]);
    } else if (me == 2) {
      std::vector<uint64_t> got(sizes[0]);
      secure.recv(0, bytesOf(got));
      EXPECT_EQ(got, message(0, sizes[0]));
    }
    // an exchange of 2.5 frames against one word (ranks 0 and 1)
    if (me < 2) {
      auto m = message(me, sizes[me]);
      std::vector<uint64_t> got(sizes[me ^ 1]);
      secure.exchange(me ^ 1, bytesOf(m), bytesOf(got));
      EXPECT_EQ(got, message(me ^ 1, sizes[me ^ 1]));
      inner_messages += std::max(frames(sizes[0]), frames(sizes[1]));  // the shorter: empty ones
    }
    // a ring of shifts, every rank's own size: rank r sends to r + 1, receives from r - 1
    {
      const int to = (me + 1) % 3, from = (me + 2) % 3;
      auto m = message(me, sizes[me]);
      std::vector<uint64_t> got(sizes[from]);
      secure.sendRecv(to, bytesOf(m), from, bytesOf(got));
      EXPECT_EQ(got, message(from, sizes[from]));
      inner_messages += 1;  // a shift between different peers: one piece
    }
    const auto& in = inner.stats().total;
    const auto& out = secure.stats().total;
    EXPECT_EQ(in.messages_sent, inner_messages);
    EXPECT_EQ(in.bytes_sent, out.bytes_sent + kAeadTagBytes * inner_messages);
  });
}

// A message's frame 1 replaced by its frame 0 (a replay inside the message) fails the receive:
// CommError naming the peer (the call throws; frame 0, authentic, may be in the buffer).
TEST(SecureChannel, ReplayedFrameInsideAMessageFails) {
  auto errors = simulate(2, [&](Communicator& inner) -> std::string {
    WireCommunicator wire(inner);
    SecureChannelCommunicator secure(wire, optionsFor(inner.rank(), 2, false));
    std::vector<uint64_t> m(2 * kChannelFrameBytes / 8, 5);
    if (secure.rank() == 0) {
      wire.attack = Attack::kReplay;  // from the second inner message on: the one before it
      try {
        secure.send(1, bytesOf(m));
      } catch (const CommError&) {
      }
      return "";
    }
    std::vector<uint64_t> got(m.size(), 0);
    try {
      secure.recv(0, bytesOf(got));
    } catch (const CommError& e) {
      EXPECT_TRUE(secure.failed());
      return e.what();
    }
    return "(no error)";
  });
  EXPECT_THAT(errors[1], HasSubstr("recv from rank 0"));
  EXPECT_THAT(errors[1], HasSubstr("failed authentication"));
}

TEST(AeadStream, SealOpenInPlaceCountersAndAad) {
  AeadStream::Key key{};
  key[0] = 7;
  AeadStream seal(key, AeadStream::Direction::kSeal), open(key, AeadStream::Direction::kOpen);
  std::vector<std::byte> msg(1000, std::byte{9}), box(1000 + kAeadTagBytes), got(1000);
  const std::array<std::byte, 3> aad{std::byte{1}, std::byte{2}, std::byte{3}};
  seal.seal(msg, aad, box);
  EXPECT_EQ(seal.counter(), 1u);
  auto wrong_aad = aad;
  wrong_aad[2] = std::byte{4};
  EXPECT_FALSE(open.open(box, wrong_aad, got));
  EXPECT_EQ(open.counter(), 0u);
  EXPECT_EQ(got, std::vector<std::byte>(1000, std::byte{0}));
  ASSERT_TRUE(open.open(box, aad, std::span(box).first(1000)));  // in place
  EXPECT_TRUE(std::equal(msg.begin(), msg.end(), box.begin()));
  EXPECT_EQ(open.counter(), 1u);
  std::vector<std::byte> empty_box(kAeadTagBytes);
  seal.seal({}, {}, empty_box);
  EXPECT_TRUE(open.open(empty_box, {}, {}));
  EXPECT_THROW(seal.seal(msg, aad, got), InvalidArgument);  // no room for the tag
  EXPECT_THROW((void)seal.open(box, aad, got), InvalidArgument);
}

// ---- Identity key files ------------------------------------------------------------------------

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("sotto_keys_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    std::ofstream(path(name)) << text;
    ::chmod(path(name).c_str(), mode);
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFiles, RoundTrip) {
  const IdentityKey k = generateIdentityKey();
  saveIdentityKey(k, path("alice"));
  struct stat st {};
  ASSERT_EQ(::stat(path("alice.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(loadPrivateKey(path("alice.key")).private_key, k.private_key);
  EXPECT_EQ(loadPrivateKey(path("alice.key")).public_key, k.public_key);
  EXPECT_EQ(loadPublicKey(path("alice.pub")), k.public_key);
  std::ifstream pub(path("alice.pub"));
  std::string line;
  std::getline(pub, line);
  EXPECT_EQ(line.size(), 64u);
  EXPECT_EQ(parsePublicKey(line), k.public_key);
  EXPECT_THAT(errorOf([&] { saveIdentityKey(k, path("alice")); }), HasSubstr("already exists"));
  const IdentityKey k2 = generateIdentityKey();
  saveIdentityKey(k2, path("alice"), /*overwrite=*/true);
  EXPECT_EQ(loadPublicKey(path("alice.pub")), k2.public_key);
}

TEST_F(KeyFiles, BadFilesGiveClearErrors) {
  EXPECT_THAT(errorOf([&] { loadPrivateKey(path("nobody.key")); }),
              HasSubstr("private key file '" + path("nobody.key") + "' cannot be read"));
  EXPECT_THAT(errorOf([&] { loadPublicKey(path("nobody.pub")); }),
              HasSubstr("public key file '" + path("nobody.pub") + "' cannot be read"));
  write("short.key", "abcd\n");
  EXPECT_THAT(
      errorOf([&] { loadPrivateKey(path("short.key")); }),
      HasSubstr("'" + path("short.key") + "': a key is 64 hex characters (32 bytes), got 4"));
  write("bad.pub", std::string(63, 'a') + "z\n");
  EXPECT_THAT(errorOf([&] { loadPublicKey(path("bad.pub")); }),
              HasSubstr("character 64 ('z') is not a hex digit"));
  write("open.key", std::string(64, 'a') + "\n", 0644);
  const std::string open_error = errorOf([&] { loadPrivateKey(path("open.key")); });
  EXPECT_THAT(open_error, HasSubstr("permissions 0644"));
  EXPECT_THAT(open_error, HasSubstr("chmod 600"));
  write("secret_bad.key", std::string(63, 'a') + "q\n");
  const std::string secret_error = errorOf([&] { loadPrivateKey(path("secret_bad.key")); });
  EXPECT_THAT(secret_error, HasSubstr("is not a hex digit"));
  EXPECT_THAT(secret_error, ::testing::Not(HasSubstr("'q'")));  // never echo a secret
  EXPECT_THAT(errorOf([] { parsePublicKey(""); }), HasSubstr("got 0 characters"));
}

TEST(Identity, Rfc7748PublicKeyAndFingerprint) {
  // RFC 7748 section 6.1: Alice's private and public keys.
  const PublicKey priv =
      parsePublicKey("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const IdentityKey alice = identityFromPrivateKey(priv);
  EXPECT_EQ(toHex(alice.public_key),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  const std::string fp = fingerprint(alice.public_key);
  EXPECT_EQ(fp.size(), 39u);
  EXPECT_EQ(fp.rfind("SHA256:", 0), 0u);
  EXPECT_NE(fingerprint(generateIdentityKey().public_key), fp);
}

}  // namespace
}  // namespace sotto::testing
