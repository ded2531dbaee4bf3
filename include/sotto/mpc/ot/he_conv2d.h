#pragma once
/// @file he_conv2d.h
/// HeConv2d: a 2-D convolution (ONNX Conv: stride, zero padding, dilation, groups) of a
/// secret-shared input X ∈ Z_2^64^{N×C×H×W} (X = X0 + X1 mod 2^64) with the model owner's
/// plaintext kernel K ∈ Z_2^64^{O×C/g×kh×kw} (fixed point as sotto::encode gives it; the result
/// carries the sum of both scales, its truncation is the caller's), between two parties, on RLWE
/// with coefficient encoding (no rotations, no key switching). Party 0 is the model owner (holds
/// K), party 1 the data owner (holds the secret key). Each party gets an additive share of
/// conv(X, K) mod 2^64, [N, O, OH, OW]. Semi-honest.
///
/// Paper: Huang, Lu, Hong, Ding, "Cheetah: Lean and Fast Secure Two-Party Deep Neural Network
/// Inference", USENIX Security 2022, section 3.2 (π_conv, coefficient encoding of a tensor).
///
/// Packing (per image; padding applied to the shares, dilation as a kernel of size
/// k'_h = d_h·(kh − 1) + 1 with zeros between taps):
///  The padded input [C, H_p, W_p] is cut into blocks of (C_w, H_w, W_w) that overlap by k' − 1
///  rows and columns, and the filters into blocks of O_w, with O_w·C_w·H_w·W_w ≤ N. An input
///  block is the polynomial
///    x̂ = Σ_{c,i,j} x[c, i, j]·X^{c·H_w·W_w + i·W_w + j}
///  and a filter block's kernels are encoded reversed about O = (C_w − 1)·H_w·W_w +
///  (k'_h − 1)·W_w + k'_w − 1, filter k of the block shifted by k·B (B = C_w·H_w·W_w):
///    k̂ = Σ_{k,c,i,j} K[k, c, i, j]·X^{O + k·B − c·H_w·W_w − i·d_h·W_w − j·d_w}
///  so coefficient O + k·B + y·W_w + x of x̂·k̂ mod X^N + 1 is filter k's dense (stride 1) output
///  (y, x) of the block, 0 ≤ y ≤ H_w − k'_h, 0 ≤ x ≤ W_w − k'_w; the other products either land
///  between these positions or wrap below O. Channel blocks are summed under encryption; packing
///  several filters (as Cheetah's HomConv packs M_w) keeps small late layers from returning a
///  ciphertext per output channel. Groups: the kernel is taken as block-diagonal [O, C] (zero
///  between groups), and products with an all-zero kernel block are skipped, so depthwise and
///  grouped layers share the packing.
///  Stride s is done by computing the dense output and reading only the positions y ≡ 0 (mod s):
///  simple, but it computes s_h·s_w times the outputs it returns (Cheetah splits the input into
///  s_h·s_w phases instead; not done here).
///  The blocks (C_w, H_w, W_w, O_w) minimise the bytes moved (planHeConv2d).
///
/// Protocol (one round trip after a one-time setup; the machinery HeMatmul shares):
///  setup  party 1 sends a seeded public key (217,113 B).
///  1. Party 1 encrypts each block of its padded share X1 (seeded, message ⌊Q·x̂/t⌉) and sends.
///  2. For each (filter block, image, spatial block) party 0 computes
///     ct = Σ_cb ct(x̂_cb)·k̂_cb + Enc_pk(0) + ⌊Q·R/t⌉ + E, switches it to two primes and
///     returns c1 in full and c0 at the read coefficients.  // y0 = conv(X0, K) − R
///  3. Party 1 decrypts and reads its share at the fixed coefficients.  // y1 = conv(X1, K) + R
///
/// Parameters (default): sotto/he/params.h kN8192 (N = 8192, primes of 59, 55, 49, 49 bits,
/// log2 Q ≈ 212, 128-bit security by the HomomorphicEncryption.org table), t = 2^64. With
/// HeRingOptions (ℓ, b), results mod 2^ℓ, kernel weights bounded by |w| ≤ 2^b (checked), 2^63
/// below replaced by 2^min(b, ℓ − 1), and the set and levels of sotto/mpc/ot/he_ring.h; the byte
/// counts below follow its formulas.
///
/// Circuit privacy (σ = 40 statistical; the argument of he_matmul.h): the product noise is at
/// most B = T·N·2^63·(η + 1/2) + η·(2N + 1) + 1 (η = 21, T the channel blocks summed into one
/// output); E is uniform on [−2^f, 2^f), f = ⌈40 + log2 N + log2 B⌉ (f = 134 for T = 1), so the
/// noise is within 2^−40 of E alone, whatever K; the fresh Enc_pk(0) makes c1 pseudo-uniform
/// under RLWE and R makes every message coefficient uniform. Party 1's view of a returned
/// ciphertext is thus simulatable from its output share: it learns nothing of K beyond it
/// (tests/unit/he_conv2d_test.cc checks the unread coefficients for two kernels).
///
/// Cost (per call; I = N_img·C_b·S input and D = O_b·N_img·S output ciphertexts, C_b = ⌈C/C_w⌉,
/// O_b = ⌈O/O_w⌉, S the spatial blocks; plan() gives them):
///   setup     4 B each way (the ring options), then party 1 → 0: 217,113 B, 1 message (at
///             construction; once per HeSession when layers share one).
///   forward   party 1 → 0: I·217,113 B; party 0 → 1: D·100,352 B + N_img·O·OH·OW·98 bits (c0 at
///             the outputs) + ≤ 1 B per ciphertext (whole ciphertexts without trimming: D·200,713
///             B). 1 message each way (1 round trip).
///   compute   party 1: I encryptions, D decryptions; party 0: ≤ D·C_b ct × pt products, D pk
///             encryptions and modulus switches, one plaintext conv; and ≤ O_b·C_b kernel
///             encodings (k NTTs each) at the first call (or at prepare, before it) and at a
///             call with a different kernel only (the layer keeps them, and a copy of the
///             kernel to compare; the layer at another batch size may share them: shareKernel).
/// Not protected: the shapes (public), a malicious party (as HeMatmul), side channels.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/ot/he_session.h"
#include "sotto/tensor/linear.h"
#include "sotto/tensor/ring_tensor.h"
#include "sotto/tensor/shape.h"

namespace sotto {

/// The block packing of one layer (per image). T = terms.
struct HeConv2dPlan {
  Shape input, weight, output;  ///< [N, C, H, W], [O, C/g, kh, kw], [N, O, OH, OW]
  Conv2dOptions options;
  int64_t padded_h = 0, padded_w = 0;  ///< H + 2·pad_h, W + 2·pad_w
  int64_t kernel_h = 0, kernel_w = 0;  ///< dilated: d·(k − 1) + 1
  int64_t dense_h = 0, dense_w = 0;    ///< stride-1 outputs: padded − kernel + 1
  int64_t c_w = 0, h_w = 0, w_w = 0;   ///< input block
  int64_t o_w = 0;                     ///< filters per kernel polynomial: o_w·c_w·h_w·w_w ≤ N
  int64_t c_blocks = 0, o_blocks = 0, h_blocks = 0, w_blocks = 0;
  int64_t terms = 0;  ///< most channel blocks summed into one output
  int64_t spatialBlocks() const { return h_blocks * w_blocks; }
  /// Dense outputs per block along each axis.
  int64_t denseRowsPerBlock() const { return h_w - kernel_h + 1; }
  int64_t denseColsPerBlock() const { return w_w - kernel_w + 1; }
  /// Ciphertexts each way for the whole batch.
  int64_t inputCiphertexts() const { return input.dim(0) * c_blocks * spatialBlocks(); }
  int64_t outputCiphertexts() const { return input.dim(0) * o_blocks * spatialBlocks(); }
};

/// The packing that minimises the bytes moved (upload + download) for a layer at ring degree
/// n_ring, given the bytes of one uploaded and one returned ciphertext.
/// @throws InvalidArgument naming the shapes if they are not a valid conv (conv2dOutputShape's
///         checks) or if the layer does not fit N: one dilated kernel window of one channel,
///         kernel_h·kernel_w, exceeds n_ring.
HeConv2dPlan planHeConv2d(const Shape& input, const Shape& weight, const Conv2dOptions& options,
                          size_t n_ring, size_t up_bytes, size_t down_bytes);

class HeConv2d {
 public:
  /// A layer of these shapes between the two parties of comm (rank 0 model owner, rank 1 data
  /// owner); plans the packing, checks that the flooded noise fits, then runs the key setup.
  /// Both parties call it with the same arguments. Cost: the setup above.
  /// trim_download as HeMatmul (both parties must agree).
  /// @throws InvalidArgument (before any message) if comm does not have 2 parties or as
  ///         planHeConv2d, naming the shapes; ProtocolError naming party 1 on a malformed key;
  ///         CommError.
  /// ring: the plaintext ring 2^ℓ and the public weight bound 2^b (sotto/mpc/ot/he_ring.h, both
  /// parties the same; checked at setup, 4 B each way).
  HeConv2d(Communicator& comm, const Shape& input, const Shape& weight,
           const Conv2dOptions& options = {}, bool trim_download = true,
           const HeRingOptions& ring = {});
  /// The same layer on a shared session (sotto/mpc/ot/he_session.h): no setup of its own and no
  /// message at construction. @throws InvalidArgument as above, or if session is null.
  HeConv2d(std::shared_ptr<HeSession> session, const Shape& input, const Shape& weight,
           const Conv2dOptions& options = {});
  ~HeConv2d();
  HeConv2d(const HeConv2d&) = delete;
  HeConv2d& operator=(const HeConv2d&) = delete;

  /// This party's share of conv(X, K) mod 2^ℓ (each element in [0, 2^ℓ); ℓ = 64 by default)
  /// from its share of X (the constructor's input shape, taken mod 2^ℓ) and, on party 0, the
  /// kernel (the weight shape; ignored on party 1). Cost: header.
  /// @throws InvalidArgument on shapes that differ from the constructor's or (party 0) a kernel
  ///         weight beyond the session's bound 2^b, naming the layer; ProtocolError naming
  ///         the peer on a malformed or wrong-parameter ciphertext; CommError.
  RingTensor forward(const RingTensor& x_share, const RingTensor& kernel);

  /// The input-independent part of forward, done now (the model owner's one-time work): party 0
  /// encodes the kernel's polynomials (≤ O_b·C_b encodings, k forward NTTs each), which the next
  /// forward with this kernel then reuses; party 1 does nothing (its plan was made at
  /// construction). Local: no message, and either party may call it alone. Results do not change.
  /// @throws InvalidArgument (party 0) if the kernel's shape is not the layer's weight shape.
  void prepare(const RingTensor& kernel);
  /// Party 0: uses the kernel encoding `other` holds (from its prepare or forward), shared, not
  /// copied, so that this layer's next forward with that kernel encodes nothing: for the same
  /// layer at another batch size (the encoding depends on the per-image packing only). Nothing
  /// if `other` has none yet. Local: no message.
  /// @throws InvalidArgument naming both layers if they differ in anything but the batch (the
  ///         weight, options, image shape, packing) or run on different sessions.
  void shareKernel(const HeConv2d& other);
  /// Weight polynomials encoded so far by every layer on this layer's session (for tests).
  uint64_t weightEncodings() const;

  const HeConv2dPlan& plan() const;
  /// True on party 0 (the model owner, who passes the kernel).
  bool isModelOwner() const;
  /// Bytes of one uploaded ciphertext (217,113) and of a returned one read at `outputs`
  /// coefficients.
  size_t uploadCiphertextBytes() const;
  size_t returnedCiphertextBytes(size_t outputs) const;

  /// For view tests, as HeMatmul: party 1 keeps every decrypted polynomial of the last call.
  void keepView(bool on);
  const std::vector<std::vector<uint64_t>>& lastDecryptions() const;
  const std::vector<double>& lastNoiseBudgets() const;
  /// The coefficients party 1 reads in the i-th returned ciphertext of a call.
  const std::vector<size_t>& readPositions(size_t i) const;

 private:
  struct KernelEncoding;
  struct State;
  void init(const Shape& input, const Shape& weight, const Conv2dOptions& options);
  void checkKernel(const RingTensor& kernel) const;
  std::unique_ptr<State> st_;
};

}  // namespace sotto
