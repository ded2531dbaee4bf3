// Graph (attributes, serialization, architecture), the model zoo and the plaintext evaluator's ops
// against direct reference computations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numeric>

#include "sotto/error.h"
#include "sotto/model/graph.h"
#include "sotto/model/plain_eval.h"
#include "sotto/model/zoo.h"
#include "testing/errors.h"

namespace sotto::nn {
namespace {

using ::testing::HasSubstr;

// Deterministic test values: a smooth formula, no generator.
PlainTensor ramp(std::vector<int64_t> dims, double scale = 1.0, double phase = 0.0) {
  PlainTensor t;
  t.dims = std::move(dims);
  t.values.resize(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < t.values.size(); ++i) {
    t.values[i] = scale * std::sin(0.37 * static_cast<double>(i) + phase);
  }
  return t;
}

// A graph of one node over data inputs "a" (and "b") and the given weights.
Graph oneNode(Node node, std::vector<ValueInfo> inputs, std::map<std::string, PlainTensor> w = {}) {
  Graph g;
  g.opset = 13;
  g.inputs = std::move(inputs);
  node.name = node.name.empty() ? "n" : node.name;
  node.outputs = {"y"};
  g.outputs = {"y"};
  g.nodes.push_back(std::move(node));
  g.weights = std::move(w);
  return g;
}

void expectNear(const PlainTensor& got, const std::vector<int64_t>& dims,
                const std::vector<double>& want, double tol = 1e-12) {
  ASSERT_EQ(got.dims, dims);
  ASSERT_EQ(got.values.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.values[i], want[i], tol) << "at " << i;
}

using sotto::testing::errorOf;

// ---- Graph ------------------------------------------------------------------------------------

TEST(OnnxGraph, AttributeAccessorsReturnValuesOrDefaultsAndNameTypeErrors) {
  Node n;
  n.name = "conv7";
  n.op = "Conv";
  n.attrs = {{"group", int64_t{2}},
             {"alpha", 0.5},
             {"pads", std::vector<int64_t>{1, 1, 1, 1}},
             {"auto_pad", std::string("NOTSET")}};
  EXPECT_EQ(n.attrInt("group", 1), 2);
  EXPECT_EQ(n.attrInt("missing", 7), 7);
  EXPECT_DOUBLE_EQ(n.attrFloat("alpha", 1.0), 0.5);
  EXPECT_EQ(n.attrInts("pads", {}), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(n.attrString("auto_pad", ""), "NOTSET");
  const std::string e = errorOf([&] { n.attrFloat("group", 1.0); });
  EXPECT_THAT(e, HasSubstr("conv7"));
  EXPECT_THAT(e, HasSubstr("Conv"));
  EXPECT_THAT(e, HasSubstr("'group' is int, expected float"));
}

TEST(OnnxGraph, SupportedOpsListsTheImportedOps) {
  const auto& ops = supportedOps();
  for (const char* op : {"Conv", "Gemm", "MaxPool", "Softmax", "Reshape", "Unsqueeze"}) {
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
  }
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
}

void expectSameGraph(const Graph& a, const Graph& b) {
  EXPECT_EQ(a.opset, b.opset);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    EXPECT_EQ(a.inputs[i].name, b.inputs[i].name);
    EXPECT_EQ(a.inputs[i].dims, b.inputs[i].dims);
  }
  EXPECT_EQ(a.outputs, b.outputs);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    EXPECT_EQ(a.nodes[i].name, b.nodes[i].name);
    EXPECT_EQ(a.nodes[i].op, b.nodes[i].op);
    EXPECT_EQ(a.nodes[i].inputs, b.nodes[i].inputs);
    EXPECT_EQ(a.nodes[i].outputs, b.nodes[i].outputs);
    EXPECT_EQ(a.nodes[i].attrs, b.nodes[i].attrs);
  }
  ASSERT_EQ(a.weights.size(), b.weights.size());
  for (const auto& [name, w] : a.weights) {
    ASSERT_TRUE(b.weights.count(name)) << name;
    EXPECT_EQ(w.dims, b.weights.at(name).dims) << name;
    EXPECT_EQ(w.values, b.weights.at(name).values) << name;
  }
}

TEST(OnnxGraph, SerializeRoundTripsEveryFieldAndAttributeKind) {
  Graph g = lenet5Graph(3);
  g.nodes[0].attrs["note"] = std::string("a string");
  g.nodes[0].attrs["scales"] = std::vector<double>{0.25, -1.5};
  g.nodes[0].attrs["eps"] = 1e-5;
  const std::vector<uint8_t> bytes = serialize(g);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "SOTTOGR1");
  expectSameGraph(g, deserialize(bytes));
}

TEST(OnnxGraph, ArchitectureHidesWeightValuesButKeepsShapes) {
  const Graph g = lenet5Graph(1);
  const Graph arch = g.architecture();
  ASSERT_EQ(arch.weights.size(), g.weights.size());
  for (const auto& [name, w] : arch.weights) {
    EXPECT_TRUE(w.values.empty()) << name;
    EXPECT_EQ(w.dims, g.weights.at(name).dims) << name;
  }
  EXPECT_EQ(arch.parameterCount(), 44426);
  const std::vector<uint8_t> bytes = serialize(arch);
  EXPECT_LT(bytes.size(), 4000u);              // no values inside
  EXPECT_GT(serialize(g).size(), 44426u * 8);  // all values inside
  expectSameGraph(arch, deserialize(bytes));
  const std::string e = errorOf([&] { evaluate(arch, ramp({1, 1, 28, 28})); });
  EXPECT_THAT(e, HasSubstr("architecture-only"));
}

TEST(OnnxGraph, DeserializeRejectsBadMagicVersionTruncationAndTrailingBytes) {
  const std::vector<uint8_t> good = serialize(lenet5Graph(1).architecture());
  EXPECT_THAT(errorOf([&] { deserialize({'n', 'o', 'p', 'e'}); }), HasSubstr("not a serialized"));
  std::vector<uint8_t> v2 = good;
  v2[7] = '2';
  EXPECT_THAT(errorOf([&] { deserialize(v2); }), HasSubstr("version '2' is not supported"));
  // Every truncation is an error that says so, never a crash or a silently smaller graph.
  for (size_t cut = 8; cut < good.size(); cut += 1) {
    const std::vector<uint8_t> part(good.begin(), good.begin() + cut);
    const std::string e = errorOf([&] { deserialize(part); });
    ASSERT_TRUE(e.find("truncated") != std::string::npos ||
                e.find("corrupted") != std::string::npos)
        << "cut at " << cut << ": " << e;
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_THAT(errorOf([&] { deserialize(longer); }), HasSubstr("trailing"));
}

// ---- zoo ----------------------------------------------------------------------------------------

TEST(OnnxZoo, ParameterCountsMatchTheReferenceArchitectures) {
  EXPECT_EQ(lenet5Graph().parameterCount(), 44426);
  EXPECT_EQ(alexnetCifarGraph().parameterCount(), 2472266);
}

TEST(OnnxZoo, WeightsAreDeterministicAndPytorchScaled) {
  const Graph a = lenet5Graph(5), b = lenet5Graph(5), c = lenet5Graph(6);
  EXPECT_EQ(a.weights.at("fc1.weight").values, b.weights.at("fc1.weight").values);
  EXPECT_NE(a.weights.at("fc1.weight").values, c.weights.at("fc1.weight").values);
  // uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)): conv1 fan_in 25 -> 0.2, fc1 fan_in 256 -> 0.0625.
  for (const auto& [name, bound] : {std::pair<std::string, double>{"conv1.weight", 0.2},
                                    {"fc1.weight", 0.0625},
                                    {"fc3.bias", 1 / std::sqrt(84.0)}}) {
    const auto& v = a.weights.at(name).values;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    EXPECT_GE(*lo, -bound) << name;
    EXPECT_LE(*hi, bound) << name;
    EXPECT_GT(*hi - *lo, bound) << name;  // spread over the range, not constant
  }
}

TEST(OnnxZoo, GraphsEvaluateWithTheImporterConventions) {
  const Graph lenet = lenet5Graph();
  EXPECT_EQ(lenet.inputs[0].name, "input");
  EXPECT_EQ(lenet.outputs, std::vector<std::string>{"logits"});
  EXPECT_EQ(lenet.nodes.back().op, "Gemm");
  EXPECT_EQ(lenet.nodes.back().attrInt("transB", 0), 1);
  const PlainTensor y = evaluate(lenet, ramp({3, 1, 28, 28}));
  EXPECT_EQ(y.dims, (std::vector<int64_t>{3, 10}));

  const Graph alex = alexnetCifarGraph();
  const PlainTensor x = ramp({8, 3, 32, 32});
  const auto t0 = std::chrono::steady_clock::now();
  const PlainTensor z = evaluate(alex, x);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(z.dims, (std::vector<int64_t>{8, 10}));
  EXPECT_LT(seconds, 1.0);
  std::printf("[ info ] AlexNet-CIFAR plaintext evaluation, batch 8: %.1f ms\n", seconds * 1e3);
  // Image 3 alone gives the same logits as inside the batch.
  PlainTensor one;
  one.dims = {1, 3, 32, 32};
  one.values.assign(x.values.begin() + 3 * 3072, x.values.begin() + 4 * 3072);
  const PlainTensor z3 = evaluate(alex, one);
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(z3.values[i], z.values[30 + i], 1e-12);
}

// ---- evaluator ops vs direct formulas -----------------------------------------------------------

TEST(OnnxPlainEval, ConvMatchesDirectConvolutionWithStridePadAndGroups) {
  const int64_t n = 2, c = 4, h = 7, w = 6, o = 6, g = 2, kh = 3, kw = 2, sh = 2, sw = 1, ph = 1,
                pw = 1;
  const PlainTensor x = ramp({n, c, h, w}), wt = ramp({o, c / g, kh, kw}, 0.5, 1.0),
                    b = ramp({o}, 0.1, 2.0);
  Node node;
  node.op = "Conv";
  node.inputs = {"a", "w", "b"};
  node.attrs = {{"kernel_shape", std::vector<int64_t>{kh, kw}},
                {"strides", std::vector<int64_t>{sh, sw}},
                {"pads", std::vector<int64_t>{ph, pw, ph, pw}},
                {"group", g}};
  const Graph graph = oneNode(node, {{"a", {-1, c, h, w}}}, {{"w", wt}, {"b", b}});
  const PlainTensor y = evaluate(graph, x);
  const int64_t oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
  ASSERT_EQ(y.dims, (std::vector<int64_t>{n, o, oh, ow}));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t oc = 0; oc < o; ++oc) {
      const int64_t grp = oc / (o / g);
      for (int64_t r = 0; r < oh; ++r) {
        for (int64_t q = 0; q < ow; ++q) {
          double acc = b.values[oc];
          for (int64_t ci = 0; ci < c / g; ++ci) {
            for (int64_t u = 0; u < kh; ++u) {
              for (int64_t v = 0; v < kw; ++v) {
                const int64_t yy = r * sh - ph + u, xx = q * sw - pw + v;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                acc += x.values[((i * c + grp * (c / g) + ci) * h + yy) * w + xx] *
                       wt.values[((oc * (c / g) + ci) * kh + u) * kw + v];
              }
            }
          }
          EXPECT_NEAR(y.values[((i * o + oc) * oh + r) * ow + q], acc, 1e-12);
        }
      }
    }
  }
}

TEST(OnnxPlainEval, BinaryOpsBroadcastLikeNumpy) {
  PlainTensor a{{2, 1, 3}, {1, 2, 3, 4, 5, 6}};
  PlainTensor b{{2, 1}, {10, 20}};
  const std::vector<std::pair<std::string, std::vector<double>>> cases = {
      {"Add", {11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26}},
      {"Sub", {-9, -8, -7, -19, -18, -17, -6, -5, -4, -16, -15, -14}},
      {"Mul", {10, 20, 30, 20, 40, 60, 40, 50, 60, 80, 100, 120}},
      {"Div", {0.1, 0.2, 0.3, 0.05, 0.1, 0.15, 0.4, 0.5, 0.6, 0.2, 0.25, 0.3}}};
  for (const auto& [op, want] : cases) {
    Node node;
    node.op = op;
    node.inputs = {"a", "b"};
    const Graph g = oneNode(node, {{"a", {2, 1, 3}}, {"b", {2, 1}}});
    expectNear(evaluateFirst(g, {{"a", a}, {"b", b}}), {2, 2, 3}, want);
  }
  Node node;
  node.name = "bad_add";
  node.op = "Add";
  node.inputs = {"a", "b"};
  const Graph g = oneNode(node, {{"a", {2, 3}}, {"b", {4}}});
  const std::string e = errorOf([&] { evaluateFirst(g, {{"a", ramp({2, 3})}, {"b", ramp({4})}}); });
  EXPECT_THAT(e, HasSubstr("node 'bad_add' (Add)"));
  EXPECT_THAT(e, HasSubstr("[2, 3] and [4] do not broadcast"));
}

TEST(OnnxPlainEval, PoolingWithPaddingAndBothAverageConventions) {
  // 1x1x3x3 input 1..9, 2x2 windows, stride 2, pad 1: windows cover 1, 2-3, 4-7, 5-6-8-9 ...
  const PlainTensor x{{1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  Node pool;
  pool.op = "MaxPool";
  pool.inputs = {"a"};
  pool.attrs = {{"kernel_shape", std::vector<int64_t>{2, 2}},
                {"strides", std::vector<int64_t>{2, 2}},
                {"pads", std::vector<int64_t>{1, 1, 1, 1}}};
  expectNear(evaluate(oneNode(pool, {{"a", {1, 1, 3, 3}}}), x), {1, 1, 2, 2}, {1, 3, 7, 9});
  pool.op = "AveragePool";
  pool.attrs["count_include_pad"] = int64_t{0};
  expectNear(evaluate(oneNode(pool, {{"a", {1, 1, 3, 3}}}), x), {1, 1, 2, 2}, {1, 2.5, 5.5, 7});
  pool.attrs["count_include_pad"] = int64_t{1};
  expectNear(evaluate(oneNode(pool, {{"a", {1, 1, 3, 3}}}), x), {1, 1, 2, 2},
             {0.25, 1.25, 2.75, 7});
  Node gap;
  gap.op = "GlobalAveragePool";
  gap.inputs = {"a"};
  expectNear(evaluate(oneNode(gap, {{"a", {1, 1, 3, 3}}}), x), {1, 1, 1, 1}, {5});
}

TEST(OnnxPlainEval, GemmMatMulAndSoftmax) {
  const PlainTensor a{{2, 3}, {1, 2, 3, 4, 5, 6}};
  const PlainTensor bt{{2, 3}, {1, 0, -1, 2, 1, 0}};  // B^T
  const PlainTensor c{{2}, {10, 20}};
  Node gemm;
  gemm.op = "Gemm";
  gemm.inputs = {"a", "bt", "c"};
  gemm.attrs = {{"alpha", 2.0}, {"beta", 0.5}, {"transB", int64_t{1}}};
  // a·B = [[-2, 4], [-2, 13]]
  expectNear(evaluate(oneNode(gemm, {{"a", {2, 3}}}, {{"bt", bt}, {"c", c}}), a), {2, 2},
             {1, 18, 1, 36});
  // Batched MatMul [2, 2, 3] x [3, 2] and a vector on the right.
  Node mm;
  mm.op = "MatMul";
  mm.inputs = {"a", "b"};
  const PlainTensor b{{3, 2}, {1, 2, 0, 1, -1, 0}};
  const PlainTensor a3{{2, 2, 3}, {1, 2, 3, 4, 5, 6, 0, 1, 0, 1, 0, 0}};
  expectNear(evaluate(oneNode(mm, {{"a", {2, 2, 3}}}, {{"b", b}}), a3), {2, 2, 2},
             {-2, 4, -2, 13, 0, 1, 1, 2});
  const PlainTensor v{{3}, {1, 1, 1}};
  expectNear(evaluate(oneNode(mm, {{"a", {2, 3}}}, {{"b", v}}), a), {2}, {6, 15});
  // Softmax along axis 1 of [2, 3, 1]; LogSoftmax is its log.
  Node sm;
  sm.op = "Softmax";
  sm.inputs = {"a"};
  sm.attrs = {{"axis", int64_t{1}}};
  const PlainTensor s{{2, 3, 1}, {1, 2, 3, 0, 0, 0}};
  const double z = std::exp(1) + std::exp(2) + std::exp(3);
  const std::vector<double> want = {std::exp(1) / z, std::exp(2) / z, std::exp(3) / z,
                                    1.0 / 3,         1.0 / 3,         1.0 / 3};
  expectNear(evaluate(oneNode(sm, {{"a", {2, 3, 1}}}), s), {2, 3, 1}, want);
  sm.op = "LogSoftmax";
  std::vector<double> logs;
  for (double p : want) logs.push_back(std::log(p));
  expectNear(evaluate(oneNode(sm, {{"a", {2, 3, 1}}}), s), {2, 3, 1}, logs);
}

TEST(OnnxPlainEval, ShapeOps) {
  const PlainTensor x = ramp({2, 3, 4});
  Node t;
  t.op = "Transpose";
  t.inputs = {"a"};
  t.attrs = {{"perm", std::vector<int64_t>{2, 0, 1}}};
  const PlainTensor y = evaluate(oneNode(t, {{"a", {2, 3, 4}}}), x);
  ASSERT_EQ(y.dims, (std::vector<int64_t>{4, 2, 3}));
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t k = 0; k < 4; ++k) {
        EXPECT_EQ(y.values[(k * 2 + i) * 3 + j], x.values[(i * 3 + j) * 4 + k]);
      }
    }
  }
  Node r;
  r.op = "Reshape";
  r.inputs = {"a", "shape"};
  const Graph g = oneNode(r, {{"a", {-1, 3, 4}}}, {{"shape", PlainTensor{{3}, {0, -1, 2}}}});
  const PlainTensor z = evaluate(g, x);
  EXPECT_EQ(z.dims, (std::vector<int64_t>{2, 6, 2}));
  EXPECT_EQ(z.values, x.values);
  Node f;
  f.op = "Flatten";
  f.inputs = {"a"};
  f.attrs = {{"axis", int64_t{2}}};
  EXPECT_EQ(evaluate(oneNode(f, {{"a", {2, 3, 4}}}), x).dims, (std::vector<int64_t>{6, 4}));
  Node u;
  u.op = "Unsqueeze";
  u.inputs = {"a"};
  u.attrs = {{"axes", std::vector<int64_t>{0, -1}}};
  EXPECT_EQ(evaluate(oneNode(u, {{"a", {2, 3, 4}}}), x).dims,
            (std::vector<int64_t>{1, 2, 3, 4, 1}));
  Node s;
  s.name = "squeeze_bad";
  s.op = "Squeeze";
  s.inputs = {"a"};
  s.attrs = {{"axes", std::vector<int64_t>{1}}};
  EXPECT_THAT(errorOf([&] {
                evaluate(oneNode(s, {{"a", {2, 3, 4}}}), x);
              }),
              HasSubstr("node 'squeeze_bad' (Squeeze): axis 1 of [2, 3, 4] is not 1"));
}

TEST(OnnxPlainEval, InputsAreCheckedByNameAndShape) {
  const Graph g = lenet5Graph();
  EXPECT_THAT(errorOf([&] { evaluate(g, TensorMap{}); }), HasSubstr("input 'input' is missing"));
  EXPECT_THAT(errorOf([&] {
                evaluate(g, ramp({1, 1, 27, 28}));
              }),
              HasSubstr("has shape [1, 1, 27, 28]"));
  EXPECT_THAT(errorOf([&] {
                evaluate(g, TensorMap{{"input", ramp({1, 1, 28, 28})}, {"extra", ramp({1})}});
              }),
              HasSubstr("'extra' is not an input"));
}

}  // namespace
}  // namespace sotto::nn
