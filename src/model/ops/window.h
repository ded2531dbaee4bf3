#pragma once
// The 2-D sliding window shared by Conv and the pooling ops: attribute normalisation (symmetric
// pads, dilation 1, floor rounding) and output shape.
#include "sotto/model/op_registry.h"

namespace sotto::nn::ops {

enum class WindowOp { kConv, kMaxPool, kAveragePool };

// Checks the window attributes and rewrites them as graph.h's conventions say.
std::vector<Node> normalizeWindow(ImportContext& ctx, Node n, WindowOp kind);
// [N, C, H, W] -> [N, C', H', W'] (C' the weight's output channels for Conv).
std::vector<MaybeDims> inferWindow(ImportContext& ctx, const Node& n,
                                   const std::vector<MaybeDims>& in, WindowOp kind);

}  // namespace sotto::nn::ops
