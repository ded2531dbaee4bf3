#pragma once
/// @file npy.h
/// Tensor files: NumPy .npy (format versions 1 to 3, little-endian float32, float64, int64,
/// int32 or uint8, C order) and ONNX TensorProto .pb files (float, double, int64, int32, int8,
/// uint8; raw or typed data), read into and written from PlainTensor (values as double).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sotto/model/graph.h"

namespace sotto::nn {

/// The element type a tensor is written with.
enum class DType { kFloat32, kFloat64, kInt64, kInt32, kUint8 };

/// Parses the bytes of a .npy file; `source` names it in errors. O(size).
/// @throws InvalidArgument naming `source` if the magic, version or header is bad, the dtype is
///         not one of the above (big-endian included), the array is in Fortran order, or the data
///         is shorter or longer than the header's shape says.
PlainTensor parseNpy(std::span<const uint8_t> bytes, const std::string& source = "<memory>");

/// Encodes `t` as a version-1 .npy file of element type `dtype`.
/// @throws InvalidArgument if values.size() != numel(), or if `dtype` is an integer type and a
///         value is not an integer in its range.
std::vector<uint8_t> encodeNpy(const PlainTensor& t, DType dtype = DType::kFloat64);

/// Parses the bytes of a serialized onnx.TensorProto.
/// @throws InvalidArgument naming `source` if they are not a TensorProto, the type is not
///         supported, the data is external or does not match the dims.
/// @throws NotImplemented in a build without ONNX support.
PlainTensor parseTensorProto(std::span<const uint8_t> bytes,
                             const std::string& source = "<memory>");

/// Encodes `t` as a serialized onnx.TensorProto named `name` (raw little-endian data).
/// @throws as encodeNpy; NotImplemented in a build without ONNX support.
std::vector<uint8_t> encodeTensorProto(const PlainTensor& t, DType dtype = DType::kFloat32,
                                       const std::string& name = "");

/// Reads a tensor file: .npy if it starts with the NumPy magic, else a TensorProto if the name
/// ends in .pb. @throws InvalidArgument naming the path if it cannot be read, or as the parsers.
PlainTensor loadTensorFile(const std::string& path);

/// Writes `t` to `path`: a TensorProto if it ends in .pb, else .npy. The default element type
/// (float64 for .npy, float32 for .pb as ONNX test data uses) keeps what each format is used for.
/// @throws InvalidArgument naming the path if it cannot be written, or as the encoders.
void saveTensorFile(const std::string& path, const PlainTensor& t);
void saveTensorFile(const std::string& path, const PlainTensor& t, DType dtype);

/// Whole-file helpers (used by the loaders). @throws InvalidArgument naming the path.
std::vector<uint8_t> readFileBytes(const std::string& path);
void writeFileBytes(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace sotto::nn
