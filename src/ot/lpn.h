#pragma once
// Ferret's LPN encoder (primal LPN, Yang, Weng, Lan, Zhang, Wang, "Ferret", CCS 2020, section 5):
// output i XORs kLpnD = 10 of the k base blocks (and, on the receiver, of their choice bits),
// indices chosen by a public PRG: sotto::Prg (AES-128-CTR through OpenSSL) under the fixed public
// seed kLpnSeed, 10 little-endian 32-bit words per output, index = ⌊word·k / 2^32⌋, output i taking
// words [10·i, 10·i + 10) of the stream (so both parties, and every round, use one matrix A).
//   out_i ^= ⊕_{j < 10} base[A_ij]      (and out_bits_i ^= ⊕_j base_bits[A_ij])
// The matrix is public by design (LPN hides the secret, not A). Private to src/ot.
#include <array>
#include <cstdint>
#include <span>

#include "sotto/ot/block.h"

namespace sotto::ot::detail {

/// The public seed of A: "sotto/ferret/lpn" in ASCII.
inline constexpr std::array<uint8_t, 16> kLpnSeed{'s', 'o', 't', 't', 'o', '/', 'f', 'e',
                                                  'r', 'r', 'e', 't', '/', 'l', 'p', 'n'};

/// out[i] ^= ⊕_j base[A_ij] for every i < out.size(); if out_bits is not empty (then of
/// out.size(), with base_bits of base.size()), out_bits[i] ^= ⊕_j base_bits[A_ij] too.
/// @throws InvalidArgument base empty or larger than 2^32, or bit spans of the wrong size.
void lpnEncode(std::span<const Block> base, std::span<Block> out,
               std::span<const uint8_t> base_bits = {}, std::span<uint8_t> out_bits = {});

}  // namespace sotto::ot::detail
