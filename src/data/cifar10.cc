#include "sotto/data/cifar10.h"

#include <algorithm>
#include <filesystem>

#include "data/file_bytes.h"
#include "sotto/error.h"

namespace sotto::data {
namespace {

constexpr int64_t kPlane = kCifarSide * kCifarSide;  // 1024 pixels per channel
constexpr int64_t kChannels = 3;
constexpr int kClasses = 10;

}  // namespace

ImageSet loadCifar10(const std::vector<std::string>& paths, int64_t limit,
                     const Normalization& norm) {
  SOTTO_ENFORCE(!paths.empty(), "loadCifar10: no files given");
  validateNormalization(norm, kChannels);
  ImageSet set{0, kChannels, kCifarSide, kCifarSide, {}, {}};
  std::vector<uint8_t> pixel_bytes;
  for (const auto& path : paths) {
    if (limit >= 0 && set.count >= limit) break;
    const std::vector<uint8_t> b = detail::readFileBytes(path);
    SOTTO_ENFORCE(!b.empty(), path, ": empty file (no CIFAR-10 records)");
    SOTTO_ENFORCE(b.size() % kCifarRecordBytes == 0, path, ": size ", b.size(),
                  " is not a multiple of the ", kCifarRecordBytes,
                  "-byte CIFAR-10 record (1 label byte + 3072 pixel bytes)");
    int64_t records = static_cast<int64_t>(b.size()) / kCifarRecordBytes;
    if (limit >= 0) records = std::min(records, limit - set.count);
    for (int64_t r = 0; r < records; ++r) {
      const uint8_t* rec = b.data() + r * kCifarRecordBytes;
      SOTTO_ENFORCE(rec[0] < kClasses, path, ": record ", r, " has label ", int{rec[0]},
                    " (CIFAR-10 labels are 0..9)");
      set.labels.push_back(rec[0]);
      pixel_bytes.insert(pixel_bytes.end(), rec + 1, rec + kCifarRecordBytes);
    }
    set.count += records;
  }
  if (set.count > 0) set.pixels = bytesToPixels(pixel_bytes, kChannels, kPlane, norm);
  return set;
}

ImageSet loadCifar10Dir(const std::string& dir, bool test_split, int64_t limit,
                        const Normalization& norm) {
  std::vector<std::string> names;
  if (test_split) {
    names = {"test_batch.bin"};
  } else {
    for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i) + ".bin");
  }
  std::filesystem::path base(dir);
  if (!detail::isFile((base / names[0]).string()) &&
      detail::isFile((base / "cifar-10-batches-bin" / names[0]).string())) {
    base /= "cifar-10-batches-bin";
  }
  std::vector<std::string> paths;
  for (const auto& n : names) {
    const std::string path = (base / n).string();
    SOTTO_ENFORCE(detail::isFile(path), dir, ": no CIFAR-10 file ", n, " (looked in ", dir, " and ",
                  dir, "/cifar-10-batches-bin)");
    paths.push_back(path);
  }
  return loadCifar10(paths, limit, norm);
}

void writeCifar10(const std::string& path, const ImageSet& set) {
  SOTTO_ENFORCE(set.channels == kChannels && set.height == kCifarSide && set.width == kCifarSide,
                "writeCifar10: CIFAR-10 images are 3x32x32, the set has ", set.channels, "x",
                set.height, "x", set.width);
  SOTTO_ENFORCE(set.count >= 0 &&
                    set.pixels.size() == static_cast<size_t>(set.count * set.imageSize()) &&
                    set.labels.size() == static_cast<size_t>(set.count),
                "writeCifar10: inconsistent image set (count ", set.count, ", ", set.pixels.size(),
                " pixels, ", set.labels.size(), " labels)");
  const std::vector<uint8_t> bytes = pixelsToBytes(set.pixels);
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(set.count * kCifarRecordBytes));
  for (int64_t i = 0; i < set.count; ++i) {
    SOTTO_ENFORCE(set.labels[i] < kClasses, "writeCifar10: image ", i, " has label ",
                  int{set.labels[i]}, " (CIFAR-10 labels are 0..9)");
    out.push_back(set.labels[i]);
    const auto* img = bytes.data() + i * set.imageSize();
    out.insert(out.end(), img, img + set.imageSize());
  }
  detail::writeFileBytes(path, out, /*gzip=*/false);
}

}  // namespace sotto::data
