#include "lpn.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/error.h"
#include "sotto/ot/ferret_params.h"

namespace sotto::ot::detail {

void lpnEncode(std::span<const Block> base, std::span<Block> out,
               std::span<const uint8_t> base_bits, std::span<uint8_t> out_bits) {
  const size_t k = base.size();
  SOTTO_ENFORCE(k > 0 && k <= (size_t{1} << 32), "LPN: ", k, " base COTs (need 1 … 2^32)");
  const bool bits = !out_bits.empty();
  SOTTO_ENFORCE(!bits || (out_bits.size() == out.size() && base_bits.size() == k),
                "LPN: choice bits of ", out_bits.size(), " and ", base_bits.size(), " for ",
                out.size(), " outputs and ", k, " base COTs");
  constexpr size_t kPass = 2048, d = kLpnD, kAhead = 8;
  Prg prg(kLpnSeed);
  std::vector<uint32_t> words(kPass * d);
  for (size_t off = 0; off < out.size(); off += kPass) {
    const size_t n = std::min(kPass, out.size() - off);
    prg.fill(std::as_writable_bytes(std::span(words.data(), n * d)));
    // index = ⌊word · k / 2^32⌋ (Lemire's multiply-shift: no division; as close to uniform as
    // word mod k, off by at most k / 2^32 in probability)
    for (size_t w = 0; w < n * d; ++w)
      words[w] = static_cast<uint32_t>((uint64_t{words[w]} * k) >> 32);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t* a = words.data() + i * d;
      if (i + kAhead < n) {  // the gathers miss the cache (k blocks: 7 MB at b13): fetch ahead
        for (size_t j = 0; j < d; ++j) __builtin_prefetch(&base[a[kAhead * d + j]]);
      }
      Block acc = out[off + i];
      for (size_t j = 0; j < d; ++j) acc ^= base[a[j]];
      out[off + i] = acc;
      if (bits) {
        uint8_t c = out_bits[off + i];
        for (size_t j = 0; j < d; ++j) c ^= base_bits[a[j]];
        out_bits[off + i] = c;
      }
    }
  }
}

}  // namespace sotto::ot::detail
