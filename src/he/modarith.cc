#include "sotto/he/modarith.h"

#include <bit>

#include "sotto/error.h"

namespace sotto::he {

Modulus::Modulus(uint64_t q) : q_(q), bits_(static_cast<int>(std::bit_width(q))) {
  SOTTO_ENFORCE(q >= 2 && q < (uint64_t{1} << 61), "Modulus: q must be in [2, 2^61), got ", q);
  // ⌊2^128 / q⌋ = ⌊(2^128 − 1) / q⌋ since q is not a power of two dividing 2^128 (q odd or 2).
  const u128 all = ~u128{0};
  const u128 mu = all / q + ((all % q) + 1 == q ? 1 : 0);
  mu_hi_ = static_cast<uint64_t>(mu >> 64);
  mu_lo_ = static_cast<uint64_t>(mu);
}

uint64_t Modulus::pow(uint64_t a, uint64_t e) const {
  uint64_t r = 1 % q_, b = a % q_;
  while (e != 0) {
    if ((e & 1) != 0) r = mul(r, b);
    b = mul(b, b);
    e >>= 1;
  }
  return r;
}

uint64_t Modulus::inv(uint64_t a) const {
  SOTTO_ENFORCE(a % q_ != 0, "Modulus: 0 has no inverse mod ", q_);
  return pow(a, q_ - 2);
}

bool isPrime64(uint64_t n) {
  constexpr uint64_t kBases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (uint64_t p : kBases) {
    if (n % p == 0) return n == p;
  }
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  const auto mulmod = [n](uint64_t a, uint64_t b) {
    return static_cast<uint64_t>(static_cast<u128>(a) * b % n);
  };
  for (uint64_t a : kBases) {
    uint64_t x = 1, b = a, e = d;
    while (e != 0) {
      if ((e & 1) != 0) x = mulmod(x, b);
      b = mulmod(b, b);
      e >>= 1;
    }
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < s && composite; ++r) {
      x = mulmod(x, x);
      if (x == n - 1) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

}  // namespace sotto::he
