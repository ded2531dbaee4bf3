// The op registries: every built-in op has all its parts (attribute normalisation, shape
// inference, plaintext evaluation, and a private plan unless it says it has none), lookups by
// type and opset, the errors for unknown ops, and a step with several outputs through a fake op
// registered here: plaintext -> share -> forward -> reveal -> compare with the plaintext
// evaluator (and both with a direct computation).
#include "sotto/model/op_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "sotto/model/graph.h"
#include "sotto/model/plain_eval.h"
#include "sotto/nn/plan_registry.h"
#include "sotto/nn/private_model.h"
#include "testing/errors.h"
#include "testing/mpc.h"

namespace sotto {
namespace {

using testing::errorOf;
using ::testing::HasSubstr;

TEST(OpRegistry, EveryBuiltinOpHasAllItsParts) {
  const nn::OpRegistry& ops = nn::OpRegistry::builtin();
  const nn::PlanRegistry& plans = nn::PlanRegistry::builtin();
  ASSERT_FALSE(ops.entries().empty());
  for (const nn::OpSchema* s : ops.entries()) {
    SCOPED_TRACE(s->type + " from opset " + std::to_string(s->min_opset));
    EXPECT_TRUE(static_cast<bool>(s->normalize));
    EXPECT_TRUE(static_cast<bool>(s->infer));
    EXPECT_TRUE(static_cast<bool>(s->evaluate));
    EXPECT_GE(s->num_outputs, 1u);
    EXPECT_LE(s->min_inputs, s->max_inputs);
    if (s->has_private_plan) {
      const nn::OpPlan* p = plans.find(s->type);
      ASSERT_NE(p, nullptr) << s->type << " has no private plan and does not say so";
      EXPECT_TRUE(static_cast<bool>(p->plan));
    }
  }
  // And no private plan without a plaintext entry (the plaintext evaluator is its oracle).
  for (const std::string& type : plans.types()) {
    EXPECT_NE(ops.find(type), nullptr) << type << " has a private plan but no schema";
  }
  EXPECT_EQ(nn::supportedOps(), ops.types());
}

TEST(OpRegistry, LookupByTypeAndOpsetRange) {
  const nn::OpRegistry& ops = nn::OpRegistry::builtin();
  const nn::OpSchema* legacy = ops.find("Softmax", 11);
  const nn::OpSchema* current = ops.find("Softmax", 13);
  ASSERT_NE(legacy, nullptr);
  ASSERT_NE(current, nullptr);
  EXPECT_NE(legacy, current);
  EXPECT_EQ(legacy->max_opset, 12);
  EXPECT_EQ(current->min_opset, 13);
  EXPECT_EQ(ops.find("Softmax"), current);  // a normalised graph has the newest semantics
  EXPECT_EQ(ops.find("Conv", 7), ops.find("Conv", 21));
  EXPECT_EQ(ops.find("Frobnicate"), nullptr);
}

TEST(OpRegistry, AddRejectsOverlapsAndMissingHooks) {
  nn::OpRegistry ops = nn::OpRegistry::builtin();
  nn::OpSchema copy = *ops.find("Relu");
  EXPECT_THAT(errorOf([&] { ops.add(copy); }), HasSubstr("'Relu' is already registered"));
  copy.evaluate = nullptr;
  copy.type = "Relu2";
  EXPECT_THAT(errorOf([&] { ops.add(copy); }), HasSubstr("'Relu2' misses"));
  nn::PlanRegistry plans = nn::PlanRegistry::builtin();
  EXPECT_THAT(errorOf([&] { plans.add(*plans.find("Relu")); }),
              HasSubstr("'Relu' already has a plan"));
}

TEST(OpRegistry, UnknownOpNamesItAndTheSupportedSet) {
  nn::Node n{"f", "Frobnicate", {"x"}, {"y"}, {}};
  nn::PlainTensor x{{2}, {1.0, 2.0}};
  const std::string e = errorOf([&] { nn::evaluateNode(n, {&x}); });
  EXPECT_THAT(e, HasSubstr("node 'f' (Frobnicate): op 'Frobnicate' is not supported"));
  EXPECT_THAT(e, HasSubstr("supported ops: " + nn::OpRegistry::builtin().typeList()));
}

// ---- a step with two outputs -------------------------------------------------------------------

// "SplitHalves": [N, 2k] -> its first k columns and its last k columns.
nn::OpSchema splitHalvesSchema() {
  return {
      .type = "SplitHalves",
      .num_outputs = 2,
      .normalize = [](nn::ImportContext&, nn::Node n) { return std::vector<nn::Node>{n}; },
      .infer = [](nn::ImportContext&, const nn::Node&,
                  const std::vector<nn::MaybeDims>&) { return std::vector<nn::MaybeDims>{}; },
      .evaluate =
          [](const nn::Node&, const std::vector<const nn::PlainTensor*>& in) {
            const nn::PlainTensor& x = *in[0];
            const int64_t rows = x.dims[0], k = x.dims[1] / 2;
            std::vector<nn::PlainTensor> out(2);
            for (auto& t : out) t.dims = {rows, k};
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t c = 0; c < 2 * k; ++c)
                out[c < k ? 0 : 1].values.push_back(x.values[static_cast<size_t>(r * 2 * k + c)]);
            return out;
          }};
}

// Its private plan; `outputs` is how many it returns (2; 1 to test the executor's check).
nn::OpPlan splitHalvesPlan(size_t outputs) {
  return {.type = "SplitHalves",
          .plan = [outputs](nn::PlanContext&, const nn::Node&, const std::vector<std::string>& acts,
                            const std::vector<std::string>&) {
            return nn::StepPlan{acts, [outputs](const std::vector<const ArithTensor*>& in) {
                                  const int64_t k = in[0]->shape().dims()[1] / 2;
                                  std::vector<ArithTensor> out;
                                  out.push_back(in[0]->slice(1, 0, k));
                                  if (outputs > 1) out.push_back(in[0]->slice(1, k, 2 * k));
                                  return out;
                                }};
          }};
}

// x [N, 6] -> SplitHalves -> (lo, hi) -> Mul(lo, hi) -> Sub(hi, product) -> y [N, 3].
nn::Graph twoOutputGraph() {
  nn::Graph g;
  g.opset = 17;
  g.inputs = {{"x", {-1, 6}}};
  g.outputs = {"y"};
  g.nodes.push_back({"split", "SplitHalves", {"x"}, {"lo", "hi"}, {}});
  g.nodes.push_back({"mul", "Mul", {"lo", "hi"}, {"p"}, {}});
  g.nodes.push_back({"sub", "Sub", {"hi", "p"}, {"y"}, {}});
  return g;
}

nn::PlainTensor twoOutputInput() {
  nn::PlainTensor x{{2, 6}, {}};
  for (int i = 0; i < 12; ++i) x.values.push_back(std::sin(0.7 * i + 0.3));
  return x;
}

std::vector<double> runPrivate(const nn::Graph& g, const nn::PlainTensor& x,
                               const nn::PlanRegistry& plans) {
  const auto views = testing::simulateWith(testing::TestDealer::kTtp, 2, [&](Party& p) {
    nn::ModelOptions options;
    options.plans = &plans;
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{}, options);
    const auto xs = ArithTensor::share(p, 1, x.values, Shape(x.dims));
    return model.forward(xs).revealDoubles();
  });
  return views[1];
}

TEST(OpRegistry, FakeOpWithTwoOutputsRunsInPlaintextAndPrivately) {
  nn::OpRegistry ops = nn::OpRegistry::builtin();
  ops.add(splitHalvesSchema());
  nn::PlanRegistry plans = nn::PlanRegistry::builtin();
  plans.add(splitHalvesPlan(2));
  const nn::Graph g = twoOutputGraph();
  const nn::PlainTensor x = twoOutputInput();

  // Direct: y = hi - lo * hi, row by row.
  std::vector<double> want;
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) {
      const double lo = x.values[r * 6 + c], hi = x.values[r * 6 + 3 + c];
      want.push_back(hi - lo * hi);
    }
  const nn::TensorMap plain = nn::evaluate(g, {{"x", x}}, ops);
  const nn::PlainTensor& y = plain.at("y");
  ASSERT_EQ(y.dims, (std::vector<int64_t>{2, 3}));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y.values[i], want[i], 1e-12) << i;

  // Private, 16 fractional bits: one product and its truncation, so within 2^-12.
  const std::vector<double> got = runPrivate(g, x, plans);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1.0 / 4096) << i;

  // Without the entry, the built-in registries name the op.
  EXPECT_THAT(errorOf([&] {
                nn::evaluate(g, {{"x", x}});
              }),
              HasSubstr("op 'SplitHalves' is not supported"));
}

TEST(OpRegistry, PlanGivingTooFewOutputsIsAClearError) {
  nn::PlanRegistry plans = nn::PlanRegistry::builtin();
  plans.add(splitHalvesPlan(1));
  EXPECT_THAT(errorOf([&] { runPrivate(twoOutputGraph(), twoOutputInput(), plans); }),
              HasSubstr("node 'split' (SplitHalves): its plan gave 1 outputs for the node's 2"));
}

}  // namespace
}  // namespace sotto
