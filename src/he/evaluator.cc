#include "sotto/he/evaluator.h"

#include "rns_round.h"
#include "sotto/error.h"
#include "sotto/he/encryptor.h"

namespace sotto::he {
namespace {

void checkCiphertext(const HeContext& ctx, const Ciphertext& ct, const char* what) {
  SOTTO_ENFORCE(ct.c0.n == ctx.n() && ct.c0.level < ctx.primeCount() &&
                    ct.c0.rows == ctx.primeCount() - ct.c0.level && ct.c1.n == ct.c0.n &&
                    ct.c1.level == ct.c0.level && ct.c1.rows == ct.c0.rows &&
                    ct.c0.data.size() == ct.c0.rows * ct.c0.n &&
                    ct.c1.data.size() == ct.c0.data.size(),
                what, ": the ciphertext is not of this context (", ctx.ring().name, ")");
}

}  // namespace

PlainMultiplier preparePlain(const HeContext& ctx, std::span<const uint64_t> p) {
  SOTTO_ENFORCE(p.size() == ctx.n(), "preparePlain: the plaintext has ", p.size(),
                " coefficients, N = ", ctx.n());
  const uint64_t mask = ctx.plainMask();
  const int ell = ctx.plainBits();
  PlainMultiplier out{RnsPoly::zero(ctx, 0), {}};
  for (size_t r = 0; r < out.p.rows; ++r) {
    const Modulus& mod = ctx.modulus(r);
    auto row = out.p.row(r);
    for (size_t j = 0; j < p.size(); ++j) {
      SOTTO_ENFORCE((p[j] & ~mask) == 0, "preparePlain: coefficient ", j, " = ", p[j],
                    " is not below t = 2^", ell);
      // centered lift: p − t when p ≥ t/2
      const bool upper = (p[j] >> (ell - 1)) != 0;
      // |p − t| = (t − p) mod 2^64 = −(p | ~mask) as an unsigned word.
      row[j] = upper ? mod.neg(mod.reduce(uint64_t{0} - (p[j] | ~mask))) : mod.reduce(p[j]);
    }
  }
  toNtt(ctx, out.p);
  out.shoup.resize(out.p.data.size());
  for (size_t r = 0; r < out.p.rows; ++r) {
    const Modulus& mod = ctx.modulus(r);
    for (size_t j = 0; j < ctx.n(); ++j)
      out.shoup[r * ctx.n() + j] = mod.shoup(out.p.data[r * ctx.n() + j]);
  }
  return out;
}

void multiplyPlainInplace(const HeContext& ctx, Ciphertext& ct, const PlainMultiplier& p) {
  checkCiphertext(ctx, ct, "multiplyPlainInplace");
  SOTTO_ENFORCE(p.p.level == 0 && p.p.rows == ctx.primeCount() && p.shoup.size() == p.p.data.size(),
                "multiplyPlainInplace: the multiplier is not prepared for this context");
  const size_t n = ctx.n(), off = ct.level();
  for (size_t r = 0; r < ct.c0.rows; ++r) {
    const uint64_t q = ctx.modulus(off + r).value();
    const uint64_t* w = p.p.data.data() + (off + r) * n;
    const uint64_t* ws = p.shoup.data() + (off + r) * n;
    for (RnsPoly* c : {&ct.c0, &ct.c1}) {
      uint64_t* x = c->row(r).data();
      for (size_t j = 0; j < n; ++j) x[j] = mulShoup(x[j], w[j], ws[j], q);  // c ⊙ p
    }
  }
  ct.seed.reset();
}

void multiplyPlainAccumulate(const HeContext& ctx, Ciphertext& acc, const Ciphertext& ct,
                             const PlainMultiplier& p) {
  checkCiphertext(ctx, ct, "multiplyPlainAccumulate");
  SOTTO_ENFORCE(p.p.level == 0 && p.p.rows == ctx.primeCount() && p.shoup.size() == p.p.data.size(),
                "multiplyPlainAccumulate: the multiplier is not prepared for this context");
  if (acc.c0.rows == 0) {
    acc.c0 = RnsPoly::zero(ctx, ct.level());
    acc.c1 = RnsPoly::zero(ctx, ct.level());
  }
  checkCiphertext(ctx, acc, "multiplyPlainAccumulate");
  SOTTO_ENFORCE(acc.level() == ct.level(), "multiplyPlainAccumulate: levels differ (", acc.level(),
                " and ", ct.level(), ")");
  const size_t n = ctx.n(), off = ct.level();
  for (size_t r = 0; r < ct.c0.rows; ++r) {
    const uint64_t q = ctx.modulus(off + r).value();
    const uint64_t* w = p.p.data.data() + (off + r) * n;
    const uint64_t* ws = p.shoup.data() + (off + r) * n;
    for (int part = 0; part < 2; ++part) {
      const uint64_t* x = (part == 0 ? ct.c0 : ct.c1).row(r).data();
      uint64_t* a = (part == 0 ? acc.c0 : acc.c1).row(r).data();
      for (size_t j = 0; j < n; ++j) {  // a + x ⊙ p
        const uint64_t v = a[j] + mulShoup(x[j], w[j], ws[j], q);
        a[j] = v >= q ? v - q : v;
      }
    }
  }
  acc.seed.reset();
}

void addInplace(const HeContext& ctx, Ciphertext& a, const Ciphertext& b) {
  checkCiphertext(ctx, a, "addInplace");
  checkCiphertext(ctx, b, "addInplace");
  addInplace(ctx, a.c0, b.c0);
  addInplace(ctx, a.c1, b.c1);
  a.seed.reset();
}

void addPlainInplace(const HeContext& ctx, Ciphertext& ct, std::span<const uint64_t> m) {
  checkCiphertext(ctx, ct, "addPlainInplace");
  addInplace(ctx, ct.c0, encodeScaled(ctx, m, ct.level()));
}

void modSwitchToLastInplace(const HeContext& ctx, Ciphertext& ct) {
  checkCiphertext(ctx, ct, "modSwitchToLastInplace");
  const size_t last = ctx.lastLevel();
  SOTTO_ENFORCE(ct.level() < last,
                "modSwitchToLastInplace: the ciphertext is already at the last "
                "level");
  SOTTO_ENFORCE(ctx.plainBits() < ctx.modulus(last).bits() - 1, "modSwitchToLastInplace: t = 2^",
                ctx.plainBits(), " does not fit below the last prime (", ctx.modulus(last).bits(),
                " bits)");
  const uint64_t q_last = ctx.modulus(last).value();
  for (RnsPoly* c : {&ct.c0, &ct.c1}) {
    fromNtt(ctx, *c);
    RnsPoly out = RnsPoly::zero(ctx, last);
    detail::scaleAndRound(ctx, *c, q_last, false, out.row(0), nullptr);  // ⌊q_L·c/Q⌉ mod q_L
    toNtt(ctx, out);
    *c = std::move(out);
  }
  ct.seed.reset();
}

}  // namespace sotto::he
