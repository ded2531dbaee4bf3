// The levels of the homomorphic linear layers for a ring 2^ℓ and a weight bound 2^b
// (sotto/mpc/ot/he_ring.h).
#include "sotto/mpc/ot/he_ring.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "sotto/error.h"

namespace sotto {

namespace {

constexpr double kStatSec = 40;     // σ of the noise flooding
constexpr int kMaxFloodBits = 190;  // the flood sampler's three limbs

void checkOptions(const HeRingOptions& o) {
  SOTTO_ENFORCE(o.plain_bits >= 2 && o.plain_bits <= 64,
                "HeRingOptions: the plaintext ring 2^ℓ needs 2 ≤ ℓ ≤ 64, got ℓ = ", o.plain_bits);
  SOTTO_ENFORCE(o.weight_bits >= 1 && o.weight_bits <= 63,
                "HeRingOptions: the weight bound 2^b needs 1 ≤ b ≤ 63, got b = ", o.weight_bits);
}

double log2Product(std::span<const uint64_t> primes) {
  double bits = 0;
  for (uint64_t q : primes) bits += std::log2(static_cast<double>(q));
  return bits;
}

}  // namespace

HeFlood heFlood(const HeRingOptions& options, const HeLevels& levels, double terms) {
  checkOptions(options);
  const he::RingParams ring = he::ringParams(levels.set);
  SOTTO_ENFORCE(levels.out_level < ring.primes.size(), "heFlood: level ", levels.out_level, " of ",
                ring.name, " which has ", ring.primes.size(), " primes");
  const double big_n = static_cast<double>(ring.n), eta = he::kErrorEta;
  const int p = std::min(options.weight_bits, options.plain_bits - 1);
  // B = T·N·2^p·(η + 1/2) + η·(2N + 1) + 1
  const double log2_b =
      std::log2(terms * big_n * std::ldexp(1.0, p) * (eta + 0.5) + eta * (2 * big_n + 1) + 1);
  HeFlood out;
  out.flood_bits = static_cast<int>(std::ceil(kStatSec + std::log2(big_n) + log2_b));
  // t·(B + 2^f)/Q + t·(N + 1)/Q_L
  const double ell = options.plain_bits, log_q = log2Product(ring.primes),
               log_ql = log2Product(ring.primes.subspan(levels.out_level));
  out.invariant = std::exp2(ell + log2_b - log_q) + std::exp2(ell + out.flood_bits - log_q) +
                  std::exp2(ell + std::log2(big_n + 1) - log_ql);
  if (out.flood_bits >= kMaxFloodBits) out.invariant = INFINITY;
  return out;
}

HeLevels chooseHeLevels(const HeRingOptions& options) {
  checkOptions(options);
  std::vector<he::RingParams> sets;
  for (const he::RingParams& r : he::allRingParams())
    if (r.n == 8192) sets.push_back(r);
  std::ranges::sort(sets, {}, [](const he::RingParams& r) { return log2Product(r.primes); });
  const double terms = std::ldexp(1.0, kHeMaxTermsLog2);
  for (const he::RingParams& r : sets) {
    // The response keeps as few last primes as the bound allows.
    for (size_t level = r.primes.size(); level-- > 0;) {
      const HeLevels levels{r.id, level};
      if (heFlood(options, levels, terms).invariant < 0.25) return levels;
    }
  }
  SOTTO_ENFORCE(false, "HeRingOptions: no parameter set holds ℓ = ", options.plain_bits,
                " with weights bounded by 2^", options.weight_bits, " and 40-bit flooding");
  return {};
}

}  // namespace sotto
