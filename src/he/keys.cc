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

}  // namespace sotto::he
