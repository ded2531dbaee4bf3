#include "sampler.h"

#include <bit>
#include <cstddef>

namespace sotto::he::detail {

void sampleUniform(const HeContext& ctx, Prg& prg, RnsPoly& p) {
  std::vector<uint64_t> buf(p.n);
  for (size_t r = 0; r < p.rows; ++r) {
    const uint64_t q = ctx.modulus(p.level + r).value();
    const uint64_t mask = (uint64_t{1} << std::bit_width(q)) - 1;
    auto out = p.row(r);
    size_t filled = 0;
    while (filled < p.n) {
      const size_t want = p.n - filled;
      prg.fill(std::span(buf).first(want));
      for (size_t j = 0; j < want; ++j) {
        const uint64_t v = buf[j] & mask;
        if (v < q) out[filled++] = v;
      }
    }
  }
}

std::vector<int8_t> sampleTernary(uint64_t n, Prg& prg) {
  std::vector<int8_t> s(n);
  std::vector<uint8_t> bytes(n);
  size_t filled = 0;
  while (filled < n) {
    const size_t want = n - filled;
    prg.fill(std::as_writable_bytes(std::span(bytes).first(want)));
    for (size_t j = 0; j < want; ++j) {
      if (bytes[j] < 255) s[filled++] = static_cast<int8_t>(bytes[j] % 3 - 1);  // 255 = 3·85
    }
  }
  return s;
}

std::vector<int8_t> sampleError(uint64_t n, Prg& prg) {
  static_assert(2 * kErrorEta <= 64, "one 64-bit word per coefficient");
  constexpr uint64_t kHalf = (uint64_t{1} << kErrorEta) - 1;
  std::vector<uint64_t> words(n);
  prg.fill(std::span(words));
  std::vector<int8_t> e(n);
  for (size_t j = 0; j < n; ++j) {
    const int pos = std::popcount(words[j] & kHalf);
    const int neg = std::popcount((words[j] >> kErrorEta) & kHalf);
    e[j] = static_cast<int8_t>(pos - neg);
  }
  return e;
}

RnsPoly liftSmall(const HeContext& ctx, const std::vector<int8_t>& v, size_t level) {
  RnsPoly p = RnsPoly::zero(ctx, level);
  for (size_t r = 0; r < p.rows; ++r) {
    const Modulus& m = ctx.modulus(level + r);
    auto out = p.row(r);
    const uint64_t q = m.value();
    for (size_t j = 0; j < p.n; ++j) {
      // |v| ≤ 21 < q: no division
      out[j] = v[j] >= 0 ? static_cast<uint64_t>(v[j]) : q - static_cast<uint64_t>(-v[j]);
    }
  }
  return p;
}

}  // namespace sotto::he::detail
