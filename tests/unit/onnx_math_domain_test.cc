// ONNX import of ops whose private evaluation has a restricted domain (sotto/math/functions.h):
// one warning per node naming it and what comes back outside the domain; a constant input known
// at load time to be outside the domain (and a Div by a constant holding 0) is an error naming
// the node and op. Builds the decoded model directly (the private stage onnx_normalize.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "../../src/model/onnx_import.h"
#include "sotto/error.h"
#include "testing/errors.h"

namespace sotto::nn {
namespace {

using sotto::testing::errorOf;
using ::testing::HasSubstr;

// x [1, 4] -> op -> y, or op(constant c) + x when `constant` holds values.
internal::RawModel unary(const std::string& op, std::vector<double> constant = {}) {
  internal::RawModel raw;
  raw.source = "model.onnx";
  Graph& g = raw.graph;
  g.opset = 13;
  g.inputs = {{"x", {1, 4}}};
  g.outputs = {"y"};
  if (constant.empty()) {
    g.nodes.push_back(Node{"my_" + op, op, {"x"}, {"y"}, {}});
  } else {
    g.weights["c"] = PlainTensor{{1, 4}, constant};
    g.nodes.push_back(Node{"my_" + op, op, {"c"}, {"t"}, {}});
    g.nodes.push_back(Node{"add", "Add", {"t", "x"}, {"y"}, {}});
  }
  return raw;
}

TEST(OnnxMathDomain, WarnsOncePerNodeWithWhatComesBackOutsideTheDomain) {
  for (const std::string op : {"Reciprocal", "Log", "Sqrt", "Exp"}) {
    ::testing::internal::CaptureStderr();
    internal::normalizeImport(unary(op));
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(err, HasSubstr("node 'my_" + op + "' (" + op + ")")) << op;
    EXPECT_THAT(err, HasSubstr("gives")) << op;
    EXPECT_EQ(err.find("warning", err.find("warning") + 1), std::string::npos) << "once: " << err;
  }
  ::testing::internal::CaptureStderr();
  internal::normalizeImport(unary("Sigmoid"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(OnnxMathDomain, ConstantsOutsideTheDomainAreErrorsNamingTheOp) {
  EXPECT_THAT(errorOf([] {
                internal::normalizeImport(unary("Reciprocal", {1, 2, 0, 4}));
              }),
              HasSubstr("node 'my_Reciprocal' (Reciprocal): the constant input 'c' holds 0"));
  EXPECT_THAT(errorOf([] {
                internal::normalizeImport(unary("Log", {1, -2, 3, 4}));
              }),
              HasSubstr("(Log): the constant input 'c' holds -2, outside the domain"));
  EXPECT_THAT(errorOf([] {
                internal::normalizeImport(unary("Sqrt", {1, -0.5, 3, 4}));
              }),
              HasSubstr("(Sqrt): the constant input 'c' holds -0.5"));
  ::testing::internal::CaptureStderr();
  internal::normalizeImport(unary("Log", {1, 2, 3, 4}));  // inside: no error, no warning
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

  internal::RawModel div;
  div.source = "model.onnx";
  div.graph.opset = 13;
  div.graph.inputs = {{"x", {1, 4}}};
  div.graph.outputs = {"y"};
  div.graph.weights["d"] = PlainTensor{{1, 4}, {1, 2, 0, 4}};
  div.graph.nodes.push_back(Node{"halve", "Div", {"x", "d"}, {"y"}, {}});
  EXPECT_THAT(errorOf([&] { internal::normalizeImport(div); }),
              HasSubstr("node 'halve' (Div): the constant divisor 'd' holds a zero"));
}

}  // namespace
}  // namespace sotto::nn
