// Eigen double GEMM built with -march=x86-64-v3 (AVX2 + FMA); see gemm_bench_eigen.h.
#define Eigen EigenAvx2  // NOLINT: distinct namespace for this instruction set
#include "gemm_bench_eigen_impl.h"

namespace sotto::bench {

EigenBaseline eigenDoubleAvx2() {
  return {"eigen_double_avx2",
          [] {
            __builtin_cpu_init();
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
          },
          &create, &run, &destroy};
}

}  // namespace sotto::bench
