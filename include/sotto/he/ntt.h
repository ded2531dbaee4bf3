#pragma once
/// @file ntt.h
/// The negacyclic number-theoretic transform over Z_q[X]/(X^N + 1), q ≡ 1 mod 2N.
/// Forward: Cooley–Tukey, twiddles ψ^{bitrev(k)} (ψ a primitive 2N-th root of unity), output in
/// bit-reversed order; inverse: Gentleman–Sande with ψ^{-bitrev(k)} and the 1/N factor folded in
/// (Longa–Naehrig 2016, Alg. 1–2). Butterflies are Harvey's lazy ones ("Faster arithmetic for
/// number-theoretic transforms", 2014): Shoup products, values kept in [0, 4q) (forward) and
/// [0, 2q) (inverse) and reduced once at the end, hence q < 2^62. Four implementations, chosen at
/// run time from cpuid (never -march=native), each in its own file with its own flags:
///  - portable C++;
///  - AVX2: four 64-bit butterflies per instruction, Shoup products from 32×32 multiplies;
///  - AVX-512 F + DQ: eight per instruction, 64-bit Shoup companions ⌊w·2^64/q⌋;
///  - AVX-512 IFMA (vpmadd52luq/huq): eight per instruction, 52-bit companions ⌊w·2^52/q⌋, for
///    q < 2^50 only. The multiplier reads 52 bits of each operand, and Harvey's bound
///    x·w − ⌊x·w'/2^52⌋·q ∈ [0, 2q) needs x < 2^52: the largest operand is a lazy value < 4q,
///    so 4q ≤ 2^52. Our 49-bit primes (params.h) qualify; the 55–60-bit ones take AVX-512.
/// The vector paths do every stage in vector registers (the spans < 8 by lane permutations in
/// blocks of 16 values) and need N ≥ 16. All give the same bits: each returns reduced values.
///
/// Cost: (N/2)·log2 N Shoup products each way. N = 8192 forward, one thread on this project's
/// Zen 4 host (CPU-time medians of 3 on a loaded machine): IFMA ≈ 12 µs (49-bit q), AVX-512
/// ≈ 23 µs, AVX2 ≈ 50 µs, portable ≈ 80 µs; rows per path in bench/he_bench.cc
/// (`he/ntt/<impl>/<N>/<bits>`, `he/ntt_forward/…`).

#include <cstdint>
#include <span>
#include <vector>

#include "sotto/he/modarith.h"

namespace sotto::he {

/// Which implementation a transform runs (kBest's order is by measurement, bench/he_bench.cc).
enum class NttImpl {
  kBest,      ///< N ≥ 16: IFMA (q < 2^50), else AVX-512, else AVX2; N < 16: portable
  kPortable,  ///< plain C++
  kAvx512,    ///< AVX-512 F + DQ
  kAvx2,      ///< AVX2
  kIfma,      ///< AVX-512 IFMA (with F + DQ), q < 2^50 only
};
// A forced vector path (kAvx2, kAvx512, kIfma) throws NotImplemented naming the CPU feature where
// the build or the CPU lacks it, and InvalidArgument for N < 16 (or q ≥ 2^50 for kIfma).

/// The IFMA path takes q < 2^50 (the argument: file comment).
inline constexpr uint64_t kNttIfmaModulusBound = uint64_t{1} << 50;

/// Whether this build and CPU can run NttImpl::kAvx2, kAvx512, kIfma.
bool nttAvx2Available();
bool nttAvx512Available();
bool nttIfmaAvailable();

/// Precomputed twiddle tables for one prime and one power-of-two degree.
class NttTables {
 public:
  /// @throws InvalidArgument unless n is a power of two ≥ 2, q is prime, q < 2^61, q ≡ 1 mod 2n.
  NttTables(uint64_t n, uint64_t q);

  uint64_t n() const { return n_; }
  const Modulus& modulus() const { return mod_; }
  /// The primitive 2N-th root ψ the tables use.
  uint64_t psi() const { return psi_; }

  /// The implementation NttImpl::kBest runs for this N and q on this CPU.
  NttImpl bestImpl() const;

  /// In place: coefficients (each < q) → evaluations at ψ^{2·bitrev(i)+1}, each < q.
  /// @throws InvalidArgument if a.size() != n, or a forced vector impl with N < 16 (kIfma: or
  /// q ≥ 2^50); NotImplemented for a forced impl this build or CPU lacks.
  void forward(std::span<uint64_t> a, NttImpl impl = NttImpl::kBest) const;
  /// In place: the inverse of forward. Inputs each < q (< 2q accepted); outputs each < q.
  /// @throws as forward.
  void inverse(std::span<uint64_t> a, NttImpl impl = NttImpl::kBest) const;

 private:
  uint64_t n_;
  Modulus mod_;
  uint64_t psi_;
  std::vector<uint64_t> fwd_, fwd_shoup_;  // ψ^{bitrev(k)}
  std::vector<uint64_t> inv_, inv_shoup_;  // ψ^{-bitrev(k)}
  uint64_t n_inv_, n_inv_shoup_;
  uint64_t last_w_, last_w_shoup_;  // ψ^{-bitrev(1)}·N^{-1}: the vector inverse's last stage
  // ⌊w·2^52/q⌋ of the same values, for the IFMA path (empty and 0 unless q < 2^50).
  std::vector<uint64_t> fwd_shoup52_, inv_shoup52_;
  uint64_t n_inv_shoup52_ = 0, last_w_shoup52_ = 0;
};

}  // namespace sotto::he
