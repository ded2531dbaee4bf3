#include "sotto/data/image_set.h"

#include <algorithm>
#include <cmath>

#include "sotto/error.h"

namespace sotto::data {

Normalization fashionMnistNormalization() { return Normalization{{0.2860}, {0.3530}}; }

void validateNormalization(const Normalization& norm, int64_t channels) {
  const size_t n = norm.mean.size();
  SOTTO_ENFORCE(n == norm.stddev.size(), "normalisation: ", n, " means but ", norm.stddev.size(),
                " standard deviations");
  SOTTO_ENFORCE(n == 0 || n == 1 || static_cast<int64_t>(n) == channels, "normalisation: ", n,
                " values per statistic for images of ", channels,
                " channel(s) (expected 0, 1 or the channel count)");
  for (size_t c = 0; c < n; ++c) {
    SOTTO_ENFORCE(std::isfinite(norm.mean[c]), "normalisation: mean[", c, "] = ", norm.mean[c],
                  " is not finite");
    SOTTO_ENFORCE(std::isfinite(norm.stddev[c]) && norm.stddev[c] > 0, "normalisation: stddev[", c,
                  "] = ", norm.stddev[c], " must be finite and > 0");
  }
}

std::vector<float> bytesToPixels(std::span<const uint8_t> bytes, int64_t channels, int64_t hw,
                                 const Normalization& norm) {
  validateNormalization(norm, channels);
  SOTTO_ENFORCE(channels > 0 && hw > 0 && bytes.size() % (channels * hw) == 0,
                "bytesToPixels: ", bytes.size(), " bytes do not hold whole images of ", channels,
                "x", hw, " values");
  // One table per channel: byte value -> normalised float (exactly what the formula gives).
  const int64_t tables = norm.mean.empty() ? 1 : channels;
  std::vector<float> lut(256 * tables);
  for (int64_t c = 0; c < tables; ++c) {
    const size_t k = norm.mean.size() == 1 ? 0 : static_cast<size_t>(c);
    const double mean = norm.mean.empty() ? 0.0 : norm.mean[k];
    const double sd = norm.stddev.empty() ? 1.0 : norm.stddev[k];
    for (int v = 0; v < 256; ++v) lut[c * 256 + v] = static_cast<float>((v / 255.0 - mean) / sd);
  }
  std::vector<float> out(bytes.size());
  const int64_t planes = static_cast<int64_t>(bytes.size()) / hw;
  for (int64_t p = 0; p < planes; ++p) {
    const float* t = lut.data() + (tables == 1 ? 0 : (p % channels) * 256);
    for (int64_t e = p * hw; e < (p + 1) * hw; ++e) out[e] = t[bytes[e]];
  }
  return out;
}

std::vector<uint8_t> pixelsToBytes(std::span<const float> pixels) {
  std::vector<uint8_t> out(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    const double v = std::round(static_cast<double>(pixels[i]) * 255.0);
    out[i] = std::isnan(v) ? 0 : static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
  }
  return out;
}

}  // namespace sotto::data
