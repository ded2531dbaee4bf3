#include "bit_pack.h"

#include <cstring>

#include "sotto/error.h"

namespace sotto::ot::detail {

void packBits(std::span<const uint64_t> v, int bits, std::span<std::byte> out) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "packBits: width ", bits, " not in [1, 64]");
  SOTTO_ENFORCE(out.size() == packedSize(v.size(), bits), "packBits: ", out.size(), " bytes for ",
                v.size(), " values of ", bits, " bits");
  uint64_t acc = 0;  // pending bits, `have` < 8 of them between values
  int have = 0;
  size_t o = 0;
  for (uint64_t x : v) {
    x = lowBits(x, bits);
    acc |= x << have;  // the top `have` bits of x fall off here when have + bits > 64
    int total = have + bits;
    if (total >= 64) {
      for (int k = 0; k < 8; ++k) out[o++] = std::byte(static_cast<uint8_t>(acc >> (8 * k)));
      total -= 64;
      acc = total > 0 ? x >> (bits - total) : 0;
    }
    while (total >= 8) {
      out[o++] = std::byte(static_cast<uint8_t>(acc));
      acc >>= 8;
      total -= 8;
    }
    have = total;
  }
  if (have > 0) out[o++] = std::byte(static_cast<uint8_t>(acc));
}

uint64_t packedValueAt(std::span<const std::byte> in, int bits, size_t index) {
  const size_t p = index * static_cast<size_t>(bits), byte = p / 8;
  const int shift = static_cast<int>(p % 8);
  // the value spans bytes [byte, byte + ⌈(shift + bits) / 8⌉), at most 9 of them
  uint8_t buf[16] = {};
  std::memcpy(buf, in.data() + byte, std::min<size_t>(9, in.size() - byte));
  uint64_t w;
  std::memcpy(&w, buf, 8);
  uint64_t x = w >> shift;
  if (shift + bits > 64) x |= static_cast<uint64_t>(buf[8]) << (64 - shift);
  return lowBits(x, bits);
}

void unpackBits(std::span<const std::byte> in, int bits, std::span<uint64_t> out) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "unpackBits: width ", bits, " not in [1, 64]");
  SOTTO_ENFORCE(in.size() >= packedSize(out.size(), bits), "unpackBits: ", in.size(), " bytes for ",
                out.size(), " values of ", bits, " bits");
  for (size_t i = 0; i < out.size(); ++i) out[i] = packedValueAt(in, bits, i);
}

std::vector<std::byte> packChoices(std::span<const uint8_t> bits) {
  std::vector<std::byte> out((bits.size() + 7) / 8);
  for (size_t i = 0; i < bits.size(); ++i) out[i / 8] |= std::byte((bits[i] & 1u) << (i % 8));
  return out;
}

void unpackChoices(std::span<const std::byte> in, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>((std::to_integer<unsigned>(in[i / 8]) >> (i % 8)) & 1u);
  }
}

}  // namespace sotto::ot::detail
