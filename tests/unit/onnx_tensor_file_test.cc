// Tensor files: .npy (as NumPy writes them) and ONNX TensorProto .pb, and their errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "sotto/error.h"
#include "sotto/model/npy.h"
#include "testing/errors.h"

namespace sotto::nn {
namespace {

using ::testing::HasSubstr;

const std::string kData = std::string(SOTTO_SOURCE_DIR) + "/tests/data/";

using sotto::testing::errorOf;

std::vector<uint8_t> bytesOf(const std::string& s) { return {s.begin(), s.end()}; }

// A .npy file with a hand-written header (padded as NumPy pads it) and the given data bytes.
std::vector<uint8_t> npyWith(const std::string& dict, const std::vector<uint8_t>& data,
                             int version = 1) {
  std::string header = dict;
  const size_t prefix = version == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::vector<uint8_t> out = bytesOf("\x93NUMPY");
  out.push_back(static_cast<uint8_t>(version));
  out.push_back(0);
  for (size_t i = 0; i < prefix - 8; ++i)
    out.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ =
        std::filesystem::temp_directory_path() /
        ("sotto_onnx_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST(OnnxTensorFile, ReadsNumpyWrittenFiles) {
  // Written by NumPy (float32, C order): the PyTorch reference vectors.
  const PlainTensor x = loadTensorFile(kData + "onnx_fixture_ops_input.npy");
  EXPECT_EQ(x.dims, (std::vector<int64_t>{2, 3, 6, 6}));
  // The generator wrote sin(linspace(-2, 2, 216)) * 1.5 in float32.
  EXPECT_NEAR(x.values[0], 1.5 * std::sin(-2.0), 1e-6);
  EXPECT_NEAR(x.values[215], 1.5 * std::sin(2.0), 1e-6);
}

TEST(OnnxTensorFile, NpyRoundTripsEveryTypeAndShape) {
  TempDir dir;
  const std::vector<std::pair<DType, PlainTensor>> cases = {
      {DType::kFloat64, PlainTensor{{2, 3}, {0.1, -2.5, 3e10, 0, 1e-300, -7}}},
      {DType::kFloat32, PlainTensor{{3}, {0.5, -2.25, 1024}}},
      {DType::kInt64, PlainTensor{{2, 1, 2}, {-5, 0, 1LL << 40, 7}}},
      {DType::kInt32, PlainTensor{{1}, {-123456}}},
      {DType::kUint8, PlainTensor{{2, 2}, {0, 1, 128, 255}}},
      {DType::kFloat64, PlainTensor{{}, {42.5}}},  // a scalar
      {DType::kFloat32, PlainTensor{{0, 4}, {}}},  // empty
  };
  int i = 0;
  for (const auto& [dtype, t] : cases) {
    const std::string path = dir / (std::to_string(i++) + "_t.npy");
    saveTensorFile(path, t, dtype);
    const std::vector<uint8_t> bytes = readFileBytes(path);
    const size_t item = dtype == DType::kUint8                               ? 1
                        : dtype == DType::kFloat32 || dtype == DType::kInt32 ? 4
                                                                             : 8;
    EXPECT_EQ((bytes.size() - t.values.size() * item) % 64, 0u) << "header not padded";
    const PlainTensor back = loadTensorFile(path);
    EXPECT_EQ(back.dims, t.dims);
    EXPECT_EQ(back.values, t.values);
  }
  // Default: float64, exact.
  const std::string path = dir / "default.npy";
  saveTensorFile(path, PlainTensor{{2}, {0.1, 1.0 / 3}});
  EXPECT_EQ(loadTensorFile(path).values, (std::vector<double>{0.1, 1.0 / 3}));
}

TEST(OnnxTensorFile, NpyVersion2HeadersAndDoubleQuotes) {
  std::vector<uint8_t> data(16);
  const double v[2] = {1.5, -2};
  std::memcpy(data.data(), v, 16);
  const PlainTensor t = parseNpy(
      npyWith("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2,), }", data, 2));
  EXPECT_EQ(t.dims, (std::vector<int64_t>{2}));
  EXPECT_EQ(t.values, (std::vector<double>{1.5, -2}));
}

TEST(OnnxTensorFile, NpyErrorsNameTheProblem) {
  const std::vector<uint8_t> eight(8);
  EXPECT_THAT(errorOf([&] {
                parseNpy(npyWith("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", eight),
                         "f.npy");
              }),
              HasSubstr("f.npy: .npy array is in Fortran"));
  EXPECT_THAT(
      errorOf([&] {
        parseNpy(npyWith("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", eight));
      }),
      HasSubstr("'>f8' is not supported (big-endian)"));
  EXPECT_THAT(
      errorOf([&] {
        parseNpy(npyWith("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", eight));
      }),
      HasSubstr("dtype '<c8' is not supported"));
  EXPECT_THAT(errorOf([&] {
                parseNpy(
                    npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", eight),
                    "short.npy");
              }),
              HasSubstr("short.npy: .npy data is 8 bytes but shape (2,) of float64 needs 16 (the "
                        "file is truncated)"));
  EXPECT_THAT(errorOf([&] { parseNpy(bytesOf("PK\x03\x04 a zip file"), "z.npz"); }),
              HasSubstr("z.npz: not a valid .npy file: no \\x93NUMPY magic"));
  // Truncating a real file anywhere is an error naming it.
  const std::vector<uint8_t> good = readFileBytes(kData + "onnx_fixture_ops_output.npy");
  for (size_t cut = 0; cut < good.size(); ++cut) {
    const std::vector<uint8_t> part(good.begin(), good.begin() + cut);
    ASSERT_THAT(errorOf([&] { parseNpy(part, "cut.npy"); }), HasSubstr("cut.npy")) << cut;
  }
  EXPECT_THAT(errorOf([] {
                encodeNpy(PlainTensor{{2}, {1, 2.5}}, DType::kInt64);
              }),
              HasSubstr("value 2.5 at index 1 is not representable as int64"));
  EXPECT_THAT(errorOf([] {
                encodeNpy(PlainTensor{{1}, {256}}, DType::kUint8);
              }),
              HasSubstr("not representable as uint8"));
  EXPECT_THAT(errorOf([] {
                encodeNpy(PlainTensor{{3}, {1, 2}});
              }),
              HasSubstr("2 values for its 3 elements"));
}

TEST(OnnxTensorFile, TensorProtoFilesFromOnnxAndRoundTrips) {
  // Written by onnx.numpy_helper (raw int64) and onnx.helper (float_data field).
  const PlainTensor ints = loadTensorFile(kData + "onnx_fixture_tensor_int64.pb");
  EXPECT_EQ(ints.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ints.values, (std::vector<double>{-2, -1, 0, 1, 2, 3}));
  const PlainTensor floats = loadTensorFile(kData + "onnx_fixture_tensor_float.pb");
  EXPECT_EQ(floats.dims, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(floats.values, (std::vector<double>{0.5, -1.25, 3.0}));

  TempDir dir;
  const PlainTensor reals{{2, 2}, {0.25, -8, 3, 1e6}};
  const PlainTensor ints2{{2, 2}, {-3, 0, 7, 1 << 20}};
  const PlainTensor bytes{{4}, {0, 1, 128, 255}};
  for (const auto& [d, t] : {std::pair{DType::kFloat32, reals}, std::pair{DType::kFloat64, reals},
                             std::pair{DType::kInt64, ints2}, std::pair{DType::kInt32, ints2},
                             std::pair{DType::kUint8, bytes}}) {
    const std::string path = dir / "t.pb";
    saveTensorFile(path, t, d);
    const PlainTensor back = loadTensorFile(path);
    EXPECT_EQ(back.dims, t.dims);
    EXPECT_EQ(back.values, t.values) << "dtype " << static_cast<int>(d);
  }
  // Default for .pb: float32, as ONNX test data.
  saveTensorFile(dir / "f.pb", PlainTensor{{1}, {0.1}});
  EXPECT_EQ(loadTensorFile(dir / "f.pb").values[0], static_cast<double>(0.1f));
}

TEST(OnnxTensorFile, TensorProtoAndFileErrors) {
  const std::vector<uint8_t> good = readFileBytes(kData + "onnx_fixture_tensor_int64.pb");
  const std::vector<uint8_t> cut(good.begin(), good.end() - 5);
  EXPECT_THAT(errorOf([&] { parseTensorProto(cut, "cut.pb"); }), HasSubstr("cut.pb"));
  EXPECT_THAT(errorOf([&] { parseTensorProto(bytesOf("garbage that is not protobuf"), "g.pb"); }),
              HasSubstr("g.pb: not a valid ONNX TensorProto"));
  EXPECT_THAT(errorOf([] { loadTensorFile(kData + "missing_tensor.npy"); }),
              HasSubstr("cannot open '" + kData + "missing_tensor.npy'"));
  EXPECT_THAT(errorOf([] { loadTensorFile(kData + "onnx_fixture_make.py"); }),
              HasSubstr("unknown tensor file format"));
}

}  // namespace
}  // namespace sotto::nn
