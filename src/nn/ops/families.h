#pragma once
// The built-in private plans, one file per op family (plan_registry.h).
#include "sotto/nn/plan_registry.h"

namespace sotto::nn::ops {

void addLinearPlans(PlanRegistry& r);       // Conv, Gemm, MatMul, BatchNormalization
void addElementwisePlans(PlanRegistry& r);  // Add, Sub, Mul, Div, Neg
void addPoolingPlans(PlanRegistry& r);      // MaxPool, AveragePool, GlobalAveragePool
void addActivationPlans(PlanRegistry& r);   // Relu, Sigmoid, Tanh, Exp, Log, Reciprocal, Sqrt,
                                            // Softmax, LogSoftmax
void addShapePlans(PlanRegistry& r);        // Flatten, Reshape, Transpose, Squeeze, Unsqueeze,
                                            // Gather
void addRecurrentPlans(PlanRegistry& r);    // GRU, LSTM
void addPiecewisePlans(PlanRegistry& r);    // LeakyRelu, Clip, HardSigmoid, HardSwish
void addSlicingPlans(PlanRegistry& r);      // Concat, Split, Slice, Pad
void addReducePlans(PlanRegistry& r);       // ReduceSum, ReduceMean

// A MaxPool node with the ReLU before it moved after it (fusion.h): relu(maxpool(x)) in one step
// (compare.h's maxPool2dRelu), reading `acts` (the ReLU's input); truncate_bits > 0: then divided
// by 2^truncate_bits with the positive truncation, in the same step.
StepPlan planMaxPoolRelu(const Node& n, const std::vector<std::string>& acts, int truncate_bits);

}  // namespace sotto::nn::ops
