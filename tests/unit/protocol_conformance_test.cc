// The protocol conformance suite: every kernel of the seam (protocol.h), reached through the
// tensors above it, against a plaintext reference, for every family (the parameter, as
// tests/comm/conformance.h runs every backend): the seeded and TTP dealers and the two-party OT
// family. 2 parties as threads over inproc (TTP: its dealer on a third thread).
// Tolerances: a product or a truncation is within 1 ULP of the exact value in every family (the
// dealer's truncation and Cheetah's are 1-ULP approximate, SiRnn's is exact); comparisons,
// selections and conversions are exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sotto/error.h"
#include "sotto/math/functions.h"
#include "sotto/model/plain_eval.h"
#include "sotto/model/zoo.h"
#include "sotto/mpc/binary_tensor.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/conversions.h"
#include "sotto/mpc/fixed_weight.h"
#include "sotto/mpc/lut.h"
#include "sotto/nn/private_model.h"
#include "testing/mpc.h"

namespace sotto {
namespace {

using testing::kUlp;
using testing::maxAbsDiff;
using testing::quantized;
using testing::uniform;

class ProtocolConformance : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& family() const { return GetParam(); }
  // fn(party) on 2 parties; returns party 0's result.
  template <typename Fn>
  auto run(Fn&& fn) {
    return testing::simulateProtocol(family(), 2, std::forward<Fn>(fn))[0];
  }
};

// The plaintext reference of a bilinear map on the encodings (exact in the ring), decoded at 2f.
std::vector<double> ringReference(const RingTensor& product) {
  return product.decode(2 * kDefaultFracBits);
}

TEST_P(ProtocolConformance, MulMatchesPlaintext) {
  const auto x = quantized(uniform(37, -20, 20, 1)), y = quantized(uniform(37, -20, 20, 2));
  const auto got = run([&](Party& p) {
    const Shape s{37};
    return ArithTensor::share(p, 0, x, s).mul(ArithTensor::share(p, 1, y, s)).revealDoubles();
  });
  std::vector<double> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = x[i] * y[i];
  EXPECT_LE(maxAbsDiff(got, want), kUlp);
}

TEST_P(ProtocolConformance, MulNarrowMatchesPlaintextAndRejectsBadWidths) {
  // mulNarrow and narrowOperand; x in [0, 2^m) for m = 1, 16, 40, 64 (its edges included), y
  // anywhere in the ring: exact mod 2^64 in every family.
  std::mt19937_64 gen(23);
  for (int m : {1, 16, 40, 64}) {
    const uint64_t top = m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1;
    std::vector<uint64_t> x(64), y(64);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = i == 0 ? 0 : i == 1 ? top : gen() & top;
      y[i] = i == 2 ? ~uint64_t{0} : gen();
    }
    const Shape s{64};
    const auto got = run([&](Party& p) {
      const auto xs = ArithTensor::shareEncoded(p, 0, RingTensor(s, x), s, 0);
      const auto ys = ArithTensor::shareEncoded(p, 1, RingTensor(s, y), s, 0);
      const RingTensor z = p.protocol().mulNarrow(p, xs.share(), m, ys.share());
      // The same x prepared once for two products (y, then y·x).
      const auto prepared = p.protocol().narrowOperand(p, xs.share(), m);
      const RingTensor z1 = prepared->mul(p, ys.share());
      const RingTensor z2 = prepared->mul(p, z1);
      return std::array<RingTensor, 3>{ArithTensor(p, z, 0).reveal(),
                                       ArithTensor(p, z1, 0).reveal(),
                                       ArithTensor(p, z2, 0).reveal()};
    });
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(got[0][i], x[i] * y[i]) << "m = " << m;
      EXPECT_EQ(got[1][i], x[i] * y[i]) << "m = " << m << ", prepared";
      EXPECT_EQ(got[2][i], x[i] * x[i] * y[i]) << "m = " << m << ", prepared, twice";
    }
  }
  const auto msg = run([&](Party& p) -> std::string {
    const RingTensor t(Shape{2});
    try {
      (void)p.protocol().mulNarrow(p, t, 0, t);
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "";
  });
  EXPECT_NE(msg.find("x_bits = 0 not in [1, 64]"), msg.npos) << msg;
}

TEST_P(ProtocolConformance, TruncationIsExactWhereTheFamilySaysSo) {
  // Values anywhere in [-2^61, 2^61): exactly ⌊x / 2^13⌋ where exactTruncation() says so (the
  // composed table math takes it as an index), else within one ULP.
  std::mt19937_64 gen(29);
  std::vector<uint64_t> x(256);
  for (auto& v : x) v = static_cast<uint64_t>(static_cast<int64_t>(gen()) >> 2);
  const Shape s{256};
  struct Out {
    RingTensor got;
    bool exact;
  };
  const Out out = run([&](Party& p) {
    const auto xs = ArithTensor::shareEncoded(p, 0, RingTensor(s, x), s, 0);
    return Out{ArithTensor(p, p.protocol().truncate(p, xs.share(), 13), 0).reveal(),
               p.protocol().exactTruncation()};
  });
  EXPECT_EQ(out.exact, family() == "none");
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t want = static_cast<int64_t>(x[i]) >> 13;
    const int64_t diff = static_cast<int64_t>(out.got[i]) - want;
    if (out.exact)
      EXPECT_EQ(diff, 0) << i;
    else
      EXPECT_LE(std::abs(diff), 1) << i;
  }
}

TEST_P(ProtocolConformance, MatmulMatchesPlaintext) {
  const auto x = quantized(uniform(2 * 3 * 4, -4, 4, 3)), y = quantized(uniform(4 * 5, -4, 4, 4));
  const auto got = run([&](Party& p) {
    return ArithTensor::share(p, 0, x, Shape{2, 3, 4})
        .matmul(ArithTensor::share(p, 1, y, Shape{4, 5}))
        .revealDoubles();
  });
  const RingTensor ref =
      matmul(RingTensor::encode(x, Shape{6, 4}), RingTensor::encode(y, Shape{4, 5}));
  EXPECT_LE(maxAbsDiff(got, ringReference(ref)), kUlp);
}

TEST_P(ProtocolConformance, Conv2dOfSharedOperandsMatchesPlaintext) {
  const Shape xs{1, 2, 5, 5}, ws{3, 2, 3, 3};
  const auto x = quantized(uniform(50, -2, 2, 5)), w = quantized(uniform(54, -1, 1, 6));
  Conv2dOptions o;
  o.padding = {1, 1};
  o.stride = {2, 1};
  const auto got = run([&](Party& p) {
    return ArithTensor::share(p, 1, x, xs)
        .conv2d(ArithTensor::share(p, 0, w, ws), o)
        .revealDoubles();
  });
  const RingTensor ref = conv2d(RingTensor::encode(x, xs), RingTensor::encode(w, ws), o);
  EXPECT_LE(maxAbsDiff(got, ringReference(ref)), kUlp);
}

TEST_P(ProtocolConformance, GroupedConv2dOfSharedOperandsMatchesPlaintext) {
  const Shape xs{2, 4, 5, 5}, ws{6, 2, 3, 3};
  const auto x = quantized(uniform(xs.numel(), -2, 2, 34)),
             w = quantized(uniform(ws.numel(), -1, 1, 35));
  const Conv2dOptions o{.stride = {1, 2}, .padding = {1, 1}, .groups = 2};
  const auto got = run([&](Party& p) {
    return ArithTensor::share(p, 1, x, xs)
        .conv2d(ArithTensor::share(p, 0, w, ws), o)
        .revealDoubles();
  });
  const RingTensor ref = conv2d(RingTensor::encode(x, xs), RingTensor::encode(w, ws), o);
  ASSERT_EQ(got.size(), static_cast<size_t>(ref.numel()));
  EXPECT_LE(maxAbsDiff(got, ringReference(ref)), kUlp);
}

// A matrix product and a padded convolution with party 0's weights, revealed, and their ring
// reference: what FixedWeightProductsMatchPlaintext and OtAloneMatchesPlaintext compare, each
// party running `products(party)` under its family.
struct FixedWeightCase {
  std::vector<double> x = quantized(uniform(2 * 6, -3, 3, 7)),
                      w = quantized(uniform(6 * 4, -1, 1, 8));
  std::vector<double> img = quantized(uniform(36, -2, 2, 9)), k = quantized(uniform(18, -1, 1, 10));
  Conv2dOptions o = [] {
    Conv2dOptions c;
    c.padding = {1, 1};
    return c;
  }();

  std::vector<double> products(Party& p) const {
    const FixedWeight fw =
        FixedWeight::load(p, 0, p.id() == 0 ? w : std::vector<double>{}, Shape{6, 4});
    const FixedWeight fk =
        FixedWeight::load(p, 0, p.id() == 0 ? k : std::vector<double>{}, Shape{2, 1, 3, 3});
    auto a = fw.matmulFrom(ArithTensor::share(p, 1, x, Shape{2, 6})).revealDoubles();
    auto b = fk.conv2dFrom(ArithTensor::share(p, 1, img, Shape{1, 1, 6, 6}), o).revealDoubles();
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  std::vector<double> reference() const {
    auto want = ringReference(
        matmul(RingTensor::encode(x, Shape{2, 6}), RingTensor::encode(w, Shape{6, 4})));
    const auto conv = ringReference(conv2d(RingTensor::encode(img, Shape{1, 1, 6, 6}),
                                           RingTensor::encode(k, Shape{2, 1, 3, 3}), o));
    want.insert(want.end(), conv.begin(), conv.end());
    return want;
  }
};

TEST_P(ProtocolConformance, FixedWeightProductsMatchPlaintext) {
  const FixedWeightCase c;
  const auto got = run([&](Party& p) { return c.products(p); });
  EXPECT_LE(maxAbsDiff(got, c.reference()), kUlp);
}

// Grouped and depthwise convolutions with the owner's kernel (the OT family: HeConv2d's
// block-diagonal packing), with stride and dilation; within 1 ULP of the ring reference.
TEST_P(ProtocolConformance, GroupedFixedWeightConvMatchesPlaintext) {
  const Shape xs{1, 4, 7, 7}, grouped{6, 2, 3, 3}, depthwise{4, 1, 2, 2};
  const auto x = quantized(uniform(xs.numel(), -2, 2, 31));
  const auto kg = quantized(uniform(grouped.numel(), -1, 1, 32));
  const auto kd = quantized(uniform(depthwise.numel(), -1, 1, 33));
  const Conv2dOptions og{.stride = {2, 1}, .padding = {1, 1}, .groups = 2};
  const Conv2dOptions od{.padding = {1, 0}, .dilation = {2, 2}, .groups = 4};
  const auto got = run([&](Party& p) {
    auto mine = [&](const std::vector<double>& v) {
      return p.id() == 0 ? v : std::vector<double>{};
    };
    const FixedWeight fg = FixedWeight::load(p, 0, mine(kg), grouped);
    const FixedWeight fd = FixedWeight::load(p, 0, mine(kd), depthwise);
    const ArithTensor in = ArithTensor::share(p, 1, x, xs);
    auto a = fg.conv2dFrom(in, og).revealDoubles();
    const auto b = fd.conv2dFrom(in, od).revealDoubles();
    a.insert(a.end(), b.begin(), b.end());
    return a;
  });
  const RingTensor ex = RingTensor::encode(x, xs);
  auto want = ringReference(conv2d(ex, RingTensor::encode(kg, grouped), og));
  const auto d = ringReference(conv2d(ex, RingTensor::encode(kd, depthwise), od));
  want.insert(want.end(), d.begin(), d.end());
  ASSERT_EQ(got.size(), want.size());
  EXPECT_LE(maxAbsDiff(got, want), kUlp);
}

TEST_P(ProtocolConformance, TruncationsMatchPlaintext) {
  // Signed values over a wide range, scaled up by 2^12 and truncated back; then the positive path.
  std::vector<double> x = quantized(uniform(40, -3000, 3000, 11));
  x.insert(x.end(), {0.0, kUlp, -kUlp, 32767.0, -32768.0});
  std::vector<double> pos(x.size());
  std::transform(x.begin(), x.end(), pos.begin(), [](double v) { return std::fabs(v); });
  const auto got = run([&](Party& p) {
    const Shape s{static_cast<int64_t>(x.size())};
    auto a = ArithTensor::share(p, 1, x, s).mulPublicInt(4096).truncate(12).revealDoubles();
    auto b =
        ArithTensor::share(p, 1, pos, s).mulPublicInt(4096).truncatePositive(12).revealDoubles();
    a.insert(a.end(), b.begin(), b.end());
    return a;
  });
  std::vector<double> want = x;
  want.insert(want.end(), pos.begin(), pos.end());
  EXPECT_LE(maxAbsDiff(got, want), kUlp);
}

// A LeNet5 input image (a fixed pattern in [-1, 1]).
nn::PlainTensor lenetInput() {
  nn::PlainTensor x{{1, 1, 28, 28}, {}};
  for (int64_t i = 0; i < 28 * 28; ++i)
    x.values.push_back(static_cast<double>((i * 29) % 97) / 48.0 - 1.0);
  return x;
}

// The rounds this party has made under the tag "truncate".
uint64_t truncateRounds(const Party& p) {
  const auto& tags = p.comm().stats().by_tag;
  const auto t = tags.find("truncate");
  return t == tags.end() ? uint64_t{0} : t->second.rounds;
}

// LeNet5 (Conv -> Relu -> MaxPool twice, Gemm -> Relu twice, Gemm) through the private executor:
// within 2e-3 of the plaintext evaluator and the same classes in every family (as
// private_model_test). A family whose positive truncation pays (the OT family) truncates the
// four layers followed by a ReLU after the ReLU, with the fast path inside the ReLU's selection
// (no round under the tag "truncate"), and only the last Gemm exactly: the rounds under
// "truncate" are 1 exact truncation's (measured on its own in the same run), and a positive
// truncation on its own takes fewer.
TEST_P(ProtocolConformance, LinearThenReluMatchesPlaintext) {
  const nn::Graph g = nn::lenet5Graph(7);
  const nn::PlainTensor x = lenetInput();
  const auto want = nn::evaluate(g, x).values;
  struct Out {
    std::vector<double> y;
    uint64_t truncate_rounds = 0, positive_rounds = 0, exact_rounds = 0;
  };
  const Out got = run([&](Party& p) {
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
    const ArithTensor in = ArithTensor::share(p, 1, x.values, Shape(x.dims));
    Out o;
    p.comm().resetStats();
    (void)in.truncatePositive(kDefaultFracBits);
    o.positive_rounds = truncateRounds(p);
    p.comm().resetStats();
    (void)in.truncate(kDefaultFracBits);
    o.exact_rounds = truncateRounds(p);
    p.comm().resetStats();
    o.y = model.forward(in).revealDoubles();
    o.truncate_rounds = truncateRounds(p);
    return o;
  });
  EXPECT_LT(maxAbsDiff(got.y, want), 2e-3);
  EXPECT_EQ(std::max_element(got.y.begin(), got.y.end()) - got.y.begin(),
            std::max_element(want.begin(), want.end()) - want.begin());
  RecordProperty("truncate_rounds", std::to_string(got.truncate_rounds));
  if (family() == "none") {
    EXPECT_LT(got.positive_rounds, got.exact_rounds);
    EXPECT_EQ(got.truncate_rounds, got.exact_rounds);
  }
}

// A plan registry of the caller's own (here a copy of the built-in one) keeps its MaxPool plan: the
// executor runs it, then the ReLU it moved after the pool (and the truncation), rather than the
// built-in fused step; the result is the same model's, within 2e-3 of the plaintext evaluator.
TEST_P(ProtocolConformance, OwnPlanRegistryRunsItsMaxPoolBeforeTheRelu) {
  const nn::Graph g = nn::lenet5Graph(7);
  const nn::PlainTensor x = lenetInput();
  const auto want = nn::evaluate(g, x).values;
  const nn::PlanRegistry plans = nn::PlanRegistry::builtin();
  const auto got = run([&](Party& p) {
    nn::ModelOptions mo;
    mo.plans = &plans;
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{}, mo);
    return model.forward(ArithTensor::share(p, 1, x.values, Shape(x.dims))).revealDoubles();
  });
  EXPECT_LT(maxAbsDiff(got, want), 2e-3);
}

// ModelOptions::untruncated_output: LeNet5's output Gemm skips its truncation in every family.
// The logits come at 2f fractional bits, within 2e-3 of the plaintext evaluator (as the
// truncated ones: the earlier layers' truncations dominate), the secure argmax on them picks the
// plaintext class, and the forward's "truncate" rounds are the default forward's less exactly
// one truncation's (OT family: SiRnn's 12; dealers: 1).
TEST_P(ProtocolConformance, UntruncatedOutputSkipsTheLastTruncation) {
  const nn::Graph g = nn::lenet5Graph(7);
  const nn::PlainTensor x = lenetInput();
  const auto want = nn::evaluate(g, x).values;
  struct Out {
    std::vector<double> y, one_hot;
    int frac_bits = 0;
    uint64_t default_rounds = 0, untruncated_rounds = 0, exact_rounds = 0;
  };
  const Out got = run([&](Party& p) {
    const nn::Graph& mine = p.id() == 0 ? g : nn::Graph{};
    const auto truncated = nn::PrivateModel::load(p, mine);
    nn::ModelOptions mo;
    mo.untruncated_output = true;
    const auto model = nn::PrivateModel::load(p, mine, mo);
    const ArithTensor in = ArithTensor::share(p, 1, x.values, Shape(x.dims));
    Out o;
    p.comm().resetStats();
    (void)in.truncate(kDefaultFracBits);
    o.exact_rounds = truncateRounds(p);
    p.comm().resetStats();
    (void)truncated.forward(in);
    o.default_rounds = truncateRounds(p);
    p.comm().resetStats();
    const ArithTensor y = model.forward(in);
    o.untruncated_rounds = truncateRounds(p);
    o.frac_bits = y.fracBits();
    o.y = y.revealDoubles();
    o.one_hot = argmaxOneHot(y, 1).revealDoubles();
    return o;
  });
  EXPECT_EQ(got.frac_bits, 2 * kDefaultFracBits);
  EXPECT_LT(maxAbsDiff(got.y, want), 2e-3);
  const auto plain_class = std::max_element(want.begin(), want.end()) - want.begin();
  EXPECT_EQ(std::max_element(got.y.begin(), got.y.end()) - got.y.begin(), plain_class);
  std::vector<double> want_one_hot(want.size(), 0.0);
  want_one_hot[static_cast<size_t>(plain_class)] = 1.0;
  EXPECT_EQ(got.one_hot, want_one_hot);
  EXPECT_GT(got.exact_rounds, 0u);
  EXPECT_EQ(got.default_rounds - got.untruncated_rounds, got.exact_rounds);
}

// An unfolded BatchNormalization ([2, 3, 4, 5] and [2, 3]) through the executor: within 1e-3
// of the plaintext evaluator in every family (the scale's encoding, 2^-17 relative, and one
// truncation). The OT family computes the scale as the owner's depthwise weight (HeBatchNorm's
// packing): its traffic runs under the tag "conv2d (fixed)".
TEST_P(ProtocolConformance, UnfoldedBatchNormMatchesPlaintext) {
  for (const std::vector<int64_t>& dims : {std::vector<int64_t>{2, 3, 4, 5}, {2, 3}}) {
    nn::Graph g;
    g.opset = 13;
    g.inputs = {{"x", dims}};
    g.outputs = {"y"};
    g.nodes = {nn::Node{"bn", "BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}, {}}};
    g.weights["s"] = nn::PlainTensor{{3}, {0.5, -1.25, 2.0}};
    g.weights["b"] = nn::PlainTensor{{3}, {0.1, 0.0, -0.7}};
    g.weights["m"] = nn::PlainTensor{{3}, {0.2, -0.4, 1.0}};
    g.weights["v"] = nn::PlainTensor{{3}, {1.5, 0.25, 4.0}};
    nn::PlainTensor x{dims, {}};
    for (int64_t i = 0; i < x.numel(); ++i)
      x.values.push_back(static_cast<double>((i * 37) % 41) / 10.0 - 2.0);
    const auto want = nn::evaluate(g, x).values;
    struct Out {
      std::vector<double> y;
      uint64_t weight_bytes = 0;
    };
    const Out got = run([&](Party& p) {
      const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
      const ArithTensor in = ArithTensor::share(p, 1, x.values, Shape(x.dims));
      p.comm().resetStats();
      Out o;
      o.y = model.forward(in).revealDoubles();
      const auto& tags = p.comm().stats().by_tag;
      if (auto t = tags.find("conv2d (fixed)"); t != tags.end()) o.weight_bytes = t->second.bytes();
      return o;
    });
    EXPECT_LT(maxAbsDiff(got.y, want), 1e-3) << Shape(dims).toString();
    if (family() == "none") {
      EXPECT_GT(got.weight_bytes, 0u) << Shape(dims).toString();
    }
  }
}

TEST_P(ProtocolConformance, ComparisonsAndSelectionsAreExact) {
  std::vector<double> x{-3.0, -kUlp, 0.0, kUlp, 3.0, -20000.0, 20000.0, 1.5, -1.5};
  const auto more = quantized(uniform(23, -100, 100, 12));
  x.insert(x.end(), more.begin(), more.end());
  const std::vector<double> y = quantized(uniform(x.size(), -100, 100, 13));
  const auto got = run([&](Party& p) {
    const Shape s{static_cast<int64_t>(x.size())};
    const ArithTensor a = ArithTensor::share(p, 1, x, s), b = ArithTensor::share(p, 0, y, s);
    auto out = ltz(a).revealDoubles();
    for (const auto& t : {relu(a), maximum(a, b)}) {
      const auto v = t.revealDoubles();
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  });
  std::vector<double> want;
  for (double v : x) want.push_back(v < 0 ? 1.0 : 0.0);
  for (double v : x) want.push_back(std::max(v, 0.0));
  for (size_t i = 0; i < x.size(); ++i) want.push_back(std::max(x[i], y[i]));
  EXPECT_EQ(got, want);
}

TEST_P(ProtocolConformance, MaxPoolAndArgmaxAreExact) {
  const auto img = quantized(uniform(2 * 4 * 4, -50, 50, 14));
  const auto logits = quantized(uniform(3 * 10, -10, 10, 15));
  const auto got = run([&](Party& p) {
    auto out =
        maxPool2d(ArithTensor::share(p, 1, img, Shape{1, 2, 4, 4}), {2, 2}, {2, 2}).revealDoubles();
    const auto oh = argmaxOneHot(ArithTensor::share(p, 1, logits, Shape{3, 10}), 1).revealDoubles();
    out.insert(out.end(), oh.begin(), oh.end());
    return out;
  });
  std::vector<double> want;
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        double m = -1e9;
        for (int u = 0; u < 2; ++u)
          for (int v = 0; v < 2; ++v) m = std::max(m, img[(c * 4 + 2 * i + u) * 4 + 2 * j + v]);
        want.push_back(m);
      }
  for (int r = 0; r < 3; ++r) {
    const auto row = logits.begin() + r * 10;
    const auto best = std::max_element(row, row + 10) - row;
    for (int j = 0; j < 10; ++j) want.push_back(j == best ? 1.0 : 0.0);
  }
  EXPECT_EQ(got, want);
}

// relu(maxpool(x)) in one step (maxPool2dRelu) for 2x2 and 3x3 windows, with an all-negative
// window and tied maxima, and the one-hot of rows with tied maxima (the first one wins): exact in
// every family. The OT family keeps the comparison bits as XOR shares: a 2x2 window and its ReLU
// take 8 + 9 = 17 rounds (against relu(maxPool2d(x)): 24) and the one-hot of 10 classes 6 + 4 + 2
// = 12; the dealer families run relu(maxPool2d(x)) (the same rounds as it).
TEST_P(ProtocolConformance, MaxPoolReluAndTiedArgmaxAreExact) {
  std::vector<double> img = quantized(uniform(2 * 6 * 6, -50, 50, 17));
  for (int u = 0; u < 2; ++u)
    for (int v = 0; v < 3; ++v) img[u * 6 + v] = -1.0 - u - v;  // channel 0's first windows < 0
  img[6 * 6 + 0] = img[6 * 6 + 7] = 60.0;                       // a tie in channel 1
  std::vector<double> logits = quantized(uniform(3 * 10, -10, 10, 18));
  logits[3] = logits[7] = 20.0;                    // row 0: tie, index 3 wins
  for (int j = 10; j < 20; ++j) logits[j] = -2.5;  // row 1: all equal, index 0 wins
  struct Out {
    std::vector<double> y, truncated, relu_truncated;
    uint64_t fused_rounds = 0, plain_rounds = 0, one_hot_rounds = 0;
  };
  const Out got = run([&](Party& p) {
    const ArithTensor x = ArithTensor::share(p, 1, img, Shape{1, 2, 6, 6});
    const ArithTensor l = ArithTensor::share(p, 1, logits, Shape{3, 10});
    Out o;
    auto rounds = [&p] {  // without the OT extension's refills (IKNP's run as they are needed)
      const auto& s = p.comm().stats();
      const auto refills = s.by_tag.find("ot/extend");
      return s.total.rounds - (refills == s.by_tag.end() ? 0 : refills->second.rounds);
    };
    uint64_t r0 = rounds();
    o.y = maxPool2dRelu(x, {2, 2}, {2, 2}).revealDoubles();
    o.fused_rounds = rounds() - r0 - 1;  // less the reveal's round
    r0 = rounds();
    (void)relu(maxPool2d(x, {2, 2}, {2, 2}));
    o.plain_rounds = rounds() - r0;
    // The same divided by 2^4 in the step (as the executor's untruncated layers), and a ReLU
    // with its truncation.
    o.truncated = maxPool2dRelu(x, {2, 2}, {2, 2}, {0, 0}, 4).revealDoubles();
    o.relu_truncated = reluTruncatePositive(x, 4).revealDoubles();
    const auto y3 = maxPool2dRelu(x, {3, 3}, {3, 3}).revealDoubles();
    o.y.insert(o.y.end(), y3.begin(), y3.end());
    r0 = rounds();
    const ArithTensor oh = argmaxOneHot(l, 1);
    o.one_hot_rounds = rounds() - r0;
    const auto ohv = oh.revealDoubles();
    o.y.insert(o.y.end(), ohv.begin(), ohv.end());
    return o;
  });
  std::vector<double> want;
  for (int side : {2, 3})
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 6 / side; ++i)
        for (int j = 0; j < 6 / side; ++j) {
          double m = 0;  // the ReLU
          for (int u = 0; u < side; ++u)
            for (int v = 0; v < side; ++v)
              m = std::max(m, img[(c * 6 + side * i + u) * 6 + side * j + v]);
          want.push_back(m);
        }
  for (int r = 0; r < 3; ++r) {
    const auto row = logits.begin() + r * 10;
    const auto best = std::max_element(row, row + 10) - row;  // the first maximum
    for (int j = 0; j < 10; ++j) want.push_back(j == best ? 1.0 : 0.0);
  }
  EXPECT_EQ(got.y, want);
  // Within the positive truncation's error of ⌊v / 16⌋, v the exact result: one ULP below it (OT:
  // Cheetah's), or one ULP either way (the dealer's, as truncate()).
  const bool ot = family() == "none";
  auto checkTruncated = [ot](const std::vector<double>& got_t, const std::vector<double>& exact) {
    ASSERT_EQ(got_t.size(), exact.size());
    for (size_t i = 0; i < exact.size(); ++i) {
      const double floor16 = std::floor(std::ldexp(exact[i] / 16, kDefaultFracBits));
      const double g = std::ldexp(got_t[i], kDefaultFracBits);
      EXPECT_TRUE(g == floor16 || g == floor16 - 1 || (!ot && g == floor16 + 1))
          << i << ": " << got_t[i] << " " << exact[i];
    }
  };
  checkTruncated(got.truncated, std::vector<double>(want.begin(), want.begin() + 18));
  std::vector<double> relu_img(img.size());
  for (size_t i = 0; i < img.size(); ++i) relu_img[i] = std::max(img[i], 0.0);
  checkTruncated(got.relu_truncated, relu_img);
  if (family() == "none") {
    EXPECT_EQ(got.fused_rounds, 17u);
    EXPECT_EQ(got.plain_rounds, 24u);
    EXPECT_EQ(got.one_hot_rounds, 12u);
  } else {
    EXPECT_EQ(got.fused_rounds, got.plain_rounds);
  }
}

TEST_P(ProtocolConformance, BinaryGatesAndConversionsAreExact) {
  const std::vector<uint64_t> u{0, 1, ~uint64_t{0}, 0x8000000000000000ULL, 0x0123456789abcdefULL},
      v{5, 3, 0xf0f0f0f0f0f0f0f0ULL, 0x8000000000000001ULL, 0xfedcba9876543210ULL};
  const auto x = quantized(uniform(5, -1000, 1000, 16));
  const auto got = run([&](Party& p) {
    const Shape s{5};
    const BinaryTensor a = BinaryTensor::shareEncoded(p, 0, RingTensor(s, u), s);
    const BinaryTensor b = BinaryTensor::shareEncoded(p, 1, RingTensor(s, v), s);
    const RingTensor ands = (a & b).reveal();
    const ArithTensor sx = ArithTensor::share(p, 1, x, s);
    const BinaryTensor bx = a2b(sx);  // the adder: AND gates
    const RingTensor back = b2a(bx, sx.fracBits()).reveal();
    const RingTensor sign = b2aBit(bx.msb()).reveal();
    std::vector<uint64_t> out(ands.data().begin(), ands.data().end());
    out.insert(out.end(), back.data().begin(), back.data().end());
    out.insert(out.end(), sign.data().begin(), sign.data().end());
    return out;
  });
  std::vector<uint64_t> want;
  for (size_t i = 0; i < u.size(); ++i) want.push_back(u[i] & v[i]);
  const RingTensor ex = RingTensor::encode(x, Shape{5});
  want.insert(want.end(), ex.data().begin(), ex.data().end());
  for (double t : x) want.push_back(t < 0 ? 1 : 0);
  EXPECT_EQ(got, want);
}

TEST_P(ProtocolConformance, TableMathMatchesPlaintext) {
  // Every family: sigmoid within 2 ULP; reciprocal within max(4 ULP, 2^-12 relative); exp within
  // 2 ULP (x <= 4: the dealer's tables and the OT family's composed exp alike).
  const auto x = quantized(uniform(9, -3, 3, 17));
  const auto got = run([&](Party& p) {
    auto out = sigmoid(ArithTensor::share(p, 1, x, Shape{9})).revealDoubles();
    const auto r = reciprocal(ArithTensor::share(p, 1, x, Shape{9})).revealDoubles();
    out.insert(out.end(), r.begin(), r.end());
    const auto e = exp(ArithTensor::share(p, 1, x, Shape{9})).revealDoubles();
    out.insert(out.end(), e.begin(), e.end());
    return out;
  });
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(got[i], 1 / (1 + std::exp(-x[i])), 2 * kUlp);
    EXPECT_NEAR(got[9 + i], 1 / x[i], std::max(4 * kUlp, std::fabs(1 / x[i]) / 4096));
    EXPECT_NEAR(got[18 + i], std::exp(x[i]), 2 * kUlp);
  }
}

TEST_P(ProtocolConformance, LookupTablesMatchPlaintext) {
  // Random tables of k = 1, 4, 8, 12 index bits, 1 to 3 columns, entries of out_bits = 64, 20, 13
  // bits; indices anywhere in the ring (only x mod 2^k counts). Exact modulo 2^out_bits.
  struct Case {
    int k, columns, out_bits;
    size_t n;
  };
  const std::vector<Case> cases{{1, 1, 64, 9}, {4, 3, 64, 40}, {8, 2, 20, 40}, {12, 1, 13, 5}};
  std::mt19937_64 gen(23);  // test inputs only
  std::vector<LookupTable> tables;
  std::vector<std::vector<uint64_t>> indices;
  for (const Case& c : cases) {
    tables.push_back(
        LookupTable::fromFunction(c.k, c.columns, [&](uint64_t, int) { return gen(); }));
    std::vector<uint64_t> x(c.n);
    for (auto& v : x) v = gen();
    x[0] = 0;
    x[1] = static_cast<uint64_t>(-1);  // row 2^k − 1
    indices.push_back(std::move(x));
  }
  const auto got = run([&](Party& p) {
    std::vector<std::vector<uint64_t>> out;  // case by case, column-major
    for (size_t t = 0; t < cases.size(); ++t) {
      const Shape s{static_cast<int64_t>(cases[t].n)};
      const ArithTensor x = ArithTensor::shareEncoded(p, 1, RingTensor(s, indices[t]), s, 0);
      std::vector<uint64_t> revealed;
      for (const ArithTensor& col : lookup(x, tables[t], 0, cases[t].out_bits)) {
        const RingTensor r = col.reveal();
        revealed.insert(revealed.end(), r.data().begin(), r.data().end());
      }
      out.push_back(std::move(revealed));
    }
    return out;
  });
  for (size_t t = 0; t < cases.size(); ++t) {
    const Case& c = cases[t];
    const uint64_t mask = c.out_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << c.out_bits) - 1;
    ASSERT_EQ(got[t].size(), c.n * static_cast<size_t>(c.columns));
    for (size_t e = 0; e < c.n; ++e) {
      const uint64_t row = indices[t][e] & (tables[t].rows() - 1);
      for (int col = 0; col < c.columns; ++col) {
        EXPECT_EQ(got[t][col * c.n + e] & mask, tables[t].at(row, col) & mask)
            << "k " << c.k << ", column " << col << ", element " << e;
      }
    }
  }
}

TEST_P(ProtocolConformance, WeightOwnedByPartyOne) {
  // The dealer families take any owner; the OT family's RLWE product needs the owner on party 0.
  const auto x = quantized(uniform(4, -2, 2, 18)), w = quantized(uniform(4 * 2, -1, 1, 19));
  const auto got = testing::simulateProtocol(family(), 2, [&](Party& p) -> std::string {
    try {
      const FixedWeight fw = FixedWeight::load(p, 1, w, Shape{4, 2});
      const auto y = fw.matmulFrom(ArithTensor::share(p, 0, x, Shape{1, 4})).revealDoubles();
      const double want0 = x[0] * w[0] + x[1] * w[2] + x[2] * w[4] + x[3] * w[6];
      return std::fabs(y[0] - want0) <= kUlp ? "ok" : "wrong";
    } catch (const InvalidArgument& e) {
      return e.what();
    }
  })[0];
  if (family() == "none") {
    EXPECT_NE(got.find("needs the model owner to be party 0, got party 1"), got.npos) << got;
  } else {
    EXPECT_EQ(got, "ok");
  }
}

std::string familyName(const ::testing::TestParamInfo<std::string>& param) {
  std::string n = param.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Families, ProtocolConformance,
                         ::testing::Values("insecure-seeded", "ttp", "none"), familyName);

// The OT family's weight products by OT alone (WeightProducts::kOt, the comparison with the RLWE
// layers): the same products as FixedWeightProductsMatchPlaintext, within 1 ULP.
TEST(OtWeightProducts, OtAloneMatchesPlaintext) {
  const FixedWeightCase c;
  ProtocolOptions options;
  options.weight_products = WeightProducts::kOt;
  const auto got = testing::simulate(2, [&](Communicator& world) {
    ProtocolSetup setup = makeProtocol(world, "none", options);
    Party p(setup.online(), setup.protocol());
    return c.products(p);
  })[0];
  EXPECT_LE(maxAbsDiff(got, c.reference()), kUlp);
}

// Every rank's InvalidArgument message from makeProtocol(world, family) on `ranks` ranks.
std::vector<std::string> setupErrors(int ranks, const std::string& family) {
  return testing::simulate(ranks, [&](Communicator& world) -> std::string {
    try {
      (void)makeProtocol(world, family);
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "";
  });
}

TEST(ProtocolFactory, NoneWithThreePartiesFailsOnEveryParty) {
  for (const auto& m : setupErrors(3, "none"))
    EXPECT_NE(m.find("needs exactly 2 parties, got 3"), m.npos) << m;
  EXPECT_THROW((void)protocolWorldSize("none", 3), InvalidArgument);
  EXPECT_EQ(protocolWorldSize("none", 2), 2);
  EXPECT_EQ(protocolWorldSize("ttp", 2), 3);
}

TEST(ProtocolFactory, UnknownFamilyNamesTheKnownOnes) {
  for (const auto& m : setupErrors(2, "ot")) {
    EXPECT_NE(m.find("unknown protocol family (--dealer) 'ot' (known: none, ttp, insecure-seeded)"),
              m.npos)
        << m;
  }
}

}  // namespace
}  // namespace sotto
