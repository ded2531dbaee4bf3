// The ops PyTorch's exporter writes for ordinary models (Pad, Concat, Split, Slice, LeakyRelu,
// Clip, HardSigmoid, HardSwish, ReduceMean, ReduceSum): one module exported at opsets 10, 11, 13
// and 17 (tests/data/onnx_fixture_torchops_make.py), evaluated in plaintext against PyTorch's
// outputs and privately (2 parties, both dealers) against the plaintext evaluation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/model/npy.h"
#include "sotto/model/onnx.h"
#include "sotto/model/plain_eval.h"
#include "sotto/nn/private_model.h"
#include "testing/errors.h"
#include "testing/mpc.h"
#include "testing/private_run.h"

namespace sotto::nn {
namespace {

const std::string kData = SOTTO_TEST_DATA_DIR "/";
// PyTorch's float32 against a float64 evaluation of the same ops.
constexpr double kPlainTolerance = 1e-5;
// Private: the input encoding (0.5 ULP), each relu and public product truncation (1 ULP each):
// measured <= 4.8e-5 (3.1 ULP, relu6) at opset 17 under both dealers; 8 ULP allowed.
constexpr double kPrivateTolerance = 8.0 / 65536;

const char* const kOutputs[] = {"pad_const", "pad_reflect", "pad_edge", "avgpool", "leaky",
                                "relu6",     "hsigmoid",    "hswish",   "rmean",   "rsum"};

double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

std::string model(int opset) {
  return kData + "onnx_fixture_torchops" + std::to_string(opset) + ".onnx";
}

class TorchOps : public ::testing::TestWithParam<int> {};

TEST_P(TorchOps, PlaintextMatchesPyTorch) {
  const Graph g = loadOnnx(model(GetParam()));
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_torchops_x.npy");
  const TensorMap out = evaluate(g, {{"x", x}});
  for (const char* name : kOutputs) {
    const PlainTensor ref = loadTensorFile(kData + "onnx_fixture_torchops_out_" + name + ".npy");
    ASSERT_TRUE(out.count(name)) << name;
    EXPECT_EQ(out.at(name).dims, ref.dims) << name;
    EXPECT_LE(maxAbsDiff(out.at(name).values, ref.values), kPlainTolerance) << name;
  }
}

TEST_P(TorchOps, PrivateMatchesPlaintextUnderBothDealers) {
  const Graph full = loadOnnx(model(GetParam()));
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_torchops_x.npy");
  const TensorMap plain = evaluate(full, {{"x", x}});
  for (const char* name : kOutputs) {
    Graph g = full;  // forward() returns the first output: one graph per output
    g.outputs = {name};
    for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
      const std::vector<double> got = testing::runPrivate(dealer, g, x);
      EXPECT_LE(maxAbsDiff(got, plain.at(name).values), kPrivateTolerance)
          << name << " " << testing::dealerName(dealer);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Opsets, TorchOps, ::testing::Values(10, 11, 13, 17));

// A small convolutional net at opsets 7 to 9 (Pad attributes, legacy Softmax, Gemm, pooling);
// private within 2.0e-5 of plaintext (measured, the table softmax included).
class OldOpsets : public ::testing::TestWithParam<int> {};

TEST_P(OldOpsets, PlaintextMatchesPyTorchAndPrivateMatchesPlaintext) {
  const Graph g =
      loadOnnx(kData + "onnx_fixture_torchops_small" + std::to_string(GetParam()) + ".onnx");
  EXPECT_EQ(g.opset, GetParam());
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_torchops_x.npy");
  const PlainTensor ref = loadTensorFile(kData + "onnx_fixture_torchops_small_out.npy");
  const PlainTensor plain = evaluate(g, {{"x", x}}).at("y");
  EXPECT_EQ(plain.dims, ref.dims);
  EXPECT_LE(maxAbsDiff(plain.values, ref.values), kPlainTolerance);
  for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
    EXPECT_LE(maxAbsDiff(testing::runPrivate(dealer, g, x), plain.values), kPrivateTolerance)
        << testing::dealerName(dealer);
  }
}

INSTANTIATE_TEST_SUITE_P(Opsets, OldOpsets, ::testing::Values(7, 8, 9));

// The attribute forms of opset 9 and the input forms of opset 21 give the same results.
class OpsetForms : public ::testing::TestWithParam<const char*> {};

TEST_P(OpsetForms, PlaintextAndPrivateMatchNumPy) {
  const Graph full = loadOnnx(kData + "onnx_fixture_torchops_" + GetParam() + ".onnx");
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_torchops_forms_x.npy");
  const TensorMap plain = evaluate(full, {{"x", x}});
  for (const char* name : {"y", "s0", "s1"}) {
    const PlainTensor ref = loadTensorFile(kData + "onnx_fixture_torchops_forms_" + name + ".npy");
    ASSERT_TRUE(plain.count(name)) << name;
    EXPECT_EQ(plain.at(name).dims, ref.dims) << name;
    EXPECT_LE(maxAbsDiff(plain.at(name).values, ref.values), kPlainTolerance) << name;
    Graph g = full;
    g.outputs = {name};
    for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
      EXPECT_LE(maxAbsDiff(testing::runPrivate(dealer, g, x), ref.values), kPrivateTolerance)
          << name << " " << testing::dealerName(dealer);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Opsets, OpsetForms, ::testing::Values("legacy9", "new21"));

TEST(OpsetRange, OutsideSevenToTwentyOneIsRefused) {
  for (const char* opset : {"6", "22"}) {
    EXPECT_THAT(testing::errorOf(
                    [&] { loadOnnx(kData + "onnx_fixture_torchops_opset" + opset + ".onnx"); }),
                ::testing::HasSubstr(std::string("opset ") + opset +
                                     " is not supported (supported: 7 to 21)"));
  }
}

}  // namespace
}  // namespace sotto::nn

namespace sotto::nn {
namespace {

using ::testing::HasSubstr;

TEST(TorchOpsErrors, UnsupportedFormsNameTheNodeAndWhat) {
  const std::pair<const char*, const char*> cases[] = {
      {"pad_wrap", "node 'pad_node' (Pad): mode 'wrap' is not supported"},
      {"slice_zero_step", "node 'slice_node' (Slice): a step of 0"},
      {"split_sizes", "node 'split_node' (Split): split [1, 2] for 2 outputs of a dimension of 2"},
      {"clip_order", "node 'clip_node' (Clip): min 2 exceeds max 1"},
      {"clip_inputs_opset10",
       "node 'old_clip' (Clip): has 3 inputs: before opset 11 min and max are attributes"},
  };
  for (const auto& [file, says] : cases) {
    const std::string path = kData + "onnx_fixture_torchops_bad_" + file + ".onnx";
    EXPECT_THAT(testing::errorOf([&] { loadOnnx(path); }),
                ::testing::AllOf(HasSubstr(path), HasSubstr(says)))
        << file;
  }
}

// GELU and Erf (tests/data/onnx_fixture_gelu_make.py): PyTorch's export at opset 17 (GELU as
// Div, Erf, Add, Mul, Mul) and the Gelu op of opset 20 in both forms, against PyTorch in
// plaintext and privately (2 parties, both dealers) against the plaintext evaluation. Private
// tolerance: the table functions err by at most 2 ULP; at opset 17 the product x·(1 + erf(..))
// multiplies that by |x| <= 7.5 (plus the division's and products' truncations): 32 ULP; the
// Gelu op itself: 4 ULP with the input's encoding.
TEST(GeluErf, PlaintextMatchesPyTorchAndPrivateMatchesPlaintext) {
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_gelu_x.npy");
  const std::tuple<const char*, std::vector<const char*>, double> cases[] = {
      {"onnx_fixture_gelu17.onnx", {"gelu", "erf"}, 32.0 / 65536},
      {"onnx_fixture_gelu20.onnx", {"gelu", "gelu_tanh", "erf"}, 4.0 / 65536}};
  for (const auto& [file, outputs, tolerance] : cases) {
    const Graph full = loadOnnx(kData + file);
    const TensorMap plain = evaluate(full, {{"x", x}});
    for (const char* name : outputs) {
      const PlainTensor ref = loadTensorFile(kData + "onnx_fixture_gelu_out_" + name + ".npy");
      ASSERT_TRUE(plain.count(name)) << file << " " << name;
      EXPECT_LE(maxAbsDiff(plain.at(name).values, ref.values), kPlainTolerance)
          << file << " " << name;
      Graph g = full;
      g.outputs = {name};
      for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
        const std::vector<double> got = testing::runPrivate(dealer, g, x);
        EXPECT_LE(maxAbsDiff(got, plain.at(name).values), tolerance)
            << file << " " << name << " " << testing::dealerName(dealer);
      }
    }
  }
  EXPECT_THAT(testing::errorOf([&] { loadOnnx(kData + "onnx_fixture_gelu_bad_approx.onnx"); }),
              HasSubstr("node 'gelu_node' (Gelu): attribute 'approximate' is 'fast' (takes none "
                        "or tanh)"));
}

// The first 32 values of the forms' input as [1, 2, 4, 4], the input of the small models.
PlainTensor smallInput() {
  PlainTensor x = loadTensorFile(kData + "onnx_fixture_torchops_forms_x.npy");
  x.dims = {1, 2, 4, 4};
  x.values.resize(32);
  return x;
}

TEST(TorchOps, ConcatOfAConstantAndData) {
  const Graph g = loadOnnx(kData + "onnx_fixture_torchops_concat_const.onnx");
  const PlainTensor x = smallInput();
  const PlainTensor y = evaluate(g, {{"x", x}}).at("y");
  ASSERT_EQ(y.dims, (std::vector<int64_t>{1, 3, 4, 4}));
  for (size_t i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(y.values[i], 0.1F * static_cast<float>(i));
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ(y.values[16 + i], x.values[i]);
  for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
    EXPECT_LE(maxAbsDiff(testing::runPrivate(dealer, g, x), y.values), kPrivateTolerance);
  }
}

TEST(TorchOps, LeakyReluSteeperThanOne) {
  const Graph g = loadOnnx(kData + "onnx_fixture_torchops_leaky_steep.onnx");
  const PlainTensor x = smallInput();
  const PlainTensor y = evaluate(g, {{"x", x}}).at("y");
  for (size_t i = 0; i < 32; ++i) {
    EXPECT_DOUBLE_EQ(y.values[i], x.values[i] >= 0 ? x.values[i] : 2.5 * x.values[i]);
  }
  for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
    EXPECT_LE(maxAbsDiff(testing::runPrivate(dealer, g, x), y.values), kPrivateTolerance);
  }
}

TEST(TorchOps, NegativeSliceStepReverses) {
  const Graph g = loadOnnx(kData + "onnx_fixture_torchops_reverse.onnx");
  const PlainTensor first = smallInput();
  const PlainTensor y = evaluate(g, {{"x", first}}).at("y");
  ASSERT_EQ(y.dims, first.dims);
  for (size_t row = 0; row < 8; ++row) {
    for (size_t j = 0; j < 4; ++j) EXPECT_EQ(y.values[row * 4 + j], first.values[row * 4 + 3 - j]);
  }
  for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
    EXPECT_LE(maxAbsDiff(testing::runPrivate(dealer, g, first), y.values), kPrivateTolerance);
  }
}

}  // namespace
}  // namespace sotto::nn
