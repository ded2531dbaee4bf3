#pragma once
// Packing of the kernels' wire formats: bits (one byte 0/1 each) to bytes and back, and a stream
// of values of varying widths (the trimmed messages of the Gilboa product; the TTP dealer's
// function tables, packed_outputs.h: compiled into sotto_core for that).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sotto::detail {

/// Bits packed 8 per byte, bit i at bit i % 8 of byte i / 8.
std::vector<std::byte> packBits(std::span<const uint8_t> bits);
/// The first n bits of `bytes`. @throws InvalidArgument if bytes holds fewer than n bits.
std::vector<uint8_t> unpackBits(std::span<const std::byte> bytes, size_t n);

/// The low `bits` bits of x (bits in [1, 64]).
inline uint64_t lowBits(uint64_t x, int bits) {
  return bits >= 64 ? x : x & ((uint64_t{1} << bits) - 1);
}

/// Appends values of 1 to 64 bits each, densely (little-endian bit order).
class BitWriter {
 public:
  /// Room for `bits` more bits without reallocating.
  void reserve(size_t bits);
  void put(uint64_t value, int bits);
  /// The stream, padded with zero bits to whole bytes.
  std::vector<std::byte> bytes() const;
  /// The same, appended to `out`.
  void appendTo(std::vector<std::byte>& out) const;

 private:
  std::vector<uint64_t> words_;
  int used_ = 64;  // bits used in words_.back()
};

/// Reads what a BitWriter wrote, in the same order and widths. Inline: the kernels call it once per
/// value, millions of times per inference.
class BitReader {
 public:
  explicit BitReader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  /// The next value of `bits` bits (1 … 64). @throws ProtocolError past the end.
  uint64_t get(int bits) {
    if (pos_ + static_cast<size_t>(bits) > bytes_.size() * 8) throwPastEnd();
    // Load up to 9 bytes covering [pos_, pos_ + bits).
    const size_t first = pos_ / 8;
    const int shift = static_cast<int>(pos_ % 8);
    uint64_t lo = 0;
    const size_t avail = bytes_.size() - first;
    if (avail >= 8) {
      std::memcpy(&lo, bytes_.data() + first, 8);
    } else {
      std::memcpy(&lo, bytes_.data() + first, avail);
    }
    uint64_t v = lo >> shift;
    if (shift + bits > 64)
      v |= uint64_t{std::to_integer<uint8_t>(bytes_[first + 8])} << (64 - shift);
    pos_ += static_cast<size_t>(bits);
    return lowBits(v, bits);
  }
  /// Passes over the next `bits` bits. @throws ProtocolError past the end.
  void skip(size_t bits) {
    if (pos_ + bits > bytes_.size() * 8) throwPastEnd();
    pos_ += bits;
  }

 private:
  [[noreturn]] void throwPastEnd() const;

  std::span<const std::byte> bytes_;
  size_t pos_ = 0;  // bits read
};

/// Bytes of a BitWriter stream of `bits` bits.
inline size_t bitBytes(size_t bits) { return (bits + 7) / 8; }

}  // namespace sotto::detail
