#pragma once
/// @file block.h
/// Block: the engine's 128-bit (κ-bit) value: base-OT keys, IKNP rows, COT correlations, hashes.
/// Bit i is bit i % 64 of `lo` (i < 64) or of `hi`; in memory, lo's 8 bytes (little-endian) come
/// first, so a Block is 16 bytes whose bit i is bit i % 8 of byte i / 8 (the layout of every
/// packed bit vector in sotto::ot).

#include <cstdint>

namespace sotto::ot {

struct alignas(16) Block {
  uint64_t lo = 0;
  uint64_t hi = 0;

  friend constexpr Block operator^(Block a, Block b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; }
  friend constexpr Block operator&(Block a, Block b) { return {a.lo & b.lo, a.hi & b.hi}; }
  constexpr Block& operator^=(Block b) {
    lo ^= b.lo;
    hi ^= b.hi;
    return *this;
  }
  friend constexpr bool operator==(Block a, Block b) = default;

  /// Bit i, i in [0, 128).
  constexpr bool bit(int i) const { return (((i < 64) ? lo : hi) >> (i & 63)) & 1; }
  /// Sets bit i to v.
  constexpr void setBit(int i, bool v) {
    uint64_t& w = i < 64 ? lo : hi;
    w = (w & ~(uint64_t{1} << (i & 63))) | (uint64_t{v} << (i & 63));
  }
  /// All ones if b, else zero: the multiplexer of b·Δ.
  static constexpr Block mask(bool b) { return b ? Block{~uint64_t{0}, ~uint64_t{0}} : Block{}; }
};

static_assert(sizeof(Block) == 16);

}  // namespace sotto::ot
