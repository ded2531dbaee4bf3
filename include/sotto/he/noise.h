#pragma once
/// @file noise.h
/// Noise analysis of the BFV subset, worst case (no heuristics), and the plaintext widths
/// ℓ (t = 2^ℓ) each parameter set supports with correct decryption.
///
/// Invariant noise (Fan–Vercauteren 2012): with x = c0 + c1·s mod Q, t·x/Q = m + ν (mod t);
/// decryption rounds, so it is correct iff ‖ν‖∞ < 1/2; the noise budget is −log2(2‖ν‖∞) bits.
/// Encoding: m is lifted centered, m̃ ∈ [−t/2, t/2), and x = Δ·m̃ + v with Δ = ⌊Q/t⌋;
/// r_t = Q mod t < t. Then t·x/Q = m̃ − m̃·r_t/Q + t·v/Q, so
///     ‖ν‖ ≤ t·(t/2 + ‖v‖)/Q.                                               (1)
/// Fresh noise, η = 21 (|e| ≤ η), ternary s and u:
///   symmetric   v = e                         ‖v‖ ≤ η
///   public key  v = e·u + e0 + e1·s           ‖v‖ ≤ η·(2N + 1)           =: B
/// Product with a plaintext p, centered with ‖p‖∞ ≤ P: m̃·p = [m̃·p]_t + t·k with
/// ‖k‖ ≤ N·P/2 + 1/2, and Δ·t ≡ −r_t (mod Q), so x·p = Δ·[m̃·p]_t + v' with
///     ‖v'‖ ≤ N·P·‖v‖ + t·(N·P/2 + 1/2).                                      (2)
/// With (1) the dominant term is t²·N·P/(2Q): full-width plaintexts (P = t/2) need
/// 3ℓ + log2 N − 1 < log2 Q.
/// Modulus switching to the last prime q_L (x' = ⌊q_L·x/Q⌉ per component) adds t·ε/q_L to ν with
/// ‖ε‖ ≤ (1 + N)/2 (rounding of c0 and of c1 times a ternary s):
///     ‖ν''‖ ≤ ‖ν‖ + t·(N + 1)/(2·q_L).                                       (3)
///
/// What follows from (1)–(3), worst case, for the sets of params.h (maxPlainBits below computes
/// it; tests/he/noise_test.cc asserts it, tests/he/bfv_test.cc runs the ℓ it claims):
///   set          log2 Q   fresh (pk)  × full-width pt  × pt, |p| ≤ 2^8  switched to q_L (49 b)
///   n4096_q109   108.99   ℓ ≤ 54      ℓ ≤ 32           ℓ ≤ 44          ℓ ≤ 36
///   n8192_q212   211.99   ℓ ≤ 64      ℓ ≤ 64           ℓ ≤ 64          ℓ ≤ 35
///   n8192_q168   168.00   ℓ ≤ 64      ℓ ≤ 51           ℓ ≤ 64          ℓ ≤ 40 (54 b)
///   n8192_q150   150.00   ℓ ≤ 64      ℓ ≤ 45           ℓ ≤ 64          ℓ ≤ 46 (60 b)
/// So: ℓ = 32 on n4096 for everything here; ℓ = 44 on n4096 for encryption and small
/// (|p| ≤ 2^8) plaintext multipliers, or on n8192 for full-width ones; ℓ = 64 on n8192, but not
/// through modulus switching to one 49-bit prime (that needs the next layer to keep more primes
/// or to accept the low bits as noise, as Cheetah's truncated download does).
/// The linear layers of mpc/ot do not use Δ-encoding nor this table's product rows: they encode
/// ⌊Q·m/t⌉, flood, and keep more than one prime where needed; sotto/mpc/ot/he_ring.h has their
/// analysis (which set and which output level for a plaintext width ℓ and a weight bound).

#include "sotto/he/params.h"

namespace sotto::he {

/// What a ciphertext has been through before decryption (worst-case bounds above).
struct NoiseCase {
  bool public_key = true;  ///< fresh noise of a public-key encryption (else symmetric)
  int plain_bits_p = -1;   ///< log2 of the multiplier's bound P; −1: no product; 0 ≤ … ≤ 64
  bool mod_switched = false;  ///< switched to the last prime at the end
};

/// The worst-case ‖ν‖∞ of (1)–(3) for t = 2^ell (< 1/2 means correct decryption).
double invariantNoiseBound(const RingParams& ring, int ell, const NoiseCase& c);

/// The largest ℓ ≤ 64 whose bound is below 1/2 (0 if none).
int maxPlainBits(const RingParams& ring, const NoiseCase& c);

}  // namespace sotto::he
