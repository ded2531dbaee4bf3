#pragma once
/// @file he_session.h
/// HeSession: one RLWE key pair between two parties, shared by the homomorphic linear layers
/// (HeMatmul, HeConv2d, HeBatchNorm) so that a network pays the key setup once rather than once
/// a layer. Party 1 (the data owner) draws a ternary secret key and sends a seeded public key;
/// party 0 (the model owner) keeps it for the layers' re-randomisation. Parameters: N = 8192,
/// t = 2^64 (sotto/he/params.h kN8192). Semi-honest; he_matmul.h states the protocol and the
/// circuit-privacy argument. The layers sharing a session must run one at a time on the
/// communicator's thread (the communicator's own contract).

#include <cstdint>
#include <memory>

#include "sotto/comm/communicator.h"

namespace sotto {

namespace detail {
class HeLinearCore;
}

class HeSession {
 public:
  /// The key setup over comm (rank 0 model owner, rank 1 data owner); both parties call it.
  /// trim_download: every layer on this session returns trimmed ciphertexts (c1 in full, c0 at
  /// the outputs), else whole ones (for view tests). Cost: 1 message, 217,113 B from party 1
  /// to 0.
  /// @throws InvalidArgument if comm does not have 2 parties; ProtocolError naming party 1 on a
  ///         malformed key; CommError.
  explicit HeSession(Communicator& comm, bool trim_download = true);
  ~HeSession();
  HeSession(const HeSession&) = delete;
  HeSession& operator=(const HeSession&) = delete;

  /// Weight polynomials encoded so far by the layers on this session (party 0; 0 on party 1):
  /// the model owner's one-time work that their prepare calls move before the first product.
  uint64_t weightEncodings() const;

 private:
  friend class HeMatmul;
  friend class HeConv2d;
  struct Deferred {};
  // The parameters only; the layer that owns the session runs setup() after its own checks.
  HeSession(Communicator& comm, bool trim_download, Deferred);
  detail::HeLinearCore& core() { return *core_; }

  std::unique_ptr<detail::HeLinearCore> core_;
};

}  // namespace sotto
