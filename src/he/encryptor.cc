#include "sotto/he/encryptor.h"

#include <tuple>
#include <vector>

#include "sampler.h"
#include "sotto/error.h"

namespace sotto::he {
namespace {

void checkKey(const HeContext& ctx, const RnsPoly& p, const char* what) {
  SOTTO_ENFORCE(p.n == ctx.n() && p.level == 0 && p.rows == ctx.primeCount(), what,
                ": the key is not of this context (", ctx.ring().name, ")");
}

// c0 = NTT(e + encoded) − a·s with the message encoded as coefficients at level 0 and a (NTT
// form) given; c1 = a. One forward NTT per prime.
Ciphertext encryptWithA(const HeContext& ctx, const SecretKey& sk, const RnsPoly& encoded,
                        RnsPoly a, Prg& prg) {
  checkKey(ctx, sk.s, "encryptSymmetric");
  RnsPoly c0 = detail::liftSmall(ctx, detail::sampleError(ctx.n(), prg), 0);
  addInplace(ctx, c0, encoded);
  toNtt(ctx, c0);
  RnsPoly as = a;
  mulInplace(ctx, as, sk.s);
  subInplace(ctx, c0, as);
  return Ciphertext{std::move(c0), std::move(a), std::nullopt};
}

// Δ·m̃ as coefficients at `level` (encodeScaled before its NTT).
RnsPoly scaledCoefficients(const HeContext& ctx, std::span<const uint64_t> m, size_t level) {
  SOTTO_ENFORCE(m.size() == ctx.n(), "he encode: the plaintext has ", m.size(),
                " coefficients, N = ", ctx.n());
  const uint64_t mask = ctx.plainMask();
  const int ell = ctx.plainBits();
  RnsPoly p = RnsPoly::zero(ctx, level);
  for (size_t j = 0; j < m.size(); ++j) {
    SOTTO_ENFORCE((m[j] & ~mask) == 0, "he encode: coefficient ", j, " = ", m[j],
                  " is not below t = 2^", ell);
  }
  for (size_t r = 0; r < p.rows; ++r) {
    const size_t i = level + r;
    const Modulus& mod = ctx.modulus(i);
    const uint64_t delta = ctx.delta(level, i);
    const uint64_t delta_shoup = shoupPrecompute(delta, mod.value());
    // m̃ = m − t when m ≥ t/2: residue of m̃ = m mod q − t mod q.
    const uint64_t t_mod = mod.reduce(static_cast<u128>(1) << ell);
    const uint64_t half = uint64_t{1} << (ell - 1);
    auto out = p.row(r);
    for (size_t j = 0; j < m.size(); ++j) {
      uint64_t r_m = mod.reduce(m[j]);
      if (m[j] >= half) r_m = mod.sub(r_m, t_mod);
      out[j] = mulShoup(r_m, delta, delta_shoup, mod.value());
    }
  }
  return p;
}

}  // namespace

RnsPoly encodeScaled(const HeContext& ctx, std::span<const uint64_t> m, size_t level) {
  RnsPoly p = scaledCoefficients(ctx, m, level);
  toNtt(ctx, p);
  return p;
}

Ciphertext encryptSymmetricSeededEncoded(const HeContext& ctx, const SecretKey& sk, RnsPoly encoded,
                                         Prg& prg) {
  SOTTO_ENFORCE(encoded.n == ctx.n() && encoded.level == 0 && encoded.rows == ctx.primeCount() &&
                    encoded.data.size() == encoded.rows * encoded.n,
                "encryptSymmetricSeededEncoded: the message is not a level-0 polynomial of this "
                "context (",
                ctx.ring().name, ")");
  Prg::Seed seed{};
  prg.fill(std::as_writable_bytes(std::span(seed)));
  Ciphertext ct = encryptWithA(ctx, sk, encoded, expandSeed(ctx, seed), prg);
  ct.seed = seed;
  return ct;
}

RnsPoly expandSeed(const HeContext& ctx, const Prg::Seed& seed) {
  Prg prg(seed);
  RnsPoly a = RnsPoly::zero(ctx, 0);
  detail::sampleUniform(ctx, prg, a);
  return a;
}

Ciphertext encryptSymmetric(const HeContext& ctx, const SecretKey& sk, std::span<const uint64_t> m,
                            Prg& prg) {
  RnsPoly a = RnsPoly::zero(ctx, 0);
  detail::sampleUniform(ctx, prg, a);
  return encryptWithA(ctx, sk, scaledCoefficients(ctx, m, 0), std::move(a), prg);
}

Ciphertext encryptSymmetricSeeded(const HeContext& ctx, const SecretKey& sk,
                                  std::span<const uint64_t> m, Prg& prg) {
  return encryptSymmetricSeededEncoded(ctx, sk, scaledCoefficients(ctx, m, 0), prg);
}

Ciphertext encryptZero(const HeContext& ctx, const PublicKey& pk, Prg& prg, size_t level) {
  checkKey(ctx, pk.b, "encryptZero");
  checkKey(ctx, pk.a, "encryptZero");
  SOTTO_ENFORCE(level < ctx.primeCount(), "encryptZero: level ", level, " outside [0, ",
                ctx.primeCount(), ")");
  RnsPoly u = detail::liftSmall(ctx, detail::sampleTernary(ctx.n(), prg), level);
  toNtt(ctx, u);
  RnsPoly c0 = detail::liftSmall(ctx, detail::sampleError(ctx.n(), prg), level);
  RnsPoly c1 = detail::liftSmall(ctx, detail::sampleError(ctx.n(), prg), level);
  toNtt(ctx, c0);
  toNtt(ctx, c1);
  RnsPoly bu = u, au = std::move(u);
  mulInplace(ctx, bu, pk.b);  // b·u
  mulInplace(ctx, au, pk.a);  // a·u
  addInplace(ctx, c0, bu);
  addInplace(ctx, c1, au);
  return Ciphertext{std::move(c0), std::move(c1), std::nullopt};
}

void rerandomizeToCoefficients(const HeContext& ctx, const PublicKey& pk, Prg& prg,
                               Ciphertext& ct) {
  rerandomizeToCoefficients(ctx, preparePublicKey(ctx, pk), prg, ct);
}

void rerandomizeToCoefficients(const HeContext& ctx, const PreparedPublicKey& key, Prg& prg,
                               Ciphertext& ct) {
  checkKey(ctx, key.pk.b, "rerandomizeToCoefficients");
  checkKey(ctx, key.pk.a, "rerandomizeToCoefficients");
  SOTTO_ENFORCE(
      key.b_shoup.size() == key.pk.b.data.size() && key.a_shoup.size() == key.pk.a.data.size(),
      "rerandomizeToCoefficients: the key's companions do not match it");
  SOTTO_ENFORCE(ct.c0.n == ctx.n() && ct.c1.n == ctx.n() && ct.c0.level == ct.c1.level &&
                    ct.c0.level < ctx.primeCount() &&
                    ct.c0.rows == ctx.primeCount() - ct.c0.level && ct.c1.rows == ct.c0.rows,
                "rerandomizeToCoefficients: the ciphertext is not of this context (",
                ctx.ring().name, ")");
  const size_t level = ct.c0.level, n = ctx.n();
  RnsPoly u = detail::liftSmall(ctx, detail::sampleTernary(n, prg), level);
  toNtt(ctx, u);
  const std::vector<int8_t> e0 = detail::sampleError(n, prg);
  const std::vector<int8_t> e1 = detail::sampleError(n, prg);
  for (auto [c, k, ks, e] : {std::tuple{&ct.c0, &key.pk.b, &key.b_shoup, &e0},
                             std::tuple{&ct.c1, &key.pk.a, &key.a_shoup, &e1}}) {
    for (size_t r = 0; r < c->rows; ++r) {
      const Modulus& m = ctx.modulus(level + r);
      const uint64_t q = m.value();
      auto x = c->row(r);
      const uint64_t* w = k->data.data() + (level + r) * n;  // the key's rows for ct's primes
      const uint64_t* ws = ks->data() + (level + r) * n;
      auto y = u.row(r);
      for (size_t j = 0; j < n; ++j) x[j] = m.add(x[j], mulShoup(y[j], w[j], ws[j], q));  // + key·u
    }
    fromNtt(ctx, *c);
    for (size_t r = 0; r < c->rows; ++r) {
      const Modulus& m = ctx.modulus(level + r);
      auto x = c->row(r);
      for (size_t j = 0; j < n; ++j) {
        const int8_t v = (*e)[j];
        x[j] = v >= 0 ? m.add(x[j], static_cast<uint64_t>(v))
                      : m.sub(x[j], static_cast<uint64_t>(-static_cast<int>(v)));
      }
    }
  }
  ct.seed.reset();
}

Ciphertext encryptPublic(const HeContext& ctx, const PublicKey& pk, std::span<const uint64_t> m,
                         Prg& prg) {
  RnsPoly dm = encodeScaled(ctx, m, 0);
  Ciphertext ct = encryptZero(ctx, pk, prg, 0);
  addInplace(ctx, ct.c0, dm);
  return ct;
}

}  // namespace sotto::he
