#include "bit_stream.h"

#include <cstring>

#include "sotto/error.h"

namespace sotto::detail {

std::vector<std::byte> packBits(std::span<const uint8_t> bits) {
  std::vector<std::byte> out(bitBytes(bits.size()));
  for (size_t i = 0; i < bits.size(); ++i) {
    out[i / 8] |= std::byte{static_cast<uint8_t>((bits[i] & 1) << (i % 8))};
  }
  return out;
}

std::vector<uint8_t> unpackBits(std::span<const std::byte> bytes, size_t n) {
  SOTTO_ENFORCE(bytes.size() * 8 >= n, "unpackBits: ", bytes.size(), " bytes for ", n, " bits");
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = (std::to_integer<uint8_t>(bytes[i / 8]) >> (i % 8)) & 1;
  }
  return out;
}

void BitWriter::put(uint64_t value, int bits) {
  value = lowBits(value, bits);
  if (used_ == 64) {
    words_.push_back(value);
    used_ = bits;
    return;
  }
  words_.back() |= value << used_;
  const int room = 64 - used_;
  if (bits <= room) {
    used_ += bits;
  } else {
    words_.push_back(value >> room);
    used_ = bits - room;
  }
}

void BitWriter::reserve(size_t bits) { words_.reserve(words_.size() + (bits + 63) / 64 + 1); }

std::vector<std::byte> BitWriter::bytes() const {
  std::vector<std::byte> out;
  appendTo(out);
  return out;
}

void BitWriter::appendTo(std::vector<std::byte>& out) const {
  const size_t bits = words_.empty() ? 0 : (words_.size() - 1) * 64 + static_cast<size_t>(used_);
  const size_t at = out.size();
  out.resize(at + bitBytes(bits));
  if (bits > 0) std::memcpy(out.data() + at, words_.data(), out.size() - at);
}

void BitReader::throwPastEnd() const {
  fail<ProtocolError>(__FILE__, __LINE__, "BitReader: read past the end of a ", bytes_.size(),
                      "-byte message");
}

}  // namespace sotto::detail
