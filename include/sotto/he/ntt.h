#pragma once
/// @file ntt.h
/// The negacyclic number-theoretic transform over Z_q[X]/(X^N + 1), q ≡ 1 mod 2N.
/// Forward: Cooley–Tukey, twiddles ψ^{bitrev(k)} (ψ a primitive 2N-th root of unity), output in
/// bit-reversed order; inverse: Gentleman–Sande with ψ^{-bitrev(k)} and the 1/N factor folded in
/// (Longa–Naehrig 2016, Alg. 1–2). Butterflies are Harvey's lazy ones ("Faster arithmetic for
/// number-theoretic transforms", 2014): Shoup products, values kept in [0, 4q) (forward) and
/// [0, 2q) (inverse) and reduced once at the end, hence q < 2^62. Two implementations: portable
/// C++, and AVX-512 F + DQ (eight 64-bit butterflies per instruction, for the stages whose span is
/// ≥ 8), chosen at run time from cpuid; never -march=native. Both give the same bits.
///
/// Cost: (N/2)·log2 N Shoup products each way; N = 8192, 60-bit q: see bench/he_bench.cc.

#include <cstdint>
#include <span>
#include <vector>

#include "sotto/he/modarith.h"

namespace sotto::he {

/// Which implementation a transform runs.
enum class NttImpl {
  kBest,      ///< AVX-512 where the CPU has it (and N ≥ 16), else portable
  kPortable,  ///< plain C++
  kAvx512,    ///< AVX-512 F + DQ; @throws NotImplemented where unavailable
};

/// Whether this build and CPU can run NttImpl::kAvx512.
bool nttAvx512Available();

/// Precomputed twiddle tables for one prime and one power-of-two degree.
class NttTables {
 public:
  /// @throws InvalidArgument unless n is a power of two ≥ 2, q is prime, q < 2^61, q ≡ 1 mod 2n.
  NttTables(uint64_t n, uint64_t q);

  uint64_t n() const { return n_; }
  const Modulus& modulus() const { return mod_; }
  /// The primitive 2N-th root ψ the tables use.
  uint64_t psi() const { return psi_; }

  /// In place: coefficients (each < q) → evaluations at ψ^{2·bitrev(i)+1}, each < q.
  /// @throws InvalidArgument if a.size() != n; NotImplemented for an unavailable impl.
  void forward(std::span<uint64_t> a, NttImpl impl = NttImpl::kBest) const;
  /// In place: the inverse of forward. Inputs each < q (< 2q accepted); outputs each < q.
  /// @throws InvalidArgument if a.size() != n; NotImplemented for an unavailable impl.
  void inverse(std::span<uint64_t> a, NttImpl impl = NttImpl::kBest) const;

 private:
  uint64_t n_;
  Modulus mod_;
  uint64_t psi_;
  std::vector<uint64_t> fwd_, fwd_shoup_;  // ψ^{bitrev(k)}
  std::vector<uint64_t> inv_, inv_shoup_;  // ψ^{-bitrev(k)}
  uint64_t n_inv_, n_inv_shoup_;
};

}  // namespace sotto::he
