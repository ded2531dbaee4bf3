#pragma once
/// @file he_session.h
/// HeSession: one RLWE key pair between two parties, shared by the homomorphic linear layers
/// (HeMatmul, HeConv2d, HeBatchNorm) so that a network pays the key setup once rather than once
/// a layer. Party 1 (the data owner) draws a ternary secret key and sends a seeded public key;
/// party 0 (the model owner) keeps it for the layers' re-randomisation. Parameters: N = 8192,
/// the plaintext ring 2^ℓ and the public weight bound 2^b of HeRingOptions, which choose the
/// prime set and the response's level (sotto/mpc/ot/he_ring.h; default ℓ = 64, b = 63: the set
/// kN8192 of 4 primes, responses at 2 primes). Semi-honest; he_matmul.h states the protocol and the
/// circuit-privacy argument. The layers sharing a session must run one at a time on the
/// communicator's thread (the communicator's own contract).

#include <cstdint>
#include <memory>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/ot/he_ring.h"

namespace sotto {

namespace detail {
class HeLinearCore;
}

class HeSession {
 public:
  /// The key setup over comm (rank 0 model owner, rank 1 data owner); both parties call it.
  /// trim_download: every layer on this session returns trimmed ciphertexts (c1 in full, c0 at
  /// the outputs), else whole ones (for view tests). ring: ℓ and b (both parties the same).
  /// Cost: 4 B each way (ℓ, b and the set, checked), then the seeded public key from party 1
  /// to 0 (one uploaded ciphertext: 217,113 B at the default, fewer with 3 primes).
  /// @throws InvalidArgument if comm does not have 2 parties or as chooseHeLevels;
  ///         ProtocolError naming the peer if its ring options differ, or party 1 on a malformed
  ///         key; CommError.
  explicit HeSession(Communicator& comm, bool trim_download = true, const HeRingOptions& ring = {});
  ~HeSession();
  HeSession(const HeSession&) = delete;
  HeSession& operator=(const HeSession&) = delete;

  /// Weight polynomials encoded so far by the layers on this session (party 0; 0 on party 1):
  /// the model owner's one-time work that their prepare calls move before the first product.
  uint64_t weightEncodings() const;
  /// The ring and weight bound the session was made with (the layers' results are mod 2^ℓ).
  const HeRingOptions& ring() const;

 private:
  friend class HeMatmul;
  friend class HeConv2d;
  struct Deferred {};
  // The parameters only; the layer that owns the session runs setup() after its own checks.
  HeSession(Communicator& comm, bool trim_download, const HeRingOptions& ring, Deferred);
  detail::HeLinearCore& core() { return *core_; }

  std::unique_ptr<detail::HeLinearCore> core_;
};

}  // namespace sotto
