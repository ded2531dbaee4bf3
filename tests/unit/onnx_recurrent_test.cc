// ONNX GRU and LSTM: import and plaintext evaluation against the fixtures' references (PyTorch's
// outputs where PyTorch has the cell; tests/data/onnx_fixture_rnn_make.py), the same nodes run
// privately (2 parties, both dealers) against them, and the unsupported forms named on import.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
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

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kData = SOTTO_TEST_DATA_DIR "/";
// The references are float32 roundings of a float64 evaluation.
constexpr double kPlainTolerance = 1e-6;
// Private: each step's table sigmoid and tanh (<= 2.5 ULP) and truncations, through 5 steps of
// a recurrence whose gates damp errors: measured <= 6e-5 (4 ULP); 8 ULP allowed.
constexpr double kPrivateTolerance = 8.0 / 65536;

const char* const kCases[] = {
    "gru_forward",  "gru_bidirectional_h0",      "gru_layout1_h0",     "gru_reverse_lbr0",
    "lstm_forward", "lstm_bidirectional_states", "lstm_layout1_states"};

std::string fixture(const std::string& c) { return kData + "onnx_fixture_rnn_" + c; }

double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

class RecurrentFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(RecurrentFixture, PlaintextMatchesReference) {
  const std::string c = GetParam();
  const Graph g = loadOnnx(fixture(c) + ".onnx");
  const PlainTensor x = loadTensorFile(fixture(c) + "_x.npy");
  const TensorMap out = evaluate(g, {{"x", x}});
  ASSERT_EQ(out.size(), g.outputs.size());
  for (const std::string& name : g.outputs) {
    const PlainTensor ref = loadTensorFile(fixture(c) + "_out_" + name + ".npy");
    EXPECT_EQ(out.at(name).dims, ref.dims) << name;
    EXPECT_LE(maxAbsDiff(out.at(name).values, ref.values), kPlainTolerance) << name;
  }
}

TEST_P(RecurrentFixture, PrivateMatchesReferenceUnderBothDealers) {
  const std::string c = GetParam();
  const Graph full = loadOnnx(fixture(c) + ".onnx");
  const PlainTensor x = loadTensorFile(fixture(c) + "_x.npy");
  for (const std::string& name : full.outputs) {
    Graph g = full;  // forward() returns the first output: one graph per output
    g.outputs = {name};
    const PlainTensor ref = loadTensorFile(fixture(c) + "_out_" + name + ".npy");
    for (auto dealer : {testing::TestDealer::kSeeded, testing::TestDealer::kTtp}) {
      const std::vector<double> got = testing::runPrivate(dealer, g, x);
      EXPECT_LE(maxAbsDiff(got, ref.values), kPrivateTolerance)
          << c << " " << name << " " << testing::dealerName(dealer);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RecurrentFixture, ::testing::ValuesIn(kCases));

// The profile's parts of a recurrent layer: input products, the mean step, and the sigmoid and
// tanh of all steps (3 rounds each per step with the table math), consistent with the layer's row.
TEST(RecurrentProfile, PartsAddUpToTheLayer) {
  for (const char* c : {"gru_forward", "lstm_forward"}) {
    const Graph g = loadOnnx(fixture(c) + ".onnx");
    const PlainTensor x = loadTensorFile(fixture(c) + "_x.npy");
    const auto profiles = testing::simulateWith(testing::TestDealer::kSeeded, 2, [&](Party& p) {
      ModelOptions mo;
      mo.allow_insecure_dealer = true;
      const PrivateModel m = PrivateModel::load(p, p.id() == 0 ? g : Graph{}, mo);
      std::vector<LayerStats> profile;
      m.forward(ArithTensor::share(p, 1, x.values, Shape(x.dims)), &profile);
      return profile;
    });
    const auto& profile = profiles[1];
    const auto layer = std::find_if(profile.begin(), profile.end(),
                                    [](const LayerStats& s) { return !s.parts.empty(); });
    ASSERT_NE(layer, profile.end()) << c;
    ASSERT_EQ(layer->parts.size(), 3u) << c;
    const LayerStats &inputs = layer->parts[0], &step = layer->parts[1], &act = layer->parts[2];
    const int64_t steps = x.dims[0];  // layout 0: [seq, batch, features]
    EXPECT_EQ(step.name, "step (mean of " + std::to_string(steps) + ")") << c;
    EXPECT_EQ(inputs.rounds + steps * step.rounds, layer->rounds) << c;
    EXPECT_EQ(act.rounds, static_cast<uint64_t>(steps) * 6) << c;  // sigmoid, tanh: 3 + 3
    EXPECT_LE(act.rounds, steps * step.rounds) << c;
    EXPECT_GT(act.online_bytes, 0u) << c;
    EXPECT_THAT(formatProfile(profile), HasSubstr("  sigmoid, tanh (all)")) << c;
  }
}

struct BadCase {
  const char* file;
  const char* says;
};

TEST(RecurrentImport, UnsupportedFormsAreNamed) {
  const BadCase cases[] = {
      {"gru_bad_activations", "attribute 'activations' is not supported"},
      {"gru_bad_clip", "attribute 'clip' is not supported"},
      {"lstm_bad_peepholes", "input P (peepholes) is not supported"},
      {"lstm_bad_input_forget", "attribute 'input_forget' = 1 is not supported"},
      {"gru_bad_sequence_lens", "shorter sequences than 5 are not supported"},
      {"gru_bad_weight_shape", "input W has shape [1, 15, 4], expected [1, 18, 4]"},
  };
  for (const BadCase& b : cases) {
    EXPECT_THAT(testing::errorOf([&] { loadOnnx(fixture(b.file) + ".onnx"); }),
                AllOf(HasSubstr("onnx_fixture_rnn_" + std::string(b.file)), HasSubstr("_node' ("),
                      HasSubstr(b.says)))
        << b.file;
  }
}

}  // namespace
}  // namespace sotto::nn
