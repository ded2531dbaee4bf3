// Chou–Orlandi base OT over ristretto255 (base_ot.h has the protocol and its cost).
#include "sotto/ot/base_ot.h"

#include <sodium.h>

#include <cstring>
#include <string>

#include "sotto/error.h"

namespace sotto::ot {
namespace {

using Point = std::array<unsigned char, crypto_core_ristretto255_BYTES>;
using Scalar = std::array<unsigned char, crypto_core_ristretto255_SCALARBYTES>;

constexpr char kLabel[] = "sotto/ot/base Chou-Orlandi ristretto255 v1";

void initSodium() {
  if (sodium_init() < 0) throw Error("base OT: libsodium failed to initialise");
}

void checkPeer(const Communicator& comm, int peer) {
  SOTTO_ENFORCE(peer >= 0 && peer < comm.worldSize() && peer != comm.rank(), "base OT: peer ", peer,
                " is not another party of this world of ", comm.worldSize());
}

[[noreturn]] void badPoint(int peer, const std::string& what) {
  throw ProtocolError("base OT (Chou-Orlandi): " + what + " sent by party " + std::to_string(peer) +
                      " is not a valid ristretto255 element other than the identity");
}

// k = BLAKE2b-128(label || A || B || i || P): the key of OT i, bound to the batch's transcript.
Block keyOf(const Point& a, const unsigned char* b, uint64_t index, const Point& p) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof(Block));
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kLabel), sizeof(kLabel));
  crypto_generichash_update(&st, a.data(), a.size());
  crypto_generichash_update(&st, b, crypto_core_ristretto255_BYTES);
  unsigned char idx[8];
  for (int j = 0; j < 8; ++j) idx[j] = static_cast<unsigned char>(index >> (8 * j));
  crypto_generichash_update(&st, idx, sizeof(idx));
  crypto_generichash_update(&st, p.data(), p.size());
  unsigned char out[sizeof(Block)];
  crypto_generichash_final(&st, out, sizeof(out));
  Block k;
  std::memcpy(&k, out, sizeof(k));
  sodium_memzero(out, sizeof(out));
  return k;
}

}  // namespace

std::vector<std::array<Block, 2>> baseOtSend(Communicator& comm, int peer, size_t count) {
  checkPeer(comm, peer);
  SOTTO_ENFORCE(count > 0, "base OT: count must be positive");
  initSodium();
  Scalar a;
  Point big_a, a_a;  // A = a·G, aA = a·A
  do {
    crypto_core_ristretto255_scalar_random(a.data());
  } while (crypto_scalarmult_ristretto255_base(big_a.data(), a.data()) != 0);
  comm.send(peer, std::as_bytes(std::span(big_a)));
  // a·A while the receiver computes its B_i
  if (crypto_scalarmult_ristretto255(a_a.data(), a.data(), big_a.data()) != 0) {
    throw Error("base OT: a·A is the identity (cannot happen for a non-zero scalar)");
  }

  std::vector<unsigned char> bs(count * crypto_core_ristretto255_BYTES);
  comm.recv(peer, std::as_writable_bytes(std::span(bs)));
  std::vector<std::array<Block, 2>> keys(count);
  for (size_t i = 0; i < count; ++i) {
    const unsigned char* b = bs.data() + i * crypto_core_ristretto255_BYTES;
    Point p0, p1;
    // p0 = a·B_i (= ab·G: the receiver's key when c_i = 0), p1 = a·B_i − a·A (its key when 1)
    if (crypto_core_ristretto255_is_valid_point(b) != 1 ||
        crypto_scalarmult_ristretto255(p0.data(), a.data(), b) != 0) {
      badPoint(peer, "step 2, the point B_" + std::to_string(i));
    }
    crypto_core_ristretto255_sub(p1.data(), p0.data(), a_a.data());
    keys[i] = {keyOf(big_a, b, i, p0), keyOf(big_a, b, i, p1)};
    sodium_memzero(p0.data(), p0.size());
    sodium_memzero(p1.data(), p1.size());
  }
  sodium_memzero(a.data(), a.size());
  return keys;
}

std::vector<Block> baseOtReceive(Communicator& comm, int peer, std::span<const uint8_t> choices) {
  checkPeer(comm, peer);
  SOTTO_ENFORCE(!choices.empty(), "base OT: no choices");
  for (size_t i = 0; i < choices.size(); ++i) {
    SOTTO_ENFORCE(choices[i] <= 1, "base OT: choice ", i, " is ", int{choices[i]}, ", not 0 or 1");
  }
  initSodium();
  Point big_a;
  comm.recv(peer, std::as_writable_bytes(std::span(big_a)));
  // a valid encoding, and not the identity (whose canonical encoding is all zeros)
  if (crypto_core_ristretto255_is_valid_point(big_a.data()) != 1 ||
      sodium_is_zero(big_a.data(), big_a.size()) == 1) {
    badPoint(peer, "step 1, the point A");
  }
  const size_t count = choices.size();
  // First every B_i (fixed-base multiplications, fast), sent at once, so that the sender's a·B_i
  // and this side's b_i·A (variable-base, the bulk of the work) run at the same time.
  std::vector<unsigned char> bs(count * crypto_core_ristretto255_BYTES);
  std::vector<Scalar> scalars(count);
  for (size_t i = 0; i < count; ++i) {
    unsigned char* b = bs.data() + i * crypto_core_ristretto255_BYTES;
    Point g_s, with_a;
    do {
      crypto_core_ristretto255_scalar_random(scalars[i].data());
    } while (crypto_scalarmult_ristretto255_base(g_s.data(), scalars[i].data()) != 0);
    // B_i = b_i·G + c_i·A, computed for both choices alike (no branch on the secret bit)
    crypto_core_ristretto255_add(with_a.data(), g_s.data(), big_a.data());
    const unsigned char m = static_cast<unsigned char>(-static_cast<int>(choices[i]));  // 0 or 0xff
    for (size_t j = 0; j < g_s.size(); ++j) b[j] = (g_s[j] & ~m) | (with_a[j] & m);
  }
  comm.send(peer, std::as_bytes(std::span(bs)));
  std::vector<Block> keys(count);
  for (size_t i = 0; i < count; ++i) {
    Point p;
    if (crypto_scalarmult_ristretto255(p.data(), scalars[i].data(), big_a.data()) != 0) {
      badPoint(peer, "step 1, the point A");
    }
    keys[i] = keyOf(big_a, bs.data() + i * crypto_core_ristretto255_BYTES, i, p);
    sodium_memzero(p.data(), p.size());
  }
  sodium_memzero(scalars.data(), scalars.size() * sizeof(Scalar));
  return keys;
}

}  // namespace sotto::ot
