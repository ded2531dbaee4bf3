#pragma once
// Small helpers of the two-party linear-layer tests: full-range random ring tensors, additive
// sharing, and SecureML's local truncation of a share (party 0 shifts its share, party 1 the
// negation of its own; the sum is off by at most 1 ulp with probability 1 − |x|/2^63).

#include <cstdint>
#include <random>
#include <utility>

#include "sotto/tensor/ring_tensor.h"

namespace sotto::testing {

inline RingTensor randomRing(const Shape& shape, std::mt19937_64& rng) {
  RingTensor t(shape);
  for (uint64_t& v : t.data()) v = rng();
  return t;
}

/// {x0, x1} with x0 + x1 = x mod 2^64, x1 uniform.
inline std::pair<RingTensor, RingTensor> shareOf(const RingTensor& x, std::mt19937_64& rng) {
  RingTensor x1 = randomRing(x.shape(), rng), x0 = x;
  x0 -= x1;
  return {std::move(x0), std::move(x1)};
}

inline uint64_t truncateShare(uint64_t v, int party, int bits) {
  if (party == 0) return static_cast<uint64_t>(static_cast<int64_t>(v) >> bits);
  return uint64_t{0} - static_cast<uint64_t>(static_cast<int64_t>(uint64_t{0} - v) >> bits);
}

}  // namespace sotto::testing
