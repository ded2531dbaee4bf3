// Portable GEMM microkernel: plain C++, 4 x 8 register tile (the compiler may vectorise it with
// whatever the baseline instruction set offers).

#include "tensor/gemm_kernels.h"

namespace sotto::detail {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 8;

void microKernel(int64_t kc, const uint64_t* __restrict a, int64_t a_row_stride,
                 int64_t a_col_stride, const uint64_t* __restrict b, uint64_t* __restrict c,
                 int64_t ldc, bool accumulate) {
  uint64_t acc[kMr][kNr] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < kMr; ++i) {
      const uint64_t av = a[i * a_row_stride];
      for (int j = 0; j < kNr; ++j) acc[i][j] += av * b[j];  // wraps mod 2^64
    }
    a += a_col_stride;
    b += kNr;
  }
  for (int i = 0; i < kMr; ++i) {
    uint64_t* row = c + i * ldc;
    for (int j = 0; j < kNr; ++j) row[j] = (accumulate ? row[j] : 0) + acc[i][j];
  }
}

void rowUpdate(int64_t n, const uint64_t* a, int64_t rows, const uint64_t* __restrict b,
               int64_t ldb, uint64_t* __restrict c) {
  for (int64_t u = 0; u < rows; ++u) {
    const uint64_t av = a[u];
    const uint64_t* row = b + u * ldb;
    for (int64_t j = 0; j < n; ++j) c[j] += av * row[j];
  }
}

constexpr GemmMicroKernel kKernel{"portable", kMr, kNr, 96, 256, 4096, &microKernel, &rowUpdate};

}  // namespace

const GemmMicroKernel* portableMicroKernel() { return &kKernel; }

}  // namespace sotto::detail
