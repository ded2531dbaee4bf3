#include "sotto/data/idx.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "data/file_bytes.h"
#include "sotto/error.h"

namespace sotto::data {
namespace {

constexpr uint32_t kImageMagic = 0x00000803;       // uint8 data, 3 dimensions
constexpr uint32_t kLabelMagic = 0x00000801;       // uint8 data, 1 dimension
constexpr uint64_t kMaxItems = uint64_t{1} << 62;  // saturation bound for absurd headers

uint32_t bigEndian32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

void putBigEndian32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

std::string hex32(uint32_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
  return os.str();
}

// An IDX file's dimensions and where its data starts, after checking magic and total size.
struct IdxFile {
  std::vector<uint8_t> bytes;
  std::vector<int64_t> dims;
  size_t data_offset = 0;
};

IdxFile readIdx(const std::string& path, uint32_t magic, const char* kind) {
  IdxFile f{detail::readFileBytes(path), {}, 0};
  const auto& b = f.bytes;
  SOTTO_ENFORCE(b.size() >= 4, path, ": not an IDX ", kind, " file (", b.size(),
                " bytes, too short for the 4-byte magic)");
  const uint32_t got = bigEndian32(b.data());
  SOTTO_ENFORCE(got == magic, path, ": not an IDX ", kind, " file (magic ", hex32(got),
                ", expected ", hex32(magic), ")");
  const size_t ndims = magic & 0xff;
  f.data_offset = 4 + 4 * ndims;
  SOTTO_ENFORCE(b.size() >= f.data_offset, path, ": truncated IDX header (expected ", f.data_offset,
                " bytes, got ", b.size(), ")");
  uint64_t expected = f.data_offset;
  uint64_t items = 1;
  for (size_t d = 0; d < ndims; ++d) {
    f.dims.push_back(bigEndian32(b.data() + 4 + 4 * d));
    const auto dim = static_cast<uint64_t>(f.dims.back());
    items = dim != 0 && items > kMaxItems / dim ? kMaxItems : items * dim;  // saturate
  }
  expected += items;
  SOTTO_ENFORCE(b.size() >= expected, path, ": truncated file (expected ", expected, " bytes, got ",
                b.size(), ")");
  SOTTO_ENFORCE(b.size() == expected, path, ": unexpected trailing data (expected ", expected,
                " bytes, got ", b.size(), ")");
  return f;
}

// The first existing file among `names` in `dir`, or an error listing every name tried.
std::string findFirst(const std::string& dir, const std::vector<std::string>& names,
                      const char* what) {
  std::string tried;
  for (const auto& n : names) {
    const std::string path = (std::filesystem::path(dir) / n).string();
    if (detail::isFile(path)) return path;
    tried += (tried.empty() ? "" : ", ") + n;
  }
  SOTTO_ENFORCE(false, dir, ": no MNIST ", what, " file (looked for ", tried, ")");
  return {};
}

std::vector<std::string> candidates(const std::string& split, const char* kind, int dims) {
  const std::string dashed = split + "-" + kind + "-idx" + std::to_string(dims) + "-ubyte";
  const std::string dotted = split + "-" + kind + ".idx" + std::to_string(dims) + "-ubyte";
  return {dashed, dashed + ".gz", dotted, dotted + ".gz"};
}

}  // namespace

ImageSet loadIdx(const std::string& images_path, const std::string& labels_path, int64_t limit,
                 const Normalization& norm) {
  validateNormalization(norm, 1);
  const IdxFile images = readIdx(images_path, kImageMagic, "image");
  const IdxFile labels = readIdx(labels_path, kLabelMagic, "label");
  SOTTO_ENFORCE(images.dims[0] == labels.dims[0], images_path, " holds ", images.dims[0],
                " images but ", labels_path, " holds ", labels.dims[0], " labels");
  ImageSet set;
  set.count = limit < 0 ? images.dims[0] : std::min(limit, images.dims[0]);
  set.channels = 1;
  set.height = images.dims[1];
  set.width = images.dims[2];
  const int64_t hw = set.height * set.width;
  SOTTO_ENFORCE(hw > 0 || set.count == 0, images_path, ": images of ", set.height, "x", set.width,
                " pixels are empty");
  const auto* pix = images.bytes.data() + images.data_offset;
  if (hw > 0) {
    set.pixels = bytesToPixels(std::span(pix, static_cast<size_t>(set.count * hw)), 1, hw, norm);
  }
  const auto* lab = labels.bytes.data() + labels.data_offset;
  set.labels.assign(lab, lab + set.count);
  return set;
}

ImageSet loadMnistDir(const std::string& dir, bool test_split, int64_t limit,
                      const Normalization& norm) {
  const std::string split = test_split ? "t10k" : "train";
  const std::string images = findFirst(dir, candidates(split, "images", 3), "image");
  const std::string labels = findFirst(dir, candidates(split, "labels", 1), "label");
  return loadIdx(images, labels, limit, norm);
}

void writeIdx(const std::string& images_path, const std::string& labels_path, const ImageSet& set,
              bool gzip) {
  SOTTO_ENFORCE(set.channels == 1, "writeIdx: IDX images have one channel, the set has ",
                set.channels);
  SOTTO_ENFORCE(set.count >= 0 && set.height > 0 && set.width > 0 &&
                    set.pixels.size() == static_cast<size_t>(set.count * set.imageSize()) &&
                    set.labels.size() == static_cast<size_t>(set.count),
                "writeIdx: inconsistent image set (count ", set.count, ", ", set.height, "x",
                set.width, ", ", set.pixels.size(), " pixels, ", set.labels.size(), " labels)");
  std::vector<uint8_t> img;
  img.reserve(16 + set.pixels.size());
  putBigEndian32(img, kImageMagic);
  putBigEndian32(img, static_cast<uint32_t>(set.count));
  putBigEndian32(img, static_cast<uint32_t>(set.height));
  putBigEndian32(img, static_cast<uint32_t>(set.width));
  const auto bytes = pixelsToBytes(set.pixels);
  img.insert(img.end(), bytes.begin(), bytes.end());
  std::vector<uint8_t> lab;
  putBigEndian32(lab, kLabelMagic);
  putBigEndian32(lab, static_cast<uint32_t>(set.count));
  lab.insert(lab.end(), set.labels.begin(), set.labels.end());
  detail::writeFileBytes(images_path, img, gzip);
  detail::writeFileBytes(labels_path, lab, gzip);
}

}  // namespace sotto::data
