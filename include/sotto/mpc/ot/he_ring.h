#pragma once
/// @file he_ring.h
/// The plaintext ring t = 2^ℓ and the public weight bound P = 2^b of the homomorphic linear
/// layers (HeMatmul, HeConv2d, HeBatchNorm on a HeSession), and the RLWE levels that follow from
/// them: which parameter set the data owner's ciphertexts are uploaded in and how many primes
/// the model owner's response keeps after modulus switching. Semi-honest, as the layers.
/// Paper: Huang, Lu, Hong, Ding, "Cheetah", USENIX Security 2022, sections 3 and 5 (Cheetah works
/// in 2^37..2^44 with small fixed-point weights for the same reasons).
///
/// The bound b is a public, documented constant of the session (never derived from the weights'
/// values, which would leak them): every weight, taken as a signed integer (two's complement of
/// its 64-bit fixed-point encoding), must satisfy |w| ≤ 2^b, else the layer throws
/// InvalidArgument naming itself and the bound. E.g. b = 20 with 12 fractional bits: |w| ≤ 256.
/// With ℓ < 64 the weights are reduced mod 2^ℓ as well, so the bound used below is
/// p = min(b, ℓ − 1) bits.
///
/// Noise analysis (the layers' encoding ⌊Q·m/t⌉ leaves no t·k term in a product; η = 21, the
/// fresh public-key noise η·(2N + 1), T the products summed into one output):
///   B = T·N·2^p·(η + 1/2) + η·(2N + 1) + 1            product + re-randomisation noise
///   f = ⌈40 + log2 N + log2 B⌉                         flood E uniform on [−2^f, 2^f): the
///                                                      noise is within N·B/2^f ≤ 2^−40 of E
///   t·(B + 2^f)/Q + t·(N + 1)/Q_L < 1/4                correct decryption after switching to Q_L
/// so the upload needs log2 Q > ℓ + f + 2 (plus the switching term) and the response log2 Q_L >
/// ℓ + log2 N + 2. chooseHeLevels takes the smallest upload set of the N = 8192 sets (params.h)
/// that holds T up to 2^kHeMaxTermsLog2, then the fewest last primes for the response:
///   (ℓ, b)     f (T = 1)   upload set (log2 Q)          response keeps          T allowed
///   (64, 63)   134         n8192_q212 (59+55+49+49)     2 primes (49+49 = 98)   ≤ 2^11
///   (64, 20)   91          n8192_q168 (60+54+54)        2 primes (54+54 = 108)  ≤ 2^10
///   (44, 20)   91          n8192_q150 (45+45+60)        1 prime  (60)           ≤ 2^11
///   (44, 63)   114         n8192_q212                   2 primes (98)           ≤ 2^51
/// Bytes (sotto/he/serialize.h; Σ bits over the primes): an uploaded seeded ciphertext
/// 25 + N·Σ_upload/8 (217,113 / 172,057 / 153,625 B for the three sets), a trimmed response
/// ⌈(N + outputs)·Σ_kept/8⌉ (c1 alone: 100,352 / 110,592 / 61,440 B at 98 / 108 / 60 bits).
/// (tests/unit/he_ring_test.cc asserts these rows.) The bound B uses N for the number of nonzero
/// weight coefficients; the weight polynomial's actual nonzero count would be tighter (not done).
/// N = 4096 (log2 Q ≤ 109 at 128 bits) cannot hold a useful ring: with b = 20,
/// f = ⌈40 + 12 + 12 + 20 + 4.43⌉ = 89, so ℓ + 89 + 2 < 109 needs ℓ ≤ 17 (ℓ ≤ 19 counting
/// p = ℓ − 1 < b there), and even b = 8 gives ℓ ≤ 29: not the 37..44 bits fixed-point inference
/// needs, whatever the response keeps.
///
/// Results and shares are mod 2^ℓ (inputs are reduced mod 2^ℓ, outputs lie in [0, 2^ℓ)); the
/// conversion to and from the 2^64 ring of the rest of the library is the caller's.

#include <cstddef>

#include "sotto/he/params.h"

namespace sotto {

/// The ring and the weight bound of a HeSession; both parties must use the same.
struct HeRingOptions {
  int plain_bits = 64;   ///< ℓ: shares and results mod 2^ℓ, 2 ≤ ℓ ≤ 64
  int weight_bits = 63;  ///< b: every weight has |w| ≤ 2^b (signed 64-bit), 1 ≤ b ≤ 63
  bool operator==(const HeRingOptions&) const = default;
};

/// The dealer-free path's default (makeOtProtocol, ProtocolOptions::he): the 64-bit ring with
/// weights |w| ≤ 2^20 (16 at the default 16 fractional bits, 256 at 12): 3 upload primes instead
/// of 4. Measured against (64, 63) and (44, 20) end to end (examples, one host, batch 1, Ferret):
/// AlexNet-CIFAR 0.38-0.39 s / 17.1 MB / 94 rounds against 0.47-0.51 s / 18.1 MB / 94 and
/// 0.44-0.57 s / 13.0 MB / 142 (the 44-bit ring's results extended to 2^64 after every layer:
/// 8 rounds each); LeNet5 0.060 s / 2.56 MB / 75 against 0.088-0.095 / 2.73 / 75 and
/// 0.106 / 2.28 / 115. The 44-bit ring saves bytes but its extension's rounds cost more time.
inline constexpr HeRingOptions kDealerFreeHeRing{64, 20};

/// The T that chooseHeLevels provides for: outputs summing up to 2^10 products.
inline constexpr int kHeMaxTermsLog2 = 10;

/// The RLWE levels of a session.
struct HeLevels {
  he::ParamSet set = he::ParamSet::kN8192;  ///< the upload's parameter set (level 0)
  size_t out_level = 0;                     ///< the response's level (primes out_level..k−1 kept)
};

/// The flooding of one output ciphertext: its width f and the invariant noise bound after
/// switching (must be < 1/4).
struct HeFlood {
  int flood_bits = 0;
  double invariant = 0;
};

/// f and the bound of the analysis above for `terms` products per output at these levels.
/// @throws InvalidArgument if options are out of range or out_level is not a level of the set.
HeFlood heFlood(const HeRingOptions& options, const HeLevels& levels, double terms);

/// The levels for (ℓ, b) as above: no communication. @throws InvalidArgument naming ℓ and b if
/// they are out of range or no N = 8192 set holds them.
HeLevels chooseHeLevels(const HeRingOptions& options);

}  // namespace sotto
