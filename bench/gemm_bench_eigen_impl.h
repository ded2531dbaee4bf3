// Private to gemm_bench_eigen_avx2.cc / gemm_bench_eigen_avx512.cc: the baseline implementation,
// included once per instruction set after `#define Eigen <unique namespace>`, so each TU's Eigen
// templates get their own symbols (no ODR merge of code built for different instruction sets).

#include <Eigen/Core>

#include "gemm_bench_eigen.h"

namespace sotto::bench {
namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct State {
  Matrix a, b, c;
};

void* create(int64_t m, int64_t k, int64_t n) {
  auto* s = new State{Matrix::Random(m, k), Matrix::Random(k, n), Matrix::Zero(m, n)};
  return s;
}

void run(void* state) {
  auto* s = static_cast<State*>(state);
  s->c.noalias() = s->a * s->b;
}

void destroy(void* state) { delete static_cast<State*>(state); }

}  // namespace
}  // namespace sotto::bench
