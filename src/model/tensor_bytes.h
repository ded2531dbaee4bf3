#pragma once
// Little-endian element encoding shared by the .npy and TensorProto readers and writers.

#include <cstdint>
#include <string>
#include <vector>

#include "sotto/model/npy.h"

namespace sotto::nn::internal {

/// Bytes per element of `dtype`.
size_t dtypeSize(DType dtype);
/// "float32", "int64", ... for messages.
const char* dtypeName(DType dtype);

/// Decodes `count` little-endian elements of `dtype` at `data` into doubles.
std::vector<double> decodeValues(const uint8_t* data, size_t count, DType dtype);

/// Encodes t.values as little-endian `dtype` elements.
/// @throws InvalidArgument naming `context` if values.size() != numel() or an integer type cannot
///         hold a value exactly.
std::vector<uint8_t> encodeValues(const PlainTensor& t, DType dtype, const std::string& context);

/// The number of elements of `dims`, or throws InvalidArgument naming `context` if a dimension is
/// negative or the product overflows.
uint64_t checkedNumel(const std::vector<int64_t>& dims, const std::string& context);

}  // namespace sotto::nn::internal
