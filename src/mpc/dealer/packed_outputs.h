#pragma once
// Private: a correlation's outputs on the wire with each column in the low bits the parties read
// (CorrelationRequest::outputBits): the TTP dealer packs party 0's corrections so, and party 0
// unpacks them. An output with no widths travels as whole words; one with widths as its entries'
// low bits, entry i of the output in bits[i mod bits.size()] bits, densely (little-endian bit
// order), padded to a whole byte. Entries come back with their bits above the width zero.

#include <cstddef>
#include <span>
#include <vector>

#include "sotto/tensor/ring_tensor.h"

namespace sotto::detail {

using OutputBits = std::vector<std::vector<int>>;

/// Whether any output travels packed.
bool anyPacked(const OutputBits& bits);

/// Bytes of the wire form of outputs of `shapes`.
size_t packedBytes(const std::vector<Shape>& shapes, const OutputBits& bits);

/// The wire form of `words`: every output's words, concatenated in `shapes` order.
std::vector<std::byte> packOutputs(std::span<const uint64_t> words,
                                   const std::vector<Shape>& shapes, const OutputBits& bits);

/// The outputs from their wire form. @throws ProtocolError if `bytes` is not packedBytes long.
std::vector<RingTensor> unpackOutputs(std::span<const std::byte> bytes,
                                      const std::vector<Shape>& shapes, const OutputBits& bits);

}  // namespace sotto::detail
