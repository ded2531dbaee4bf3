#pragma once
/// @file encryptor.h
/// BFV encryption (Fan–Vercauteren 2012) of a plaintext polynomial with coefficients mod
/// t = 2^ℓ, scaled by Δ = ⌊Q/t⌋ (the FV encoding; not Cheetah's variant): the ciphertext holds
/// Δ·m̃ + v where m̃ is m lifted to [−t/2, t/2) (sotto/he/noise.h: why centered).
///
/// Symmetric: (c0, c1) = (−a·s + e + Δ·m̃, a), a uniform. Seeded: a is the expansion of a fresh
/// 16-byte Prg seed (AES-128-CTR key), which serialisation ships instead of a: half the upload.
/// Public key: (c0, c1) = (b·u + e0, a·u + e1) (+ Δ·m̃), u ternary.
///
/// Security: IND-CPA under RLWE with the parameters of sotto/he/params.h (128-bit), semi-honest
/// model. Not protected here: circuit privacy (a ciphertext that went through products still
/// carries noise that depends on the multiplier; re-randomising, noise flooding and the mask are
/// the next layer's job, issue 17 item 2), malformed keys or ciphertexts from a deviating
/// party, side channels (sampling and arithmetic are not constant-time).
///
/// Cost (N, k primes): symmetric k forward NTTs + k·N products; public key 2k NTTs + 2k·N products.

#include <cstdint>
#include <span>

#include "sotto/crypto/prg.h"
#include "sotto/he/ciphertext.h"
#include "sotto/he/context.h"
#include "sotto/he/keys.h"

namespace sotto::he {

/// Symmetric encryption of m (N coefficients, each < 2^ℓ) at level 0, `a` drawn from prg.
/// @throws InvalidArgument on a wrong size, a coefficient ≥ 2^ℓ, or a key of another shape.
Ciphertext encryptSymmetric(const HeContext& ctx, const SecretKey& sk, std::span<const uint64_t> m,
                            Prg& prg);

/// The same, with `a` expanded from a fresh seed drawn from prg; the ciphertext keeps the seed.
/// @throws as encryptSymmetric.
Ciphertext encryptSymmetricSeeded(const HeContext& ctx, const SecretKey& sk,
                                  std::span<const uint64_t> m, Prg& prg);

/// The same for a message already encoded as coefficients at level 0 (Δ·m̃, or another encoding
/// such as Cheetah's ⌊Q·m̃/t⌉): c0 = NTT(e + encoded) − a·s, k forward NTTs (encoding m and
/// encrypting zero first: 3k). The prg draws of encryptSymmetricSeeded. @throws InvalidArgument
/// if encoded is not a level-0 polynomial of this context, or on a key of another shape.
Ciphertext encryptSymmetricSeededEncoded(const HeContext& ctx, const SecretKey& sk, RnsPoly encoded,
                                         Prg& prg);

/// A public-key encryption of zero at `level` (0, or ctx.lastLevel() to re-randomise a
/// mod-switched ciphertext). @throws InvalidArgument on a level outside the context.
Ciphertext encryptZero(const HeContext& ctx, const PublicKey& pk, Prg& prg, size_t level = 0);

/// ct (NTT form) plus a fresh public-key encryption of zero at ct's level, returned in
/// coefficient form: the ciphertext (and the prg draws) of addInplace(ct, encryptZero(ctx, pk,
/// prg, ct.level())) followed by fromNtt of both parts, but the errors e0, e1 are added as
/// coefficients. For a caller that goes on in coefficient form (noise flooding, modulus
/// switching). Cost: k forward and 2k inverse NTTs (the sum then fromNtt: 3k forward, 2k
/// inverse). Drops the seed. @throws InvalidArgument if ct or pk is not of this context.
void rerandomizeToCoefficients(const HeContext& ctx, const PublicKey& pk, Prg& prg, Ciphertext& ct);
/// The same with the key's Shoup companions (preparePlain's kind of product: no reduction of the
/// 128-bit product). Bit-identical results.
void rerandomizeToCoefficients(const HeContext& ctx, const PreparedPublicKey& key, Prg& prg,
                               Ciphertext& ct);

/// A public-key encryption of m at level 0. @throws as encryptSymmetric.
Ciphertext encryptPublic(const HeContext& ctx, const PublicKey& pk, std::span<const uint64_t> m,
                         Prg& prg);

/// The uniform polynomial (NTT form, level 0) a seed expands to (what the receiver of a seeded
/// ciphertext recomputes).
RnsPoly expandSeed(const HeContext& ctx, const Prg::Seed& seed);

/// Δ·m̃ in NTT form at `level`. @throws InvalidArgument on a wrong size or a coefficient ≥ 2^ℓ.
RnsPoly encodeScaled(const HeContext& ctx, std::span<const uint64_t> m, size_t level = 0);

}  // namespace sotto::he
