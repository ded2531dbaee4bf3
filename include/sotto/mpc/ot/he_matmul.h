#pragma once
/// @file he_matmul.h
/// HeMatmul: the product of a secret-shared matrix X ∈ Z_2^64^{m×k} (X = X0 + X1 mod 2^64) with
/// the model owner's plaintext weights W ∈ Z_2^64^{k×n}, between two parties, on RLWE with
/// coefficient encoding (no rotations, no key switching). Party 0 is the model owner (holds W),
/// party 1 the data owner (holds the secret key). Each party gets an additive share of X·W.
///
/// Paper: Huang, Lu, Hong, Ding, "Cheetah: Lean and Fast Secure Two-Party Deep Neural Network
/// Inference", USENIX Security 2022, section 3 (π_FC / π_BMM with coefficient encoding).
///
/// Protocol (one round trip after a one-time setup):
///  setup  party 1 draws a ternary key s and sends a seeded public key pk = (−a·s + e, a).
///  1. Blocks (m_w, k_w, n_w) with m_w·k_w·n_w ≤ N (chooseHeMatmulBlocks). For each block of X1
///     party 1 encrypts x̂ = Σ_{r,j} X1[r][j]·X^{r·k_w·n_w + j} (seeded symmetric encryption,
///     message encoded as ⌊Q·m̃/t⌉ rather than Δ·m̃, so the product noise has no t·k term).
///  2. Party 0 forms ŵ = Σ_{i,j} W[j][i]·X^{i·k_w + k_w − 1 − j}; in x̂·ŵ mod X^N + 1 the
///     coefficient r·k_w·n_w + i·k_w + k_w − 1 is Σ_j X1[r][j]·W[j][i] (the wrapped terms land
///     below k_w − 1, the cross terms between read positions).
///     For each output block it computes  ct = Σ_kb ct(x̂_kb)·ŵ_kb + ⌊Q·R/t⌉ + Enc_pk(0) + E,
///     R uniform on all N coefficients (mod 2^64), E uniform on [−2^f, 2^f) (noise flooding),
///     then drops RNS primes (BFV modulus switching with rounding) down to the level
///     `outputLevel()` (two 49-bit primes) and sends back c1 in full and c0 only at the read
///     coefficients (Cheetah's trimmed response).  // y0 = X0·W − R,  y1 = Dec(ct) = X1·W + R
///  3. Party 1 decrypts and reads its share at the fixed coefficients.
///
/// Parameters (default, ℓ = 64 and b = 63): sotto/he/params.h kN8192 (N = 8192, primes of 59,
/// 55, 49, 49 bits, log2 Q ≈ 212, 128-bit security by the HomomorphicEncryption.org table),
/// t = 2^64. N = 4096 (log2 Q ≈ 109) cannot hold it: the flooded noise below needs
/// log2 Q > 64 + 134 + 2. Other rings 2^ℓ and public weight bounds 2^b (HeRingOptions): shares
/// and results mod 2^ℓ, P = 2^min(b, ℓ − 1) below, and the prime set and the response's level
/// of sotto/mpc/ot/he_ring.h (e.g. (64, 20): 3 primes up, 108 bits down; (44, 20): 3 primes
/// up, one 60-bit prime down); every byte count below then follows its formulas.
///
/// Circuit privacy (σ = 40 statistical): the product noise is bounded by
///   B = nkb·N·P·(η + 1/2) + η·(2N + 1) + 1,  P = 2^63 (|centered weight|; 2^min(b, ℓ − 1)
///   with a weight bound), η = 21,
/// nkb = number of k-blocks summed into one output. E is uniform on [−2^f, 2^f) with
/// f = ⌈40 + log2 N + log2 B⌉, so the statistical distance between the noise B-shifted and E is at
/// most N·B/2^f ≤ 2^−40 per ciphertext. B includes the public-key noise e·u + e0 + e1·s, so once
/// it is flooded the fresh ternary u appears only in c1 = Σ a·ŵ + a_pk·u + e1, which is then
/// pseudo-uniform under RLWE (even to party 1, who knows s); R makes every coefficient of the
/// message uniform. So party 1's view of a ciphertext is simulatable from its output share alone:
/// it learns nothing of W beyond it (tests/unit/he_matmul_test.cc checks, on whole ciphertexts,
/// the unread coefficients for two weight sets and the flooded noise width). The trimmed
/// response only withholds coefficients.
/// Modulus switching is then a public function of the ciphertext. Correctness: the invariant
/// noise t·(B + 2^f)/Q + t·(N + 1)/Q_L stays below 1/4 (checked; @throws otherwise).
///
/// Cost (Nct_in = ⌈m/m_w⌉·⌈k/k_w⌉, Nct_out = ⌈m/m_w⌉·⌈n/n_w⌉; the default ℓ and b):
///   setup     4 B each way (ℓ, b and the set, checked), then party 1 → 0: one seeded ciphertext
///             (217,113 B), 1 message.
///   multiply  party 1 → 0: Nct_in·217,113 B; party 0 → 1: Nct_out·100,352 B (c1: 2·N·49 bits)
///             + m·n·98 bits (c0 at the outputs) + ≤ 1 B padding per ciphertext (whole
///             ciphertexts, trim_download off: Nct_out·200,713 B). 1 message each way (1 round
///             trip; each party counts 2 blocking calls).
///   compute   party 1: Nct_in encryptions, Nct_out decryptions; party 0: Nct_in·⌈n/n_w⌉ ct × pt
///             products, Nct_out pk encryptions and switches, and ⌈k/k_w⌉·⌈n/n_w⌉ weight
///             encodings (k NTTs each) when the shape or the weights differ from the last call's
///             or prepare's (kept, with a copy).
/// Security: semi-honest only. Not protected: the shapes m, k, n (public), a malicious party 1
/// (malformed keys or ciphertexts would let it learn W), a malicious party 0 (wrong results),
/// side channels (nothing is constant-time).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/ot/he_session.h"

namespace sotto {

/// Block sizes of the coefficient packing: m_w·k_w·n_w ≤ N.
struct HeMatmulBlocks {
  size_t m_w = 1, k_w = 1, n_w = 1;
  size_t m_blocks = 0, k_blocks = 0, n_blocks = 0;  ///< ⌈m/m_w⌉, ⌈k/k_w⌉, ⌈n/n_w⌉
  size_t inputCiphertexts() const { return m_blocks * k_blocks; }
  size_t outputCiphertexts() const { return m_blocks * n_blocks; }
};

/// The blocks that minimise the bytes moved (upload + download) for an [m, k] × [k, n] product
/// at ring degree n_ring, given the size of one uploaded and one downloaded ciphertext.
/// @throws InvalidArgument if a dimension is 0.
HeMatmulBlocks chooseHeMatmulBlocks(size_t m, size_t k, size_t n, size_t n_ring, size_t up_bytes,
                                    size_t down_bytes);

class HeMatmul {
 public:
  /// Two-party setup over comm (worldSize() == 2; rank 0 model owner, rank 1 data owner): party 1
  /// makes a key and sends its seeded public key. Both parties call it. Cost: 1 message,
  /// 217,113 B from party 1 to party 0.
  /// @throws InvalidArgument if comm does not have 2 parties; CommError; ProtocolError on a
  ///         malformed key from the peer.
  /// trim_download (both parties must agree): return c1 in full but only the read coefficients
  /// of c0 (Cheetah's trimmed response; halves the download). Off: whole ciphertexts (for
  /// tests of party 1's view, which decrypt every coefficient).
  /// ring: the plaintext ring 2^ℓ and the public weight bound 2^b (sotto/mpc/ot/he_ring.h;
  /// both parties the same, checked at setup, which then also costs 4 B each way).
  explicit HeMatmul(Communicator& comm, bool trim_download = true, const HeRingOptions& ring = {});
  /// A layer on a shared session (sotto/mpc/ot/he_session.h): no setup of its own, no message.
  /// @throws InvalidArgument if session is null.
  explicit HeMatmul(std::shared_ptr<HeSession> session);
  ~HeMatmul();
  HeMatmul(const HeMatmul&) = delete;
  HeMatmul& operator=(const HeMatmul&) = delete;

  /// This party's share of X·W mod 2^ℓ ([m, n], row-major, each in [0, 2^ℓ)), from its share
  /// x_share of X ([m, k], row-major, taken mod 2^ℓ) and, on party 0, W ([k, n], row-major;
  /// ignored and may be empty on party 1). Both parties call it with the same m, k, n.
  /// Cost: header (1 round trip).
  /// @throws InvalidArgument on sizes that do not match, a 0 dimension, (party 0) a weight
  ///         beyond the session's bound 2^b (naming the layer, the weight and the bound), or a
  ///         shape whose flooded noise does not fit the parameters (more than ≈ 2^10..2^11
  ///         k-blocks, he_ring.h); ProtocolError naming the peer on a malformed ciphertext;
  ///         CommError.
  std::vector<uint64_t> multiply(std::span<const uint64_t> x_share, std::span<const uint64_t> w,
                                 size_t m, size_t k, size_t n);

  /// The input-independent part of multiply for this shape, done now (the model owner's
  /// one-time work): party 0 encodes W's polynomials (⌈k/k_w⌉·⌈n/n_w⌉ encodings, k forward NTTs
  /// each), which the next multiply of this shape with these weights then reuses; party 1 does
  /// nothing. Local: no message, and either party may call it alone. Results do not change.
  /// @throws InvalidArgument on a 0 dimension or (party 0) weights that are not [k, n].
  void prepare(std::span<const uint64_t> w, size_t m, size_t k, size_t n);
  /// Weight polynomials encoded so far by every layer on this layer's session (for tests).
  uint64_t weightEncodings() const;

  /// The blocks multiply uses for a shape.
  HeMatmulBlocks blocks(size_t m, size_t k, size_t n) const;
  /// Bytes of one uploaded (seeded) ciphertext.
  size_t uploadCiphertextBytes() const;
  /// Bytes of a returned ciphertext carrying `outputs` results: trimmed ⌈(N + outputs)·98/8⌉
  /// (c1 in full, c0 at the read coefficients), else the whole ciphertext, 200,713 B.
  size_t returnedCiphertextBytes(size_t outputs) const;
  /// The part of a returned ciphertext that does not depend on its outputs (what the block
  /// choice weighs): 100,352 B trimmed, 200,713 B whole.
  size_t downloadCiphertextBytes() const;
  /// The RNS level of the returned ciphertexts (primes dropped by modulus switching).
  size_t outputLevel() const;

  /// For tests of party 1's view: while on (default off), party 1 keeps the full decrypted
  /// polynomials (N coefficients each) and the noise budgets (sotto/he/decryptor.h) of the
  /// ciphertexts each multiply receives. Empty on party 0 or when off.
  void keepView(bool on) { keep_view_ = on; }
  const std::vector<std::vector<uint64_t>>& lastDecryptions() const;
  const std::vector<double>& lastNoiseBudgets() const;

 private:
  struct State;
  void checkWeights(std::span<const uint64_t> w, size_t k, size_t n) const;
  void encodeWeights(std::span<const uint64_t> w, size_t m, size_t k, size_t n,
                     const HeMatmulBlocks& b);
  std::unique_ptr<State> st_;
  bool keep_view_ = false;
};

}  // namespace sotto
