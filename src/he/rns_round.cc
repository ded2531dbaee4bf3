#include "rns_round.h"

#include <algorithm>
#include <vector>

#include "sotto/error.h"

namespace sotto::he::detail {
namespace {

// y·γ = quot·q + rem for y < q and a fixed γ ≤ 2^64, by multiplications only: γ = a·q + c, so
// y·γ = y·a·q + y·c, and y·c = ⌊y·c/q⌋·q + (y·c mod q) from Shoup's quotient (off by at most one,
// corrected). The quotient is < γ, exact mod 2^64.
struct ScaledQuotient {
  ScaledQuotient(u128 gamma, uint64_t q)
      : a(static_cast<uint64_t>(gamma / q)),
        c(static_cast<uint64_t>(gamma % q)),
        c_shoup(shoupPrecompute(c, q)) {}
  void apply(uint64_t y, uint64_t q, uint64_t& quot, uint64_t& rem) const {
    uint64_t hi = static_cast<uint64_t>((static_cast<u128>(y) * c_shoup) >> 64);
    uint64_t r = y * c - hi * q;  // in [0, 2q)
    if (r >= q) {
      r -= q;
      ++hi;
    }
    quot = y * a + hi;
    rem = r;
  }
  uint64_t a, c, c_shoup;
};

}  // namespace

void scaleAndRound(const HeContext& ctx, const RnsPoly& x, uint64_t gamma, bool gamma_is_2_64,
                   std::span<uint64_t> out, u128* max_dist) {
  SOTTO_ENFORCE(out.size() == x.n, "scaleAndRound: output size ", out.size(), " != N = ", x.n);
  const u128 g = gamma_is_2_64 ? (static_cast<u128>(1) << 64) : gamma;
  std::fill(out.begin(), out.end(), 0);
  std::vector<u128> frac(x.n, 0);
  std::vector<uint8_t> carries(x.n, 0);
  for (size_t r = 0; r < x.rows; ++r) {
    const size_t i = x.level + r;
    const Modulus& mod = ctx.modulus(i);
    const uint64_t q = mod.value();
    const uint64_t inv = ctx.puncturedInverse(x.level, i);
    const uint64_t inv_shoup = shoupPrecompute(inv, q);
    const ScaledQuotient by_gamma(g, q), by_2_64(static_cast<u128>(1) << 64, q);
    auto row = x.row(r);
    for (size_t j = 0; j < x.n; ++j) {
      const uint64_t y = mulShoup(row[j], inv, inv_shoup, q);
      // y·γ/q = whole + rem/q, then rem/q as a 128-bit fraction (two long-division digits),
      // each step a Shoup quotient: no division.
      uint64_t whole = 0, rem = 0, hi = 0, r2 = 0, lo = 0, unused = 0;
      by_gamma.apply(y, q, whole, rem);
      by_2_64.apply(rem, q, hi, r2);
      by_2_64.apply(r2, q, lo, unused);
      const u128 f = (static_cast<u128>(hi) << 64) | lo;
      if (gamma_is_2_64) {
        out[j] += whole;  // wraps mod 2^64 = γ
      } else {
        out[j] += whole;  // both < γ ≤ 2^63
        if (out[j] >= gamma) out[j] -= gamma;
      }
      frac[j] += f;
      if (frac[j] < f) ++carries[j];
    }
  }
  const u128 half = static_cast<u128>(1) << 127;
  u128 worst = 0;
  for (size_t j = 0; j < x.n; ++j) {
    u128 f = frac[j] + half;
    uint64_t carry = carries[j] + (f < half ? 1 : 0);
    // f is now the fractional part shifted by one half: the distance to the nearest integer is
    // |f − 1/2|.
    const u128 dist = f >= half ? f - half : half - f;
    worst = std::max(worst, dist);
    if (gamma_is_2_64) {
      out[j] += carry;
    } else {
      out[j] = static_cast<uint64_t>((static_cast<u128>(out[j]) + carry) % gamma);
    }
  }
  if (max_dist != nullptr) *max_dist = worst;
}

}  // namespace sotto::he::detail
