// Tests of the uint64 GEMM (every kernel this CPU runs) and of matmul / im2col / conv2d, all
// against naive triple-loop references. Ring arithmetic is exact: tolerance 0, bit-for-bit.

#include "sotto/tensor/gemm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/error.h"
#include "sotto/tensor/linear.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto {
namespace {

std::vector<uint64_t> randomValues(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(static_cast<size_t>(n));
  for (uint64_t& x : v) x = rng();  // full 64-bit range: every product wraps
  return v;
}

RingTensor randomTensor(Shape shape, uint64_t seed) {
  const int64_t n = shape.numel();
  return RingTensor(std::move(shape), randomValues(n, seed));
}

/// C (m x n, row stride ldc) = A·B with A(i,p) = a[i*ars + p*acs], B(p,j) = b[p*brs + j*bcs].
void referenceGemm(int64_t m, int64_t n, int64_t k, const uint64_t* a, int64_t ars, int64_t acs,
                   const uint64_t* b, int64_t brs, int64_t bcs, uint64_t* c, int64_t ldc,
                   bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      uint64_t s = accumulate ? c[i * ldc + j] : 0;
      for (int64_t p = 0; p < k; ++p) s += a[i * ars + p * acs] * b[p * brs + j * bcs];
      c[i * ldc + j] = s;
    }
  }
}

std::vector<GemmKernel> allKernels() {
  return {GemmKernel::kAuto, GemmKernel::kPortable, GemmKernel::kAvx2, GemmKernel::kAvx512};
}

// ---- gemm on every kernel -------------------------------------------------------------------

class GemmKernelTest
    : public ::testing::TestWithParam<std::tuple<GemmKernel, std::vector<int64_t>>> {
 protected:
  void SetUp() override {
    if (!gemmKernelAvailable(kernel())) {
      GTEST_SKIP() << "kernel " << gemmKernelName(kernel()) << " not available on this machine";
    }
  }
  GemmKernel kernel() const { return std::get<0>(GetParam()); }
  int64_t m() const { return std::get<1>(GetParam())[0]; }
  int64_t k() const { return std::get<1>(GetParam())[1]; }
  int64_t n() const { return std::get<1>(GetParam())[2]; }
};

TEST_P(GemmKernelTest, RowMajorMatchesReference) {
  const auto a = randomValues(m() * k(), 1);
  const auto b = randomValues(k() * n(), 2);
  std::vector<uint64_t> c(static_cast<size_t>(m() * n()), 0xdeadbeef);  // must be overwritten
  std::vector<uint64_t> want(c.size());
  referenceGemm(m(), n(), k(), a.data(), k(), 1, b.data(), n(), 1, want.data(), n(), false);
  gemm(ConstMatrixView::rowMajor(a.data(), m(), k()), ConstMatrixView::rowMajor(b.data(), k(), n()),
       MatrixView::rowMajor(c.data(), m(), n()), {.accumulate = false, .kernel = kernel()});
  EXPECT_EQ(c, want);
}

TEST_P(GemmKernelTest, AccumulateAddsToC) {
  const auto a = randomValues(m() * k(), 3);
  const auto b = randomValues(k() * n(), 4);
  std::vector<uint64_t> c = randomValues(m() * n(), 5);
  std::vector<uint64_t> want = c;
  referenceGemm(m(), n(), k(), a.data(), k(), 1, b.data(), n(), 1, want.data(), n(), true);
  gemm(ConstMatrixView::rowMajor(a.data(), m(), k()), ConstMatrixView::rowMajor(b.data(), k(), n()),
       MatrixView::rowMajor(c.data(), m(), n()), {.accumulate = true, .kernel = kernel()});
  EXPECT_EQ(c, want);
}

TEST_P(GemmKernelTest, TransposedOperandsAndPaddedC) {
  // A stored as k x m (read transposed), B stored as n x k (read transposed), C with 3 columns of
  // padding per row that must stay untouched.
  const auto at = randomValues(k() * m(), 6);
  const auto bt = randomValues(n() * k(), 7);
  const int64_t ldc = n() + 3;
  std::vector<uint64_t> c(static_cast<size_t>(m() * ldc), 0x5555);
  std::vector<uint64_t> want = c;
  referenceGemm(m(), n(), k(), at.data(), 1, m(), bt.data(), 1, k(), want.data(), ldc, false);
  gemm(ConstMatrixView::rowMajor(at.data(), k(), m()).transposed(),
       ConstMatrixView::rowMajor(bt.data(), n(), k()).transposed(),
       MatrixView{c.data(), m(), n(), ldc}, {.accumulate = false, .kernel = kernel()});
  EXPECT_EQ(c, want);
}

TEST_P(GemmKernelTest, PaddedRowsOfA) {
  // Row-major A whose rows are 5 elements longer than k (a sub-matrix view).
  const int64_t lda = k() + 5;
  const auto a = randomValues(m() * lda, 8);
  const auto b = randomValues(k() * n(), 9);
  std::vector<uint64_t> c(static_cast<size_t>(m() * n()));
  std::vector<uint64_t> want(c.size());
  referenceGemm(m(), n(), k(), a.data(), lda, 1, b.data(), n(), 1, want.data(), n(), false);
  gemm(ConstMatrixView{a.data(), m(), k(), lda, 1}, ConstMatrixView::rowMajor(b.data(), k(), n()),
       MatrixView::rowMajor(c.data(), m(), n()), {.accumulate = false, .kernel = kernel()});
  EXPECT_EQ(c, want);
}

// Shapes: tiny, odd, zero-size, the row-by-row path (m <= 3, n > its 2048-column block), A read
// in place (row stride <= kc) and packed (longer rows), and shapes crossing every blocking
// boundary of every kernel (mr 2/4/6, nr 8/32, mc 96/192, kc 256/384, nc 4096).
INSTANTIATE_TEST_SUITE_P(
    Shapes, GemmKernelTest,
    ::testing::Combine(
        ::testing::ValuesIn(allKernels()),
        ::testing::Values(std::vector<int64_t>{1, 1, 1}, std::vector<int64_t>{1, 37, 29},
                          std::vector<int64_t>{2, 7, 13}, std::vector<int64_t>{3, 9, 1},
                          std::vector<int64_t>{4, 33, 20}, std::vector<int64_t>{7, 13, 5},
                          std::vector<int64_t>{0, 5, 3}, std::vector<int64_t>{5, 0, 3},
                          std::vector<int64_t>{5, 3, 0}, std::vector<int64_t>{6, 1, 32},
                          std::vector<int64_t>{64, 64, 64}, std::vector<int64_t>{37, 300, 45},
                          std::vector<int64_t>{200, 20, 70}, std::vector<int64_t>{13, 777, 9},
                          std::vector<int64_t>{3, 5, 4100})),
    [](const auto& test_info) {
      const auto& s = std::get<1>(test_info.param);
      return std::string(gemmKernelName(std::get<0>(test_info.param))) + "_" +
             std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
    });

TEST(Gemm, CrossTermsWrapModulo2To64) {
  // (2^32 + 1)^2 = 2^64 + 2^33 + 1 = 2^33 + 1 mod 2^64; (2^63)·2 = 0; (-1)·(-1) = 1.
  for (GemmKernel kernel : allKernels()) {
    if (!gemmKernelAvailable(kernel)) continue;
    const std::vector<uint64_t> a = {(1ULL << 32) + 1, 1ULL << 63, ~0ULL};
    const std::vector<uint64_t> b = {(1ULL << 32) + 1, 2, ~0ULL};
    std::vector<uint64_t> c(9);
    gemm(ConstMatrixView::rowMajor(a.data(), 3, 1), ConstMatrixView::rowMajor(b.data(), 1, 3),
         MatrixView::rowMajor(c.data(), 3, 3), {.accumulate = false, .kernel = kernel});
    EXPECT_EQ(c[0], (1ULL << 33) + 1) << gemmKernelName(kernel);
    EXPECT_EQ(c[4], 0u) << gemmKernelName(kernel);
    EXPECT_EQ(c[8], 1u) << gemmKernelName(kernel);
  }
}

TEST(Gemm, EmptyInnerDimensionZeroesOrKeepsC) {
  std::vector<uint64_t> c = {1, 2, 3, 4};
  gemm(ConstMatrixView{nullptr, 2, 0, 0, 1}, ConstMatrixView{nullptr, 0, 2, 2, 1},
       MatrixView::rowMajor(c.data(), 2, 2), {.accumulate = true});
  EXPECT_EQ(c, (std::vector<uint64_t>{1, 2, 3, 4}));
  gemm(ConstMatrixView{nullptr, 2, 0, 0, 1}, ConstMatrixView{nullptr, 0, 2, 2, 1},
       MatrixView::rowMajor(c.data(), 2, 2));
  EXPECT_EQ(c, (std::vector<uint64_t>{0, 0, 0, 0}));
}

TEST(Gemm, DimensionMismatchThrows) {
  std::vector<uint64_t> x(16);
  EXPECT_THROW(
      gemm(ConstMatrixView::rowMajor(x.data(), 2, 3), ConstMatrixView::rowMajor(x.data(), 2, 2),
           MatrixView::rowMajor(x.data(), 2, 2)),
      InvalidArgument);
  EXPECT_THROW(
      gemm(ConstMatrixView::rowMajor(x.data(), 2, 2), ConstMatrixView::rowMajor(x.data(), 2, 2),
           MatrixView::rowMajor(x.data(), 3, 2)),
      InvalidArgument);
  EXPECT_THROW(gemm(ConstMatrixView::rowMajor(x.data(), 2, 2),
                    ConstMatrixView::rowMajor(x.data(), 2, 2), MatrixView{x.data(), 2, 2, 1}),
               InvalidArgument);
}

TEST(Gemm, KernelQueries) {
  EXPECT_TRUE(gemmKernelAvailable(GemmKernel::kAuto));
  EXPECT_TRUE(gemmKernelAvailable(GemmKernel::kPortable));
  const GemmKernel best = gemmAutoKernel();
  EXPECT_NE(best, GemmKernel::kAuto);
  EXPECT_TRUE(gemmKernelAvailable(best));
  if (gemmKernelAvailable(GemmKernel::kAvx512)) {
    EXPECT_EQ(best, GemmKernel::kAvx512);
  }
  EXPECT_STREQ(gemmKernelName(GemmKernel::kAvx2), "avx2");
  for (GemmKernel kernel : allKernels()) {
    if (gemmKernelAvailable(kernel)) continue;
    std::vector<uint64_t> x(4);
    EXPECT_THROW(
        gemm(ConstMatrixView::rowMajor(x.data(), 1, 1), ConstMatrixView::rowMajor(x.data(), 1, 1),
             MatrixView::rowMajor(x.data() + 2, 1, 1), {.kernel = kernel}),
        NotImplemented);
  }
}

// ---- matmul ---------------------------------------------------------------------------------

/// Naive batched matmul over broadcast batch dims, via explicit multi-indices (independent of the
/// implementation's stride tricks).
RingTensor referenceMatmul(const RingTensor& a, const RingTensor& b) {
  const int64_t m = a.dim(-2);
  const int64_t k = a.dim(-1);
  const int64_t n = b.dim(-1);
  const Shape ba(std::vector<int64_t>(a.shape().dims().begin(), a.shape().dims().end() - 2));
  const Shape bb(std::vector<int64_t>(b.shape().dims().begin(), b.shape().dims().end() - 2));
  const Shape batch = broadcastShapes(ba, bb);
  std::vector<int64_t> out_dims = batch.dims();
  out_dims.push_back(m);
  out_dims.push_back(n);
  RingTensor out{Shape(out_dims)};
  for (int64_t t = 0; t < batch.numel(); ++t) {
    // batch multi-index of t, then the operands' (broadcast) indices
    std::vector<int64_t> idx(static_cast<size_t>(batch.rank()));
    for (int64_t d = batch.rank() - 1, r = t; d >= 0; --d) {
      idx[static_cast<size_t>(d)] = r % batch[d];
      r /= batch[d];
    }
    auto operand_index = [&](const Shape& s) {
      std::vector<int64_t> i(static_cast<size_t>(s.rank()));
      for (int64_t d = 0; d < s.rank(); ++d) {
        const int64_t bd = d + batch.rank() - s.rank();
        i[static_cast<size_t>(d)] = s[d] == 1 ? 0 : idx[static_cast<size_t>(bd)];
      }
      return i;
    };
    std::vector<int64_t> ia = operand_index(ba);
    std::vector<int64_t> ib = operand_index(bb);
    std::vector<int64_t> io = idx;
    ia.resize(ia.size() + 2);
    ib.resize(ib.size() + 2);
    io.resize(io.size() + 2);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        uint64_t s = 0;
        for (int64_t p = 0; p < k; ++p) {
          ia[ia.size() - 2] = i;
          ia[ia.size() - 1] = p;
          ib[ib.size() - 2] = p;
          ib[ib.size() - 1] = j;
          s += a.at(ia) * b.at(ib);
        }
        io[io.size() - 2] = i;
        io[io.size() - 1] = j;
        out.at(io) = s;
      }
    }
  }
  return out;
}

TEST(Matmul, TwoDimensionalMatchesReference) {
  const RingTensor a = randomTensor(Shape{19, 33}, 10);
  const RingTensor b = randomTensor(Shape{33, 41}, 11);
  const RingTensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{19, 41}));
  EXPECT_EQ(c, referenceMatmul(a, b));
}

TEST(Matmul, EveryKernelGivesTheSameBits) {
  const RingTensor a = randomTensor(Shape{50, 70}, 12);
  const RingTensor b = randomTensor(Shape{70, 90}, 13);
  const RingTensor want = referenceMatmul(a, b);
  for (GemmKernel kernel : allKernels()) {
    if (!gemmKernelAvailable(kernel)) continue;
    EXPECT_EQ(matmul(a, b, kernel), want) << gemmKernelName(kernel);
  }
}

TEST(Matmul, SameBatch) {
  const RingTensor a = randomTensor(Shape{2, 3, 5, 7}, 14);
  const RingTensor b = randomTensor(Shape{2, 3, 7, 4}, 15);
  const RingTensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 3, 5, 4}));
  EXPECT_EQ(c, referenceMatmul(a, b));
}

TEST(Matmul, SharedRightOperandFoldsBatch) {
  const RingTensor a = randomTensor(Shape{4, 6, 9}, 16);
  const RingTensor b = randomTensor(Shape{9, 5}, 17);
  EXPECT_EQ(matmul(a, b), referenceMatmul(a, b));
  const RingTensor b1 = randomTensor(Shape{1, 9, 5}, 18);
  EXPECT_EQ(matmul(a, b1), referenceMatmul(a, b1));
}

TEST(Matmul, BroadcastBatchDims) {
  const RingTensor a = randomTensor(Shape{2, 1, 3, 4}, 19);
  const RingTensor b = randomTensor(Shape{5, 4, 6}, 20);
  const RingTensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 5, 3, 6}));
  EXPECT_EQ(c, referenceMatmul(a, b));
  const RingTensor a2 = randomTensor(Shape{3, 4}, 21);
  EXPECT_EQ(matmul(a2, b), referenceMatmul(a2, b));  // 2-D left, batched right
}

TEST(Matmul, ZeroSize) {
  EXPECT_EQ(matmul(RingTensor(Shape{0, 4}), RingTensor(Shape{4, 3})).shape(), (Shape{0, 3}));
  EXPECT_EQ(matmul(RingTensor(Shape{2, 0}), RingTensor(Shape{0, 3})), RingTensor(Shape{2, 3}));
  EXPECT_EQ(matmul(RingTensor(Shape{0, 2, 4}), RingTensor(Shape{4, 3})).shape(), (Shape{0, 2, 3}));
  EXPECT_EQ(matmul(RingTensor(Shape{2, 5, 0}), RingTensor(Shape{2, 0, 3})),
            RingTensor(Shape{2, 5, 3}));
}

TEST(Matmul, ShapeErrorsNameTheShapes) {
  try {
    matmul(RingTensor(Shape{2, 3}), RingTensor(Shape{4, 5}));
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(matmul(RingTensor(Shape{3}), RingTensor(Shape{3, 1})), InvalidArgument);
  try {
    matmul(RingTensor(Shape{2, 3, 4}), RingTensor(Shape{3, 4, 5}));
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3, 4]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[3, 4, 5]"), std::string::npos) << e.what();
  }
}

// ---- im2col and conv2d ----------------------------------------------------------------------

/// Direct 7-loop convolution (cross-correlation) with zero padding, stride, dilation, groups.
RingTensor referenceConv2d(const RingTensor& x, const RingTensor& w, const Conv2dOptions& o) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t oc = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  const int64_t oh = (h + 2 * o.padding[0] - o.dilation[0] * (kh - 1) - 1) / o.stride[0] + 1;
  const int64_t ow = (wd + 2 * o.padding[1] - o.dilation[1] * (kw - 1) - 1) / o.stride[1] + 1;
  const int64_t og = oc / o.groups;
  RingTensor out{Shape{n, oc, oh, ow}};
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t f = 0; f < oc; ++f) {
      const int64_t g = f / og;
      for (int64_t y = 0; y < oh; ++y) {
        for (int64_t z = 0; z < ow; ++z) {
          uint64_t s = 0;
          for (int64_t ci = 0; ci < cg; ++ci) {
            for (int64_t i = 0; i < kh; ++i) {
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t iy = y * o.stride[0] - o.padding[0] + i * o.dilation[0];
                const int64_t iz = z * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (iy < 0 || iy >= h || iz < 0 || iz >= wd) continue;
                s += x.at({b, g * cg + ci, iy, iz}) * w.at({f, ci, i, j});
              }
            }
          }
          out.at({b, f, y, z}) = s;
        }
      }
    }
  }
  (void)c;
  return out;
}

struct ConvCase {
  std::string name;
  Shape input;
  Shape weight;
  Conv2dOptions options;
};

class Conv2dTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dTest, MatchesDirectConvolution) {
  const ConvCase& cc = GetParam();
  const RingTensor x = randomTensor(cc.input, 30);
  const RingTensor w = randomTensor(cc.weight, 31);
  const RingTensor want = referenceConv2d(x, w, cc.options);
  EXPECT_EQ(conv2dOutputShape(cc.input, cc.weight, cc.options), want.shape());
  for (GemmKernel kernel : allKernels()) {
    if (!gemmKernelAvailable(kernel)) continue;
    EXPECT_EQ(conv2d(x, w, cc.options, kernel), want) << gemmKernelName(kernel);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Conv2dTest,
    ::testing::Values(
        ConvCase{"plain", Shape{2, 3, 8, 9}, Shape{4, 3, 3, 3}, {}},
        ConvCase{"lenet", Shape{1, 1, 28, 28}, Shape{6, 1, 5, 5}, {}},
        ConvCase{"stride2_pad1",
                 Shape{2, 3, 9, 8},
                 Shape{5, 3, 3, 3},
                 {.stride = {2, 2}, .padding = {1, 1}}},
        ConvCase{"asymmetric",
                 Shape{1, 2, 7, 11},
                 Shape{3, 2, 2, 4},
                 {.stride = {1, 3}, .padding = {2, 0}, .dilation = {1, 1}}},
        ConvCase{"dilation",
                 Shape{1, 2, 10, 10},
                 Shape{2, 2, 3, 3},
                 {.padding = {2, 2}, .dilation = {2, 2}}},
        ConvCase{"groups", Shape{2, 4, 6, 6}, Shape{6, 2, 3, 3}, {.padding = {1, 1}, .groups = 2}},
        ConvCase{
            "depthwise", Shape{1, 3, 5, 5}, Shape{3, 1, 3, 3}, {.padding = {1, 1}, .groups = 3}},
        ConvCase{"pointwise", Shape{2, 5, 4, 3}, Shape{7, 5, 1, 1}, {}},
        ConvCase{"pointwise_strided", Shape{1, 5, 5, 5}, Shape{2, 5, 1, 1}, {.stride = {2, 2}}},
        ConvCase{"padding_larger_than_kernel",
                 Shape{1, 1, 2, 2},
                 Shape{1, 1, 2, 2},
                 {.stride = {3, 1}, .padding = {3, 3}}},
        ConvCase{"wide_gemm", Shape{1, 16, 32, 32}, Shape{16, 16, 5, 5}, {.padding = {2, 2}}},
        ConvCase{"groups_deep",
                 Shape{1, 24, 9, 9},
                 Shape{4, 12, 5, 5},
                 {.stride = {2, 2}, .padding = {1, 1}, .groups = 2}},
        ConvCase{"large_spatial", Shape{1, 1, 70, 70}, Shape{2, 1, 3, 3}, {}},
        ConvCase{"zero_batch", Shape{0, 3, 5, 5}, Shape{2, 3, 3, 3}, {}},
        ConvCase{"zero_out_channels", Shape{1, 3, 5, 5}, Shape{0, 3, 3, 3}, {}},
        ConvCase{"zero_in_channels", Shape{2, 0, 5, 5}, Shape{4, 0, 3, 3}, {}},
        ConvCase{"empty_image_padded", Shape{1, 2, 0, 0}, Shape{3, 2, 1, 1}, {.padding = {1, 1}}}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(Im2col, LayoutMatchesDefinition) {
  const RingTensor x = randomTensor(Shape{2, 3, 6, 7}, 40);
  const Conv2dOptions o{.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}};
  const int64_t kh = 3, kw = 2;
  const RingTensor cols = im2col(x, kh, kw, o);
  const int64_t oh = (6 + 2 - 1 * (kh - 1) - 1) / 2 + 1;
  const int64_t ow = (7 + 4 - 2 * (kw - 1) - 1) / 1 + 1;
  ASSERT_EQ(cols.shape(), (Shape{2, 3 * kh * kw, oh * ow}));
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t i = 0; i < kh; ++i) {
        for (int64_t j = 0; j < kw; ++j) {
          for (int64_t y = 0; y < oh; ++y) {
            for (int64_t z = 0; z < ow; ++z) {
              const int64_t iy = y * 2 - 1 + i;
              const int64_t iz = z - 2 + 2 * j;
              const uint64_t want =
                  (iy < 0 || iy >= 6 || iz < 0 || iz >= 7) ? 0 : x.at({n, c, iy, iz});
              ASSERT_EQ(cols.at({n, (c * kh + i) * kw + j, y * ow + z}), want);
            }
          }
        }
      }
    }
  }
}

TEST(Conv2d, ShapeErrors) {
  const RingTensor x(Shape{1, 4, 5, 5});
  EXPECT_THROW(conv2d(x, RingTensor(Shape{2, 3, 3, 3})), InvalidArgument);  // channel mismatch
  EXPECT_THROW(conv2d(x, RingTensor(Shape{3, 2, 3, 3}), {.groups = 2}),
               InvalidArgument);  // groups does not divide O
  EXPECT_THROW(conv2d(x, RingTensor(Shape{2, 4, 7, 7})), InvalidArgument);  // kernel too large
  EXPECT_THROW(conv2d(x, RingTensor(Shape{2, 4, 3})), InvalidArgument);     // weight rank
  EXPECT_THROW(conv2d(RingTensor(Shape{4, 5, 5}), RingTensor(Shape{2, 4, 3, 3})), InvalidArgument);
  EXPECT_THROW(conv2d(x, RingTensor(Shape{2, 4, 3, 3}), {.stride = {0, 1}}), InvalidArgument);
  EXPECT_THROW(conv2d(x, RingTensor(Shape{2, 4, 3, 3}), {.padding = {-1, 0}}), InvalidArgument);
  EXPECT_THROW(conv2d(x, RingTensor(Shape{2, 4, 3, 3}), {.dilation = {1, 0}}), InvalidArgument);
  EXPECT_THROW(im2col(x, 0, 3), InvalidArgument);
  try {
    conv2d(x, RingTensor(Shape{2, 3, 3, 3}));
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 4, 5, 5]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 3, 3, 3]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sotto
