#include "sotto/he/rns_poly.h"

#include "sotto/error.h"
#include "sotto/he/context.h"

namespace sotto::he {
namespace {

void checkSame(const RnsPoly& a, const RnsPoly& b, const char* what) {
  SOTTO_ENFORCE(a.n == b.n && a.level == b.level && a.rows == b.rows, what,
                ": polynomials differ in degree or level (", a.n, "/", a.level, " vs ", b.n, "/",
                b.level, ")");
}

}  // namespace

RnsPoly RnsPoly::zero(const HeContext& ctx, size_t level) {
  SOTTO_ENFORCE(level < ctx.primeCount(), "RnsPoly: level ", level, " outside [0, ",
                ctx.primeCount(), ")");
  const size_t rows = ctx.primeCount() - level;
  return RnsPoly{ctx.n(), level, rows, std::vector<uint64_t>(rows * ctx.n(), 0)};
}

void toNtt(const HeContext& ctx, RnsPoly& p) {
  for (size_t r = 0; r < p.rows; ++r) ctx.ntt(p.level + r).forward(p.row(r));
}

void fromNtt(const HeContext& ctx, RnsPoly& p) {
  for (size_t r = 0; r < p.rows; ++r) ctx.ntt(p.level + r).inverse(p.row(r));
}

void addInplace(const HeContext& ctx, RnsPoly& a, const RnsPoly& b) {
  checkSame(a, b, "addInplace");
  for (size_t r = 0; r < a.rows; ++r) {
    const Modulus& m = ctx.modulus(a.level + r);
    auto x = a.row(r);
    auto y = b.row(r);
    for (size_t j = 0; j < a.n; ++j) x[j] = m.add(x[j], y[j]);
  }
}

void subInplace(const HeContext& ctx, RnsPoly& a, const RnsPoly& b) {
  checkSame(a, b, "subInplace");
  for (size_t r = 0; r < a.rows; ++r) {
    const Modulus& m = ctx.modulus(a.level + r);
    auto x = a.row(r);
    auto y = b.row(r);
    for (size_t j = 0; j < a.n; ++j) x[j] = m.sub(x[j], y[j]);
  }
}

void mulInplace(const HeContext& ctx, RnsPoly& a, const RnsPoly& b) {
  SOTTO_ENFORCE(a.n == b.n && b.level <= a.level, "mulInplace: the right operand (level ", b.level,
                ") does not cover the left one's primes (level ", a.level, ")");
  const size_t off = a.level - b.level;
  for (size_t r = 0; r < a.rows; ++r) {
    const Modulus& m = ctx.modulus(a.level + r);
    auto x = a.row(r);
    auto y = b.row(r + off);
    for (size_t j = 0; j < a.n; ++j) x[j] = m.mul(x[j], y[j]);
  }
}

RnsPoly dropToLevel(const RnsPoly& p, size_t level) {
  SOTTO_ENFORCE(level >= p.level && level < p.level + p.rows, "dropToLevel: level ", level,
                " outside [", p.level, ", ", p.level + p.rows, ")");
  const size_t skip = level - p.level;
  RnsPoly r{p.n, level, p.rows - skip, {}};
  r.data.assign(p.data.begin() + static_cast<std::ptrdiff_t>(skip * p.n), p.data.end());
  return r;
}

}  // namespace sotto::he
