#pragma once
// Private: exact ⌊γ·x/Q⌉ mod γ from the residues of x (0 ≤ x < Q), for γ ≤ 2^64.
// With y_i = x_i·(Q/q_i)^{-1} mod q_i, x = Σ y_i·(Q/q_i) − v·Q, so
// γ·x/Q ≡ Σ y_i·γ/q_i (mod γ): the integer parts ⌊y_i·γ/q_i⌋ add mod γ, the fractional parts are
// added as 128-bit fixed-point fractions (error ≤ k·2^-128), and the sum is rounded. Every
// quotient is computed with Shoup-style precomputed constants (multiplications, no division).
// Decryption uses γ = t, modulus switching γ = q_last.

#include <cstdint>
#include <span>

#include "sotto/he/context.h"
#include "sotto/he/rns_poly.h"

namespace sotto::he::detail {

/// out[j] = ⌊γ·x_j/Q_level⌉ mod γ for the coefficient-form polynomial x at its level; γ = 2^64 is
/// passed as gamma_is_2_64. If max_dist is given, it receives max_j |γ·x_j/Q − nearest integer|
/// in units of 2^-128 (the invariant noise of a decryption).
void scaleAndRound(const HeContext& ctx, const RnsPoly& x, uint64_t gamma, bool gamma_is_2_64,
                   std::span<uint64_t> out, u128* max_dist);

}  // namespace sotto::he::detail
