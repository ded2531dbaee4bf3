// Tests of Shape and RingTensor (elementwise ops with broadcasting, shifts, reductions, layout),
// each against a naive element-by-element reference. Ring results are exact (tolerance 0).

#include "sotto/tensor/ring_tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/tensor/shape.h"

namespace sotto {
namespace {

RingTensor randomTensor(Shape shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(static_cast<size_t>(shape.numel()));
  for (uint64_t& x : v) x = rng();
  return RingTensor(std::move(shape), std::move(v));
}

RingTensor iota(Shape shape) {
  std::vector<uint64_t> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return RingTensor(std::move(shape), std::move(v));
}

/// Multi-index of row-major flat index `flat` in `shape`.
std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()));
  for (int64_t d = shape.rank() - 1; d >= 0; --d) {
    idx[static_cast<size_t>(d)] = flat % shape[d];
    flat /= shape[d];
  }
  return idx;
}

/// Element of t read at the broadcast position `out_idx` of a larger shape.
uint64_t broadcastRead(const RingTensor& t, const std::vector<int64_t>& out_idx) {
  std::vector<int64_t> idx(static_cast<size_t>(t.rank()));
  const size_t shift = out_idx.size() - idx.size();
  for (size_t d = 0; d < idx.size(); ++d) {
    idx[d] = t.shape()[static_cast<int64_t>(d)] == 1 ? 0 : out_idx[d + shift];
  }
  return t.at(idx);
}

/// Naive broadcasting reference for a binary op.
RingTensor referenceBinary(const RingTensor& a, const RingTensor& b,
                           const std::function<uint64_t(uint64_t, uint64_t)>& op) {
  const Shape out_shape = broadcastShapes(a.shape(), b.shape());
  RingTensor out{out_shape};
  for (int64_t i = 0; i < out.numel(); ++i) {
    const auto idx = unravel(i, out_shape);
    out[i] = op(broadcastRead(a, idx), broadcastRead(b, idx));
  }
  return out;
}

// ---- Shape ----------------------------------------------------------------------------------

TEST(Shape, Basics) {
  const Shape s{2, 3, 4};
  EXPECT_EQ(s.rank(), 3);
  EXPECT_EQ(s.numel(), 24);
  EXPECT_EQ(s.dim(-1), 4);
  EXPECT_EQ(s.dim(0), 2);
  EXPECT_EQ(s.strides(), (std::vector<int64_t>{12, 4, 1}));
  EXPECT_EQ(s.toString(), "[2, 3, 4]");
  EXPECT_EQ(Shape{}.numel(), 1);
  EXPECT_EQ(Shape{}.rank(), 0);
  EXPECT_EQ(Shape{}.toString(), "[]");
  EXPECT_EQ((Shape{3, 0, 2}).numel(), 0);
  EXPECT_EQ(s, Shape(std::vector<int64_t>{2, 3, 4}));
  EXPECT_FALSE(s == (Shape{2, 3}));
  std::ostringstream os;
  os << Shape{5};
  EXPECT_EQ(os.str(), "[5]");
}

TEST(Shape, Errors) {
  EXPECT_THROW(Shape({2, -1}), InvalidArgument);
  EXPECT_THROW((Shape{2, 3}).dim(2), InvalidArgument);
  EXPECT_THROW((Shape{2, 3}).dim(-3), InvalidArgument);
  const int64_t big = int64_t{1} << 40;
  EXPECT_THROW(Shape({big, big}), InvalidArgument);  // numel overflow
  EXPECT_EQ(Shape({big, big, 0}).numel(), 0);        // but a zero dimension makes it empty
}

TEST(Shape, Broadcast) {
  EXPECT_EQ(broadcastShapes(Shape{2, 1, 4}, Shape{3, 1}), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcastShapes(Shape{}, Shape{2, 2}), (Shape{2, 2}));
  EXPECT_EQ(broadcastShapes(Shape{0, 3}, Shape{1, 3}), (Shape{0, 3}));
  EXPECT_EQ(broadcastShapes(Shape{1}, Shape{0}), (Shape{0}));
  try {
    broadcastShapes(Shape{2, 3}, Shape{4, 3});
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(broadcastShapes(Shape{0}, Shape{2}), InvalidArgument);
}

// ---- Construction and access ----------------------------------------------------------------

TEST(RingTensor, Construction) {
  EXPECT_EQ(RingTensor().shape(), (Shape{0}));
  EXPECT_EQ(RingTensor().numel(), 0);
  const RingTensor z(Shape{2, 3});
  for (uint64_t v : z.data()) EXPECT_EQ(v, 0u);
  const RingTensor f = RingTensor::full(Shape{2}, 7);
  EXPECT_EQ(f[0], 7u);
  EXPECT_EQ(f[1], 7u);
  const RingTensor s = RingTensor::scalar(9);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.item(), 9u);
  const RingTensor v(Shape{2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(v.at({1, 0}), 3u);
  const RingTensor one(Shape{1}, {5});  // one value, not a fill
  EXPECT_EQ(one.item(), 5u);
  EXPECT_THROW(RingTensor(Shape{2}, {5}), InvalidArgument);
  EXPECT_THROW(RingTensor(Shape{2, 2}, std::vector<uint64_t>{1, 2, 3}), InvalidArgument);
  EXPECT_EQ(RingTensor::zeros(Shape{0, 5}).numel(), 0);
}

TEST(RingTensor, ValueSemantics) {
  RingTensor a(Shape{2}, {1, 2});
  RingTensor b = a;
  b[0] = 10;
  EXPECT_EQ(a[0], 1u);
  EXPECT_EQ(b[0], 10u);
  EXPECT_FALSE(a == b);
  b[0] = 1;
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == RingTensor(Shape{1, 2}, {1, 2}));  // same values, other shape
}

TEST(RingTensor, AtChecksBounds) {
  RingTensor t = iota(Shape{2, 3});
  EXPECT_EQ(t.at({1, 2}), 5u);
  t.at({0, 1}) = 42;
  EXPECT_EQ(t[1], 42u);
  EXPECT_THROW(t.at({2, 0}), InvalidArgument);
  EXPECT_THROW(t.at({0, -1}), InvalidArgument);
  EXPECT_THROW(t.at({0}), InvalidArgument);
  EXPECT_THROW(t.item(), InvalidArgument);
}

TEST(RingTensor, ToString) {
  EXPECT_EQ(RingTensor(Shape{2, 2}, {1, 2, 3, 4}).toString(), "RingTensor[2, 2]{1, 2, 3, 4}");
  const std::string s = iota(Shape{20}).toString();
  EXPECT_NE(s.find(", ..."), std::string::npos);
}

// ---- Elementwise ----------------------------------------------------------------------------

struct BinaryCase {
  Shape a;
  Shape b;
};

// Readable test names in CTest (instead of the object's bytes).
void PrintTo(const BinaryCase& c, std::ostream* os) {
  *os << c.a.toString() << " with " << c.b.toString();
}

class ElementwiseTest : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(ElementwiseTest, AllOpsMatchReference) {
  const RingTensor a = randomTensor(GetParam().a, 1);
  const RingTensor b = randomTensor(GetParam().b, 2);
  EXPECT_EQ(a + b, referenceBinary(a, b, std::plus<uint64_t>()));
  EXPECT_EQ(a - b, referenceBinary(a, b, std::minus<uint64_t>()));
  EXPECT_EQ(a * b, referenceBinary(a, b, std::multiplies<uint64_t>()));
  EXPECT_EQ(a ^ b, referenceBinary(a, b, std::bit_xor<uint64_t>()));
  EXPECT_EQ(a & b, referenceBinary(a, b, std::bit_and<uint64_t>()));
  EXPECT_EQ(a | b, referenceBinary(a, b, std::bit_or<uint64_t>()));
  EXPECT_EQ(b - a, referenceBinary(b, a, std::minus<uint64_t>()));
  // rvalue left operand (storage reuse path)
  EXPECT_EQ(RingTensor(a) * b, referenceBinary(a, b, std::multiplies<uint64_t>()));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ElementwiseTest,
    ::testing::Values(BinaryCase{Shape{3, 4}, Shape{3, 4}}, BinaryCase{Shape{3, 4}, Shape{4}},
                      BinaryCase{Shape{3, 1}, Shape{1, 4}}, BinaryCase{Shape{2, 1, 5}, Shape{3, 1}},
                      BinaryCase{Shape{}, Shape{2, 3}}, BinaryCase{Shape{2, 3}, Shape{}},
                      BinaryCase{Shape{1}, Shape{}},
                      BinaryCase{Shape{4, 1, 3, 1}, Shape{1, 5, 1, 2}},
                      BinaryCase{Shape{0, 3}, Shape{1, 3}}, BinaryCase{Shape{2, 0}, Shape{2, 1}},
                      BinaryCase{Shape{257}, Shape{257}}));

TEST(RingTensor, ArithmeticWrapsModulo2To64) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const RingTensor a(Shape{3}, {max, 1ULL << 63, (1ULL << 32) + 1});
  const RingTensor b(Shape{3}, {1, 2, (1ULL << 32) + 1});
  EXPECT_EQ(a + b, RingTensor(Shape{3}, {0, (1ULL << 63) + 2, (1ULL << 33) + 2}));
  EXPECT_EQ(a * b, RingTensor(Shape{3}, {max, 0, (1ULL << 33) + 1}));
  EXPECT_EQ(RingTensor(Shape{1}, {0}) - RingTensor(Shape{1}, {1}), RingTensor(Shape{1}, {max}));
  EXPECT_EQ(-a, RingTensor(Shape{3}, {1, 1ULL << 63, 0 - ((1ULL << 32) + 1)}));
  EXPECT_EQ(~RingTensor(Shape{1}, {0}), RingTensor(Shape{1}, {max}));
}

TEST(RingTensor, CompoundOps) {
  const RingTensor a = randomTensor(Shape{3, 4}, 3);
  const RingTensor b = randomTensor(Shape{4}, 4);
  RingTensor x = a;
  x += b;
  EXPECT_EQ(x, a + b);
  x = a;
  x -= b;
  EXPECT_EQ(x, a - b);
  x = a;
  x *= b;
  EXPECT_EQ(x, a * b);
  x = a;
  x ^= b;
  EXPECT_EQ(x, a ^ b);
  x = a;
  x &= b;
  EXPECT_EQ(x, a & b);
  x = a;
  x |= b;
  EXPECT_EQ(x, a | b);
  x = a;
  x += x;  // self-aliasing
  EXPECT_EQ(x, a * 2);
  // The result must keep the left shape: [4] += [3, 4] is not allowed.
  RingTensor small = b;
  EXPECT_THROW(small += a, InvalidArgument);
  EXPECT_THROW(x += RingTensor(Shape{3}), InvalidArgument);
}

TEST(RingTensor, ScalarOps) {
  const RingTensor a = randomTensor(Shape{2, 5}, 5);
  const uint64_t v = 0x9e3779b97f4a7c15ULL;
  const RingTensor s = RingTensor::scalar(v);
  EXPECT_EQ(a + v, a + s);
  EXPECT_EQ(v + a, a + s);
  EXPECT_EQ(a - v, a - s);
  EXPECT_EQ(v - a, s - a);
  EXPECT_EQ(a * v, a * s);
  EXPECT_EQ(v * a, a * s);
  EXPECT_EQ(a ^ v, a ^ s);
  EXPECT_EQ(a & v, a & s);
  EXPECT_EQ(a | v, a | s);
  RingTensor x = a;
  x *= v;
  x -= v;
  EXPECT_EQ(x, a * s - s);
}

TEST(RingTensor, Shifts) {
  const RingTensor a(Shape{4}, {1, 0x8000000000000001ULL, ~0ULL, 0x00F0000000000000ULL});
  EXPECT_EQ(a.shiftLeft(4), RingTensor(Shape{4}, {16, 0x10, ~0ULL << 4, 0x0F00000000000000ULL}));
  EXPECT_EQ(a.shiftRightLogical(4),
            RingTensor(Shape{4}, {0, 0x0800000000000000ULL, ~0ULL >> 4, 0x000F000000000000ULL}));
  EXPECT_EQ(a.shiftRightArithmetic(4),
            RingTensor(Shape{4}, {0, 0xF800000000000000ULL, ~0ULL, 0x000F000000000000ULL}));
  // Arithmetic shift is floor division of the signed view: -3 >> 1 = -2.
  EXPECT_EQ(RingTensor(Shape{1}, {0 - 3ULL}).shiftRightArithmetic(1)[0], 0 - 2ULL);
  EXPECT_EQ(a.shiftLeft(0), a);
  EXPECT_EQ(a.shiftRightArithmetic(63)[1], ~0ULL);
  RingTensor moved = a;
  EXPECT_EQ(std::move(moved).shiftRightLogical(1), a.shiftRightLogical(1));
  EXPECT_THROW(a.shiftLeft(64), InvalidArgument);
  EXPECT_THROW(a.shiftRightLogical(-1), InvalidArgument);
  EXPECT_EQ(RingTensor(Shape{0}).shiftLeft(3).numel(), 0);
}

// ---- Reductions -----------------------------------------------------------------------------

TEST(RingTensor, SumAlongDims) {
  const RingTensor a = randomTensor(Shape{3, 4, 5}, 6);
  for (int64_t dim = 0; dim < 3; ++dim) {
    const RingTensor s = a.sum(dim);
    const RingTensor k = a.sum(dim - 3, /*keepdim=*/true);
    std::vector<int64_t> kept = a.shape().dims();
    kept[static_cast<size_t>(dim)] = 1;
    ASSERT_EQ(k.shape(), Shape(kept));
    // reference: accumulate every element into its reduced position
    RingTensor want{Shape(kept)};
    for (int64_t i = 0; i < a.numel(); ++i) {
      auto idx = unravel(i, a.shape());
      idx[static_cast<size_t>(dim)] = 0;
      want.at(idx) += a[i];
    }
    EXPECT_EQ(k, want);
    EXPECT_EQ(s, want.reshape([&] {
      std::vector<int64_t> d = a.shape().dims();
      d.erase(d.begin() + dim);
      return d;
    }()));
  }
  uint64_t total = 0;
  for (uint64_t v : a.data()) total += v;
  EXPECT_EQ(a.sum(), total);
  EXPECT_THROW(a.sum(3), InvalidArgument);
}

TEST(RingTensor, SumZeroSize) {
  EXPECT_EQ(RingTensor(Shape{0, 3}).sum(0), RingTensor(Shape{3}));  // empty sum is 0
  EXPECT_EQ(RingTensor(Shape{0, 3}).sum(1).shape(), (Shape{0}));
  EXPECT_EQ(RingTensor(Shape{0}).sum(), 0u);
}

// ---- Layout ---------------------------------------------------------------------------------

TEST(RingTensor, Reshape) {
  const RingTensor a = iota(Shape{2, 3, 4});
  const RingTensor r = a.reshape({4, -1});
  EXPECT_EQ(r.shape(), (Shape{4, 6}));
  EXPECT_TRUE(std::equal(r.data().begin(), r.data().end(), a.data().begin()));
  EXPECT_EQ(a.reshape({24}).shape(), (Shape{24}));
  EXPECT_EQ(RingTensor(a).reshape({-1}).shape(), (Shape{24}));
  EXPECT_EQ(RingTensor::scalar(3).reshape({1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(RingTensor(Shape{0, 4}).reshape({-1, 2}).shape(), (Shape{0, 2}));
  EXPECT_EQ(RingTensor(Shape{0, 4}).reshape({2, 0, 5}).shape(), (Shape{2, 0, 5}));
  EXPECT_THROW(a.reshape({5, -1}), InvalidArgument);
  EXPECT_THROW(a.reshape({-1, -1}), InvalidArgument);
  EXPECT_THROW(a.reshape({25}), InvalidArgument);
  EXPECT_THROW(a.reshape({-2, -12}), InvalidArgument);
  EXPECT_THROW(RingTensor(Shape{0, 4}).reshape({2, 0, -1}), InvalidArgument);  // ambiguous
  try {
    a.reshape({5, 5});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3, 4]"), std::string::npos) << e.what();
  }
}

TEST(RingTensor, Flatten) {
  const RingTensor a = iota(Shape{2, 3, 4, 5});
  EXPECT_EQ(a.flatten().shape(), (Shape{120}));
  EXPECT_EQ(a.flatten(1).shape(), (Shape{2, 60}));
  EXPECT_EQ(a.flatten(1, 2).shape(), (Shape{2, 12, 5}));
  EXPECT_EQ(a.flatten(-2).shape(), (Shape{2, 3, 20}));
  EXPECT_EQ(RingTensor::scalar(1).flatten().shape(), (Shape{1}));
  const RingTensor f = a.flatten(1);
  EXPECT_TRUE(std::equal(f.data().begin(), f.data().end(), a.data().begin()));
  EXPECT_THROW(a.flatten(2, 1), InvalidArgument);
  EXPECT_THROW(a.flatten(4), InvalidArgument);
}

TEST(RingTensor, TransposeMatchesReference) {
  const RingTensor a = randomTensor(Shape{2, 3, 4, 5}, 7);
  const std::vector<int64_t> perm = {2, 0, 3, 1};
  const RingTensor t = a.transpose(perm);
  ASSERT_EQ(t.shape(), (Shape{4, 2, 5, 3}));
  for (int64_t i = 0; i < t.numel(); ++i) {
    const auto out_idx = unravel(i, t.shape());
    std::vector<int64_t> in_idx(4);
    for (size_t d = 0; d < 4; ++d) in_idx[static_cast<size_t>(perm[d])] = out_idx[d];
    ASSERT_EQ(t[i], a.at(in_idx));
  }
  EXPECT_EQ(a.transpose({0, 1, 2, 3}), a);
  EXPECT_THROW(a.transpose({0, 1, 2}), InvalidArgument);
  EXPECT_THROW(a.transpose({0, 1, 2, 2}), InvalidArgument);
  EXPECT_THROW(a.transpose({0, 1, 2, 4}), InvalidArgument);
  EXPECT_EQ(RingTensor(Shape{0, 3}).transpose({1, 0}).shape(), (Shape{3, 0}));
}

TEST(RingTensor, Transpose2d) {
  for (const Shape& s : {Shape{1, 1}, Shape{7, 13}, Shape{33, 65}, Shape{0, 4}, Shape{100, 3}}) {
    const RingTensor a = randomTensor(s, 8);
    const RingTensor t = a.transpose2d();
    ASSERT_EQ(t.shape(), (Shape{s[1], s[0]}));
    EXPECT_EQ(t, a.transpose({1, 0})) << s;
    for (int64_t i = 0; i < s[0]; ++i) {
      for (int64_t j = 0; j < s[1]; ++j) ASSERT_EQ(t.at({j, i}), a.at({i, j}));
    }
  }
  EXPECT_THROW(RingTensor(Shape{2, 2, 2}).transpose2d(), InvalidArgument);
}

TEST(RingTensor, Slice) {
  const RingTensor a = iota(Shape{4, 10});
  const RingTensor s = a.slice(1, 2, 9, 3);  // columns 2, 5, 8
  ASSERT_EQ(s.shape(), (Shape{4, 3}));
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 3; ++j) EXPECT_EQ(s.at({i, j}), a.at({i, 2 + 3 * j}));
  }
  EXPECT_EQ(a.slice(0, 1, 3), RingTensor(Shape{2, 10}, [] {
              std::vector<uint64_t> v(20);
              for (size_t i = 0; i < 20; ++i) v[i] = 10 + i;
              return v;
            }()));
  EXPECT_EQ(a.slice(-1, -3, 100).shape(), (Shape{4, 3}));  // negative start, clamped stop
  EXPECT_EQ(a.slice(-1, -3, 100).at({0, 0}), 7u);
  EXPECT_EQ(a.slice(0, 3, 1).shape(), (Shape{0, 10}));  // empty range
  EXPECT_EQ(a.slice(0, -100, 100), a);
  EXPECT_THROW(a.slice(0, 0, 2, 0), InvalidArgument);
  EXPECT_THROW(a.slice(2, 0, 2), InvalidArgument);
}

TEST(RingTensor, Pad) {
  const RingTensor a = iota(Shape{2, 3}) + 1;
  const RingTensor p = a.pad({{1, 2}, {0, 1}});
  ASSERT_EQ(p.shape(), (Shape{5, 4}));
  for (int64_t i = 0; i < 5; ++i) {
    for (int64_t j = 0; j < 4; ++j) {
      const bool inside = i >= 1 && i < 3 && j < 3;
      EXPECT_EQ(p.at({i, j}), inside ? a.at({i - 1, j}) : 0u) << i << "," << j;
    }
  }
  EXPECT_EQ(RingTensor(Shape{0, 2}).pad({{1, 1}, {0, 0}}), RingTensor(Shape{2, 2}));
  EXPECT_EQ(RingTensor::scalar(5).pad({}), RingTensor::scalar(5));
  EXPECT_THROW(a.pad({{1, 1}}), InvalidArgument);
  EXPECT_THROW(a.pad({{0, 0}, {-1, 0}}), InvalidArgument);
}

TEST(RingTensor, BroadcastTo) {
  const RingTensor a = iota(Shape{3, 1});
  const RingTensor b = a.broadcastTo(Shape{2, 3, 4});
  ASSERT_EQ(b.shape(), (Shape{2, 3, 4}));
  for (int64_t i = 0; i < b.numel(); ++i) EXPECT_EQ(b[i], a[unravel(i, b.shape())[1]]);
  EXPECT_THROW(a.broadcastTo(Shape{3, 4, 2}), InvalidArgument);
  EXPECT_THROW(a.broadcastTo(Shape{1, 4}), InvalidArgument);  // would need to shrink 3 -> 1
}

TEST(RingTensor, Concat) {
  const RingTensor a = randomTensor(Shape{2, 3, 4}, 9);
  const RingTensor b = randomTensor(Shape{2, 1, 4}, 10);
  const RingTensor empty(Shape{2, 0, 4});
  const RingTensor c = concat({a, empty, b}, 1);
  ASSERT_EQ(c.shape(), (Shape{2, 4, 4}));
  EXPECT_EQ(c.slice(1, 0, 3), a);
  EXPECT_EQ(c.slice(1, 3, 4), b);
  EXPECT_EQ(concat({a, a}, 0).slice(0, 2, 4), a);
  EXPECT_EQ(concat({a, a}, -1).shape(), (Shape{2, 3, 8}));
  EXPECT_EQ(concat({a}, 2), a);
  EXPECT_EQ(concat({RingTensor(Shape{0, 2}), RingTensor(Shape{0, 3})}, 1).shape(), (Shape{0, 5}));
  EXPECT_THROW(concat(std::vector<RingTensor>{}, 0), InvalidArgument);
  EXPECT_THROW(concat({a, b}, 0), InvalidArgument);
  EXPECT_THROW(concat({a, RingTensor(Shape{2, 3})}, 0), InvalidArgument);
  EXPECT_THROW(concat({a, a}, 3), InvalidArgument);
  try {
    concat({a, b}, 2);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 1, 4]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sotto
