#pragma once
/// @file zoo.h
/// The two reference architectures built directly as Graphs, with the conventions the ONNX
/// importer produces for a PyTorch export (Conv with bias, Relu, MaxPool, Flatten, Gemm with
/// transB = 1 as nn.Linear exports), input "input" [-1 (batch), C, H, W], output "logits" [batch,
/// 10]. Weights are deterministic pseudo-random numbers drawn as PyTorch initialises its layers:
/// uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for every weight and bias, from sotto::Prg keyed by
/// `seed`. They are public test weights (same seed, same weights, on every machine), not secrets.

#include <cstdint>

#include "sotto/model/graph.h"

namespace sotto::nn {

/// LeNet-5 for 1x28x28 inputs: Conv(1->6, 5x5) Relu MaxPool(2) Conv(6->16, 5x5) Relu MaxPool(2)
/// Flatten (256) Gemm(120) Relu Gemm(84) Relu Gemm(10). 44,426 parameters.
Graph lenet5Graph(uint64_t seed = 1);

/// AlexNet for 3x32x32 (CIFAR-10) inputs: Conv(3->64, 11x11, stride 4, pad 5) Relu MaxPool(2)
/// Conv(64->192, 5x5, pad 2) Relu MaxPool(2) Conv(192->384, 3x3, pad 1) Relu
/// Conv(384->256, 3x3, pad 1) Relu Conv(256->256, 3x3, pad 1) Relu MaxPool(2) Flatten (256)
/// Gemm(10). 2,472,266 parameters.
Graph alexnetCifarGraph(uint64_t seed = 1);

}  // namespace sotto::nn
