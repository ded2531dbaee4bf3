// Eklundh's transpose of 128×128 bit tiles (transpose.h). Level j swaps, for each pair of rows
// (r, r + j) with bit j of r clear, the columns of row r whose bit j is set with the columns of row
// r + j whose bit j is clear:
//   a' = (a & m_j) | ((b << j) & ~m_j),  b' = ((a >> j) & m_j) | (b & ~m_j)
// with m_j the columns whose bit j is clear; j = 64 swaps the two 64-bit halves instead. After all
// seven levels, bit c of row r has moved to bit r of row c.
#include "transpose.h"

#include <cstdint>
#include <cstring>

#include "sotto/error.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sotto::ot::detail {
namespace {

constexpr uint64_t kMask[6] = {0x5555555555555555ull, 0x3333333333333333ull, 0x0F0F0F0F0F0F0F0Full,
                               0x00FF00FF00FF00FFull, 0x0000FFFF0000FFFFull, 0x00000000FFFFFFFFull};

#if defined(__SSE2__)

template <int J, int Log>
inline void level(__m128i* rows) {
  const __m128i m = _mm_set1_epi64x(static_cast<long long>(kMask[Log]));
  for (int r = 0; r < 128; r += 2 * J) {
    for (int k = r; k < r + J; ++k) {
      const __m128i a = rows[k], b = rows[k + J];
      rows[k] = _mm_or_si128(_mm_and_si128(a, m), _mm_andnot_si128(m, _mm_slli_epi64(b, J)));
      rows[k + J] = _mm_or_si128(_mm_and_si128(_mm_srli_epi64(a, J), m), _mm_andnot_si128(m, b));
    }
  }
}

void tile(__m128i* rows) {
  for (int k = 0; k < 64; ++k) {  // j = 64: swap the high half of row k with the low of k + 64
    const __m128i a = rows[k], b = rows[k + 64];
    rows[k] = _mm_unpacklo_epi64(a, b);
    rows[k + 64] = _mm_unpackhi_epi64(a, b);
  }
  level<32, 5>(rows);
  level<16, 4>(rows);
  level<8, 3>(rows);
  level<4, 2>(rows);
  level<2, 1>(rows);
  level<1, 0>(rows);
}

#else  // portable: the same swaps on pairs of 64-bit words

struct Row {
  uint64_t w[2];
};

template <int J, int Log>
inline void level(Row* rows) {
  const uint64_t m = kMask[Log];
  for (int r = 0; r < 128; r += 2 * J) {
    for (int k = r; k < r + J; ++k) {
      for (int h = 0; h < 2; ++h) {
        const uint64_t a = rows[k].w[h], b = rows[k + J].w[h];
        rows[k].w[h] = (a & m) | ((b << J) & ~m);
        rows[k + J].w[h] = ((a >> J) & m) | (b & ~m);
      }
    }
  }
}

void tile(Row* rows) {
  for (int k = 0; k < 64; ++k) {
    const uint64_t t = rows[k].w[1];
    rows[k].w[1] = rows[k + 64].w[0];
    rows[k + 64].w[0] = t;
  }
  level<32, 5>(rows);
  level<16, 4>(rows);
  level<8, 3>(rows);
  level<4, 2>(rows);
  level<2, 1>(rows);
  level<1, 0>(rows);
}

#endif

}  // namespace

void transpose128(const std::byte* in, size_t stride, size_t n, Block* out) {
  SOTTO_ENFORCE(n % 128 == 0 && stride >= n / 8, "transpose128: n = ", n,
                " must be a multiple of 128 and fit the stride ", stride);
#if defined(__SSE2__)
  alignas(16) __m128i rows[128];
#else
  Row rows[128];
#endif
  for (size_t t = 0; t < n / 128; ++t) {
    for (int j = 0; j < 128; ++j) std::memcpy(&rows[j], in + j * stride + 16 * t, 16);
    tile(rows);
    std::memcpy(out + 128 * t, rows, sizeof(rows));
  }
}

}  // namespace sotto::ot::detail
