// ONNX import + plaintext evaluation against PyTorch's outputs (fixtures in tests/data, made by
// tests/data/onnx_fixture_make.py and models/*.py), and the importer's errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "sotto/error.h"
#include "sotto/model/npy.h"
#include "sotto/model/onnx.h"
#include "sotto/model/plain_eval.h"
#include "testing/errors.h"

namespace sotto::nn {
namespace {

using ::testing::HasSubstr;

const std::string kRoot = SOTTO_SOURCE_DIR;
const std::string kData = kRoot + "/tests/data/";

constexpr double kTorchTolerance = 1e-4;

double maxAbsDiff(const PlainTensor& a, const PlainTensor& b) {
  EXPECT_EQ(a.dims, b.dims);
  if (a.values.size() != b.values.size()) return INFINITY;
  double m = 0;
  for (size_t i = 0; i < a.values.size(); ++i) m = std::max(m, std::abs(a.values[i] - b.values[i]));
  return m;
}

std::set<std::string> opsOf(const Graph& g) {
  std::set<std::string> ops;
  for (const auto& n : g.nodes) ops.insert(n.op);
  return ops;
}

const Node& nodeByOp(const Graph& g, const std::string& op) {
  auto it = std::find_if(g.nodes.begin(), g.nodes.end(), [&](const Node& n) { return n.op == op; });
  EXPECT_NE(it, g.nodes.end()) << op;
  return *it;
}

using sotto::testing::errorOf;

// The rows [first, first + count) of a batch.
PlainTensor rows(const PlainTensor& t, int64_t first, int64_t count) {
  PlainTensor r;
  r.dims = t.dims;
  r.dims[0] = count;
  const int64_t per = t.numel() / t.dims[0];
  r.values.assign(t.values.begin() + first * per, t.values.begin() + (first + count) * per);
  return r;
}

// ---- our fixtures vs PyTorch --------------------------------------------------------------------

class OnnxOpsFixture : public ::testing::TestWithParam<int> {};

TEST_P(OnnxOpsFixture, MatchesPytorchAndIsNormalised) {
  const std::string path = kData + "onnx_fixture_ops" + std::to_string(GetParam()) + ".onnx";
  const Graph g = loadOnnx(path);
  EXPECT_EQ(g.opset, GetParam());
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].dims, (std::vector<int64_t>{-1, 3, 6, 6}));  // symbolic batch
  // BatchNormalization folded into the Conv; Pow -> Mul; the shape arithmetic folded away.
  const std::set<std::string> ops = opsOf(g);
  for (const char* gone : {"BatchNormalization", "Pow", "Shape", "Gather", "Concat", "Constant"}) {
    EXPECT_FALSE(ops.count(gone)) << gone;
  }
  for (const auto& n : g.nodes) {
    EXPECT_NE(std::find(supportedOps().begin(), supportedOps().end(), n.op), supportedOps().end())
        << n.op;
  }
  const Node& gconv = g.nodes[3];
  EXPECT_EQ(gconv.op, "Conv");
  EXPECT_EQ(gconv.attrInt("group", 1), 2);
  EXPECT_EQ(gconv.attrInts("strides", {}), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(nodeByOp(g, "Unsqueeze").inputs.size(), 1u);  // axes moved to the attribute
  EXPECT_EQ(nodeByOp(g, "Unsqueeze").attrInts("axes", {}), (std::vector<int64_t>{1}));
  // x.view(x.size(0), -1) on a symbolic batch: target [0 (copy the batch), -1].
  const Node& reshape = nodeByOp(g, "Reshape");
  EXPECT_EQ(g.weights.at(reshape.inputs[1]).values, (std::vector<double>{0, -1}));
  // Weights: conv 3*4*9+4, grouped conv 4*2*9+4, fc 16*5+5, plus the reshape target and the
  // divisor 4.
  EXPECT_EQ(g.parameterCount(), 112 + 76 + 85 + 2 + 1);

  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_ops_input.npy");
  const PlainTensor want = loadTensorFile(kData + "onnx_fixture_ops_output.npy");
  EXPECT_LT(maxAbsDiff(evaluate(g, x), want), kTorchTolerance);
  // The batch is symbolic: one image at a time gives the same rows.
  for (int64_t i = 0; i < 2; ++i) {
    EXPECT_LT(maxAbsDiff(evaluate(g, rows(x, i, 1)), rows(want, i, 1)), kTorchTolerance);
  }
}

INSTANTIATE_TEST_SUITE_P(Opsets, OnnxOpsFixture, ::testing::Values(11, 13, 17));

TEST(OnnxImport, HandmadeModelCoversLegacySemanticsAndRemovedNodes) {
  const Graph g = loadOnnx(kData + "onnx_fixture_handmade.onnx");
  EXPECT_EQ(g.opset, 12);
  // "w" is both an initializer and a listed graph input: a weight, not data.
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].name, "x");
  EXPECT_TRUE(g.isWeight("w"));
  const std::set<std::string> ops = opsOf(g);
  EXPECT_FALSE(ops.count("Identity"));
  EXPECT_FALSE(ops.count("Dropout"));
  EXPECT_TRUE(ops.count("BatchNormalization"));  // not after a Conv: kept
  EXPECT_EQ(nodeByOp(g, "AveragePool").attrInt("count_include_pad", 0), 1);
  EXPECT_EQ(nodeByOp(g, "AveragePool").inputs[0], "x");  // Identity and Dropout renamed through
  EXPECT_EQ(nodeByOp(g, "Transpose").attrInts("perm", {}), (std::vector<int64_t>{3, 2, 1, 0}));
  EXPECT_EQ(nodeByOp(g, "Gemm").attrInt("transB", -1), 0);
  EXPECT_DOUBLE_EQ(nodeByOp(g, "Gemm").attrFloat("alpha", 0), 0.5);
  EXPECT_EQ(g.outputs,
            (std::vector<std::string>{"out_softmax", "out_gemm", "out_transposed", "out_bn"}));

  const TensorMap outs =
      evaluate(g, {{"x", loadTensorFile(kData + "onnx_fixture_handmade_x.npy")}});
  for (const auto& name : g.outputs) {
    const PlainTensor want = loadTensorFile(kData + "onnx_fixture_handmade_" + name + ".npy");
    EXPECT_LT(maxAbsDiff(outs.at(name), want), kTorchTolerance) << name;
  }
  // The opset-12 Softmax(axis=1) on [2, 3, 4, 4] normalises over all 48 values of an image.
  double sum = 0;
  for (int i = 0; i < 48; ++i) sum += outs.at("out_softmax").values[i];
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(OnnxImport, BatchNormStaysWhenTheConvOutputHasAnotherConsumer) {
  const Graph g = loadOnnx(kData + "onnx_fixture_bn_shared.onnx");
  EXPECT_EQ(opsOf(g), (std::set<std::string>{"Conv", "BatchNormalization", "Relu"}));
  const TensorMap outs =
      evaluate(g, {{"x", loadTensorFile(kData + "onnx_fixture_bn_shared_x.npy")}});
  for (const auto& name : {"out_bn", "out_relu"}) {
    const PlainTensor want =
        loadTensorFile(kData + "onnx_fixture_bn_shared_" + std::string(name) + ".npy");
    EXPECT_LT(maxAbsDiff(outs.at(name), want), 1e-12) << name;  // float64 end to end
  }
}

TEST(OnnxImport, ArchitectureOfAnImportedModelSerializes) {
  const Graph g = loadOnnx(kData + "onnx_fixture_ops13.onnx");
  const Graph back = deserialize(serialize(g.architecture()));
  EXPECT_EQ(back.nodes.size(), g.nodes.size());
  EXPECT_EQ(back.parameterCount(), g.parameterCount());
  for (const auto& [name, w] : back.weights) EXPECT_TRUE(w.values.empty()) << name;
  // The full graph round-trips to the same outputs.
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_ops_input.npy");
  EXPECT_EQ(evaluate(deserialize(serialize(g)), x).values, evaluate(g, x).values);
}

// ---- errors
// --------------------------------------------------------------------------------------

TEST(OnnxImport, UnsupportedOpNamesNodeOpAndSupportedList) {
  const std::string e = errorOf([] { loadOnnx(kData + "onnx_fixture_unsupported.onnx"); });
  EXPECT_THAT(e, HasSubstr("onnx_fixture_unsupported.onnx"));
  EXPECT_THAT(e, HasSubstr("node 'my_elu' (Elu)"));
  EXPECT_THAT(e, HasSubstr("supported ops: Add, AveragePool, BatchNormalization, Clip, Concat, "
                           "ConstantOfShape, Conv"));
}

TEST(OnnxImport, UnsupportedAttributeNamesNodeOpAndAttribute) {
  const std::string e = errorOf([] { loadOnnx(kData + "onnx_fixture_dilated.onnx"); });
  EXPECT_THAT(e, HasSubstr("node 'dilated_conv' (Conv)"));
  EXPECT_THAT(e, HasSubstr("attribute 'dilations' = [2, 2] is not supported"));
}

TEST(OnnxImport, RejectsOtherOpsetsDomainsExternalDataAndDivisionByData) {
  // Opset 10 is in range since opsets 7 to 21 are (onnx_torchops_test checks the limits).
  EXPECT_EQ(loadOnnx(kData + "onnx_fixture_opset10.onnx").opset, 10);
  EXPECT_THAT(errorOf([] { loadOnnx(kData + "onnx_fixture_domain.onnx"); }),
              HasSubstr("node 'fused' (FusedConv) is in domain 'com.microsoft'"));
  const std::string ext = errorOf([] { loadOnnx(kData + "onnx_fixture_external.onnx"); });
  EXPECT_THAT(ext, HasSubstr("initializer 'w'"));
  EXPECT_THAT(ext, HasSubstr("external data"));
  EXPECT_THAT(ext, HasSubstr("not supported"));
  EXPECT_THAT(errorOf([] { loadOnnx(kData + "onnx_fixture_div_data.onnx"); }),
              HasSubstr("node 'div_by_data' (Div): only division by a constant"));
  EXPECT_THAT(errorOf([] { loadOnnx(kData + "onnx_fixture_pow3.onnx"); }),
              HasSubstr("node 'cube' (Pow): only the exponent 2 is supported"));
}

TEST(OnnxImport, CorruptedTruncatedOrForeignFilesAreClearErrorsNamingTheFile) {
  const std::string path = kData + "onnx_fixture_ops13.onnx";
  const std::vector<uint8_t> bytes = readFileBytes(path);
  // Every truncation fails with InvalidArgument naming the source (never a crash or a graph).
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    const std::string e =
        errorOf([&] { parseOnnx(std::span<const uint8_t>(bytes.data(), cut), "cut.onnx"); });
    ASSERT_THAT(e, HasSubstr("cut.onnx")) << "cut at " << cut;
  }
  // Flipped bytes: either an error naming the file or (if the damage hit a value) a graph.
  for (size_t at = 0; at < bytes.size(); at += 7) {
    std::vector<uint8_t> bad = bytes;
    bad[at] ^= 0xA5;
    try {
      parseOnnx(bad, "flipped.onnx");
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(e.what(), HasSubstr("flipped.onnx")) << "at " << at;
    }
  }
  const std::string text = "this is not an ONNX model\n";
  EXPECT_THAT(errorOf([&] {
                parseOnnx(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                          "notes.txt");
              }),
              HasSubstr("notes.txt: not"));
  EXPECT_THAT(errorOf([] { parseOnnx(std::vector<uint8_t>{}, "empty.onnx"); }),
              HasSubstr("empty.onnx: not an ONNX model"));
  // A .npy file is not a model.
  EXPECT_THAT(errorOf([] { loadOnnx(kData + "onnx_fixture_ops_input.npy"); }),
              HasSubstr("onnx_fixture_ops_input.npy: not"));
  EXPECT_THAT(errorOf([] { loadOnnx(kData + "no_such_model.onnx"); }),
              HasSubstr("no_such_model.onnx"));
}

// ---- the colleague's trained models and PyTorch reference vectors ------------------------------

bool have(const std::string& path) { return std::filesystem::exists(path); }

TEST(OnnxReferenceModels, Lenet5LogitsAgreeWithPytorch) {
  for (const auto& [model, logits] :
       {std::pair<std::string, std::string>{"models/lenet5.onnx", "lenet5_logits16.npy"},
        {"models/lenet5_poly.onnx", "lenet5_poly_logits16.npy"}}) {
    if (!have(kRoot + "/" + model) || !have(kData + logits)) {
      std::printf("[ skip ] %s or %s not there yet\n", model.c_str(), logits.c_str());
      continue;
    }
    SCOPED_TRACE(model);
    const Graph g = loadOnnx(kRoot + "/" + model);
    const PlainTensor x = loadTensorFile(kData + "lenet5_input16.npy");
    const PlainTensor want = loadTensorFile(kData + logits);
    const PlainTensor got = evaluate(g, x);
    ASSERT_EQ(got.dims, (std::vector<int64_t>{16, 10}));
    // PyTorch computed in float32: its own rounding is ~1e-7 of the magnitude, and the polynomial
    // model's logits reach ~2,000, so the bound is 1e-4 absolute or relative, whichever is larger.
    // (Against PyTorch in float64 the evaluator agrees to ~1e-12.)
    for (size_t i = 0; i < want.values.size(); ++i) {
      EXPECT_LE(std::abs(got.values[i] - want.values[i]),
                kTorchTolerance * std::max(1.0, std::abs(want.values[i])))
          << "logit " << i;
    }
    std::printf(
        "[ info ] %s: max |logit| %.1f, max abs diff to PyTorch %.2e\n", model.c_str(),
        std::abs(*std::max_element(want.values.begin(), want.values.end(),
                                   [](double a, double b) { return std::abs(a) < std::abs(b); })),
        maxAbsDiff(got, want));
    for (int64_t i = 0; i < 16; ++i) {
      auto row = [&](const PlainTensor& t) { return t.values.begin() + i * 10; };
      EXPECT_EQ(std::max_element(row(got), row(got) + 10) - row(got),
                std::max_element(row(want), row(want) + 10) - row(want))
          << "image " << i;
    }
  }
}

TEST(OnnxReferenceModels, Lenet5HasTheReferenceParameterCount) {
  if (!have(kRoot + "/models/lenet5.onnx")) GTEST_SKIP() << "models/lenet5.onnx not there yet";
  EXPECT_EQ(loadOnnx(kRoot + "/models/lenet5.onnx").parameterCount(), 44426);
}

TEST(OnnxReferenceModels, OpZooOutputsAgreeWithPytorch) {
  if (!have(kData + "opzoo.onnx")) GTEST_SKIP() << "tests/data/opzoo.onnx not there yet";
  const Graph g = loadOnnx(kData + "opzoo.onnx");
  EXPECT_FALSE(opsOf(g).count("Shape"));
  EXPECT_LT(maxAbsDiff(evaluate(g, loadTensorFile(kData + "opzoo_input.npy")),
                       loadTensorFile(kData + "opzoo_output.npy")),
            kTorchTolerance);
  if (!have(kData + "opzoo_math.onnx")) return;
  const Graph m = loadOnnx(kData + "opzoo_math.onnx");
  const TensorMap outs = evaluate(m, {{"input", loadTensorFile(kData + "opzoo_math_input.npy")}});
  ASSERT_EQ(outs.size(), 5u);
  for (const auto& [name, value] : outs) {
    EXPECT_LT(maxAbsDiff(value, loadTensorFile(kData + "opzoo_math_" + name + ".npy")),
              kTorchTolerance)
        << name;
  }
}

// The ~10 MB AlexNet model is not committed: models/export_alexnet.py writes it (by default to
// /tmp/alexnet_cifar.onnx); $SOTTO_ALEXNET_ONNX names another place.
TEST(OnnxReferenceModels, AlexnetLogitsAgreeWithPytorch) {
  std::vector<std::string> candidates = {kRoot + "/models/alexnet_cifar.onnx",
                                         "/tmp/alexnet_cifar.onnx"};
  if (const char* env = std::getenv("SOTTO_ALEXNET_ONNX"))
    candidates.insert(candidates.begin(), env);
  std::string model;
  for (const auto& m : candidates) {
    if (model.empty() && have(m)) model = m;
  }
  if (model.empty() || !have(kData + "alexnet_input2.npy")) {
    GTEST_SKIP() << "no AlexNet ONNX model (run models/export_alexnet.py)";
  }
  const Graph g = loadOnnx(model);
  EXPECT_EQ(g.parameterCount(), 2472266);
  EXPECT_EQ(opsOf(g), (std::set<std::string>{"Conv", "Relu", "MaxPool", "Flatten", "Gemm"}));
  EXPECT_LT(maxAbsDiff(evaluate(g, loadTensorFile(kData + "alexnet_input2.npy")),
                       loadTensorFile(kData + "alexnet_logits2.npy")),
            kTorchTolerance);
}

}  // namespace
}  // namespace sotto::nn
