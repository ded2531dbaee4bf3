// The public math of sotto/math/functions.h on tensors with no elements: every function gives an
// empty tensor of the input's shape and scale on every family (the OT family's composed engine
// and the seeded and TTP dealers' tables), and softmax / log-softmax reduce along a non-empty dim
// of an empty tensor. 2 parties as threads over inproc (TTP: its dealer on a third thread).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sotto/math/functions.h"
#include "testing/mpc.h"

namespace sotto {
namespace {

struct Named {
  const char* name;
  std::function<ArithTensor(const ArithTensor&)> fn;
};

std::vector<Named> functions() {
  return {
      {"exp", [](const ArithTensor& x) { return exp(x); }},
      {"sigmoid", [](const ArithTensor& x) { return sigmoid(x); }},
      {"tanh", [](const ArithTensor& x) { return tanh(x); }},
      {"erf", [](const ArithTensor& x) { return erf(x); }},
      {"gelu", [](const ArithTensor& x) { return gelu(x); }},
      {"gelu_tanh", [](const ArithTensor& x) { return gelu(x, GeluApproximation::kTanh); }},
      {"reciprocal", [](const ArithTensor& x) { return reciprocal(x); }},
      {"sqrt", [](const ArithTensor& x) { return sqrt(x); }},
      {"rsqrt", [](const ArithTensor& x) { return rsqrt(x); }},
      {"log", [](const ArithTensor& x) { return log(x); }},
      {"softmax", [](const ArithTensor& x) { return softmax(x, -1); }},
      {"logSoftmax", [](const ArithTensor& x) { return logSoftmax(x, -1); }},
  };
}

// What one party sees of fn on an empty input: its shape, scale and revealed values as text.
std::string outcome(const ArithTensor& y) {
  return y.shape().toString() + " at " + std::to_string(y.fracBits()) + " bits, " +
         std::to_string(y.revealDoubles().size()) + " values";
}

std::string familyName(const ::testing::TestParamInfo<std::string>& param) {
  std::string n = param.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

class EmptyMath : public ::testing::TestWithParam<std::string> {};

TEST_P(EmptyMath, EveryFunctionGivesAnEmptyTensorOfTheSameShape) {
  // {0, 10}: softmax's reduced dim (the last) is not empty; {2, 0, 3}: an empty middle dim.
  for (const Shape& shape : {Shape{0, 10}, Shape{2, 0, 3}}) {
    for (int f : {12, 16, 20}) {
      const std::string want = shape.toString() + " at " + std::to_string(f) + " bits, 0 values";
      const auto got = testing::simulateProtocol(GetParam(), 2, [&](Party& p) {
        const ArithTensor x = ArithTensor::shareEncoded(p, 0, RingTensor(shape), shape, f);
        std::vector<std::string> seen;  // each function twice: the parties still in step
        for (const Named& c : functions())
          seen.push_back(outcome(c.fn(x)) + " / then " + outcome(c.fn(x + x)));
        return seen;
      });
      for (const auto& party : got)
        for (size_t i = 0; i < party.size(); ++i)
          EXPECT_EQ(party[i], want + " / then " + want)
              << functions()[i].name << " on " << GetParam();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Families, EmptyMath, ::testing::Values("none", "insecure-seeded", "ttp"),
                         familyName);

}  // namespace
}  // namespace sotto
