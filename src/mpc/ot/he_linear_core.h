#pragma once
// HeLinearCore: the two-party machinery of Cheetah's coefficient-encoded linear layers, shared by
// HeMatmul (sotto/mpc/ot/he_matmul.h) and HeConv2d (sotto/mpc/ot/he_conv2d.h), which differ only
// in how they pack a share and a weight into polynomials and where the results land. One core
// (one key pair) is owned by a HeSession (sotto/mpc/ot/he_session.h), which several layers may
// share; they call setName so that errors name the layer at work. Semi-honest.
// Paper: Huang, Lu, Hong, Ding, "Cheetah", USENIX Security 2022, section 3.
//
//  setup    both parties exchange (ℓ, b, parameter set) and check they agree; party 1 draws a
//           ternary key s, sends a seeded public key pk = (−a·s + e, a).
//  upload   party 1 encrypts each of its polynomials x̂ as a seeded symmetric ciphertext whose
//           message is encoded ⌊Q·x̂/t⌉ (not Δ·x̂: the product noise then has no t·k term).
//  respond  party 0, for each output ciphertext acc = Σ ct(x̂)·ŵ (its own sum of products):
//           ct = acc + Enc_pk(0) + ⌊Q·R/t⌉ + E, R uniform on all N coefficients, E uniform on
//           [−2^f, 2^f) (noise flooding), switched down to two primes, sent whole or trimmed
//           (c1 in full, c0 only at the coefficients party 1 reads).  // y0 −= R, y1 = Dec(ct)
//  receive  party 1 decrypts and reads its share at the read coefficients.
// The flooding width f and the circuit-privacy argument: floodBits below and he_matmul.h; the
// ring 2^ℓ, the weight bound 2^b and the levels they choose: sotto/mpc/ot/he_ring.h.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/crypto/prg.h"
#include "sotto/he/ciphertext.h"
#include "sotto/he/context.h"
#include "sotto/he/evaluator.h"
#include "sotto/he/keys.h"
#include "sotto/mpc/ot/he_ring.h"

namespace sotto::detail {

class HeLinearCore {
 public:
  /// The parameters over comm (2 parties; rank 0 the model owner, rank 1 the data owner); no
  /// message yet. `who` names the layer in error messages. The levels: chooseHeLevels(ring).
  /// @throws InvalidArgument if comm does not have 2 parties or as chooseHeLevels.
  HeLinearCore(Communicator& comm, bool trim, std::string who, const HeRingOptions& ring = {});
  /// The key setup: both parties exchange their (ℓ, b, parameter set) in 4 bytes each way, then
  /// party 1 makes the key and sends its seeded public key (uploadBytes()). Both parties call it
  /// once, before anything else that talks. Cost: 1 round trip + 1 message.
  /// @throws ProtocolError naming the peer if its (ℓ, b, set) differ, or naming party 1 on a
  ///         malformed key; CommError.
  void setup();

  /// The layer named in error messages from now on.
  void setName(std::string who) { who_ = std::move(who); }
  const he::HeContext& ctx() const { return ctx_; }
  bool owner() const { return comm_.rank() == 0; }
  size_t ringDegree() const { return ctx_.n(); }
  /// Bytes of one uploaded (seeded) ciphertext: 25 + N·Σ bits/8 (217,113 for kN8192).
  size_t uploadBytes() const;
  /// Bytes of a returned ciphertext read at `outputs` coefficients (trimmed:
  /// ⌈(N + outputs)·Σ_kept/8⌉, Σ_kept the bits of the primes kept, 98 by default; whole: 200,713
  /// by default).
  size_t returnedBytes(size_t outputs) const;
  size_t outLevel() const { return out_level_; }
  const HeRingOptions& ring() const { return ring_; }
  /// t − 1: shares and results are reduced with it.
  uint64_t plainMask() const { return ctx_.plainMask(); }

  /// Party 0: checks every weight against the public bound |w| ≤ 2^b (w as a signed 64-bit
  /// integer). @throws InvalidArgument naming `layer`, the first weight beyond it and the bound.
  void checkWeightBound(std::span<const uint64_t> weights, const std::string& layer) const;

  /// Party 0: a weight polynomial (N coefficients mod 2^64, taken mod 2^ℓ) in the form the
  /// products take (he::preparePlain: k forward NTTs), counted in weightEncodings().
  he::PlainMultiplier encodeWeight(std::span<const uint64_t> poly);
  /// How many weight polynomials encodeWeight has made so far (every layer on this core).
  uint64_t weightEncodings() const { return weight_encodings_; }

  /// Party 1: encrypts every polynomial (N coefficients, taken mod 2^ℓ) and sends them in one
  /// message.
  void sendInputs(const std::vector<std::vector<uint64_t>>& polys);
  /// Party 0: receives `count` input ciphertexts. @throws ProtocolError naming party 1.
  std::vector<he::Ciphertext> receiveInputs(size_t count);

  /// Party 0: the flooding width f for outputs that each sum at most `terms` ct × pt products
  /// with weights of |centered coefficient| ≤ 2^p, p = min(b, ℓ − 1):
  /// B = terms·N·2^p·(η + 1/2) + η·(2N + 1) + 1, f = ⌈40 + log2 N + log2 B⌉ (2^−40 statistical
  /// distance per ciphertext; heFlood in sotto/mpc/ot/he_ring.h).
  /// @throws InvalidArgument, naming `shape`, if f ≥ 190 or the invariant noise
  ///         t·(B + 2^f)/Q + t·(N + 1)/Q_L reaches 1/4 (decryption would fail).
  int floodBits(size_t terms, const std::string& shape) const;

  /// Party 0: completes one output ciphertext (acc: its sum of products, level 0) as the header
  /// says and appends it to `download`; returns R mod 2^ℓ at `reads` (party 0 subtracts them).
  std::vector<uint64_t> respond(he::Ciphertext acc, std::span<const size_t> reads, int flood_bits,
                                std::vector<std::byte>& download);
  /// Party 0: sends the completed ciphertexts in one message.
  void sendOutputs(const std::vector<std::byte>& download);

  /// Party 1: receives one message of ciphertexts, the i-th read at reads[i]; returns the
  /// decrypted coefficients at those positions. @throws ProtocolError naming party 0.
  std::vector<std::vector<uint64_t>> receiveOutputs(const std::vector<std::vector<size_t>>& reads);

  /// For view tests (party 1): keep every decrypted polynomial and its noise budget.
  void keepView(bool on) { keep_view_ = on; }
  const std::vector<std::vector<uint64_t>>& lastDecryptions() const { return last_dec_; }
  const std::vector<double>& lastNoiseBudgets() const { return last_budget_; }

 private:
  he::Ciphertext fromPeer(std::span<const std::byte> bytes, int peer, const char* what) const;
  he::Ciphertext readTrimmed(std::span<const std::byte> bytes, std::span<const size_t> reads) const;

  Communicator& comm_;
  std::string who_;
  HeRingOptions ring_;
  HeLevels levels_;
  he::HeContext ctx_;
  Prg prg_;
  std::optional<he::SecretKey> sk_;          // party 1
  std::optional<he::PreparedPublicKey> pk_;  // party 0
  size_t out_level_ = 0;
  bool trim_ = true;
  bool keep_view_ = false;
  uint64_t weight_encodings_ = 0;
  std::vector<std::vector<uint64_t>> last_dec_;
  std::vector<double> last_budget_;
};

}  // namespace sotto::detail
