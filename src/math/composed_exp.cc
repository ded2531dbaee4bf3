// e^x over the whole ring composed from seam kernels (composed_functions.h): e^x = 2^y,
// y = x·log2(e), as 2^i·2^φ for i = ⌊y⌋ and φ = y - i in [0, 1).
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

#include "composed_functions.h"
#include "normalization.h"
#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {
namespace {

constexpr int kY = 54;        // y's fractional bits
constexpr int kRhoBits = 10;  // φ's bits after the mantissa's kMantissaBits, in 1 + ln 2·ρ
constexpr int kLn2Bits = 10;  // ln 2 at 2^-10 in that product
constexpr int kGroupsOf = 8;  // byte groups of the biased exponent i + f + 1 in [0, 64)
constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();  // M in ring units

// The public constants at f fractional bits: log2(e) at 2^-(kY - f) (y = x·c in ring units at
// 2^-kY), and the inputs where e^x leaves [2^-(f+1), M·(1 - 2^-14)): below -lo, y + f + 1 <
// 2^-(B-1) (e^x < 1/2 ULP: 0), from hi on M (then y + f + 1 < 64 and the result < M below hi).
struct ExpConstants {
  int64_t log2e, lo, hi;
};

ExpConstants constantsAt(int f) {
  const auto c = std::llround(std::ldexp(std::numbers::log2e, kY - f));
  // lo·c <= (f + 1)·2^kY - 2·2^(kY - B) (< 2^59)
  const int64_t lo = ((int64_t{f + 1} << kY) - (int64_t{2} << (kY - kMantissaBits))) / c;
  const long double log_top =
      (63 - f) * std::numbers::ln2_v<long double> + std::log1p(-0x1p-14L) + std::log1p(-0x1p-63L);
  const auto hi = static_cast<int64_t>(std::ceil(std::ldexp(log_top, f)));
  return {c, lo, hi};
}

// Row r of the lookups on the biased exponent r = i + f + 1: 2^(r mod 8), and the one-hot byte
// group [r / 8 = g] for g = 0..7.
std::vector<uint64_t> powerTable() {
  std::vector<uint64_t> t;
  for (int m = 0; m < 8; ++m) t.push_back(uint64_t{1} << m);
  return t;
}

std::vector<uint64_t> groupTable() {
  std::vector<uint64_t> t;
  for (int r = 0; r < 64; ++r)
    for (int g = 0; g < kGroupsOf; ++g) t.push_back(r / 8 == g ? 1 : 0);
  return t;
}

}  // namespace

ArithTensor composedExp(const ArithTensor& x) {
  const int f = x.fracBits();
  checkNormalizedScale(x, "exp");
  const Party& p = x.party();
  Protocol& proto = p.protocol();
  const RingTensor xs = x.share().reshape({x.numel()});
  const int64_t n = xs.numel();
  const ExpConstants k = constantsAt(f);
  // [x < 0], [x < -lo], [x < hi] in one call (each comparison taken on the side of 0 where it
  // cannot wrap).
  const SignBits signs(p,
                       concat2(xs, concat2(xs + constant(p, n, k.lo), xs - constant(p, n, k.hi))));
  // y + f + 1 = x·log2(e) + f + 1 at 2^-kY (in [2^-(B-1), 64) inside), then at 2^-B
  // q = ⌊(y + 2^(kY-B)) / 2^(kY-B)⌋ - 2 (the positive truncation's one ULP either way: q in
  // [0, 2^(B+6))) and ρ = y - 2^(kY-B)·q in [0, 3·2^(kY-B)), then r = ⌊q / 2^B⌋ = i + f + 1 + (0
  // or -1) and φ = q mod 2^B (y = r + φ·2^-B + ρ·2^-kY).
  const RingTensor y = xs * static_cast<uint64_t>(k.log2e) + constant(p, n, int64_t{f + 1} << kY);
  const int low = kY - kMantissaBits;
  const RingTensor q =
      proto.truncatePositive(p, y + constant(p, n, int64_t{1} << low), low) - constant(p, n, 2);
  const RingTensor rho_all = y - q.shiftLeft(low);
  const Floor split = exactFloor(p, q, kMantissaBits);
  // G = 2^φ at 2^-s, then G·(1 + ln 2·ρ·2^-kY): ρ10 = ⌊ρ / 2^t⌋ + 1 (or one ULP either way: the
  // offset keeps it >= 0) in [0, 3·2^10 + 2], kRhoBits + 2 bits.
  const PiecewiseFunction& fm = composedFunction(Composed::kExp2Mantissa, kMantissaBits);
  const int s = fm.value_scale;
  RingTensor g = evaluatePieces(p, fm, split.remainder);
  const int t = kY - kMantissaBits - kRhoBits;
  const RingTensor rho = proto.truncatePositive(p, rho_all + constant(p, n, int64_t{1} << t), t);
  const auto ln2 = static_cast<uint64_t>(std::llround(std::ldexp(std::numbers::ln2, kLn2Bits)));
  const RingTensor product = proto.mulNarrow(p, rho, kRhoBits + 2, g * ln2);
  g += proto.truncatePositive(p, product, kMantissaBits + kRhoBits + kLn2Bits);
  // e^x = 2^(r - 1)·G·2^-s ring units: W = 2^(r mod 8)·G, then W·2^(8g - 1 - s) by r's byte group.
  const RingTensor pow = proto.lookup(p, split.quotient, 3, 1, powerTable(), 8).reshape({n});
  const RingTensor w = proto.mulNarrow(p, pow, 8, g);
  const SignBits groups = SignBits::lookedUp(p, split.quotient, 6, kGroupsOf, groupTable());
  const RingTensor r = applyGroups(p, groups, w, -1 - s, 8, s + 9);
  // x >= 0: M + [x < hi]·(e - M); x < 0: e - [x < -lo]·e; joined by x's sign.
  const RingTensor picked = signs.select(n, concat2(r, r - constant(p, n, kLargest)));
  const RingTensor above = constant(p, n, kLargest) + slice(picked, n, n);
  const RingTensor below = r - slice(picked, 0, n);
  RingTensor out = above + signs.select(0, below - above);
  return ArithTensor(p, std::move(out).reshape(x.shape().dims()), f);
}

}  // namespace sotto::math_detail
