#pragma once
/// @file modarith.h
/// Word-sized modular arithmetic for the RNS primes (q < 2^61): 128-bit products
/// (unsigned __int128), Barrett reduction with a two-word constant ⌊2^128/q⌋, Shoup's
/// precomputation for a fixed multiplicand (Harvey 2014, "Faster arithmetic for
/// number-theoretic transforms", J. Symb. Comput. 60), and a deterministic Miller–Rabin test.

#include <cstdint>

namespace sotto::he {

__extension__ typedef unsigned __int128 u128;  // __extension__: GCC/Clang type, -Wpedantic

/// A prime modulus q < 2^61 with its Barrett constant ⌊2^128/q⌋ (two words).
class Modulus {
 public:
  /// @throws InvalidArgument unless 2 ≤ q < 2^61.
  explicit Modulus(uint64_t q);

  uint64_t value() const { return q_; }
  /// Bits of q: ⌈log2(q + 1)⌉.
  int bits() const { return bits_; }

  /// x mod q for any 128-bit x (Barrett; the quotient estimate is off by at most 3).
  uint64_t reduce(u128 x) const {
    const uint64_t xl = static_cast<uint64_t>(x), xh = static_cast<uint64_t>(x >> 64);
    const u128 ll = static_cast<u128>(xl) * mu_lo_;
    const u128 lh = static_cast<u128>(xl) * mu_hi_;
    const u128 hl = static_cast<u128>(xh) * mu_lo_;
    const u128 mid = (ll >> 64) + static_cast<uint64_t>(lh) + static_cast<uint64_t>(hl);
    const uint64_t quot = xh * mu_hi_ + static_cast<uint64_t>(lh >> 64) +
                          static_cast<uint64_t>(hl >> 64) + static_cast<uint64_t>(mid >> 64);
    uint64_t r = xl - quot * q_;
    while (r >= q_) r -= q_;
    return r;
  }
  /// Shoup's companion ⌊w·2^64/q⌋ of w < q, as shoupPrecompute but with no 128-bit division:
  /// the Barrett estimate w·⌊μ_hi⌋ + ⌊w·μ_lo/2^64⌋ (μ = ⌊2^128/q⌋) is at most 2 below, then
  /// corrected.
  uint64_t shoup(uint64_t w) const {
    uint64_t est = w * mu_hi_ + static_cast<uint64_t>((static_cast<u128>(w) * mu_lo_) >> 64);
    u128 r = (static_cast<u128>(w) << 64) - static_cast<u128>(est) * q_;
    for (; r >= q_; r -= q_) ++est;
    return est;
  }
  /// a·b mod q.
  uint64_t mul(uint64_t a, uint64_t b) const { return reduce(static_cast<u128>(a) * b); }
  /// a + b mod q for a, b < q.
  uint64_t add(uint64_t a, uint64_t b) const {
    const uint64_t s = a + b;
    return s >= q_ ? s - q_ : s;
  }
  /// a − b mod q for a, b < q.
  uint64_t sub(uint64_t a, uint64_t b) const { return a >= b ? a - b : a + q_ - b; }
  /// −a mod q for a < q.
  uint64_t neg(uint64_t a) const { return a == 0 ? 0 : q_ - a; }
  /// a^e mod q.
  uint64_t pow(uint64_t a, uint64_t e) const;
  /// a^{-1} mod q (q prime). @throws InvalidArgument if a ≡ 0.
  uint64_t inv(uint64_t a) const;
  /// A signed value's residue.
  uint64_t fromSigned(int64_t v) const {
    if (v >= 0) return static_cast<uint64_t>(v) % q_;
    return neg((uint64_t{0} - static_cast<uint64_t>(v)) % q_);
  }

 private:
  uint64_t q_;
  int bits_;
  uint64_t mu_hi_, mu_lo_;
};

/// Shoup's companion of a fixed multiplicand w < q: ⌊w·2^64/q⌋.
inline uint64_t shoupPrecompute(uint64_t w, uint64_t q) {
  return static_cast<uint64_t>((static_cast<u128>(w) << 64) / q);
}

/// x·w mod q up to one q: the result is in [0, 2q) for any 64-bit x (Harvey 2014, Alg. 2).
inline uint64_t mulShoupLazy(uint64_t x, uint64_t w, uint64_t w_shoup, uint64_t q) {
  const uint64_t hi = static_cast<uint64_t>((static_cast<u128>(x) * w_shoup) >> 64);
  return x * w - hi * q;
}

/// x·w mod q, fully reduced.
inline uint64_t mulShoup(uint64_t x, uint64_t w, uint64_t w_shoup, uint64_t q) {
  const uint64_t r = mulShoupLazy(x, w, w_shoup, q);
  return r >= q ? r - q : r;
}

/// Deterministic Miller–Rabin for every 64-bit n (bases: the first twelve primes).
bool isPrime64(uint64_t n);

}  // namespace sotto::he
