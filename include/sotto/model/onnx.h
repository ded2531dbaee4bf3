#pragma once
/// @file onnx.h
/// ONNX import: reads a .onnx model (opset 7 to 21, the default domain) into a normalised Graph
/// (see graph.h for what normalisation does and the conventions of the result). No ONNX or
/// protobuf header is needed to use this; without SOTTO_WITH_ONNX both calls throw NotImplemented.
///
/// What is accepted: initializers and Constant nodes of float, double, int64, int32 (also int8,
/// uint8) with raw or typed data (not external data); the ops of supportedOps() with the
/// attributes graph.h lists (Conv and pooling 2-D, symmetric pads, dilation 1, floor rounding;
/// Gemm with transA = 0; Div by a weight; Pow with exponent 2, rewritten as Mul(x, x));
/// Identity and Dropout (removed); BatchNormalization (folded into a preceding Conv where
/// possible); and Shape / Gather / Unsqueeze / Squeeze / Concat / Cast chains computing a Reshape
/// target from the input shape, which are folded into a constant (a symbolic batch dimension
/// becomes 0, "copy the input's", where the Reshape keeps it in place). Any node whose inputs are
/// all constants is folded into a weight.

#include <cstdint>
#include <span>
#include <string>

#include "sotto/model/graph.h"

namespace sotto::nn {

/// Reads and normalises the ONNX model in `path`. Cost: linear in the file size (plus the
/// evaluation of constant subgraphs).
/// @throws InvalidArgument naming the file if it cannot be read or is not a valid ONNX model
///         (corrupted, truncated, another format), if its default-domain opset is not in 11..17,
///         a node is in another domain, a tensor uses external data or an unsupported type, or a
///         node is not supported (the message names the node, the op, the attribute if that is
///         the problem, and the supported ops).
/// @throws NotImplemented if this build has no ONNX support (SOTTO_WITH_ONNX=OFF).
Graph loadOnnx(const std::string& path);

/// The same from the bytes of a model; `source` names it in error messages.
Graph parseOnnx(std::span<const uint8_t> bytes, const std::string& source = "<memory>");

}  // namespace sotto::nn
