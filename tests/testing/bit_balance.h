#pragma once
// worstBitZ: is a sample of 64-bit words uniform, bit by bit? For each bit position the binomial
// z-score of its count of ones against n/2 (sd √n/2); returns the largest |z| over the `bits`
// low positions (64 by default; ℓ for words mod 2^ℓ). Uniform words give |z| < 6 except with
// negligible probability; a biased bit (say the unmasked partial sums of a homomorphic product)
// gives a z that grows as √n.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>

namespace sotto::testing {

inline double worstBitZ(std::span<const uint64_t> values, int bits = 64) {
  std::array<double, 64> ones{};
  for (uint64_t v : values)
    for (int bit = 0; bit < 64; ++bit) ones[bit] += static_cast<double>((v >> bit) & 1);
  const auto n = static_cast<double>(values.size());
  double worst = 0;
  for (int bit = 0; bit < bits; ++bit)
    worst = std::max(worst, std::abs(ones[bit] - n / 2) / std::sqrt(n / 4));
  return worst;
}

}  // namespace sotto::testing
