#pragma once
// Private: onnx.TensorProto <-> PlainTensor (needs the ONNX protobuf headers).

#include <onnx/onnx_pb.h>

#include <string>

#include "sotto/model/graph.h"

namespace sotto::nn::internal {

/// The values of `t` (float, double, int64, int32, int8, uint8; raw_data or the typed field).
/// @throws InvalidArgument naming `context` for external data, an unsupported type, a negative
///         dimension, or data that does not match the dims.
PlainTensor fromTensorProto(const onnx::TensorProto& t, const std::string& context);

}  // namespace sotto::nn::internal
