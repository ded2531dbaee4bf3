#include "sotto/he/decryptor.h"

#include <algorithm>
#include <cmath>

#include "rns_round.h"
#include "sotto/error.h"

namespace sotto::he {
namespace {

// x = c0 + c1·s at ct's level, coefficient form (c0 given as coefficients or NTT evaluations).
RnsPoly phase(const HeContext& ctx, const SecretKey& sk, const Ciphertext& ct,
              bool c0_coefficients) {
  SOTTO_ENFORCE(sk.s.n == ctx.n() && sk.s.level == 0 && sk.s.rows == ctx.primeCount(),
                "decrypt: the secret key is not of this context (", ctx.ring().name, ")");
  SOTTO_ENFORCE(ct.c0.n == ctx.n() && ct.c0.level < ctx.primeCount() &&
                    ct.c0.rows == ctx.primeCount() - ct.c0.level && ct.c1.n == ct.c0.n &&
                    ct.c1.level == ct.c0.level && ct.c1.rows == ct.c0.rows &&
                    ct.c0.data.size() == ct.c0.rows * ct.c0.n &&
                    ct.c1.data.size() == ct.c1.rows * ct.c1.n,
                "decrypt: the ciphertext is not of this context (", ctx.ring().name, ")");
  RnsPoly x = ct.c1;
  mulInplace(ctx, x, sk.s);
  if (!c0_coefficients) addInplace(ctx, x, ct.c0);
  fromNtt(ctx, x);
  if (c0_coefficients) addInplace(ctx, x, ct.c0);
  return x;
}

}  // namespace

std::vector<uint64_t> decrypt(const HeContext& ctx, const SecretKey& sk, const Ciphertext& ct,
                              bool c0_coefficients) {
  const RnsPoly x = phase(ctx, sk, ct, c0_coefficients);
  std::vector<uint64_t> m(ctx.n());
  const int ell = ctx.plainBits();
  detail::scaleAndRound(ctx, x, ell == 64 ? 0 : uint64_t{1} << ell, ell == 64, m, nullptr);
  return m;
}

double noiseBudget(const HeContext& ctx, const SecretKey& sk, const Ciphertext& ct,
                   bool c0_coefficients) {
  const RnsPoly x = phase(ctx, sk, ct, c0_coefficients);
  std::vector<uint64_t> m(ctx.n());
  const int ell = ctx.plainBits();
  u128 dist = 0;
  detail::scaleAndRound(ctx, x, ell == 64 ? 0 : uint64_t{1} << ell, ell == 64, m, &dist);
  if (dist == 0) return 127.0;
  // ‖ν‖ = dist / 2^128; budget = −log2(2‖ν‖) = 127 − log2(dist).
  const double log_dist = std::log2(static_cast<double>(dist));
  return std::min(127.0, 127.0 - log_dist);
}

}  // namespace sotto::he
