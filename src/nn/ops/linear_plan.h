#pragma once
// The fixed-weight linear layers (Conv, Gemm, MatMul by a weight), which the executor's fusion
// pass may extend with a polynomial on their output (private_model.h).
#include "sotto/nn/plan_registry.h"

namespace sotto::nn::ops {

// The weights of a·y² + b·y + c on a linear layer's output y (a per output channel or scalar).
struct PolyFusion {
  std::string a, b, c;
};

// True if `n` runs as a FixedWeight product: Conv, Gemm, or MatMul by a weight.
bool isFixedWeightLinear(const Graph& g, const Node& n);
// Its output channels (Conv: O; Gemm and MatMul: the columns of the product).
int64_t linearOutputChannels(const Graph& g, const Node& n);
// Its step (input: the activation; output: y, or the polynomial of y if `poly`). With `truncate`
// false (and no poly) y is left at scale 2^(2f), labelled f: the caller truncates it (the fusion
// of a ReLU on the output truncates after the ReLU, with the positive fast path).
StepPlan planLinear(PlanContext& ctx, const Node& n, const PolyFusion* poly, bool truncate);

}  // namespace sotto::nn::ops
