#pragma once
// Fixed pseudo-random words for the two-party tests: both party threads derive the same words
// from the same seed, so party 0 can take them as its share and party 1 the rest.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sotto/crypto/prg.h"

namespace sotto::testing {

/// n words of the PRG seeded with (seed, stream) in its first two bytes.
inline std::vector<uint64_t> prgWords(size_t n, uint8_t seed, uint8_t stream = 0) {
  Prg::Seed s{};
  s[0] = seed;
  s[1] = stream;
  Prg prg(s);
  std::vector<uint64_t> r(n);
  prg.fill(r);
  return r;
}

}  // namespace sotto::testing
