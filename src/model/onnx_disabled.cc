// Stand-ins for a build without ONNX (SOTTO_WITH_ONNX=OFF): every entry point says so.
#include "sotto/error.h"
#include "sotto/model/npy.h"
#include "sotto/model/onnx.h"

namespace sotto::nn {
namespace {
[[noreturn]] void noOnnx(const std::string& what) {
  throw NotImplemented(what + ": this build of Sotto has no ONNX support (SOTTO_WITH_ONNX=OFF)");
}
}  // namespace

Graph loadOnnx(const std::string& path) { noOnnx(path); }
Graph parseOnnx(std::span<const uint8_t>, const std::string& source) { noOnnx(source); }
PlainTensor parseTensorProto(std::span<const uint8_t>, const std::string& source) {
  noOnnx(source);
}
std::vector<uint8_t> encodeTensorProto(const PlainTensor&, DType, const std::string&) {
  noOnnx("encodeTensorProto");
}

}  // namespace sotto::nn
