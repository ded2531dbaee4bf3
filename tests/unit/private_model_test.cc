// Private inference of whole graphs: plaintext model -> PrivateModel (owner party 0, data party 1)
// -> forward on shares -> reveal -> compare with the plaintext evaluator (nn::evaluate) and with
// PyTorch's outputs stored in tests/data.
#include "sotto/nn/private_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sotto/model/npy.h"
#include "sotto/model/onnx.h"
#include "sotto/model/plain_eval.h"
#include "sotto/model/zoo.h"
#include "sotto/mpc/compare.h"
#include "testing/mpc.h"

namespace sotto {
namespace {

using testing::PartiesDealersTest;

#ifndef SOTTO_TEST_DATA_DIR
#define SOTTO_TEST_DATA_DIR "tests/data"
#endif
#ifndef SOTTO_MODELS_DIR
#define SOTTO_MODELS_DIR "models"
#endif
const std::string kData = SOTTO_TEST_DATA_DIR;
const std::string kModels = SOTTO_MODELS_DIR;

struct Result {
  std::vector<double> out;
  std::vector<int64_t> dims;
  uint64_t rounds = 0;
  std::string arch_values;  // what a non-owner knows of the first conv weight
};

// Runs `graph` privately on `input` and returns party 1's view of the output and the forward's
// rounds. `options` picks the truncation (2 parties: local is what the examples use).
std::vector<Result> runPrivate(int parties, testing::TestDealer dealer, const nn::Graph& graph,
                               const nn::PlainTensor& input, PartyOptions options = {}) {
  return testing::simulateWith(
      dealer, parties,
      [&](Party& p) {
        const auto model = nn::PrivateModel::load(p, p.id() == 0 ? graph : nn::Graph{});
        const auto x = ArithTensor::share(p, 1, input.values, Shape(input.dims));
        const uint64_t r0 = p.comm().stats().total.rounds;
        const ArithTensor y = model.forward(x);
        Result r;
        r.rounds = p.comm().stats().total.rounds - r0;
        r.out = y.revealDoubles();
        r.dims = y.shape().dims();
        for (const auto& [name, w] : model.architecture().weights)
          if (w.dims.size() == 4) r.arch_values += std::to_string(w.values.size()) + " ";
        return r;
      },
      options);
}

double maxAbs(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

std::vector<int64_t> argmaxRows(const std::vector<double>& v, int64_t classes) {
  std::vector<int64_t> out;
  for (size_t i = 0; i + classes <= v.size(); i += static_cast<size_t>(classes))
    out.push_back(std::max_element(v.begin() + i, v.begin() + i + classes) - (v.begin() + i));
  return out;
}

nn::PlainTensor patternInput(std::vector<int64_t> dims) {
  nn::PlainTensor t{dims, {}};
  for (int64_t i = 0; i < t.numel(); ++i)
    t.values.push_back(static_cast<double>((i * 29) % 97) / 48.0 - 1.0);
  return t;
}

class PrivateModelTest : public PartiesDealersTest {};

// LeNet5 with deterministic random weights, batch 2: every party combination matches the
// plaintext evaluator within a few ULP per layer.
TEST_P(PrivateModelTest, ZooLenet5MatchesPlaintext) {
  const nn::Graph g = nn::lenet5Graph(7);
  const auto x = patternInput({2, 1, 28, 28});
  const auto want = nn::evaluate(g, x).values;
  const auto got = run([&](Party& p) {
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
    return model.forward(ArithTensor::share(p, 1, x.values, Shape(x.dims))).revealDoubles();
  });
  for (const auto& out : got) {
    EXPECT_LT(maxAbs(out, want), 2e-3);
    EXPECT_EQ(argmaxRows(out, 10), argmaxRows(want, 10));
  }
}

SOTTO_PARTIES_AND_DEALERS(PrivateModelTest);

TEST(PrivateModel, OtherPartiesLearnOnlyTheArchitecture) {
  const nn::Graph g = nn::lenet5Graph(3);
  const auto r = runPrivate(2, testing::TestDealer::kSeeded, g, patternInput({1, 1, 28, 28}));
  EXPECT_EQ(r[1].arch_values, "0 0 ");  // both conv weights: dims only, no values
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{1, 10}));
}

TEST(PrivateModel, LocalTruncationLenet5RoundsAndError) {
  const nn::Graph g = nn::lenet5Graph(5);
  const auto x = patternInput({1, 1, 28, 28});
  const auto want = nn::evaluate(g, x).values;
  PartyOptions local;
  local.truncation = Truncation::kLocal;
  const auto r = runPrivate(2, testing::TestDealer::kSeeded, g, x, local);
  EXPECT_LT(maxAbs(r[1].out, want), 2e-3);
  // conv 1 + relu 4 + pool 8, twice; fc 1 + relu 4, twice; fc 1.
  EXPECT_EQ(r[1].rounds, 37u);
}

// The per-layer profile names the failure bound of every layer that truncates locally (conv and
// gemm: 2^-16 per element for |value| < 2^15 at f = 16; a 2x2 average pool's 2-bit shift: 2^-30)
// and none where nothing is local: a 3x3 average pool without the padding in its count divides
// with the dealer-assisted truncation even under a local default.
TEST(PrivateModel, ProfileReportsLocalTruncationBounds) {
  nn::Graph g = nn::lenet5Graph(5);
  size_t pools = 0;
  for (auto& n : g.nodes) {
    if (n.op != "MaxPool") continue;
    n.op = "AveragePool";
    if (++pools == 2) {  // 3x3, stride 2, pad 1 on 8x8: the same 4x4 output
      n.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
      n.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
      n.attrs["count_include_pad"] = int64_t{0};
    }
  }
  ASSERT_EQ(pools, 2u);
  const auto x = patternInput({1, 1, 28, 28});
  const auto want = nn::evaluate(g, x).values;
  for (const Truncation method : {Truncation::kLocal, Truncation::kDealer}) {
    PartyOptions options;
    options.truncation = method;
    const auto r = testing::simulateMpc(
        2,
        [&](Party& p) {
          const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
          const auto in = ArithTensor::share(p, 1, x.values, Shape(x.dims));
          std::vector<nn::LayerStats> profile;
          auto out = model.forward(in, &profile).revealDoubles();
          return std::make_pair(out, profile);
        },
        options)[0];
    const bool local = method == Truncation::kLocal;
    EXPECT_LT(maxAbs(r.first, want), 2e-3);
    size_t bounded = 0, pool = 0;
    for (const auto& st : r.second) {
      const bool linear = st.op == "Conv" || st.op == "Gemm";
      const bool shift = st.op == "AveragePool" && pool++ == 0;
      if (local && (linear || shift)) {
        EXPECT_GT(st.local_truncated, 0u) << st.name;
        EXPECT_EQ(st.local_failure_log2, linear ? -16 : -30) << st.name;
        bounded += linear;
      } else {
        EXPECT_EQ(st.local_truncated, 0u) << st.name << " (" << st.op << ")";
      }
      if (st.op == "AveragePool") {
        EXPECT_EQ(st.rounds, shift && local ? 0u : 1u) << st.name;
      }
    }
    EXPECT_EQ(bounded, local ? 5u : 0u);  // 2 convs, 3 gemms
    const std::string text = nn::formatProfile(r.second);
    EXPECT_EQ(text.find("<=2^-16") != std::string::npos, local) << text;
    EXPECT_EQ(text.find("<=2^-30") != std::string::npos, local) << text;
    const nn::LayerStats t = nn::totals(r.second);
    EXPECT_EQ(t.local_failure_log2, local ? -16 : 0);
  }
}

// Only the nodes the first output depends on run (and need a private plan): the GELU fixture's
// Erf branch alone is Mul then Erf; its Gelu nodes are neither planned nor run.
TEST(PrivateModel, OnlyTheNodesFeedingTheOutputRun) {
  nn::Graph g = nn::loadOnnx(kData + "/onnx_fixture_gelu20.onnx");
  g.outputs = {"erf"};
  for (auto& n : g.nodes) {
    if (n.op == "Gelu") n.op = "NoSuchOp";  // would be an error if it were planned
  }
  const nn::PlainTensor x = nn::loadTensorFile(kData + "/onnx_fixture_gelu_x.npy");
  const auto r = testing::simulateMpc(2, [&](Party& p) {
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
    std::vector<nn::LayerStats> profile;
    auto out = model.forward(ArithTensor::share(p, 1, x.values, Shape(x.dims)), &profile);
    return std::make_pair(out.revealDoubles(), profile);
  })[0];
  ASSERT_EQ(r.second.size(), 2u);
  EXPECT_EQ(r.second[0].op, "Mul");
  EXPECT_EQ(r.second[1].op, "Erf");
  const auto want = nn::loadTensorFile(kData + "/onnx_fixture_gelu_out_erf.npy").values;
  EXPECT_LT(maxAbs(r.first, want), 4.0 / 65536);
}

TEST(PrivateModel, WrongInputShapeIsAClearError) {
  const nn::Graph g = nn::lenet5Graph(1);
  EXPECT_THROW(
      {
        try {
          runPrivate(2, testing::TestDealer::kSeeded, g, patternInput({1, 1, 32, 32}));
        } catch (const InvalidArgument& e) {
          EXPECT_NE(std::string(e.what()).find("expects shape [N, 1, 28, 28], got [1, 1, 32, 32]"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      InvalidArgument);
}

// LeNet5's Conv -> Relu -> MaxPool runs as Conv -> MaxPool -> Relu (equal exactly): its profile
// has two MaxPool+Relu steps, their ReLU on the pooled tensors, and the logits still match the
// plaintext model.
TEST(PrivateModel, ReluBeforeMaxPoolRunsOnThePooledTensor) {
  const nn::Graph g = nn::lenet5Graph(4);
  const auto x = patternInput({2, 1, 28, 28});
  const auto want = nn::evaluate(g, x).values;
  const auto got = testing::simulateMpc(2, [&](Party& p) {
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
    std::vector<nn::LayerStats> profile;
    const auto y = model.forward(ArithTensor::share(p, 1, x.values, Shape(x.dims)), &profile);
    std::vector<std::string> ops;
    uint64_t fused_bytes = 0;
    for (const auto& st : profile) {
      ops.push_back(st.op);
      if (st.op == "MaxPool+Relu") fused_bytes += st.online_bytes;
    }
    // What a ReLU alone costs on the two unpooled tensors.
    const uint64_t b0 = p.comm().stats().total.bytes();
    (void)relu(ArithTensor(p, RingTensor(Shape{2, 6, 24, 24}), kDefaultFracBits));
    (void)relu(ArithTensor(p, RingTensor(Shape{2, 16, 8, 8}), kDefaultFracBits));
    const uint64_t relu_bytes = p.comm().stats().total.bytes() - b0;
    return std::make_tuple(y.revealDoubles(), ops, fused_bytes, relu_bytes);
  });
  const auto& [out, ops, fused_bytes, relu_bytes] = got[1];
  EXPECT_LT(maxAbs(out, want), 2e-3);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "MaxPool+Relu"), 2);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "MaxPool"), 0);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Relu"), 2);  // after the two hidden Gemms
  // Pooling and the ReLU of the pooled tensor together cost no more than a ReLU of the unpooled
  // tensor alone (one comparison per input element either way; before, a ReLU and a pool).
  EXPECT_LE(fused_bytes, relu_bytes);
}

TEST(PrivateModel, UnsupportedOpNamesNodeOnEveryParty) {
  nn::Graph g = nn::lenet5Graph(1);
  g.nodes[1].op = "Elu";  // after the first conv
  const std::string name = g.nodes[1].name;
  for (int party = 0; party < 2; ++party) {
    try {
      testing::simulateMpc(2, [&](Party& p) {
        try {
          (void)nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
        } catch (const InvalidArgument& e) {
          if (p.id() == party) throw;
          return 0;
        }
        return 1;
      });
      ADD_FAILURE() << "party " << party << " did not throw";
    } catch (const InvalidArgument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("'" + name + "' (Elu)"), std::string::npos) << what;
      EXPECT_NE(what.find("supported:"), std::string::npos) << what;
    }
  }
}

// AlexNet-CIFAR (2.47 M parameters, deterministic random weights), batch 2: the private logits
// match the plaintext evaluator, and so does the argmax wherever the top two are not a near tie.
TEST(PrivateModel, ZooAlexnetMatchesPlaintext) {
  const nn::Graph g = nn::alexnetCifarGraph(1);
  const auto x = patternInput({2, 3, 32, 32});
  const auto want = nn::evaluate(g, x).values;
  PartyOptions local;
  local.truncation = Truncation::kLocal;
  const auto r = runPrivate(2, testing::TestDealer::kSeeded, g, x, local);
  EXPECT_LT(maxAbs(r[1].out, want), 1e-3);
  const auto got_arg = argmaxRows(r[1].out, 10), want_arg = argmaxRows(want, 10);
  for (size_t i = 0; i < want_arg.size(); ++i) {
    std::vector<double> row(want.begin() + 10 * i, want.begin() + 10 * (i + 1));
    std::sort(row.rbegin(), row.rend());
    if (row[0] - row[1] > 1e-3) {
      EXPECT_EQ(got_arg[i], want_arg[i]) << "image " << i;
    }
  }
  EXPECT_EQ(r[1].rounds, 50u);  // 5 convs + fc: 6; 5 relus: 20; 3 max pools: 24
}

// The trained models against PyTorch's logits on 16 Fashion-MNIST test images.
class TrainedModelTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainedModelTest, MatchesPyTorch) {
  const std::string stem = GetParam();
  const std::string model = kModels + "/" + stem + ".onnx";
  const std::string logits = kData + "/" + stem + "_logits16.npy";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(logits))
    GTEST_SKIP() << "missing " << model << " or " << logits;
  const nn::Graph g = nn::loadOnnx(model);
  const nn::PlainTensor x = nn::loadTensorFile(kData + "/lenet5_input16.npy");
  const nn::PlainTensor torch = nn::loadTensorFile(logits);
  PartyOptions local;
  local.truncation = Truncation::kLocal;
  const auto r = runPrivate(2, testing::TestDealer::kSeeded, g, x, local);
  EXPECT_LT(maxAbs(r[1].out, torch.values), 0.02);
  EXPECT_EQ(argmaxRows(r[1].out, 10), argmaxRows(torch.values, 10));
  if (stem == "lenet5_poly") {
    // Every polynomial is fused into the preceding layer: 5 linear layers + 4 Beaver rounds.
    EXPECT_LE(r[1].rounds, 9u);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, TrainedModelTest, ::testing::Values("lenet5", "lenet5_poly"));

}  // namespace
}  // namespace sotto
