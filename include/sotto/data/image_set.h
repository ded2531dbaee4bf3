#pragma once
/// @file image_set.h
/// A labelled batch of images in memory, as the dataset loaders (idx.h, cifar10.h) return it,
/// and the per-channel normalisation they apply while loading.

#include <cstdint>
#include <span>
#include <vector>

namespace sotto::data {

/// `count` images of channels x height x width float pixels, stored NCHW (image-major, then
/// channel, row, column), with one label per image.
struct ImageSet {
  int64_t count = 0;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  std::vector<float> pixels;    // count * channels * height * width values, NCHW
  std::vector<uint8_t> labels;  // count labels

  /// Values per image: channels * height * width.
  int64_t imageSize() const { return channels * height * width; }
  /// The pixels of image i, 0 <= i < count (not checked).
  std::span<const float> image(int64_t i) const {
    return std::span<const float>(pixels).subspan(i * imageSize(), imageSize());
  }
};

/// Per-channel normalisation applied after scaling bytes to [0, 1]:
///   pixel = (byte / 255 - mean[c]) / stddev[c].
/// Empty vectors mean "no normalisation" (pixels stay byte / 255). A single value applies to
/// every channel.
struct Normalization {
  std::vector<double> mean;
  std::vector<double> stddev;
};

/// The normalisation Sotto's Fashion-MNIST models were trained with: (x/255 - 0.2860) / 0.3530
/// (the training set's pixel mean and standard deviation).
Normalization fashionMnistNormalization();

/// Checks `norm` against a channel count: mean and stddev have the same size, which is 0, 1 or
/// `channels`, and every stddev is finite and > 0. @throws InvalidArgument naming the problem.
void validateNormalization(const Normalization& norm, int64_t channels);

/// Converts `bytes` (NCHW, count * channels * hw values) to floats, byte / 255 then normalised.
/// Cost: one pass. @throws InvalidArgument if `norm` does not fit `channels`.
std::vector<float> bytesToPixels(std::span<const uint8_t> bytes, int64_t channels, int64_t hw,
                                 const Normalization& norm);

/// The inverse for writers: floats in [0, 1] (un-normalised) to bytes, round(p * 255) clamped
/// to 0..255 (NaN becomes 0).
std::vector<uint8_t> pixelsToBytes(std::span<const float> pixels);

}  // namespace sotto::data
