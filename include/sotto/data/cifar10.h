#pragma once
/// @file cifar10.h
/// Reader and writer for CIFAR-10's binary format: a file is a sequence of 3073-byte records,
/// one label byte (0..9) then 3072 pixel bytes, channel-planar (1024 red, 1024 green, 1024 blue,
/// each 32x32 row-major). The training split is data_batch_1.bin .. data_batch_5.bin, the test
/// split test_batch.bin. Files may also be gzip-compressed (detected by magic bytes).

#include <cstdint>
#include <string>
#include <vector>

#include "sotto/data/image_set.h"

namespace sotto::data {

inline constexpr int64_t kCifarSide = 32;
inline constexpr int64_t kCifarRecordBytes = 1 + 3 * kCifarSide * kCifarSide;  // 3073

/// Loads images [n, 3, 32, 32] from the given files, in order, stopping after `limit` images
/// (`limit` < 0: all; a larger limit is clamped). Pixels are byte/255 then normalised.
/// Cost: reads each file whole (only files needed to reach `limit`).
/// @throws InvalidArgument naming the file and the problem: no paths, missing or unreadable or
///         empty file, corrupt gzip data, a size that is not a multiple of 3073, a label > 9
///         (with its record index), or a normalisation that does not fit 3 channels.
ImageSet loadCifar10(const std::vector<std::string>& paths, int64_t limit = -1,
                     const Normalization& norm = {});

/// Loads the test split (test_batch.bin) or the training split (data_batch_1..5.bin) from `dir`,
/// or from `dir`/cifar-10-batches-bin when `dir` itself does not hold them (the layout of the
/// official archive). @throws InvalidArgument when a file is missing, and what loadCifar10 throws.
ImageSet loadCifar10Dir(const std::string& dir, bool test_split = true, int64_t limit = -1,
                        const Normalization& norm = {});

/// Writes `set` (3 channels of 32x32; pixels read as un-normalised values in [0, 1], see
/// pixelsToBytes) as one CIFAR-10 binary file. Used to make small samples for tests and examples.
/// @throws InvalidArgument if the set is not [n, 3, 32, 32], its sizes are inconsistent, a label
///         is > 9, or the file cannot be written.
void writeCifar10(const std::string& path, const ImageSet& set);

}  // namespace sotto::data
