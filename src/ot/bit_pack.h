#pragma once
// Packing of ℓ-bit values (1 ≤ ℓ ≤ 64) and of bits, LSB first, for the OT front end's messages:
// value i occupies bits [i·ℓ, (i+1)·ℓ) of the byte string, bit p at byte p / 8, bit p % 8. The last
// byte's unused high bits are zero.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sotto::ot::detail {

/// Bytes that hold n values of `bits` bits.
constexpr size_t packedSize(size_t n, int bits) { return (n * static_cast<size_t>(bits) + 7) / 8; }

/// The low `bits` bits of x.
constexpr uint64_t lowBits(uint64_t x, int bits) {
  return bits >= 64 ? x : x & ((uint64_t{1} << bits) - 1);
}

/// Packs the low `bits` bits of each value. out.size() must be packedSize(v.size(), bits).
void packBits(std::span<const uint64_t> v, int bits, std::span<std::byte> out);
/// The value at position `index` of a packed string (its bytes up to the value's, at least).
uint64_t packedValueAt(std::span<const std::byte> in, int bits, size_t index);
/// Inverse of packBits: out.size() values from `in` (at least packedSize(out.size(), bits) bytes).
void unpackBits(std::span<const std::byte> in, int bits, std::span<uint64_t> out);

/// 0/1 bytes to packed bits (⌈n / 8⌉ bytes) and back.
std::vector<std::byte> packChoices(std::span<const uint8_t> bits);
void unpackChoices(std::span<const std::byte> in, std::span<uint8_t> out);

}  // namespace sotto::ot::detail
