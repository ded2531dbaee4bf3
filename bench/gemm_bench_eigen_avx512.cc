// Eigen double GEMM built with -march=x86-64-v4 (AVX-512F/BW/CD/DQ/VL); see gemm_bench_eigen.h.
#define Eigen EigenAvx512  // NOLINT: distinct namespace for this instruction set
#include "gemm_bench_eigen_impl.h"

namespace sotto::bench {

EigenBaseline eigenDoubleAvx512() {
  return {"eigen_double_avx512",
          [] {
            __builtin_cpu_init();
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
          },
          &create, &run, &destroy};
}

}  // namespace sotto::bench
