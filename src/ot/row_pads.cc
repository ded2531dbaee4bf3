#include "row_pads.h"

#include <algorithm>
#include <vector>

#include "sotto/error.h"

namespace sotto::ot::detail {

void expandRowPads(CrHash& hash, std::span<const Block> seeds, size_t width,
                   std::span<uint64_t> out) {
  SOTTO_ENFORCE(width >= 1 && out.size() == seeds.size() * width, "expandRowPads: ", out.size(),
                " words for ", seeds.size(), " rows of ", width);
  if (width <= 2) {
    for (size_t i = 0; i < seeds.size(); ++i) {
      out[i * width] = seeds[i].lo;
      if (width == 2) out[i * width + 1] = seeds[i].hi;
    }
    return;
  }
  const size_t blocks = (width + 1) / 2;
  constexpr size_t kPass = 4096;
  std::vector<Block> in, tweak, pad;
  for (size_t first = 0; first < seeds.size(); first += kPass) {
    const size_t m = std::min(kPass, seeds.size() - first);
    in.resize(m * blocks);
    tweak.resize(m * blocks);
    pad.resize(m * blocks);
    for (size_t i = 0; i < m; ++i) {
      for (size_t b = 0; b < blocks; ++b) {
        in[i * blocks + b] = seeds[first + i];
        tweak[i * blocks + b] = Block{b, kDomainRowExpand};
      }
    }
    hash.hash(in, tweak, pad);  // pad block b of row i = H(seed_i, (b, kDomainRowExpand))
    for (size_t i = 0; i < m; ++i) {
      for (size_t w = 0; w < width; ++w) {
        const Block& p = pad[i * blocks + w / 2];
        out[(first + i) * width + w] = w % 2 == 0 ? p.lo : p.hi;
      }
    }
  }
}

}  // namespace sotto::ot::detail
