// uint64 GEMM and conv2d throughput against Eigen's double GEMM of the same shape, one thread.
//
//   gemm/uint64/<m>x<k>x<n>              sotto::gemm, kernel picked at run time (kAuto)
//   gemm/uint64_<kernel>/<m>x<k>x<n>     each kernel this CPU runs (avx512, avx2, portable)
//   gemm/eigen_uint64/<m>x<k>x<n>        Eigen's own integer GEMM, library default flags
//   gemm/eigen_double/<m>x<k>x<n>        Eigen double GEMM, library default flags (x86-64: SSE2)
//   gemm/eigen_double_avx2/...           Eigen double GEMM built with -march=x86-64-v3
//   gemm/eigen_double_avx512/...         Eigen double GEMM built with -march=x86-64-v4
//   conv2d/uint64/<N>x<C>x<H>x<W>_<O>x<C/g>x<kh>x<kw>   sotto::conv2d (im2col + GEMM)
//
// The "flops" counter is 2·m·n·k (resp. 2·N·O·OH·OW·(C/g)·kh·kw) operations per second: a ring
// multiply-add counts as two operations, like a floating-point one, so rates compare directly.
// The extra -march flags only apply to the two baseline files, never to the library.

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gemm_bench_eigen.h"
#include "sotto/tensor/gemm.h"
#include "sotto/tensor/linear.h"
#include "sotto/tensor/ring_tensor.h"

namespace {

using sotto::GemmKernel;

struct GemmShape {
  int64_t m, k, n;
  std::string name() const {
    return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
  }
  double ops() const {
    return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  }
};

// Cubes, then shapes from inference: a batch-1 classifier layer and a small batched one.
const GemmShape kShapes[] = {{64, 64, 64},       {128, 128, 128}, {256, 256, 256}, {512, 512, 512},
                             {1024, 1024, 1024}, {1, 4096, 1000}, {64, 800, 500}};

std::vector<uint64_t> randomValues(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(static_cast<size_t>(n));
  for (uint64_t& x : v) x = rng();
  return v;
}

void setFlops(benchmark::State& state, double ops_per_iteration) {
  state.counters["flops"] = benchmark::Counter(
      ops_per_iteration * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void benchGemmUint64(benchmark::State& state, GemmShape s, GemmKernel kernel) {
  const std::vector<uint64_t> a = randomValues(s.m * s.k, 1);
  const std::vector<uint64_t> b = randomValues(s.k * s.n, 2);
  std::vector<uint64_t> c(static_cast<size_t>(s.m * s.n));
  const sotto::GemmOptions options{.accumulate = false, .kernel = kernel};
  for (auto _ : state) {
    sotto::gemm(sotto::ConstMatrixView::rowMajor(a.data(), s.m, s.k),
                sotto::ConstMatrixView::rowMajor(b.data(), s.k, s.n),
                sotto::MatrixView::rowMajor(c.data(), s.m, s.n), options);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  setFlops(state, s.ops());
  state.SetLabel(
      sotto::gemmKernelName(kernel == GemmKernel::kAuto ? sotto::gemmAutoKernel() : kernel));
}

template <typename Scalar>
void benchEigen(benchmark::State& state, GemmShape s) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Matrix a = Matrix::Random(s.m, s.k);
  const Matrix b = Matrix::Random(s.k, s.n);
  Matrix c(s.m, s.n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  setFlops(state, s.ops());
}

void benchEigenBaseline(benchmark::State& state, GemmShape s, sotto::bench::EigenBaseline base) {
  void* data = base.create(s.m, s.k, s.n);
  for (auto _ : state) {
    base.run(data);
    benchmark::ClobberMemory();
  }
  base.destroy(data);
  setFlops(state, s.ops());
}

struct ConvShape {
  sotto::Shape input;   // N, C, H, W
  sotto::Shape weight;  // O, C/groups, kh, kw
  sotto::Conv2dOptions options;
  std::string name() const {
    auto dims = [](const sotto::Shape& sh) {
      std::string r;
      for (int64_t i = 0; i < sh.rank(); ++i) {
        if (i > 0) r += 'x';
        r += std::to_string(sh[i]);
      }
      return r;
    };
    return dims(input) + "_" + dims(weight);
  }
};

void benchConv2d(benchmark::State& state, ConvShape s) {
  const sotto::Shape out = sotto::conv2dOutputShape(s.input, s.weight, s.options);
  const sotto::RingTensor x(s.input, randomValues(s.input.numel(), 3));
  const sotto::RingTensor w(s.weight, randomValues(s.weight.numel(), 4));
  for (auto _ : state) {
    sotto::RingTensor y = sotto::conv2d(x, w, s.options);
    benchmark::DoNotOptimize(y.data().data());
  }
  // 2 ops per multiply-add: N·O·OH·OW outputs, each a (C/groups)·kh·kw dot product.
  const double macs = static_cast<double>(out.numel()) * static_cast<double>(s.weight[1]) *
                      static_cast<double>(s.weight[2]) * static_cast<double>(s.weight[3]);
  setFlops(state, 2.0 * macs);
  state.SetLabel("stride " + std::to_string(s.options.stride[0]) + ", pad " +
                 std::to_string(s.options.padding[0]) + ", groups " +
                 std::to_string(s.options.groups));
}

/// Registers one benchmark, reported in microseconds.
template <typename... Args>
void add(const std::string& name, Args&&... args) {
  benchmark::RegisterBenchmark(name.c_str(), std::forward<Args>(args)...)
      ->Unit(benchmark::kMicrosecond);
}

void registerAll() {
  const GemmKernel kernels[] = {GemmKernel::kAvx512, GemmKernel::kAvx2, GemmKernel::kPortable};
#if defined(SOTTO_GEMM_BENCH_ISA_BASELINES)
  const std::vector<sotto::bench::EigenBaseline> baselines = {sotto::bench::eigenDoubleAvx2(),
                                                              sotto::bench::eigenDoubleAvx512()};
#else  // the compiler or platform cannot build them (see bench/CMakeLists.txt)
  const std::vector<sotto::bench::EigenBaseline> baselines;
#endif
  for (const GemmShape& s : kShapes) {
    add("gemm/uint64/" + s.name(), benchGemmUint64, s, GemmKernel::kAuto);
    for (GemmKernel kernel : kernels) {
      if (!sotto::gemmKernelAvailable(kernel)) continue;
      add("gemm/uint64_" + std::string(sotto::gemmKernelName(kernel)) + "/" + s.name(),
          benchGemmUint64, s, kernel);
    }
    add("gemm/eigen_uint64/" + s.name(), benchEigen<uint64_t>, s);
    add("gemm/eigen_double/" + s.name(), benchEigen<double>, s);
    for (const auto& base : baselines) {
      if (!base.cpuSupported()) continue;
      add("gemm/" + std::string(base.name) + "/" + s.name(), benchEigenBaseline, s, base);
    }
  }
  const ConvShape convs[] = {
      {sotto::Shape{1, 16, 32, 32}, sotto::Shape{16, 16, 5, 5}, {.padding = {2, 2}}},
      {sotto::Shape{1, 1, 28, 28}, sotto::Shape{6, 1, 5, 5}, {}},   // LeNet-5 conv1
      {sotto::Shape{1, 6, 14, 14}, sotto::Shape{16, 6, 5, 5}, {}},  // LeNet-5 conv2
      {sotto::Shape{1, 64, 27, 27}, sotto::Shape{192, 64, 5, 5}, {.padding = {2, 2}}},  // AlexNet
      {sotto::Shape{8, 16, 32, 32}, sotto::Shape{16, 16, 5, 5}, {.padding = {2, 2}}},
  };
  for (const ConvShape& s : convs) {
    add("conv2d/uint64/" + s.name(), benchConv2d, s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);  // one thread everywhere (Eigen is only threaded under OpenMP anyway)
  registerAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
