// PrivateModel::prepare under the OT family (--dealer none), 2 parties as threads over inproc:
// plaintext LeNet5 (convs and Gemms) -> prepare for batches of 2 and 1 -> forward on shares ->
// reveal -> the plaintext evaluator's logits within 1e-3, as a run without prepare gives them; the
// weights' encodings all happen in prepare (HeSession::weightEncodings), with no message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "sotto/model/plain_eval.h"
#include "sotto/model/zoo.h"
#include "sotto/mpc/ot/he_session.h"
#include "sotto/mpc/ot/ot_protocol.h"
#include "sotto/mpc/party.h"
#include "sotto/nn/private_model.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

nn::PlainTensor patternInput(std::vector<int64_t> dims) {
  nn::PlainTensor t{dims, {}};
  for (int64_t i = 0; i < t.numel(); ++i)
    t.values.push_back(static_cast<double>((i * 29) % 97) / 48.0 - 1.0);
  return t;
}

struct ModelRun {
  std::vector<RingTensor> outputs;   // revealed, per batch
  uint64_t prepared = 0, after = 0;  // weight encodings after prepare, after the forwards
  uint64_t prepare_messages = 0;     // sent and received during prepare
  int frac_bits = 0;                 // of the outputs
};

// LeNet5 on `batches` (one forward each), prepared for every batch size first if `prepare`.
std::vector<ModelRun> runOt(const nn::Graph& g, const std::vector<nn::PlainTensor>& batches,
                            bool prepare) {
  return testing::simulate(2, [&](Communicator& comm) {
    auto session = std::make_shared<HeSession>(comm);
    auto protocol = makeOtProtocol(comm, {}, session);
    Party party(comm, *protocol);
    const auto model = nn::PrivateModel::load(party, party.id() == 0 ? g : nn::Graph{});
    ModelRun run;
    const CommCounters c0 = comm.stats().total;
    if (prepare)
      for (const auto& x : batches) model.prepare(Shape(x.dims));
    const CommCounters c1 = comm.stats().total;
    run.prepare_messages =
        c1.messages_sent + c1.messages_received - c0.messages_sent - c0.messages_received;
    run.prepared = session->weightEncodings();
    for (const auto& x : batches) {
      const ArithTensor y = model.forward(ArithTensor::share(party, 1, x.values, Shape(x.dims)));
      run.outputs.push_back(y.reveal());
      run.frac_bits = y.fracBits();
    }
    run.after = session->weightEncodings();
    return run;
  });
}

// `g` on `batches` with and without prepare: the checks of the file's header.
void checkPrepared(const nn::Graph& g, const std::vector<nn::PlainTensor>& batches) {
  const std::vector<ModelRun> lazy = runOt(g, batches, false);
  const std::vector<ModelRun> ready = runOt(g, batches, true);
  // Party 0 encodes in prepare exactly what the forwards would have; party 1 never encodes.
  EXPECT_GT(ready[0].prepared, 0u);
  EXPECT_EQ(ready[0].after, ready[0].prepared);  // the forwards encoded nothing
  EXPECT_EQ(lazy[0].prepared, 0u);
  EXPECT_EQ(lazy[0].after, ready[0].prepared);
  for (const ModelRun& r : ready) EXPECT_EQ(r.prepare_messages, 0u);
  EXPECT_EQ(ready[1].after, 0u);
  // Both runs match the plaintext logits within 1e-3 (seen: 4.5e-5), and each other within 4 ULP
  // (seen: 1): the positive truncations after the ReLUs are 1 ULP low or not depending on the
  // shares, so the two runs differ in their last bits only.
  for (size_t b = 0; b < batches.size(); ++b) {
    const std::vector<double> want = nn::evaluate(g, batches[b]).values;
    const std::vector<double> got = ready[1].outputs[b].decode(ready[1].frac_bits);
    const std::vector<double> alone = lazy[1].outputs[b].decode(lazy[1].frac_bits);
    ASSERT_EQ(got.size(), want.size());
    ASSERT_EQ(alone.size(), want.size());
    double worst = 0, apart = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      worst = std::max({worst, std::fabs(got[i] - want[i]), std::fabs(alone[i] - want[i])});
      apart = std::max(apart, std::fabs(got[i] - alone[i]));
    }
    EXPECT_LT(worst, 1e-3) << "batch " << b;
    EXPECT_LE(apart, 4.0 / (1 << ready[1].frac_bits)) << "batch " << b;
  }
}

TEST(PrivateModelPrepare, Lenet5EncodesEveryWeightBeforeTheFirstForward) {
  checkPrepared(nn::lenet5Graph(5), {patternInput({2, 1, 28, 28}), patternInput({1, 1, 28, 28})});
}

// An unfolded BatchNormalization runs as a depthwise 1x1 product with the owner's scale
// (preferWeightKernels) on the input seen as [N, C, H·W, 1]: prepared for that view.
TEST(PrivateModelPrepare, UnfoldedBatchNormAndGemmEncodeBeforeTheFirstForward) {
  nn::Graph g;
  g.opset = 13;
  g.inputs = {{"x", {-1, 3, 4, 4}}};
  g.outputs = {"y"};
  auto weight = [&](const std::string& name, std::vector<int64_t> dims, double base) {
    nn::PlainTensor t{std::move(dims), {}};
    for (int64_t i = 0; i < t.numel(); ++i) t.values.push_back(base + 0.01 * ((i * 7) % 13));
    g.weights[name] = t;
  };
  weight("scale", {3}, 0.5), weight("bias", {3}, -0.1), weight("mean", {3}, 0.05);
  weight("var", {3}, 0.8), weight("w", {5, 48}, -0.06), weight("b", {5}, 0.02);
  g.nodes.push_back({"bn",
                     "BatchNormalization",
                     {"x", "scale", "bias", "mean", "var"},
                     {"t"},
                     {{"epsilon", 1e-5}}});
  g.nodes.push_back({"flat", "Flatten", {"t"}, {"f"}, {{"axis", int64_t{1}}}});
  g.nodes.push_back({"fc", "Gemm", {"f", "w", "b"}, {"y"}, {{"transB", int64_t{1}}}});
  checkPrepared(g, {patternInput({2, 3, 4, 4}), patternInput({1, 3, 4, 4})});
}

// The convolutions' encodings do not depend on the batch: preparing batches of 2 and 1 encodes
// them once (the Gemms' blocks depend on the rows, so those are encoded per batch size).
TEST(PrivateModelPrepare, ConvolutionsAreEncodedOncePerModelNotPerBatchSize) {
  const nn::Graph g = nn::lenet5Graph(5);
  const auto counts = testing::simulate(2, [&](Communicator& comm) {
    auto session = std::make_shared<HeSession>(comm);
    auto protocol = makeOtProtocol(comm, {}, session);
    Party party(comm, *protocol);
    std::vector<uint64_t> encoded;  // for {2}, {1}, {2, 1}, each on a model of its own
    for (const auto& sizes : std::vector<std::vector<int64_t>>{{2}, {1}, {2, 1}}) {
      const auto model = nn::PrivateModel::load(party, party.id() == 0 ? g : nn::Graph{});
      const uint64_t before = session->weightEncodings();
      for (const int64_t n : sizes) model.prepare(Shape{n, 1, 28, 28});
      encoded.push_back(session->weightEncodings() - before);
    }
    return encoded;
  });
  const std::vector<uint64_t>& e = counts[0];
  EXPECT_GT(e[0], 0u);
  EXPECT_GT(e[1], 0u);
  EXPECT_LT(e[2], e[0] + e[1]);           // the shared convolutions
  EXPECT_GT(e[2], std::max(e[0], e[1]));  // the Gemms at each size
}

TEST(PrivateModelPrepare, WrongInputShapeIsAClearError) {
  const nn::Graph g = nn::lenet5Graph(5);
  const std::string what = testing::errorOf([&] {
    testing::simulate(2, [&](Communicator& comm) {
      auto protocol = makeOtProtocol(comm);
      Party party(comm, *protocol);
      const auto model = nn::PrivateModel::load(party, party.id() == 0 ? g : nn::Graph{});
      model.prepare(Shape{2, 1, 32, 32});
      return 0;
    });
  });
  EXPECT_NE(what.find("expects shape [N, 1, 28, 28], got [2, 1, 32, 32]"), std::string::npos)
      << what;
}

}  // namespace
}  // namespace sotto
