#include "compare_tables.h"

#include <algorithm>
#include <array>

#include "sotto/mpc/dealer/dealer.h"

namespace sotto::detail {
namespace {

// kLess[d] = the 256-bit mask [v < d] (bits 0..d-1 set), built once.
const std::array<std::array<uint64_t, 4>, 256>& lessMasks() {
  static const auto kLess = [] {
    std::array<std::array<uint64_t, 4>, 256> m{};
    for (int d = 0; d < 256; ++d) {
      for (int k = 0; k < 4; ++k) {
        const int cnt = std::clamp(d - 64 * k, 0, 64);
        m[d][k] = cnt == 64 ? ~uint64_t{0} : ((uint64_t{1} << cnt) - 1);
      }
    }
    return m;
  }();
  return kLess;
}

// The tables fill their row: every word of `tables` is written (it is not zeroed first).
static_assert(
    [] {
      int words = 0;
      for (int d = 0; d < kCompareDigits; ++d) {
        if (compareTableOffset(d) != words) return false;
        words += (1 << compareDigitBits(d)) / 64;
      }
      return words == kCompareTableWords;
    }(),
    "compare tables: the digits' words must tile a row");

// One element's 8 tables (CompareTables): L_d[v] = [v < r_d] for each digit r_d of r mod 2^63.
void fillTables(uint64_t r, uint64_t* row) {
  const auto& less = lessMasks();
  for (int d = 0; d < kCompareDigits; ++d) {
    const int bits = compareDigitBits(d);
    const uint64_t digit = (r >> (8 * d)) & ((uint64_t{1} << bits) - 1);
    uint64_t* l = row + compareTableOffset(d);
    for (int k = 0; k < (1 << bits) / 64; ++k) l[k] = less[digit][k];
  }
}

}  // namespace

std::vector<Shape> compareTablesShapes(const std::vector<Shape>& shapes) {
  SOTTO_ENFORCE(shapes.size() == 2, "compare tables need 2 shapes (elements, values), got ",
                shapes.size());
  const int64_t n = shapes[0].numel(), v = shapes[1].numel();
  SOTTO_ENFORCE(n == 0 ? v == 0 : v % n == 0, "compare tables: ", shapes[1].toString(),
                " is not a whole number of values per element of ", shapes[0].toString());
  return {
      shapes[0], Shape{n, kCompareTableWords}, Shape{3, (n + 63) / 64}, Shape{kCompareMonomials, n},
      shapes[1], Shape{kCompareMonomials, v}};
}

std::vector<RingTensor> generateCompareTables(const std::vector<Shape>& out, Prg& prg) {
  SOTTO_ENFORCE(out.size() == 6, "compare tables: 6 output shapes expected, got ", out.size());
  RingTensor r = drawUniform(out[0], prg);
  const int64_t n = r.numel(), words = out[2].dim(1);
  RingTensor tables = RingTensor::uninitialized(out[1]);  // every word written below
  for (int64_t i = 0; i < n; ++i) fillTables(r[i], tables.data().data() + i * kCompareTableWords);
  // alpha, beta, gamma: random bits, packed (unused bits 0); with s = r_63 and sigma = 1 - 2s,
  // the words s, sigma·alpha, sigma·beta, sigma·gamma, sigma·beta·gamma.
  RingTensor bits = drawUniform(out[2], prg);
  if (n % 64 != 0) {
    for (int k = 0; k < 3; ++k) bits[k * words + words - 1] &= (uint64_t{1} << (n % 64)) - 1;
  }
  RingTensor mono = RingTensor::uninitialized(out[3]);  // every word written below
  for (int64_t i = 0; i < n; ++i) {
    auto bit = [&](int k) { return (bits[k * words + i / 64] >> (i % 64)) & 1; };
    const uint64_t s = r[i] >> 63, sigma = 1 - 2 * s;
    mono[i] = s;
    for (int k = 0; k < 3; ++k) mono[(k + 1) * n + i] = sigma * bit(k);
    mono[4 * n + i] = sigma * bit(1) * bit(2);
  }
  RingTensor a = drawUniform(out[4], prg);
  const int64_t v = a.numel(), w = n == 0 ? 0 : v / n;
  RingTensor a_mono = RingTensor::uninitialized(out[5]);  // every word written below
  for (int k = 0; k < kCompareMonomials; ++k) {
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t mu = mono[k * n + i];
      for (int64_t j = i * w; j < (i + 1) * w; ++j) a_mono[k * v + j] = a[j] * mu;
    }
  }
  // Moved in one by one (a braced list would copy every tensor).
  std::vector<RingTensor> material;
  material.reserve(6);
  for (RingTensor* t : {&r, &tables, &bits, &mono, &a, &a_mono}) material.push_back(std::move(*t));
  return material;
}

}  // namespace sotto::detail
