#pragma once
// Eigen double GEMM baselines compiled for one instruction set each (gemm_bench_eigen_avx2.cc with
// -march=x86-64-v3, gemm_bench_eigen_avx512.cc with -march=x86-64-v4), so the uint64 kernels can
// be compared with Eigen at its best on this CPU and not only with the library's default flags.
// The interface is plain C types so that no inline function is shared between those translation
// units and the rest of the benchmark (each TU renames Eigen's namespace for the same reason).

#include <cstdint>

namespace sotto::bench {

/// One baseline: create(m, k, n) allocates random m x k and k x n double matrices, run(state)
/// computes their product once, destroy(state) frees them. cpuSupported() says whether this CPU
/// can run the code (never call the others if not).
struct EigenBaseline {
  const char* name;
  bool (*cpuSupported)();
  void* (*create)(int64_t m, int64_t k, int64_t n);
  void (*run)(void* state);
  void (*destroy)(void* state);
};

EigenBaseline eigenDoubleAvx2();
EigenBaseline eigenDoubleAvx512();

}  // namespace sotto::bench
