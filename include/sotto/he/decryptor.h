#pragma once
/// @file decryptor.h
/// BFV decryption: m = ⌊t·(c0 + c1·s)/Q⌉ mod t, computed exactly from the RNS residues (no
/// multiprecision: integer parts and 128-bit fixed-point fractions, see src/he/rns_round.h).
/// Correct while the invariant noise stays below 1/2 (sotto/he/noise.h).
/// Cost: k inverse NTTs and ≈ 8k·N word products (no division).

#include <cstdint>
#include <vector>

#include "sotto/he/ciphertext.h"
#include "sotto/he/context.h"
#include "sotto/he/keys.h"

namespace sotto::he {

/// The plaintext polynomial of ct: N coefficients in [0, 2^ℓ).
/// @throws InvalidArgument if ct or sk is not of this context's shape.
/// `c0_coefficients`: ct.c0 holds coefficients, not NTT evaluations (c1 in NTT form as always;
/// what the receiver of Cheetah's trimmed response holds): k forward NTTs fewer than converting it.
std::vector<uint64_t> decrypt(const HeContext& ctx, const SecretKey& sk, const Ciphertext& ct,
                              bool c0_coefficients = false);

/// The noise budget of ct in bits: −log2(2‖ν‖∞) (0 or less: decryption is no longer reliable),
/// capped at 127; c0_coefficients as for decrypt. @throws as decrypt.
double noiseBudget(const HeContext& ctx, const SecretKey& sk, const Ciphertext& ct,
                   bool c0_coefficients = false);

}  // namespace sotto::he
