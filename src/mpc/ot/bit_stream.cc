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

BitReader::BitReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

uint64_t BitReader::get(int bits) {
  SOTTO_ENFORCE_AS(ProtocolError, pos_ + static_cast<size_t>(bits) <= bytes_.size() * 8,
                   "BitReader: read past the end of a ", bytes_.size(), "-byte message");
  // Load up to 9 bytes covering [pos_, pos_ + bits).
  const size_t first = pos_ / 8;
  const int shift = static_cast<int>(pos_ % 8);
  uint64_t lo = 0;
  const size_t avail = bytes_.size() - first;
  std::memcpy(&lo, bytes_.data() + first, avail < 8 ? avail : 8);
  uint64_t v = lo >> shift;
  if (shift + bits > 64) {
    const uint64_t hi = std::to_integer<uint8_t>(bytes_[first + 8]);
    v |= hi << (64 - shift);
  }
  pos_ += static_cast<size_t>(bits);
  return lowBits(v, bits);
}

}  // namespace sotto::detail
