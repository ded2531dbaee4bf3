// Dataset loaders: the real Fashion-MNIST test set (skipped when the Debian package is missing),
// generated IDX and CIFAR-10 files (plain and gzip, written byte by byte here so the readers are
// checked against the format, not against Sotto's own writers), normalisation, and every error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <numeric>
#include <string>
#include <vector>

#include "sotto/data/cifar10.h"
#include "sotto/data/idx.h"
#include "sotto/error.h"

namespace sotto::data {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed at the end.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("sotto_data_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::vector<uint8_t> readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void putU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// Pixel byte of a generated image: a formula that varies along every axis.
uint8_t genByte(int64_t i, int64_t c, int64_t y, int64_t x) {
  return static_cast<uint8_t>((i * 37 + c * 101 + y * 13 + x * 3) % 256);
}

// IDX files written by hand: n images of rows x cols, labels (i * 3) % 10.
std::vector<uint8_t> idxImages(uint32_t n, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> b;
  putU32(b, 0x00000803);
  putU32(b, n);
  putU32(b, rows);
  putU32(b, cols);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t y = 0; y < rows; ++y) {
      for (uint32_t x = 0; x < cols; ++x) b.push_back(genByte(i, 0, y, x));
    }
  }
  return b;
}

std::vector<uint8_t> idxLabels(uint32_t n) {
  std::vector<uint8_t> b;
  putU32(b, 0x00000801);
  putU32(b, n);
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>((i * 3) % 10));
  return b;
}

// A CIFAR-10 file written by hand: records first..first+n-1, label (i * 7) % 10.
std::vector<uint8_t> cifarRecords(int64_t first, int64_t n) {
  std::vector<uint8_t> b;
  for (int64_t i = first; i < first + n; ++i) {
    b.push_back(static_cast<uint8_t>((i * 7) % 10));
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t y = 0; y < 32; ++y) {
        for (int64_t x = 0; x < 32; ++x) b.push_back(genByte(i, c, y, x));
      }
    }
  }
  return b;
}

// Runs fn, expects sotto::InvalidArgument whose message contains every one of `parts`.
void expectInvalid(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning '" << *parts.begin() << "'";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    for (const auto& p : parts) EXPECT_NE(what.find(p), std::string::npos) << what;
  }
}

// Checks a generated single-channel set against genByte (pixels = byte / 255).
void expectGeneratedIdx(const ImageSet& s, int64_t n, int64_t rows, int64_t cols) {
  ASSERT_EQ(s.count, n);
  ASSERT_EQ(s.channels, 1);
  ASSERT_EQ(s.height, rows);
  ASSERT_EQ(s.width, cols);
  ASSERT_EQ(s.pixels.size(), static_cast<size_t>(n * rows * cols));
  ASSERT_EQ(s.labels.size(), static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_EQ(s.labels[i], (i * 3) % 10);
    for (int64_t y = 0; y < rows; ++y) {
      for (int64_t x = 0; x < cols; ++x) {
        ASSERT_EQ(s.image(i)[y * cols + x], static_cast<float>(genByte(i, 0, y, x) / 255.0))
            << "image " << i << " (" << y << ", " << x << ")";
      }
    }
  }
}

// ---------------------------------------------------------------- Fashion-MNIST (real data)

class FashionMnistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kFashionMnistDir)) {
      GTEST_SKIP() << kFashionMnistDir
                   << " is missing: install the Debian package dataset-fashion-mnist "
                      "(scripts/setup does)";
    }
  }
};

TEST_F(FashionMnistTest, TestSplitShapeLabelsAndPixelStatistics) {
  const ImageSet s = loadMnistDir(kFashionMnistDir);
  ASSERT_EQ(s.count, 10000);
  EXPECT_EQ(s.channels, 1);
  EXPECT_EQ(s.height, 28);
  EXPECT_EQ(s.width, 28);
  ASSERT_EQ(s.pixels.size(), 10000u * 28 * 28);
  // The test split is balanced: 1000 images of each of the 10 classes.
  std::vector<int> per_class(10, 0);
  for (uint8_t l : s.labels) {
    ASSERT_LT(l, 10);
    ++per_class[l];
  }
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 1000) << "class " << c;
  const std::vector<uint8_t> first16 = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1};
  EXPECT_EQ(std::vector<uint8_t>(s.labels.begin(), s.labels.begin() + 16), first16);
  // Statistics of the whole split (numpy: mean 0.286849, std 0.352444 after /255).
  double sum = 0, sq = 0;
  float lo = 1, hi = 0;
  for (float p : s.pixels) {
    sum += p;
    sq += static_cast<double>(p) * p;
    lo = std::min(lo, p);
    hi = std::max(hi, p);
  }
  const double mean = sum / s.pixels.size();
  EXPECT_NEAR(mean, 0.286849, 1e-5);
  EXPECT_NEAR(std::sqrt(sq / s.pixels.size() - mean * mean), 0.352444, 1e-5);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
  // Individual pixels of image 0 (row-major): byte sum 33456, [14][14] = 110, [20][5] = 184.
  double bytes0 = 0;
  for (float p : s.image(0)) bytes0 += std::round(p * 255.0);
  EXPECT_EQ(bytes0, 33456);
  EXPECT_FLOAT_EQ(s.image(0)[14 * 28 + 14], 110 / 255.0f);
  EXPECT_FLOAT_EQ(s.image(0)[20 * 28 + 5], 184 / 255.0f);
  double bytes_last = 0;
  for (float p : s.image(9999)) bytes_last += std::round(p * 255.0);
  EXPECT_EQ(bytes_last, 24390);
}

TEST_F(FashionMnistTest, NormalisedWithTheModelsStatisticsAndLimited) {
  const ImageSet all = loadMnistDir(kFashionMnistDir);
  const ImageSet s = loadMnistDir(kFashionMnistDir, true, 100, fashionMnistNormalization());
  ASSERT_EQ(s.count, 100);
  ASSERT_EQ(s.pixels.size(), 100u * 784);
  for (size_t e = 0; e < s.pixels.size(); ++e) {
    ASSERT_NEAR(s.pixels[e], (all.pixels[e] - 0.2860) / 0.3530, 1e-6) << e;
  }
  EXPECT_EQ(std::vector<uint8_t>(all.labels.begin(), all.labels.begin() + 100), s.labels);
  // A limit beyond the split is clamped.
  EXPECT_EQ(loadMnistDir(kFashionMnistDir, true, 123456).count, 10000);
  EXPECT_EQ(loadMnistDir(kFashionMnistDir, true, 0).count, 0);
}

TEST_F(FashionMnistTest, TrainSplitIsBalanced) {
  const ImageSet s = loadMnistDir(kFashionMnistDir, /*test_split=*/false);
  ASSERT_EQ(s.count, 60000);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : s.labels) ++per_class.at(l);
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 6000) << "class " << c;
  // The training-set mean behind fashionMnistNormalization(): 0.28604.
  const double mean = std::accumulate(s.pixels.begin(), s.pixels.end(), 0.0) / s.pixels.size();
  EXPECT_NEAR(mean, 0.286040, 1e-5);
}

// ---------------------------------------------------------------- IDX files

TEST(IdxTest, ReadsHandWrittenPlainAndGzipFiles) {
  TempDir dir;
  writeBytes(dir.file("img"), idxImages(7, 3, 5));
  writeBytes(dir.file("lab"), idxLabels(7));
  expectGeneratedIdx(loadIdx(dir.file("img"), dir.file("lab")), 7, 3, 5);
  // Gzip is detected by content: compress with Sotto's writer, then compare with the plain read.
  const ImageSet plain = loadIdx(dir.file("img"), dir.file("lab"));
  writeIdx(dir.file("img.gz"), dir.file("lab.gz"), plain, /*gzip=*/true);
  const auto gz = readBytes(dir.file("img.gz"));
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(gz[0], 0x1f);
  EXPECT_EQ(gz[1], 0x8b);
  EXPECT_LT(gz.size(), readBytes(dir.file("img")).size() + 64);
  expectGeneratedIdx(loadIdx(dir.file("img.gz"), dir.file("lab.gz")), 7, 3, 5);
  // A gzipped file without .gz in its name, and a plain file with one, both read correctly.
  fs::rename(dir.file("img.gz"), dir.file("img_compressed"));
  fs::copy_file(dir.file("lab"), dir.file("lab_plain.gz"));
  expectGeneratedIdx(loadIdx(dir.file("img_compressed"), dir.file("lab_plain.gz")), 7, 3, 5);
}

TEST(IdxTest, WriterRoundTripsExactly) {
  TempDir dir;
  for (bool gzip : {false, true}) {
    ImageSet s{4, 1, 6, 2, {}, {3, 1, 4, 1}};
    for (int64_t e = 0; e < 4 * 12; ++e) s.pixels.push_back(static_cast<float>((e * 5) / 255.0));
    writeIdx(dir.file("i"), dir.file("l"), s, gzip);
    // The writer's bytes are exactly the format: header then pixels.
    if (!gzip) {
      const auto b = readBytes(dir.file("i"));
      ASSERT_EQ(b.size(), 16u + 48);
      EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.begin() + 16),
                (std::vector<uint8_t>{0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 2}));
      EXPECT_EQ(b[16 + 10], 50);
    }
    const ImageSet r = loadIdx(dir.file("i"), dir.file("l"));
    EXPECT_EQ(r.count, 4);
    EXPECT_EQ(r.height, 6);
    EXPECT_EQ(r.width, 2);
    EXPECT_EQ(r.pixels, s.pixels) << "gzip " << gzip;
    EXPECT_EQ(r.labels, s.labels);
  }
}

TEST(IdxTest, LimitTakesAPrefixAndClamps) {
  TempDir dir;
  writeBytes(dir.file("img"), idxImages(9, 4, 4));
  writeBytes(dir.file("lab"), idxLabels(9));
  expectGeneratedIdx(loadIdx(dir.file("img"), dir.file("lab"), 3), 3, 4, 4);
  expectGeneratedIdx(loadIdx(dir.file("img"), dir.file("lab"), 1000), 9, 4, 4);
  const ImageSet none = loadIdx(dir.file("img"), dir.file("lab"), 0);
  EXPECT_EQ(none.count, 0);
  EXPECT_TRUE(none.pixels.empty());
  EXPECT_TRUE(none.labels.empty());
}

TEST(IdxTest, MnistDirFindsDashedDottedAndGzippedNames) {
  TempDir dir;
  // Test split under the dotted names, training split gzipped under the standard names.
  writeBytes(dir.file("t10k-images.idx3-ubyte"), idxImages(5, 2, 3));
  writeBytes(dir.file("t10k-labels.idx1-ubyte"), idxLabels(5));
  writeBytes(dir.file("plain-i"), idxImages(6, 2, 3));
  writeBytes(dir.file("plain-l"), idxLabels(6));
  const ImageSet train = loadIdx(dir.file("plain-i"), dir.file("plain-l"));
  writeIdx(dir.file("train-images-idx3-ubyte.gz"), dir.file("train-labels-idx1-ubyte.gz"), train,
           true);
  expectGeneratedIdx(loadMnistDir(dir.str()), 5, 2, 3);
  expectGeneratedIdx(loadMnistDir(dir.str(), false), 6, 2, 3);
  expectGeneratedIdx(loadMnistDir(dir.str(), false, 2), 2, 2, 3);
}

TEST(IdxTest, Errors) {
  TempDir dir;
  const auto img = idxImages(7, 3, 5);
  const auto lab = idxLabels(7);
  writeBytes(dir.file("img"), img);
  writeBytes(dir.file("lab"), lab);

  // Missing file, and a directory where a file should be.
  expectInvalid([&] { loadIdx(dir.file("nope"), dir.file("lab")); },
                {dir.file("nope"), "no such file"});
  expectInvalid([&] { loadIdx(dir.str(), dir.file("lab")); }, {dir.str(), "is a directory"});
  // Wrong magic: labels given as images and the other way round.
  expectInvalid([&] { loadIdx(dir.file("lab"), dir.file("lab")); },
                {dir.file("lab"), "not an IDX image file", "0x00000801", "0x00000803"});
  expectInvalid([&] { loadIdx(dir.file("img"), dir.file("img")); },
                {dir.file("img"), "not an IDX label file"});
  writeBytes(dir.file("tiny"), {0, 0});
  expectInvalid([&] { loadIdx(dir.file("tiny"), dir.file("lab")); },
                {dir.file("tiny"), "not an IDX image file", "too short"});
  // Truncated data and truncated header.
  writeBytes(dir.file("trunc"), std::vector<uint8_t>(img.begin(), img.end() - 10));
  expectInvalid([&] { loadIdx(dir.file("trunc"), dir.file("lab")); },
                {dir.file("trunc"), "truncated file", "expected 121 bytes, got 111"});
  writeBytes(dir.file("trunc_header"), std::vector<uint8_t>(img.begin(), img.begin() + 10));
  expectInvalid([&] { loadIdx(dir.file("trunc_header"), dir.file("lab")); },
                {dir.file("trunc_header"), "truncated IDX header", "expected 16 bytes, got 10"});
  // An absurd header (4G x 4G x 4G images) is reported as truncation, not an overflow.
  std::vector<uint8_t> huge = {0,    0,    8,    3,    0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  writeBytes(dir.file("huge"), huge);
  expectInvalid([&] { loadIdx(dir.file("huge"), dir.file("lab")); },
                {dir.file("huge"), "truncated file", "got 16)"});
  // Trailing bytes.
  auto longer = lab;
  longer.push_back(1);
  writeBytes(dir.file("long"), longer);
  expectInvalid([&] { loadIdx(dir.file("img"), dir.file("long")); },
                {dir.file("long"), "trailing data", "expected 15 bytes, got 16"});
  // Count mismatch.
  writeBytes(dir.file("lab6"), idxLabels(6));
  expectInvalid([&] { loadIdx(dir.file("img"), dir.file("lab6")); },
                {"holds 7 images but", dir.file("lab6"), "holds 6 labels"});
  // Corrupt gzip: damage the deflate stream, then cut it short.
  writeIdx(dir.file("img.gz"), dir.file("lab.gz"), loadIdx(dir.file("img"), dir.file("lab")), true);
  auto gz = readBytes(dir.file("img.gz"));
  auto bad = gz;
  for (size_t k = 10; k < bad.size() - 8; ++k) bad[k] ^= 0x5a;
  writeBytes(dir.file("bad.gz"), bad);
  expectInvalid([&] { loadIdx(dir.file("bad.gz"), dir.file("lab")); },
                {dir.file("bad.gz"), "corrupt gzip data"});
  writeBytes(dir.file("cut.gz"), std::vector<uint8_t>(gz.begin(), gz.begin() + gz.size() / 2));
  expectInvalid([&] { loadIdx(dir.file("cut.gz"), dir.file("lab")); },
                {dir.file("cut.gz"), "corrupt gzip data", "truncated"});
  // Directory without MNIST files: the message lists the names tried.
  TempDir empty_holder;
  const std::string empty = empty_holder.file("empty");
  fs::create_directories(empty);
  expectInvalid(
      [&] { loadMnistDir(empty); },
      {empty, "no MNIST image file", "t10k-images-idx3-ubyte.gz", "t10k-images.idx3-ubyte"});
  expectInvalid([&] { loadMnistDir(empty, false); }, {"train-images-idx3-ubyte"});
  // Writer: IDX holds one channel only; inconsistent sizes are refused.
  ImageSet rgb{1, 3, 2, 2, std::vector<float>(12, 0.5f), {1}};
  expectInvalid([&] { writeIdx(dir.file("w_i"), dir.file("w_l"), rgb); }, {"one channel"});
  ImageSet short_pixels{2, 1, 2, 2, std::vector<float>(7, 0.5f), {1, 2}};
  expectInvalid([&] { writeIdx(dir.file("w_i"), dir.file("w_l"), short_pixels); },
                {"inconsistent image set", "7 pixels"});
  expectInvalid(
      [&] {
        writeIdx(dir.file("no_dir/i"), dir.file("no_dir/l"), ImageSet{1, 1, 1, 1, {0.5f}, {1}});
      },
      {dir.file("no_dir/i"), "cannot open for writing"});
}

// ---------------------------------------------------------------- CIFAR-10 files

// Checks a set loaded from cifarRecords(first, n) (pixels = byte / 255, channel-planar).
void expectGeneratedCifar(const ImageSet& s, int64_t first, int64_t n) {
  ASSERT_EQ(s.count, n);
  ASSERT_EQ(s.channels, 3);
  ASSERT_EQ(s.height, 32);
  ASSERT_EQ(s.width, 32);
  ASSERT_EQ(s.pixels.size(), static_cast<size_t>(n * 3072));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = first + k;
    EXPECT_EQ(s.labels[k], (i * 7) % 10);
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t y = 0; y < 32; ++y) {
        for (int64_t x = 0; x < 32; ++x) {
          ASSERT_EQ(s.image(k)[(c * 32 + y) * 32 + x],
                    static_cast<float>(genByte(i, c, y, x) / 255.0))
              << "image " << k << " channel " << c << " (" << y << ", " << x << ")";
        }
      }
    }
  }
}

TEST(CifarTest, ReadsHandWrittenRecordsAcrossFiles) {
  TempDir dir;
  writeBytes(dir.file("a.bin"), cifarRecords(0, 3));
  writeBytes(dir.file("b.bin"), cifarRecords(3, 4));
  expectGeneratedCifar(loadCifar10({dir.file("a.bin")}), 0, 3);
  expectGeneratedCifar(loadCifar10({dir.file("a.bin"), dir.file("b.bin")}), 0, 7);
  // A limit that ends inside the second file, one that ends exactly after the first (the second
  // file is then not even opened), and one beyond everything (clamped).
  expectGeneratedCifar(loadCifar10({dir.file("a.bin"), dir.file("b.bin")}, 5), 0, 5);
  expectGeneratedCifar(loadCifar10({dir.file("a.bin"), dir.file("missing.bin")}, 3), 0, 3);
  expectGeneratedCifar(loadCifar10({dir.file("a.bin"), dir.file("b.bin")}, 100), 0, 7);
  EXPECT_EQ(loadCifar10({dir.file("a.bin")}, 0).count, 0);
}

TEST(CifarTest, WriterRoundTripsAndMatchesTheFormat) {
  TempDir dir;
  const ImageSet s = loadCifar10({[&] {
    writeBytes(dir.file("src.bin"), cifarRecords(10, 4));
    return dir.file("src.bin");
  }()});
  writeCifar10(dir.file("out.bin"), s);
  EXPECT_EQ(readBytes(dir.file("out.bin")), readBytes(dir.file("src.bin")));
  const ImageSet r = loadCifar10({dir.file("out.bin")});
  EXPECT_EQ(r.pixels, s.pixels);
  EXPECT_EQ(r.labels, s.labels);
  // Pixels outside [0, 1] are clamped; values round to the nearest byte.
  ImageSet odd{1, 3, 32, 32, std::vector<float>(3072, 0.5f), {9}};
  odd.pixels[0] = -0.3f;
  odd.pixels[1] = 7.0f;
  odd.pixels[2] = 0.502f;  // 128.01 -> 128
  writeCifar10(dir.file("odd.bin"), odd);
  const auto b = readBytes(dir.file("odd.bin"));
  ASSERT_EQ(b.size(), 3073u);
  EXPECT_EQ(b[0], 9);
  EXPECT_EQ(b[1], 0);
  EXPECT_EQ(b[2], 255);
  EXPECT_EQ(b[3], 128);
  EXPECT_EQ(b[4], 128);  // 127.5 rounds half away from zero
}

TEST(CifarTest, DirFindsSplitsDirectlyOrInTheArchiveLayout) {
  TempDir dir;
  const std::string inner = dir.file("cifar-10-batches-bin");
  fs::create_directories(inner);
  writeBytes(inner + "/test_batch.bin", cifarRecords(0, 2));
  for (int b = 1; b <= 5; ++b) {
    writeBytes(inner + "/data_batch_" + std::to_string(b) + ".bin", cifarRecords(2 * b, 2));
  }
  expectGeneratedCifar(loadCifar10Dir(dir.str()), 0, 2);
  expectGeneratedCifar(loadCifar10Dir(inner), 0, 2);
  expectGeneratedCifar(loadCifar10Dir(dir.str(), false), 2, 10);
  expectGeneratedCifar(loadCifar10Dir(dir.str(), false, 3), 2, 3);
  fs::remove(inner + "/data_batch_4.bin");
  expectInvalid([&] { loadCifar10Dir(dir.str(), false); }, {"data_batch_4.bin", dir.str()});
  TempDir empty;
  expectInvalid([&] { loadCifar10Dir(empty.str()); }, {"no CIFAR-10 file test_batch.bin"});
}

TEST(CifarTest, Errors) {
  TempDir dir;
  expectInvalid([&] { loadCifar10({}); }, {"no files given"});
  expectInvalid([&] { loadCifar10({dir.file("nope.bin")}); },
                {dir.file("nope.bin"), "no such file"});
  writeBytes(dir.file("empty.bin"), {});
  expectInvalid([&] { loadCifar10({dir.file("empty.bin")}); },
                {dir.file("empty.bin"), "empty file"});
  auto rec = cifarRecords(0, 2);
  writeBytes(dir.file("odd.bin"), std::vector<uint8_t>(rec.begin(), rec.end() - 1));
  expectInvalid([&] { loadCifar10({dir.file("odd.bin")}); },
                {dir.file("odd.bin"), "size 6145", "not a multiple of the 3073-byte"});
  rec = cifarRecords(0, 3);
  rec[2 * 3073] = 12;
  writeBytes(dir.file("label.bin"), rec);
  expectInvalid([&] { loadCifar10({dir.file("label.bin")}); },
                {dir.file("label.bin"), "record 2 has label 12", "0..9"});
  // Writer: wrong geometry, bad label.
  ImageSet gray{1, 1, 32, 32, std::vector<float>(1024, 0.f), {1}};
  expectInvalid([&] { writeCifar10(dir.file("w.bin"), gray); }, {"3x32x32", "1x32x32"});
  ImageSet bad_label{1, 3, 32, 32, std::vector<float>(3072, 0.f), {10}};
  expectInvalid([&] { writeCifar10(dir.file("w.bin"), bad_label); }, {"image 0 has label 10"});
  ImageSet short_set{2, 3, 32, 32, std::vector<float>(3072, 0.f), {1, 2}};
  expectInvalid([&] { writeCifar10(dir.file("w.bin"), short_set); }, {"inconsistent image set"});
}

// ---------------------------------------------------------------- normalisation

TEST(NormalizationTest, PerChannelAndBroadcast) {
  TempDir dir;
  writeBytes(dir.file("c.bin"), cifarRecords(0, 2));
  const ImageSet raw = loadCifar10({dir.file("c.bin")});
  const Normalization per_channel{{0.1, 0.2, 0.3}, {0.5, 0.25, 2.0}};
  const ImageSet n3 = loadCifar10({dir.file("c.bin")}, -1, per_channel);
  const ImageSet n1 = loadCifar10({dir.file("c.bin")}, -1, Normalization{{0.4}, {0.2}});
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t e = 0; e < 1024; ++e) {
        const size_t k = static_cast<size_t>((i * 3 + c) * 1024 + e);
        const double byte = genByte(i, c, e / 32, e % 32);
        ASSERT_NEAR(n3.pixels[k], (byte / 255 - per_channel.mean[c]) / per_channel.stddev[c], 1e-6);
        ASSERT_NEAR(n1.pixels[k], (byte / 255 - 0.4) / 0.2, 1e-6);
        ASSERT_NEAR(n1.pixels[k], (raw.pixels[k] - 0.4) / 0.2, 1e-5);
      }
    }
  }
  const Normalization f = fashionMnistNormalization();
  ASSERT_EQ(f.mean.size(), 1u);
  EXPECT_DOUBLE_EQ(f.mean[0], 0.2860);
  EXPECT_DOUBLE_EQ(f.stddev[0], 0.3530);
}

TEST(NormalizationTest, InvalidStatisticsAreRefused) {
  TempDir dir;
  writeBytes(dir.file("c.bin"), cifarRecords(0, 1));
  writeBytes(dir.file("img"), idxImages(2, 2, 2));
  writeBytes(dir.file("lab"), idxLabels(2));
  expectInvalid(
      [&] {
        loadCifar10({dir.file("c.bin")}, -1, {{0.1, 0.2}, {1, 1}});
      },
      {"2 values per statistic", "3 channel(s)"});
  expectInvalid(
      [&] {
        loadIdx(dir.file("img"), dir.file("lab"), -1, {{0.1, 0.2, 0.3}, {1, 1, 1}});
      },
      {"3 values per statistic", "1 channel(s)"});
  expectInvalid(
      [&] {
        loadCifar10({dir.file("c.bin")}, -1, {{0.1}, {}});
      },
      {"1 means but 0 standard deviations"});
  expectInvalid(
      [&] {
        loadCifar10({dir.file("c.bin")}, -1, {{0.1}, {0.0}});
      },
      {"stddev[0] = 0", "> 0"});
  expectInvalid(
      [&] {
        loadCifar10({dir.file("c.bin")}, -1, {{NAN}, {1.0}});
      },
      {"mean[0]", "not finite"});
}

}  // namespace
}  // namespace sotto::data
