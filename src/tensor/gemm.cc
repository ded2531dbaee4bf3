// Blocked uint64 GEMM (the BLIS loop structure) with a run-time choice of microkernel.
//
//   for jc in n by nc:
//     for pc in k by kc:
//       pack B[pc:pc+kc, jc:jc+nc] into nr-wide panels       (or an implicit source: conv2d)
//       for ic in m by mc:
//         pack A[ic:ic+mc, pc:pc+kc] into mr-tall panels     (a short-row row-major A: in place)
//         for jr in nc by nr:      one B panel stays hot across the ir loop
//           for ir in mc by mr:    microkernel: C[mr x nr] (+)= A panel · B panel
//
// Edge tiles are zero-padded in the packed panels and written through a small buffer. Products
// with at most kRowByRowMaxRows rows take a separate path that packs nothing (rowByRowGemm).

#include "sotto/tensor/gemm.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "sotto/error.h"
#include "tensor/gemm_kernels.h"
#include "tensor/gemm_source.h"

namespace sotto {
namespace {

using detail::GemmMicroKernel;

/// Products with at most this many rows skip packing and stream B row by row (see rowByRowGemm).
/// Measured on Zen 5 with the avx512 kernel: 1-3 rows are 1.1-5x faster that way (k x n = 4096 x
/// 1000, 9216 x 4096, 512 x 512, 400 x 120); at 4 rows it is a tie and beyond that packing wins.
constexpr int64_t kRowByRowMaxRows = 3;

bool cpuHasAvx2() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // libgcc's cpuid check also requires the OS to save the ymm state (XGETBV).
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

bool cpuHasAvx512() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // libgcc's cpuid check also requires the OS to save the zmm/opmask state (XGETBV).
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#else
  return false;
#endif
}

const GemmMicroKernel* kernelIfUsable(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::kPortable:
      return detail::portableMicroKernel();
    case GemmKernel::kAvx2:
      return cpuHasAvx2() ? detail::avx2MicroKernel() : nullptr;
    case GemmKernel::kAvx512:
      return cpuHasAvx512() ? detail::avx512MicroKernel() : nullptr;
    case GemmKernel::kAuto:
      break;
  }
  return nullptr;
}

GemmKernel detectAutoKernel() {
  for (GemmKernel k : {GemmKernel::kAvx512, GemmKernel::kAvx2}) {
    if (kernelIfUsable(k) != nullptr) return k;
  }
  return GemmKernel::kPortable;
}

const GemmMicroKernel& resolveKernel(GemmKernel kernel) {
  if (kernel == GemmKernel::kAuto) kernel = gemmAutoKernel();
  const GemmMicroKernel* uk = kernelIfUsable(kernel);
  SOTTO_ENFORCE_AS(NotImplemented, uk != nullptr, "gemm: kernel '", gemmKernelName(kernel),
                   "' is not available on this CPU or in this build");
  return *uk;
}

/// 64-byte aligned scratch for packed panels (aligned loads in the microkernels).
struct AlignedDeleter {
  void operator()(uint64_t* p) const { ::operator delete[](p, std::align_val_t{64}); }
};
using AlignedBuffer = std::unique_ptr<uint64_t[], AlignedDeleter>;

AlignedBuffer allocateAligned(int64_t count) {
  void* p = ::operator new[](static_cast<size_t>(std::max<int64_t>(count, 1)) * sizeof(uint64_t),
                             std::align_val_t{64});
  return AlignedBuffer(static_cast<uint64_t*>(p));
}

int64_t roundUp(int64_t x, int64_t multiple) { return (x + multiple - 1) / multiple * multiple; }

/// Packs A[i0:i0+mc, p0:p0+kc] into mr-tall panels: panel r holds, for each p, rows
/// r*mr .. r*mr+mr-1 (zero past the edge). kMr > 0 fixes mr at compile time (the common tile
/// heights), so the row-major path unrolls; kMr == 0 takes it from `mr`.
template <int64_t kMr>
void packA(const ConstMatrixView& a, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
           int64_t mr_runtime, uint64_t* dst) {
  const int64_t mr = kMr > 0 ? kMr : mr_runtime;
  for (int64_t ir = 0; ir < mc; ir += mr) {
    const int64_t rows = std::min(mr, mc - ir);
    const uint64_t* src = a.data + (i0 + ir) * a.row_stride + p0 * a.col_stride;
    if (rows == mr && a.col_stride == 1) {
      // Row-major A: interleave mr rows, each read sequentially.
      for (int64_t p = 0; p < kc; ++p) {
        for (int64_t i = 0; i < mr; ++i) dst[p * mr + i] = src[i * a.row_stride + p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const uint64_t* col = src + p * a.col_stride;
        int64_t i = 0;
        for (; i < rows; ++i) dst[p * mr + i] = col[i * a.row_stride];
        for (; i < mr; ++i) dst[p * mr + i] = 0;
      }
    }
    dst += mr * kc;
  }
}

/// Packs B[p0:p0+kc, j0:j0+nc] into nr-wide panels: panel r holds, for each p, columns
/// r*nr .. r*nr+nr-1 (zero past the edge). kNr as kMr above.
template <int64_t kNr>
void packB(const ConstMatrixView& b, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
           int64_t nr_runtime, uint64_t* dst) {
  const int64_t nr = kNr > 0 ? kNr : nr_runtime;
  for (int64_t jr = 0; jr < nc; jr += nr) {
    const int64_t cols = std::min(nr, nc - jr);
    const uint64_t* src = b.data + p0 * b.row_stride + (j0 + jr) * b.col_stride;
    if (cols == nr && b.col_stride == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        std::memcpy(dst + p * nr, src + p * b.row_stride, sizeof(uint64_t) * nr);
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const uint64_t* row = src + p * b.row_stride;
        uint64_t* out = dst + p * nr;
        int64_t j = 0;
        for (; j < cols; ++j) out[j] = row[j * b.col_stride];
        for (; j < nr; ++j) out[j] = 0;
      }
    }
    dst += nr * kc;
  }
}

using PackFn = void (*)(const ConstMatrixView&, int64_t, int64_t, int64_t, int64_t, int64_t,
                        uint64_t*);

/// The packing routine specialised for a tile height (A) or width (B), if there is one.
PackFn packAFor(int64_t mr) {
  switch (mr) {
    case 2:
      return &packA<2>;
    case 4:
      return &packA<4>;
    case 6:
      return &packA<6>;
    default:
      return &packA<0>;
  }
}

PackFn packBFor(int64_t nr) {
  switch (nr) {
    case 8:
      return &packB<8>;
    case 32:
      return &packB<32>;
    default:
      return &packB<0>;
  }
}

/// The blocked loop nest. pack_b(p0, kc, j0, nc, nr, dst) packs a block of B (see
/// detail::GemmPanelSource::pack).
template <typename PackB>
void blockedGemm(const GemmMicroKernel& uk, const ConstMatrixView& a, const PackB& pack_b,
                 int64_t n, const MatrixView& c, bool accumulate) {
  const int64_t m = a.rows;
  const int64_t k = a.cols;
  const int64_t mr = uk.mr;
  const int64_t nr = uk.nr;
  const int64_t kc_max = std::min(uk.kc, k);
  // A row-major A with short rows (row stride <= kc) is read in place by the microkernel: its rows
  // already are the panel's rows, and skipping the copy gains 5-15% up to 256^3 (measured on
  // Zen 5). Only a last partial panel is packed, to pad it with zero rows. Longer rows are packed:
  // in place, a block's rows would sit at a large (often power-of-two) stride and conflict in L2
  // (1024^3 lost 10%). Any other A is packed too. B is always packed.
  const bool a_in_place = a.col_stride == 1 && a.row_stride <= uk.kc;
  AlignedBuffer packed_a =
      allocateAligned((a_in_place ? mr : roundUp(std::min(uk.mc, m), mr)) * kc_max);
  AlignedBuffer packed_b = allocateAligned(roundUp(std::min(uk.nc, n), nr) * kc_max);
  const PackFn pack_a = packAFor(mr);
  alignas(64) uint64_t edge[512];  // mr * nr <= 512 for every kernel
  for (int64_t jc = 0; jc < n; jc += uk.nc) {
    const int64_t nc = std::min(uk.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += uk.kc) {
      const int64_t kc = std::min(uk.kc, k - pc);
      const bool acc = accumulate || pc > 0;
      pack_b(pc, kc, jc, nc, nr, packed_b.get());
      for (int64_t ic = 0; ic < m; ic += uk.mc) {
        const int64_t mc = std::min(uk.mc, m - ic);
        const int64_t tail = mc % mr;  // rows of a last partial panel
        if (!a_in_place) {
          pack_a(a, ic, mc, pc, kc, mr, packed_a.get());
        } else if (tail > 0) {
          pack_a(a, ic + mc - tail, tail, pc, kc, mr, packed_a.get());
        }
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = std::min(nr, nc - jr);
          const uint64_t* panel_b = packed_b.get() + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int64_t rows = std::min(mr, mc - ir);
            // The A panel: packed (strides 1, mr) or in place (strides row_stride, 1).
            const uint64_t* panel_a = packed_a.get() + (a_in_place ? 0 : ir * kc);
            int64_t a_rs = 1;
            int64_t a_cs = mr;
            if (a_in_place && rows == mr) {
              panel_a = a.data + (ic + ir) * a.row_stride + pc;
              a_rs = a.row_stride;
              a_cs = 1;
            }
            uint64_t* tile = c.data + (ic + ir) * c.row_stride + jc + jr;
            if (rows == mr && cols == nr) {
              uk.run(kc, panel_a, a_rs, a_cs, panel_b, tile, c.row_stride, acc);
              continue;
            }
            uk.run(kc, panel_a, a_rs, a_cs, panel_b, edge, nr, false);
            for (int64_t i = 0; i < rows; ++i) {
              uint64_t* out = tile + i * c.row_stride;
              const uint64_t* in = edge + i * nr;
              for (int64_t j = 0; j < cols; ++j) out[j] = (acc ? out[j] : 0) + in[j];
            }
          }
        }
      }
    }
  }
}

/// C = A·B (+ C) one row of C at a time, streaming four rows of B per pass: each element of B is
/// read once per row of A and nothing is packed. For products with very few rows of A.
void rowByRowGemm(const GemmMicroKernel& uk, const ConstMatrixView& a, const ConstMatrixView& b,
                  const MatrixView& c, bool accumulate) {
  constexpr int64_t kColumnBlock = 2048;  // 16 KiB of the C row stays in L1 across the k loop
  const int64_t k = a.cols;
  const int64_t n = b.cols;
  for (int64_t i = 0; i < a.rows; ++i) {
    uint64_t* crow = c.data + i * c.row_stride;
    if (!accumulate) std::fill_n(crow, n, uint64_t{0});
    for (int64_t j0 = 0; j0 < n; j0 += kColumnBlock) {
      const int64_t nb = std::min(kColumnBlock, n - j0);
      for (int64_t p = 0; p < k; p += 4) {
        const int64_t rows = std::min<int64_t>(4, k - p);
        uint64_t a4[4];
        for (int64_t u = 0; u < rows; ++u) {
          a4[u] = a.data[i * a.row_stride + (p + u) * a.col_stride];
        }
        uk.row_update(nb, a4, rows, b.data + p * b.row_stride + j0, b.row_stride, crow + j0);
      }
    }
  }
}

/// The argument checks shared by gemm and gemmWithSource (B is k x n).
void checkGemmArguments(const ConstMatrixView& a, int64_t b_rows, int64_t b_cols,
                        const MatrixView& c) {
  SOTTO_ENFORCE(
      a.rows >= 0 && a.cols >= 0 && b_rows >= 0 && b_cols >= 0 && c.rows >= 0 && c.cols >= 0,
      "gemm: negative dimension in A ", a.rows, "x", a.cols, ", B ", b_rows, "x", b_cols, " or C ",
      c.rows, "x", c.cols);
  SOTTO_ENFORCE(a.cols == b_rows && c.rows == a.rows && c.cols == b_cols, "gemm: A ", a.rows, "x",
                a.cols, " times B ", b_rows, "x", b_cols, " does not give C ", c.rows, "x", c.cols);
  SOTTO_ENFORCE(a.rows * a.cols == 0 || a.data != nullptr, "gemm: A has null data");
  SOTTO_ENFORCE(c.rows * c.cols == 0 || c.data != nullptr, "gemm: C has null data");
  SOTTO_ENFORCE(c.rows <= 1 || c.row_stride >= c.cols, "gemm: C row stride ", c.row_stride,
                " is smaller than its ", c.cols, " columns");
}

/// Handles the empty cases (m, n or k = 0); true if nothing is left to compute.
bool handleEmpty(const MatrixView& c, int64_t k, bool accumulate) {
  if (c.rows == 0 || c.cols == 0) return true;
  if (k != 0) return false;
  if (!accumulate) {
    for (int64_t i = 0; i < c.rows; ++i) {
      std::fill_n(c.data + i * c.row_stride, c.cols, uint64_t{0});
    }
  }
  return true;
}

}  // namespace

void gemm(const ConstMatrixView& a, const ConstMatrixView& b, const MatrixView& c,
          const GemmOptions& options) {
  checkGemmArguments(a, b.rows, b.cols, c);
  SOTTO_ENFORCE(b.rows * b.cols == 0 || b.data != nullptr, "gemm: B has null data");
  const GemmMicroKernel& uk = resolveKernel(options.kernel);  // checked even for empty products
  if (handleEmpty(c, a.cols, options.accumulate)) return;
  if (a.rows <= kRowByRowMaxRows && b.col_stride == 1) {
    rowByRowGemm(uk, a, b, c, options.accumulate);
    return;
  }
  const PackFn pack_b = packBFor(uk.nr);
  blockedGemm(
      uk, a,
      [&](int64_t p0, int64_t kc, int64_t j0, int64_t nc, int64_t nr, uint64_t* dst) {
        pack_b(b, p0, kc, j0, nc, nr, dst);
      },
      b.cols, c, options.accumulate);
}

namespace detail {

void gemmWithSource(const ConstMatrixView& a, const GemmPanelSource& b, int64_t n,
                    const MatrixView& c, const GemmOptions& options) {
  checkGemmArguments(a, a.cols, n, c);
  const GemmMicroKernel& uk = resolveKernel(options.kernel);
  if (handleEmpty(c, a.cols, options.accumulate)) return;
  blockedGemm(
      uk, a,
      [&](int64_t p0, int64_t kc, int64_t j0, int64_t nc, int64_t nr, uint64_t* dst) {
        b.pack(p0, kc, j0, nc, nr, dst);
      },
      n, c, options.accumulate);
}

}  // namespace detail

bool gemmKernelAvailable(GemmKernel kernel) {
  return kernel == GemmKernel::kAuto || kernelIfUsable(kernel) != nullptr;
}

GemmKernel gemmAutoKernel() {
  static const GemmKernel kDetected = detectAutoKernel();  // thread-safe, computed once
  return kDetected;
}

const char* gemmKernelName(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::kAuto:
      return "auto";
    case GemmKernel::kPortable:
      return "portable";
    case GemmKernel::kAvx2:
      return "avx2";
    case GemmKernel::kAvx512:
      return "avx512";
  }
  return "unknown";
}

}  // namespace sotto
