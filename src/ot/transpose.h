#pragma once
// The IKNP bit-matrix transpose: 128 rows of n bits (one per base OT) into n rows of 128 bits (one
// per extended OT). Written for this engine: each 128×128 tile is transposed in registers by
// Eklundh's recursive block swap (7 levels: swap the off-diagonal 64×64 blocks, then 32×32 inside
// each quadrant, ... down to 1×1), about 28 SSE2 operations per output row.
#include <cstddef>

#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// out[i] bit j = bit i of row j, for i < n and j < 128, where row j is the n bits (packed, bit i
/// at byte i / 8, bit i % 8) starting at in + j * stride. n must be a multiple of 128 and stride
/// at least n / 8; out holds n Blocks.
void transpose128(const std::byte* in, size_t stride, size_t n, Block* out);

}  // namespace sotto::ot::detail
