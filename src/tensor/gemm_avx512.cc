// AVX-512 GEMM microkernel, 6 x 32 register tile: 24 zmm accumulators (6 rows of 4 vectors),
// 4 zmm of packed B per k step and one broadcast of A per row; vpmullq (AVX-512DQ) + vpaddq per
// 8 products. Compiled with -mavx512f -mavx512dq (see CMakeLists.txt); only called after a cpuid
// check. The tile is written out explicitly (no loops over arrays of vectors) so that every
// optimisation level keeps the accumulators in registers.
// Tile and blocking chosen by measurement on Zen 5 (6x32 beat 8x24, 12x16, 14x16 and 4x48, most
// clearly at 64^3 where it wastes no padding).

#include "tensor/gemm_kernels.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>

namespace sotto::detail {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 32;

/// One row of the register tile: columns 0-7, 8-15, 16-23, 24-31.
struct Row {
  __m512i v0 = _mm512_setzero_si512();
  __m512i v1 = _mm512_setzero_si512();
  __m512i v2 = _mm512_setzero_si512();
  __m512i v3 = _mm512_setzero_si512();
};

/// row + a · (b0, b1, b2, b3), lane-wise mod 2^64.
inline Row multiplyAdd(Row row, uint64_t a, __m512i b0, __m512i b1, __m512i b2, __m512i b3) {
  const __m512i av = _mm512_set1_epi64(static_cast<long long>(a));
  row.v0 = _mm512_add_epi64(row.v0, _mm512_mullo_epi64(av, b0));
  row.v1 = _mm512_add_epi64(row.v1, _mm512_mullo_epi64(av, b1));
  row.v2 = _mm512_add_epi64(row.v2, _mm512_mullo_epi64(av, b2));
  row.v3 = _mm512_add_epi64(row.v3, _mm512_mullo_epi64(av, b3));
  return row;
}

/// A row of C (for accumulation) or zeros.
template <bool kAccumulate>
Row initialRow(const uint64_t* out) {
  Row row;
  if constexpr (kAccumulate) {
    row.v0 = _mm512_loadu_si512(out);
    row.v1 = _mm512_loadu_si512(out + 8);
    row.v2 = _mm512_loadu_si512(out + 16);
    row.v3 = _mm512_loadu_si512(out + 24);
  }
  return row;
}

void storeRow(Row row, uint64_t* out) {
  _mm512_storeu_si512(out, row.v0);
  _mm512_storeu_si512(out + 8, row.v1);
  _mm512_storeu_si512(out + 16, row.v2);
  _mm512_storeu_si512(out + 24, row.v3);
}

/// Accumulation starts the tile from C rather than adding C at the end, and the flag is a template
/// parameter: both keep GCC from spilling accumulators inside the loop (it did, at -O3 for a
/// run-time branch in the epilogue and at -O2 for loads of C after the loop).
template <bool kAccumulate>
void tile(int64_t kc, const uint64_t* __restrict a, int64_t rs, int64_t cs,
          const uint64_t* __restrict b, uint64_t* __restrict c, int64_t ldc) {
  Row r0 = initialRow<kAccumulate>(c);
  Row r1 = initialRow<kAccumulate>(c + ldc);
  Row r2 = initialRow<kAccumulate>(c + 2 * ldc);
  Row r3 = initialRow<kAccumulate>(c + 3 * ldc);
  Row r4 = initialRow<kAccumulate>(c + 4 * ldc);
  Row r5 = initialRow<kAccumulate>(c + 5 * ldc);
  const uint64_t* a0 = a;
  const uint64_t* a1 = a + rs;
  const uint64_t* a2 = a + 2 * rs;
  const uint64_t* a3 = a + 3 * rs;
  const uint64_t* a4 = a + 4 * rs;
  const uint64_t* a5 = a + 5 * rs;
  for (int64_t p = 0, off = 0; p < kc; ++p, off += cs) {
    // c[i][j] += A(i, p) * b[p][j]
    const __m512i b0 = _mm512_load_si512(b);
    const __m512i b1 = _mm512_load_si512(b + 8);
    const __m512i b2 = _mm512_load_si512(b + 16);
    const __m512i b3 = _mm512_load_si512(b + 24);
    r0 = multiplyAdd(r0, a0[off], b0, b1, b2, b3);
    r1 = multiplyAdd(r1, a1[off], b0, b1, b2, b3);
    r2 = multiplyAdd(r2, a2[off], b0, b1, b2, b3);
    r3 = multiplyAdd(r3, a3[off], b0, b1, b2, b3);
    r4 = multiplyAdd(r4, a4[off], b0, b1, b2, b3);
    r5 = multiplyAdd(r5, a5[off], b0, b1, b2, b3);
    b += kNr;
  }
  storeRow(r0, c);
  storeRow(r1, c + ldc);
  storeRow(r2, c + 2 * ldc);
  storeRow(r3, c + 3 * ldc);
  storeRow(r4, c + 4 * ldc);
  storeRow(r5, c + 5 * ldc);
}

void microKernel(int64_t kc, const uint64_t* a, int64_t a_row_stride, int64_t a_col_stride,
                 const uint64_t* b, uint64_t* c, int64_t ldc, bool accumulate) {
  if (accumulate) {
    tile<true>(kc, a, a_row_stride, a_col_stride, b, c, ldc);
  } else {
    tile<false>(kc, a, a_row_stride, a_col_stride, b, c, ldc);
  }
}

/// c[j] += sum_{u<kRows} a[u] * b[u*ldb + j], 8 columns per vector.
template <int kRows>
void rowUpdateN(int64_t n, const uint64_t* a, const uint64_t* __restrict b, int64_t ldb,
                uint64_t* __restrict c) {
  __m512i av[kRows];
  for (int u = 0; u < kRows; ++u) av[u] = _mm512_set1_epi64(static_cast<long long>(a[u]));
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m512i sum = _mm512_loadu_si512(c + j);
    for (int u = 0; u < kRows; ++u) {
      sum = _mm512_add_epi64(sum, _mm512_mullo_epi64(av[u], _mm512_loadu_si512(b + u * ldb + j)));
    }
    _mm512_storeu_si512(c + j, sum);
  }
  if (j < n) {  // the last n % 8 columns, masked
    const __mmask8 mask = static_cast<__mmask8>((1u << (n - j)) - 1);
    __m512i sum = _mm512_maskz_loadu_epi64(mask, c + j);
    for (int u = 0; u < kRows; ++u) {
      const __m512i bv = _mm512_maskz_loadu_epi64(mask, b + u * ldb + j);
      sum = _mm512_add_epi64(sum, _mm512_mullo_epi64(av[u], bv));
    }
    _mm512_mask_storeu_epi64(c + j, mask, sum);
  }
}

void rowUpdate(int64_t n, const uint64_t* a, int64_t rows, const uint64_t* b, int64_t ldb,
               uint64_t* c) {
  switch (rows) {
    case 1:
      return rowUpdateN<1>(n, a, b, ldb, c);
    case 2:
      return rowUpdateN<2>(n, a, b, ldb, c);
    case 3:
      return rowUpdateN<3>(n, a, b, ldb, c);
    default:
      return rowUpdateN<4>(n, a, b, ldb, c);
  }
}

constexpr GemmMicroKernel kKernel{"avx512", kMr, kNr, 192, 256, 4096, &microKernel, &rowUpdate};

}  // namespace

const GemmMicroKernel* avx512MicroKernel() { return &kKernel; }

}  // namespace sotto::detail

#else  // the compiler did not target AVX-512F/DQ for this file

namespace sotto::detail {
const GemmMicroKernel* avx512MicroKernel() { return nullptr; }
}  // namespace sotto::detail

#endif
