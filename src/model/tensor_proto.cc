#include "onnx_tensor.h"
#include "sotto/error.h"
#include "sotto/model/npy.h"
#include "tensor_bytes.h"

namespace sotto::nn {
namespace internal {
namespace {

template <typename Field>
std::vector<double> fromField(const Field& field) {
  std::vector<double> v;
  v.reserve(static_cast<size_t>(field.size()));
  for (const auto& x : field) v.push_back(static_cast<double>(x));
  return v;
}

}  // namespace

PlainTensor fromTensorProto(const onnx::TensorProto& t, const std::string& context) {
  const std::string what = context + " (tensor '" + t.name() + "')";
  SOTTO_ENFORCE_AS(InvalidArgument, t.data_location() != onnx::TensorProto::EXTERNAL, what,
                   ": external data (a separate weights file) is not supported; re-export "
                   "the model with its weights inside the .onnx file");
  SOTTO_ENFORCE(t.segment().begin() == 0 && t.segment().end() == 0, what,
                ": segmented tensors are not supported");
  PlainTensor out;
  out.dims.assign(t.dims().begin(), t.dims().end());
  const uint64_t n = checkedNumel(out.dims, what);
  DType dtype;
  std::vector<double> typed;
  const auto type = t.data_type();
  switch (type) {
    case onnx::TensorProto::FLOAT:
      dtype = DType::kFloat32;
      typed = fromField(t.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      dtype = DType::kFloat64;
      typed = fromField(t.double_data());
      break;
    case onnx::TensorProto::INT64:
      dtype = DType::kInt64;
      typed = fromField(t.int64_data());
      break;
    case onnx::TensorProto::INT32:
      dtype = DType::kInt32;
      typed = fromField(t.int32_data());
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
      dtype = DType::kUint8;
      typed = fromField(t.int32_data());
      break;
    default:
      throw InvalidArgument(sotto::detail::concat(
          what, ": element type ",
          onnx::TensorProto::DataType_IsValid(type)
              ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(type))
              : std::to_string(type),
          " is not supported (FLOAT, DOUBLE, INT64, INT32, INT8, UINT8)"));
  }
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    const size_t item = dtypeSize(dtype);
    SOTTO_ENFORCE(raw.size() == n * item, what, ": raw_data has ", raw.size(), " bytes, dims need ",
                  n * item);
    out.values = decodeValues(reinterpret_cast<const uint8_t*>(raw.data()), n, dtype);
    if (type == onnx::TensorProto::INT8) {
      for (double& v : out.values) v = v >= 128 ? v - 256 : v;
    }
  } else {
    SOTTO_ENFORCE(typed.size() == n, what, ": has ", typed.size(), " values, dims need ", n);
    out.values = std::move(typed);
  }
  return out;
}

}  // namespace internal

PlainTensor parseTensorProto(std::span<const uint8_t> bytes, const std::string& source) {
  onnx::TensorProto t;
  SOTTO_ENFORCE(bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()) &&
                    t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())),
                source, ": not a valid ONNX TensorProto (corrupted, truncated or another format)");
  SOTTO_ENFORCE(t.has_data_type() && t.data_type() != onnx::TensorProto::UNDEFINED, source,
                ": not a valid ONNX TensorProto (no element type)");
  return internal::fromTensorProto(t, source);
}

std::vector<uint8_t> encodeTensorProto(const PlainTensor& t, DType dtype, const std::string& name) {
  onnx::TensorProto p;
  p.set_name(name);
  for (int64_t d : t.dims) p.add_dims(d);
  switch (dtype) {
    case DType::kFloat32:
      p.set_data_type(onnx::TensorProto::FLOAT);
      break;
    case DType::kFloat64:
      p.set_data_type(onnx::TensorProto::DOUBLE);
      break;
    case DType::kInt64:
      p.set_data_type(onnx::TensorProto::INT64);
      break;
    case DType::kInt32:
      p.set_data_type(onnx::TensorProto::INT32);
      break;
    case DType::kUint8:
      p.set_data_type(onnx::TensorProto::UINT8);
      break;
  }
  const std::vector<uint8_t> raw = internal::encodeValues(t, dtype, "encodeTensorProto");
  p.set_raw_data(std::string(raw.begin(), raw.end()));
  std::vector<uint8_t> out(p.ByteSizeLong());
  SOTTO_ENFORCE(p.SerializeToArray(out.data(), static_cast<int>(out.size())),
                "encodeTensorProto: protobuf serialization failed");
  return out;
}

}  // namespace sotto::nn
