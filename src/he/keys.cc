#include "sotto/he/keys.h"

#include "sampler.h"
#include "sotto/error.h"

namespace sotto::he {

SecretKey generateSecretKey(const HeContext& ctx, Prg& prg) {
  SecretKey sk{detail::liftSmall(ctx, detail::sampleTernary(ctx.n(), prg), 0)};
  toNtt(ctx, sk.s);
  return sk;
}

PublicKey generatePublicKey(const HeContext& ctx, const SecretKey& sk, Prg& prg) {
  SOTTO_ENFORCE(sk.s.n == ctx.n() && sk.s.level == 0 && sk.s.rows == ctx.primeCount(),
                "generatePublicKey: the secret key is not of this context (", ctx.ring().name, ")");
  PublicKey pk{RnsPoly::zero(ctx), RnsPoly::zero(ctx)};
  detail::sampleUniform(ctx, prg, pk.a);  // uniform in NTT form is uniform
  pk.b = detail::liftSmall(ctx, detail::sampleError(ctx.n(), prg), 0);
  toNtt(ctx, pk.b);
  RnsPoly as = pk.a;
  mulInplace(ctx, as, sk.s);
  subInplace(ctx, pk.b, as);  // b = e − a·s
  return pk;
}

PreparedPublicKey preparePublicKey(const HeContext& ctx, PublicKey pk) {
  for (const RnsPoly* p : {&pk.b, &pk.a})
    SOTTO_ENFORCE(p->n == ctx.n() && p->level == 0 && p->rows == ctx.primeCount() &&
                      p->data.size() == p->rows * p->n,
                  "preparePublicKey: the key is not of this context (", ctx.ring().name, ")");
  auto companions = [&](const RnsPoly& p) {
    std::vector<uint64_t> out(p.data.size());
    for (size_t r = 0; r < p.rows; ++r) {
      const Modulus& q = ctx.modulus(r);
      const auto row = p.row(r);
      for (size_t j = 0; j < p.n; ++j) out[r * p.n + j] = q.shoup(row[j]);
    }
    return out;
  };
  std::vector<uint64_t> b_shoup = companions(pk.b), a_shoup = companions(pk.a);
  return PreparedPublicKey{std::move(pk), std::move(b_shoup), std::move(a_shoup)};
}

}  // namespace sotto::he
