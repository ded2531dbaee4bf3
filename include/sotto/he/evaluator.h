#pragma once
/// @file evaluator.h
/// Homomorphic operations of the BFV subset Cheetah needs: ciphertext + ciphertext,
/// ciphertext + plaintext, ciphertext × plaintext polynomial (negacyclic product mod t, in the
/// NTT domain), and modulus switching to the last prime with rounding. No relinearisation, no
/// rotations, no key switching. Noise growth: sotto/he/noise.h. Semi-honest; the results are
/// not circuit-private (sotto/he/encryptor.h says what the next layer must add).

#include <cstdint>
#include <span>
#include <vector>

#include "sotto/he/ciphertext.h"
#include "sotto/he/context.h"

namespace sotto::he {

/// A plaintext multiplier prepared once: its centered lift in NTT form at every prime, with
/// Shoup companions (a weight polynomial is prepared once and applied to many ciphertexts).
struct PlainMultiplier {
  RnsPoly p;                    ///< NTT form, level 0
  std::vector<uint64_t> shoup;  ///< ⌊p·2^64/q_i⌋, same layout as p.data
};

/// Prepares p (N coefficients mod 2^ℓ, lifted to [−t/2, t/2)). Cost: k forward NTTs.
/// @throws InvalidArgument on a wrong size or a coefficient ≥ 2^ℓ.
PlainMultiplier preparePlain(const HeContext& ctx, std::span<const uint64_t> p);

/// ct ← ct × p: decrypts to the negacyclic product m·p mod (X^N + 1, t).
/// Cost: 2·k·N Shoup products, no NTT. Drops ct's seed.
/// @throws InvalidArgument if ct is not of this context.
void multiplyPlainInplace(const HeContext& ctx, Ciphertext& ct, const PlainMultiplier& p);

/// acc ← acc + ct × p without a copy of ct (the inner step of a sum of products, as Cheetah's
/// linear layers compute): decrypts to acc's message plus the negacyclic product of ct's and p
/// mod (X^N + 1, t). An empty acc (no rows, as default-constructed) becomes ct × p.
/// Cost: 2·k·N Shoup products and additions, no NTT. Drops acc's seed.
/// @throws InvalidArgument if ct is not of this context, p is not prepared for it, or a non-empty
///         acc is at another level.
void multiplyPlainAccumulate(const HeContext& ctx, Ciphertext& acc, const Ciphertext& ct,
                             const PlainMultiplier& p);

/// a ← a + b (same level). Drops a's seed. @throws InvalidArgument on a level mismatch.
void addInplace(const HeContext& ctx, Ciphertext& a, const Ciphertext& b);

/// ct ← ct + Δ·m̃ (the plaintext m added under encryption; c1 unchanged, the seed kept).
/// @throws InvalidArgument on a wrong size or a coefficient ≥ 2^ℓ.
void addPlainInplace(const HeContext& ctx, Ciphertext& ct, std::span<const uint64_t> m);

/// ct ← ⌊q_last·ct/Q⌉ at the last level (one prime): the download shrinks to 2·N·⌈log2 q_last⌉
/// bits. Adds ≤ t·(N + 1)/(2·q_last) to the invariant noise. Cost: k inverse NTTs, one forward
/// NTT, ≈ 16k·N word products. Drops the seed.
/// @throws InvalidArgument if ct is already at the last level or ℓ ≥ log2 q_last.
void modSwitchToLastInplace(const HeContext& ctx, Ciphertext& ct);

}  // namespace sotto::he
