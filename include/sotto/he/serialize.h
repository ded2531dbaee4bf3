#pragma once
/// @file serialize.h
/// Compact wire format of a ciphertext: each residue packed in ⌈log2 q_i⌉ bits (NTT form, as
/// held), a seeded ciphertext ships its 16-byte seed instead of c1.
///
///   bytes 0–3  "SHEC"             magic
///   byte  4    1                  format version
///   byte  5    parameter set id   (sotto/he/params.h ParamSet)
///   byte  6    ℓ                  plaintext bits
///   byte  7    level              0 … k−1
///   byte  8    flags              bit 0: seeded (then level is 0)
///   [16 bytes  seed]              if seeded
///   c0         rows level…k−1, N residues each, little-endian bit stream, ⌈log2 q_i⌉ bits each
///   [c1]       same layout, unless seeded
/// Sizes: n4096 seeded 55,833 B, full 111,625 B, mod-switched 50,185 B; n8192 seeded 217,113 B,
/// full 434,185 B (tests/he/serialize_test.cc asserts them).

#include <cstddef>
#include <span>
#include <vector>

#include "sotto/he/ciphertext.h"
#include "sotto/he/context.h"

namespace sotto::he {

/// The exact size of a serialised ciphertext at `level`, seeded or not.
/// @throws InvalidArgument if level ≥ primeCount() or seeded at a level other than 0.
size_t serializedSize(const HeContext& ctx, size_t level, bool seeded);

/// The bytes of ct (seeded iff ct.seed is set). @throws InvalidArgument if ct is not of ctx.
std::vector<std::byte> serialize(const HeContext& ctx, const Ciphertext& ct);

/// The ciphertext these bytes hold (a seeded one has c1 re-expanded from the seed).
/// @throws ProtocolError naming what is wrong: bad magic or version, another parameter set or
///         plaintext width than ctx, a level or flag out of range, a size that does not match, a
///         residue ≥ its prime.
Ciphertext deserialize(const HeContext& ctx, std::span<const std::byte> bytes);

}  // namespace sotto::he
