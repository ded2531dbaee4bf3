#pragma once
/// @file context.h
/// HeContext: one parameter set (sotto/he/params.h) with a plaintext modulus t = 2^ℓ, and
/// everything precomputed from them: NTT tables per prime, and for every RNS level the CRT
/// constants and the BFV scale Δ = ⌊Q/t⌋ (Fan–Vercauteren 2012, "Somewhat practical fully
/// homomorphic encryption", ePrint 2012/144). A level is a suffix of the prime list: level 0
/// holds every prime, level k−1 only the last one (where modulus switching lands).
/// Immutable once built; share one context between threads freely.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sotto/he/modarith.h"
#include "sotto/he/ntt.h"
#include "sotto/he/params.h"

namespace sotto::he {

class HeContext {
 public:
  /// Precomputes tables (a few ms at N = 8192).
  /// @throws InvalidArgument unless 1 ≤ plain_bits ≤ 64.
  HeContext(ParamSet set, int plain_bits);

  const RingParams& ring() const { return ring_; }
  ParamSet paramSet() const { return ring_.id; }
  uint64_t n() const { return ring_.n; }
  /// Number of RNS primes at level 0.
  size_t primeCount() const { return mods_.size(); }
  /// Index of the level that holds only the last prime.
  size_t lastLevel() const { return mods_.size() - 1; }
  const Modulus& modulus(size_t i) const { return mods_[i]; }
  const NttTables& ntt(size_t i) const { return ntts_[i]; }
  /// ℓ with t = 2^ℓ.
  int plainBits() const { return plain_bits_; }
  /// t − 1 (the mask of a plaintext coefficient).
  uint64_t plainMask() const {
    return plain_bits_ == 64 ? ~uint64_t{0} : (uint64_t{1} << plain_bits_) - 1;
  }

  /// ⌊Q_level / t⌋ mod q_i, where Q_level is the product of primes level..k−1 and i ≥ level.
  uint64_t delta(size_t level, size_t i) const { return delta_[level][i]; }
  /// (Q_level / q_i)^{-1} mod q_i for i ≥ level.
  uint64_t puncturedInverse(size_t level, size_t i) const { return punct_inv_[level][i]; }
  /// log2(Q_level), for noise reports.
  double logQ(size_t level) const { return log_q_[level]; }

 private:
  RingParams ring_;
  int plain_bits_;
  std::vector<Modulus> mods_;
  std::vector<NttTables> ntts_;
  std::vector<std::vector<uint64_t>> delta_, punct_inv_;
  std::vector<double> log_q_;
};

}  // namespace sotto::he
