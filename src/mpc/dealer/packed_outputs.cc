#include "packed_outputs.h"

#include <cstring>
#include <numeric>

#include "../ot/bit_stream.h"
#include "sotto/error.h"

namespace sotto::detail {
namespace {

// Bits of the packed entries [0, n) of an output whose entry i has bits[i mod size] bits.
size_t outputBits(int64_t n, const std::vector<int>& bits) {
  const auto size = static_cast<int64_t>(bits.size());
  const int64_t row = std::accumulate(bits.begin(), bits.end(), int64_t{0});
  int64_t total = n / size * row;
  for (int64_t i = 0; i < n % size; ++i) total += bits[static_cast<size_t>(i)];
  return static_cast<size_t>(total);
}

size_t outputBytes(const Shape& shape, const std::vector<int>& bits) {
  return bits.empty() ? 8 * static_cast<size_t>(shape.numel())
                      : bitBytes(outputBits(shape.numel(), bits));
}

}  // namespace

bool anyPacked(const OutputBits& bits) {
  for (const auto& b : bits) {
    if (!b.empty()) return true;
  }
  return false;
}

size_t packedBytes(const std::vector<Shape>& shapes, const OutputBits& bits) {
  size_t total = 0;
  for (size_t k = 0; k < shapes.size(); ++k) total += outputBytes(shapes[k], bits[k]);
  return total;
}

std::vector<std::byte> packOutputs(std::span<const uint64_t> words,
                                   const std::vector<Shape>& shapes, const OutputBits& bits) {
  std::vector<std::byte> out;
  out.reserve(packedBytes(shapes, bits));
  size_t at = 0;
  for (size_t k = 0; k < shapes.size(); ++k) {
    const auto n = static_cast<size_t>(shapes[k].numel());
    const auto values = words.subspan(at, n);
    at += n;
    if (bits[k].empty()) {
      const auto b = std::as_bytes(values);
      out.insert(out.end(), b.begin(), b.end());
      continue;
    }
    BitWriter w;
    w.reserve(outputBytes(shapes[k], bits[k]) * 8);
    const size_t cols = bits[k].size();
    for (size_t i = 0; i < n; ++i) w.put(values[i], bits[k][i % cols]);
    w.appendTo(out);
  }
  return out;
}

std::vector<RingTensor> unpackOutputs(std::span<const std::byte> bytes,
                                      const std::vector<Shape>& shapes, const OutputBits& bits) {
  SOTTO_ENFORCE_AS(ProtocolError, bytes.size() == packedBytes(shapes, bits),
                   "packed correlation of ", bytes.size(), " bytes, expected ",
                   packedBytes(shapes, bits));
  std::vector<RingTensor> out;
  out.reserve(shapes.size());
  size_t at = 0;
  for (size_t k = 0; k < shapes.size(); ++k) {
    const size_t size = outputBytes(shapes[k], bits[k]);
    const auto part = bytes.subspan(at, size);
    at += size;
    out.push_back(RingTensor::uninitialized(shapes[k]));
    auto values = out.back().data();
    if (bits[k].empty()) {
      std::memcpy(values.data(), part.data(), size);
      continue;
    }
    BitReader r(part);
    const size_t cols = bits[k].size();
    for (size_t i = 0; i < values.size(); ++i) values[i] = r.get(bits[k][i % cols]);
  }
  return out;
}

}  // namespace sotto::detail
