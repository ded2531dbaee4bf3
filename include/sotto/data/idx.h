#pragma once
/// @file idx.h
/// Readers and a writer for the IDX files of MNIST and Fashion-MNIST: a big-endian header
/// (magic 0x00000803 for uint8 images [n, rows, cols], 0x00000801 for uint8 labels [n], then the
/// dimensions as 32-bit words) followed by the raw bytes. Files may be plain or gzip-compressed;
/// gzip is detected by its magic bytes (1f 8b), not by the file name.
///
/// Every reader reads and checks the whole file, then keeps the first `limit` images. Measured:
/// the gzipped Fashion-MNIST test split (10,000 images) loads in ~45 ms, the training split
/// (60,000) in ~0.3 s, almost all of it decompression.

#include <cstdint>
#include <string>

#include "sotto/data/image_set.h"

namespace sotto::data {

/// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
inline constexpr char kFashionMnistDir[] = "/usr/share/datasets/fashion-mnist";

/// Loads images [n, 1, rows, cols] and their labels from two IDX files. `limit` < 0 reads every
/// image; a limit larger than the file holds is clamped. Pixels are byte/255 then normalised.
/// Cost: reads both files whole (plus decompression when gzipped).
/// @throws InvalidArgument naming the file and the problem: missing or unreadable file, corrupt
///         gzip data, a magic that is not an IDX image (resp. label) file, a truncated file or one
///         with trailing bytes ("expected N bytes, got M"), images and labels counting different
///         numbers of items, or a normalisation that does not fit one channel.
ImageSet loadIdx(const std::string& images_path, const std::string& labels_path, int64_t limit = -1,
                 const Normalization& norm = {});

/// Loads the test split (t10k-*) or the training split (train-*) of an MNIST-style directory.
/// Accepts `<split>-images-idx3-ubyte` and `<split>-labels-idx1-ubyte` as well as the dotted
/// names some mirrors use (`<split>-images.idx3-ubyte`), each plain or with a `.gz` suffix.
/// @throws InvalidArgument when no candidate file exists (the message lists the names tried),
///         and everything loadIdx throws.
ImageSet loadMnistDir(const std::string& dir, bool test_split = true, int64_t limit = -1,
                      const Normalization& norm = {});

/// Writes `set` (one channel; pixels read as un-normalised values in [0, 1], see pixelsToBytes)
/// as an IDX image file and an IDX label file, gzip-compressed when `gzip` is true.
/// @throws InvalidArgument if the set is not single-channel or its sizes are inconsistent, or a
///         file cannot be written.
void writeIdx(const std::string& images_path, const std::string& labels_path, const ImageSet& set,
              bool gzip = false);

}  // namespace sotto::data
