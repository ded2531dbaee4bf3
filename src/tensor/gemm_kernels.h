#pragma once
// Private: the contract between the blocked GEMM driver (gemm.cc) and its microkernels, each
// compiled in its own translation unit with its own instruction-set flags (gemm_*.cc). Those TUs
// include only this header and <immintrin.h>, so no inline function compiled with AVX flags can be
// chosen by the linker for code that runs on a CPU without them.

#include <cstdint>

namespace sotto::detail {

/// c[i*ldc + j] = (accumulate ? c[i*ldc + j] : 0) + sum_{p<kc} A(i, p) * b[p*nr + j]
/// for i < mr, j < nr, mod 2^64, where A(i, p) = a[i*a_row_stride + p*a_col_stride]: either a
/// packed panel (strides 1, mr) or mr rows of a row-major A read in place (strides lda, 1).
/// b is a packed panel, 64-byte aligned.
using GemmMicroKernelFn = void (*)(int64_t kc, const uint64_t* a, int64_t a_row_stride,
                                   int64_t a_col_stride, const uint64_t* b, uint64_t* c,
                                   int64_t ldc, bool accumulate);

/// c[j] += sum_{u<rows} a[u] * b[u*ldb + j] for j < n, mod 2^64, with 1 <= rows <= 4: up to four
/// rows of a row-major B streamed once into one row of C (the path for products with very few
/// rows, where packing B would cost more than the multiply).
using GemmRowUpdateFn = void (*)(int64_t n, const uint64_t* a, int64_t rows, const uint64_t* b,
                                 int64_t ldb, uint64_t* c);

/// A microkernel and the cache blocking tuned for it (mc a multiple of mr, nc of nr).
struct GemmMicroKernel {
  const char* name;
  int64_t mr;  // register tile rows (packed A panel width)
  int64_t nr;  // register tile columns (packed B panel width)
  int64_t mc;  // rows of A packed at once (the A block lives in L2)
  int64_t kc;  // depth of one packed block
  int64_t nc;  // columns of B packed at once
  GemmMicroKernelFn run;
  GemmRowUpdateFn row_update;
};

/// The kernels compiled into this build; nullptr when a kernel was not compiled in (not x86-64,
/// or the compiler lacks the instruction set). Whether the CPU can run it is checked separately.
const GemmMicroKernel* portableMicroKernel();
const GemmMicroKernel* avx2MicroKernel();
const GemmMicroKernel* avx512MicroKernel();

}  // namespace sotto::detail
