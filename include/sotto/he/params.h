#pragma once
/// @file params.h
/// The RLWE parameter sets Sotto uses, and the security table they are checked against. This is
/// the one header that holds every security parameter of the he/ layer.
///
/// Source of the bounds: M. Albrecht et al., "Homomorphic Encryption Security Standard",
/// HomomorphicEncryption.org, Toronto, November 2018, Table 1 (128-bit classical security,
/// ternary secret, error of standard deviation ≈ 3.2): log2 q ≤ 109 for N = 4096, ≤ 218 for
/// N = 8192, ≤ 438 for N = 16384. tests/he/params_test.cc asserts every set below lies inside it.
///
/// Distributions (both drawn from the AES-128-CTR Prg of crypto/prg.h, seeded from the OS):
///  - secret key: uniform ternary, each coefficient in {-1, 0, 1} with probability 1/3;
///  - error: centered binomial with η = 21 (Σ 21 bits − Σ 21 bits): σ = √(η/2) ≈ 3.24, the
///    standard's σ ≈ 3.2, with the hard bound |e| ≤ 21 that the noise analysis uses.
///
/// Plaintext modulus t = 2^ℓ (1 ≤ ℓ ≤ 64). Which ℓ each set supports is derived in
/// sotto/he/noise.h.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sotto::he {

/// Largest log2(q) at 128-bit classical security, ternary secret (Albrecht et al. 2018, Table 1).
/// Returns 0 for a ring degree outside the table.
constexpr int maxLogQ128(uint64_t n) {
  switch (n) {
    case 1024:
      return 27;
    case 2048:
      return 54;
    case 4096:
      return 109;
    case 8192:
      return 218;
    case 16384:
      return 438;
    case 32768:
      return 881;
    default:
      return 0;
  }
}

/// Centered binomial parameter of the error distribution (σ = √(η/2) ≈ 3.24; |e| ≤ η).
inline constexpr int kErrorEta = 21;

/// The parameter sets in use. The value is the id written in serialised ciphertexts.
enum class ParamSet : uint8_t {
  /// N = 4096, q = q0·q1 with a 60-bit and a 49-bit prime (log q < 109): Cheetah's set.
  kN4096 = 1,
  /// N = 8192, four primes of 59, 55, 49, 49 bits (log q < 212): room for t = 2^64 products.
  kN8192 = 2,
  /// N = 8192, three primes of 60, 54, 54 bits (log q < 168): t = 2^64 with public weight bounds
  /// up to ≈ 2^20 (sotto/mpc/ot/he_ring.h); the response keeps the two 54-bit primes.
  kN8192Q168 = 3,
  /// N = 8192, three primes of 45, 45, 60 bits (log q < 150): t = 2^44 with weight bounds up to
  /// ≈ 2^20 (sotto/mpc/ot/he_ring.h); the response keeps the 60-bit prime alone.
  kN8192Q150 = 4,
};

/// A parameter set: ring degree and RNS primes (each ≡ 1 mod 2N, < 2^61, distinct).
/// The last prime is the one modulus switching keeps (sotto/he/evaluator.h).
struct RingParams {
  ParamSet id;
  std::string_view name;
  uint64_t n;
  std::span<const uint64_t> primes;
};

namespace detail {
// Each ≡ 1 mod 2^15 (so NTT-friendly up to N = 16384), found by descending search below 2^bits.
inline constexpr uint64_t kPrimesN4096[] = {0xffffffffffe8001ULL,       // 60 bits
                                            0x1fffffff68001ULL};        // 49 bits
inline constexpr uint64_t kPrimesN8192[] = {0x7fffffffff18001ULL,       // 59 bits
                                            0x7fffffffe90001ULL,        // 55 bits
                                            0x1fffffff68001ULL,         // 49 bits
                                            0x1fffffff50001ULL};        // 49 bits
inline constexpr uint64_t kPrimesN8192Q168[] = {0xffffffffffd8001ULL,   // 60 bits
                                                0x3fffffffef8001ULL,    // 54 bits
                                                0x3fffffffeb8001ULL};   // 54 bits
inline constexpr uint64_t kPrimesN8192Q150[] = {0x1ffffff18001ULL,      // 45 bits
                                                0x1fffffee8001ULL,      // 45 bits
                                                0xffffffffffc0001ULL};  // 60 bits
}  // namespace detail

/// The ring parameters of a set. @throws InvalidArgument for an unknown id.
RingParams ringParams(ParamSet id);

/// Every parameter set in use (what the security test walks).
std::vector<RingParams> allRingParams();

}  // namespace sotto::he
