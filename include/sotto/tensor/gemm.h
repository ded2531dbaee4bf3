#pragma once
/// @file gemm.h
/// Matrix multiply over Z_2^64: C = A·B (+ C) with uint64_t wrap-around arithmetic.
///
/// The local matmul is the hot loop of every Beaver linear layer. The implementation is a
/// cache-blocked GEMM (packed panels, a register-blocked microkernel; a row-major A with short
/// rows is read in place), with the microkernel chosen at run time from what the CPU supports, so
/// the default build needs no -march flag:
///   - kAvx512: AVX-512F+DQ, vpmullq + vpaddq on 6x32 register tiles;
///   - kAvx2:   AVX2 has no 64-bit mullo; lo·lo with vpmuludq plus the two cross products'
///              low halves with one vpmulld (32-bit lanes) on a second accumulator, 2x8 tiles;
///   - kPortable: plain C++ 4x8 tiles (any CPU).
/// Products with at most 3 rows (a batch-1 layer) skip packing and stream B row by row.
/// Results are bit-identical across kernels. Single-threaded, and reentrant: concurrent calls
/// from several threads (e.g. one per simulated party) share no mutable state.

#include <cstdint>

namespace sotto {

/// Which microkernel runs a GEMM.
enum class GemmKernel {
  kAuto,      ///< The fastest available here: kAvx512, else kAvx2, else kPortable.
  kPortable,  ///< Plain C++; always available.
  kAvx2,      ///< x86-64 with AVX2 (vpmuludq + vpmulld emulation of 64-bit products).
  kAvx512,    ///< x86-64 with AVX-512F and AVX-512DQ (vpmullq).
};

/// Read-only strided view of an m x n matrix: element (i, j) is data[i*row_stride + j*col_stride].
/// Row-major is (row_stride = cols, col_stride = 1); its transpose swaps rows/cols and strides.
struct ConstMatrixView {
  const uint64_t* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t row_stride = 0;
  int64_t col_stride = 1;

  /// Dense row-major rows x cols matrix at data.
  static ConstMatrixView rowMajor(const uint64_t* data, int64_t rows, int64_t cols) {
    return {data, rows, cols, cols, 1};
  }
  /// The transpose, as a view of the same memory (no copy).
  ConstMatrixView transposed() const { return {data, cols, rows, col_stride, row_stride}; }
};

/// Writable view of an m x n matrix with unit column stride: element (i, j) is
/// data[i*row_stride + j].
struct MatrixView {
  uint64_t* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t row_stride = 0;

  /// Dense row-major rows x cols matrix at data.
  static MatrixView rowMajor(uint64_t* data, int64_t rows, int64_t cols) {
    return {data, rows, cols, cols};
  }
};

/// Options of gemm().
struct GemmOptions {
  /// false: C = A·B. true: C += A·B.
  bool accumulate = false;
  /// Microkernel; kAuto picks the fastest available.
  GemmKernel kernel = GemmKernel::kAuto;
};

/// C = A·B (or C += A·B) mod 2^64 for A m x k, B k x n, C m x n. Any of m, n, k may be 0 (k = 0
/// gives C = 0, or leaves C unchanged when accumulating). C must not overlap A or B.
/// Cost: 2·m·n·k ring operations (reported as "flops" by the benchmarks), plus packing copies of
/// O(m·k + k·n) elements; scratch memory up to about 0.4 MiB plus 2-3 KiB per column of B (at most
/// 4096 columns), allocated per call; no communication.
/// @throws InvalidArgument if the dimensions disagree (the message names them), a dimension is
///         negative, a non-empty operand has a null data pointer, or C's row stride is smaller than
///         its column count (with more than one row).
/// @throws NotImplemented if options.kernel names a kernel this CPU or build does not support.
void gemm(const ConstMatrixView& a, const ConstMatrixView& b, const MatrixView& c,
          const GemmOptions& options = {});

/// Whether `kernel` can run here (kAuto and kPortable always can). Checks the CPU (cpuid, and the
/// OS's saving of the vector registers) and whether the build compiled the kernel in.
bool gemmKernelAvailable(GemmKernel kernel);

/// What kAuto resolves to on this machine (never kAuto).
GemmKernel gemmAutoKernel();

/// "auto", "portable", "avx2" or "avx512".
const char* gemmKernelName(GemmKernel kernel);

}  // namespace sotto
