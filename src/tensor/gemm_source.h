#pragma once
// Private: GEMM with a right-hand operand that is never materialised (implicit GEMM). conv2d uses
// it to pack im2col panels straight from the image, saving the im2col pass over memory.

#include <cstdint>

#include "sotto/tensor/gemm.h"

namespace sotto::detail {

/// A k x n matrix B known only through its packing routine.
class GemmPanelSource {
 public:
  virtual ~GemmPanelSource() = default;

  /// Packs rows [p0, p0 + kc) and columns [j0, j0 + nc) of B into nr-wide panels: panel r holds,
  /// for p = 0 .. kc-1, the nr values B(p0 + p, j0 + r*nr + 0 .. nr-1) (zero past column j0 + nc).
  virtual void pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int64_t nr,
                    uint64_t* dst) const = 0;
};

/// C = A·B (+ C) for A m x k and B given by `b` (k = a.cols, n columns), with the checks and
/// kernel choice of sotto::gemm.
void gemmWithSource(const ConstMatrixView& a, const GemmPanelSource& b, int64_t n,
                    const MatrixView& c, const GemmOptions& options);

}  // namespace sotto::detail
