#include "sotto/he/noise.h"

#include <cmath>

#include "sotto/error.h"

namespace sotto::he {

double invariantNoiseBound(const RingParams& ring, int ell, const NoiseCase& c) {
  SOTTO_ENFORCE(ell >= 1 && ell <= 64, "invariantNoiseBound: ℓ must be in [1, 64], got ", ell);
  SOTTO_ENFORCE(c.plain_bits_p <= 64, "invariantNoiseBound: P bits must be ≤ 64");
  long double log_q = 0;
  for (uint64_t q : ring.primes) log_q += std::log2(static_cast<long double>(q));
  const long double q = std::exp2(log_q), t = std::exp2(static_cast<long double>(ell));
  const long double n = static_cast<long double>(ring.n), eta = kErrorEta;
  long double v = c.public_key ? eta * (2 * n + 1) : eta;
  if (c.plain_bits_p >= 0) {
    const long double p = std::exp2(static_cast<long double>(c.plain_bits_p));
    v = n * p * v + t * (n * p / 2 + 0.5L);  // (2)
  }
  long double nu = t * (t / 2 + v) / q;  // (1)
  if (c.mod_switched) {
    nu += t * (n + 1) / (2 * static_cast<long double>(ring.primes.back()));  // (3)
  }
  return static_cast<double>(nu);
}

int maxPlainBits(const RingParams& ring, const NoiseCase& c) {
  int best = 0;
  for (int ell = 1; ell <= 64; ++ell) {
    if (invariantNoiseBound(ring, ell, c) < 0.5) best = ell;
  }
  return best;
}

}  // namespace sotto::he
