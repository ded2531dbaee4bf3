#include "sotto/model/npy.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

#include "sotto/error.h"
#include "tensor_bytes.h"

namespace sotto::nn {

namespace internal {

size_t dtypeSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
    case DType::kInt32:
      return 4;
    case DType::kFloat64:
    case DType::kInt64:
      return 8;
    case DType::kUint8:
      return 1;
  }
  return 0;
}

const char* dtypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kFloat64:
      return "float64";
    case DType::kInt64:
      return "int64";
    case DType::kInt32:
      return "int32";
    case DType::kUint8:
      return "uint8";
  }
  return "?";
}

namespace {

template <typename T>
T loadLe(const uint8_t* p) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

template <typename T>
void storeLe(T v, uint8_t* p) {
  std::memcpy(p, &v, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(p, p + sizeof(T));
}

template <typename T>
void encodeAs(const std::vector<double>& values, uint8_t* out, const std::string& context) {
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if constexpr (std::is_integral_v<T>) {
      SOTTO_ENFORCE(std::nearbyint(v) == v &&
                        v >= static_cast<double>(std::numeric_limits<T>::min()) &&
                        v <= static_cast<double>(std::numeric_limits<T>::max()),
                    context, ": value ", v, " at index ", i, " is not representable as ",
                    sizeof(T) == 1   ? "uint8"
                    : sizeof(T) == 4 ? "int32"
                                     : "int64");
    }
    storeLe<T>(static_cast<T>(v), out + i * sizeof(T));
  }
}

}  // namespace

std::vector<double> decodeValues(const uint8_t* data, size_t count, DType dtype) {
  std::vector<double> v(count);
  for (size_t i = 0; i < count; ++i) {
    switch (dtype) {
      case DType::kFloat32:
        v[i] = loadLe<float>(data + 4 * i);
        break;
      case DType::kFloat64:
        v[i] = loadLe<double>(data + 8 * i);
        break;
      case DType::kInt64:
        v[i] = static_cast<double>(loadLe<int64_t>(data + 8 * i));
        break;
      case DType::kInt32:
        v[i] = loadLe<int32_t>(data + 4 * i);
        break;
      case DType::kUint8:
        v[i] = data[i];
        break;
    }
  }
  return v;
}

std::vector<uint8_t> encodeValues(const PlainTensor& t, DType dtype, const std::string& context) {
  const uint64_t n = checkedNumel(t.dims, context);
  SOTTO_ENFORCE(t.values.size() == n, context, ": tensor has ", t.values.size(), " values for its ",
                n, " elements");
  std::vector<uint8_t> out(n * dtypeSize(dtype));
  switch (dtype) {
    case DType::kFloat32:
      encodeAs<float>(t.values, out.data(), context);
      break;
    case DType::kFloat64:
      encodeAs<double>(t.values, out.data(), context);
      break;
    case DType::kInt64:
      encodeAs<int64_t>(t.values, out.data(), context);
      break;
    case DType::kInt32:
      encodeAs<int32_t>(t.values, out.data(), context);
      break;
    case DType::kUint8:
      encodeAs<uint8_t>(t.values, out.data(), context);
      break;
  }
  return out;
}

uint64_t checkedNumel(const std::vector<int64_t>& dims, const std::string& context) {
  uint64_t n = 1;
  for (int64_t d : dims) {
    SOTTO_ENFORCE(d >= 0, context, ": negative dimension ", d);
    SOTTO_ENFORCE(d == 0 || n <= (uint64_t{1} << 48) / static_cast<uint64_t>(d), context,
                  ": dimensions are too large");
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

}  // namespace internal

// ---- .npy ---------------------------------------------------------------------------------------
// "\x93NUMPY", major, minor, header length (u16 in version 1, u32 in 2 and 3), then an ASCII
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces to a 64-byte boundary and ended by '\n', then the raw elements.

namespace {

constexpr char kNpyMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

// The text after `'key':` in the header dict (leading blanks skipped), or throws.
std::string_view dictValue(std::string_view header, const std::string& key,
                           const std::string& source) {
  for (const char q : {'\'', '"'}) {
    const std::string quoted = std::string(1, q) + key + std::string(1, q);
    size_t at = header.find(quoted);
    if (at == std::string_view::npos) continue;
    at = header.find(':', at + quoted.size());
    if (at == std::string_view::npos) break;
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    return header.substr(at);
  }
  throw InvalidArgument(detail::concat(source, ": .npy header has no '", key, "' entry: ", header));
}

}  // namespace

PlainTensor parseNpy(std::span<const uint8_t> bytes, const std::string& source) {
  auto bad = [&](auto&&... parts) {
    return InvalidArgument(detail::concat(source, ": not a valid .npy file: ", parts...));
  };
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kNpyMagic, sizeof(kNpyMagic)) != 0) {
    throw bad("no \\x93NUMPY magic at the start (", bytes.size(), " bytes)");
  }
  const int major = bytes[6];
  if (major < 1 || major > 3) throw bad("format version ", major, " is not supported (1 to 3)");
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = bytes[8] | (size_t{bytes[9]} << 8);
    offset = 10;
  } else {
    if (bytes.size() < 12) throw bad("truncated header");
    header_len =
        bytes[8] | (size_t{bytes[9]} << 8) | (size_t{bytes[10]} << 16) | (size_t{bytes[11]} << 24);
    offset = 12;
  }
  if (header_len > bytes.size() - offset) {
    throw bad("truncated: header says ", header_len, " bytes, only ", bytes.size() - offset,
              " follow");
  }
  const std::string_view header(reinterpret_cast<const char*>(bytes.data()) + offset, header_len);
  offset += header_len;

  // dtype
  std::string_view descr = dictValue(header, "descr", source);
  if (descr.empty() || (descr[0] != '\'' && descr[0] != '"')) throw bad("bad descr in ", header);
  descr = descr.substr(1, descr.find(descr[0], 1) - 1);
  DType dtype;
  if (descr == "<f4") {
    dtype = DType::kFloat32;
  } else if (descr == "<f8") {
    dtype = DType::kFloat64;
  } else if (descr == "<i8") {
    dtype = DType::kInt64;
  } else if (descr == "<i4") {
    dtype = DType::kInt32;
  } else if (descr == "|u1" || descr == "<u1") {
    dtype = DType::kUint8;
  } else {
    throw InvalidArgument(detail::concat(
        source, ": .npy dtype '", descr, "' is not supported",
        (!descr.empty() && descr[0] == '>') ? " (big-endian)" : "",
        "; supported: <f4 (float32), <f8 (float64), <i8 (int64), <i4 (int32), |u1 (uint8)"));
  }
  // order
  const std::string_view order = dictValue(header, "fortran_order", source);
  if (order.starts_with("True")) {
    throw InvalidArgument(detail::concat(source,
                                         ": .npy array is in Fortran (column-major) order; "
                                         "save it C-contiguous (np.ascontiguousarray)"));
  }
  if (!order.starts_with("False")) throw bad("bad fortran_order in ", header);
  // shape
  std::string_view shape = dictValue(header, "shape", source);
  if (shape.empty() || shape[0] != '(' || shape.find(')') == std::string_view::npos) {
    throw bad("bad shape in ", header);
  }
  shape = shape.substr(1, shape.find(')') - 1);
  PlainTensor t;
  size_t i = 0;
  while (i < shape.size()) {
    while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i == shape.size()) break;
    int64_t d = 0;
    const size_t start = i;
    while (i < shape.size() && shape[i] >= '0' && shape[i] <= '9') {
      if (d > (int64_t{1} << 48)) throw bad("dimension too large in ", header);
      d = d * 10 + (shape[i++] - '0');
    }
    if (i == start) throw bad("bad shape in ", header);
    t.dims.push_back(d);
  }
  const uint64_t numel = internal::checkedNumel(t.dims, source);
  const size_t item = internal::dtypeSize(dtype);
  const size_t have = bytes.size() - offset;
  if (numel > have / item || numel * item != have) {
    throw InvalidArgument(
        detail::concat(source, ": .npy data is ", have, " bytes but shape (", shape, ") of ",
                       internal::dtypeName(dtype), " needs ", numel * item,
                       numel * item > have ? " (the file is truncated)" : " (trailing bytes)"));
  }
  t.values = internal::decodeValues(bytes.data() + offset, numel, dtype);
  return t;
}

std::vector<uint8_t> encodeNpy(const PlainTensor& t, DType dtype) {
  const std::vector<uint8_t> data = internal::encodeValues(t, dtype, "encodeNpy");
  std::ostringstream h;
  static const char* kDescr[] = {"<f4", "<f8", "<i8", "<i4", "|u1"};
  h << "{'descr': '" << kDescr[static_cast<int>(dtype)] << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.dims.size(); ++i) h << (i ? ", " : "") << t.dims[i];
  h << (t.dims.size() == 1 ? ",), }" : "), }");
  std::string header = h.str();
  // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::vector<uint8_t> out(kNpyMagic, kNpyMagic + sizeof(kNpyMagic));
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// ---- files --------------------------------------------------------------------------------------

std::vector<uint8_t> readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  SOTTO_ENFORCE(in.good(), "cannot open '", path, "': ", std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  SOTTO_ENFORCE(!in.bad(), "cannot read '", path, "'");
  return bytes;
}

void writeFileBytes(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  SOTTO_ENFORCE(out.good(), "cannot create '", path, "': ", std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  SOTTO_ENFORCE(out.good(), "cannot write '", path, "'");
}

namespace {
bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

PlainTensor loadTensorFile(const std::string& path) {
  const std::vector<uint8_t> bytes = readFileBytes(path);
  if (bytes.size() >= sizeof(kNpyMagic) &&
      std::memcmp(bytes.data(), kNpyMagic, sizeof(kNpyMagic)) == 0) {
    return parseNpy(bytes, path);
  }
  if (endsWith(path, ".pb")) return parseTensorProto(bytes, path);
  if (endsWith(path, ".npy")) return parseNpy(bytes, path);  // throws: no magic
  throw InvalidArgument(detail::concat(path,
                                       ": unknown tensor file format (neither the .npy magic "
                                       "nor a .pb name)"));
}

void saveTensorFile(const std::string& path, const PlainTensor& t) {
  saveTensorFile(path, t, endsWith(path, ".pb") ? DType::kFloat32 : DType::kFloat64);
}

void saveTensorFile(const std::string& path, const PlainTensor& t, DType dtype) {
  const std::vector<uint8_t> bytes =
      endsWith(path, ".pb") ? encodeTensorProto(t, dtype) : encodeNpy(t, dtype);
  writeFileBytes(path, bytes);
}

}  // namespace sotto::nn
