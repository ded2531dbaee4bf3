#include "compare_tables.h"

#include <algorithm>
#include <array>

#include "sotto/mpc/dealer/dealer.h"

namespace sotto::detail {
namespace {

// The word of bits [0, count) set, count in 0..64.
uint64_t lowOnes(int64_t count) { return count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1; }

// One element's tables (CompareTables): L_d[v] = [v < r_d] for each digit r_d of r mod 2^63, bit
// offset(d) + v of the row; every word of the row is written (it is not zeroed first). Digits of
// up to 6 bits keep each table inside one word (offsets are multiples of 2^bits); wider ones
// span whole words.
void fillTables(uint64_t r, CompareDigits digits, uint64_t* row, int64_t words) {
  std::fill(row, row + words, uint64_t{0});
  for (int d = 0; d < digits.count(); ++d) {
    const int64_t first = digits.offset(d);
    const auto ones =
        static_cast<int64_t>((r >> (digits.bits * d)) & ((uint64_t{1} << digits.width(d)) - 1));
    if (digits.bits <= 6) {
      row[first / 64] |= lowOnes(ones) << (first % 64);
    } else {
      for (int64_t k = 0; k < (int64_t{1} << digits.width(d)) / 64; ++k) {
        row[first / 64 + k] = lowOnes(std::clamp<int64_t>(ones - 64 * k, 0, 64));
      }
    }
  }
}

}  // namespace

std::vector<Shape> compareTablesShapes(const std::vector<Shape>& shapes, CompareDigits digits) {
  SOTTO_ENFORCE(digits.bits >= 2 && digits.bits <= 8, "compare tables: digits of ", digits.bits,
                " bits (2..8)");
  SOTTO_ENFORCE(shapes.size() == 2, "compare tables need 2 shapes (elements, values), got ",
                shapes.size());
  const int64_t n = shapes[0].numel(), v = shapes[1].numel();
  SOTTO_ENFORCE(n == 0 ? v == 0 : v % n == 0, "compare tables: ", shapes[1].toString(),
                " is not a whole number of values per element of ", shapes[0].toString());
  return {
      shapes[0], Shape{n, digits.words()},   Shape{3, (n + 63) / 64}, Shape{kCompareMonomials, n},
      shapes[1], Shape{kCompareMonomials, v}};
}

std::vector<RingTensor> generateCompareTables(const std::vector<Shape>& out, CompareDigits digits,
                                              Prg& prg, std::vector<RingTensor>* given) {
  SOTTO_ENFORCE(out.size() == 6, "compare tables: 6 output shapes expected, got ", out.size());
  auto uniform = [&](size_t k) {
    return given == nullptr ? drawUniform(out[k], prg) : std::move((*given)[k]);
  };
  RingTensor r = uniform(0);
  const int64_t n = r.numel(), words = out[2].dim(1);
  RingTensor tables = RingTensor::uninitialized(out[1]);  // every word written below
  const int64_t row_words = digits.words();
  for (int64_t i = 0; i < n; ++i) {
    fillTables(r[i], digits, tables.data().data() + i * row_words, row_words);
  }
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
  RingTensor a = uniform(4);
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
