#pragma once
/// @file ciphertext.h
/// A BFV ciphertext (c0, c1) with c0 + c1·s = Δ·m + v (mod Q_level), both in NTT form.
/// A seeded ciphertext (symmetric encryption, sotto/he/encryptor.h) also keeps the Prg seed that
/// c1 expands from; serialisation then ships the seed instead of c1 (half the bytes). Every
/// operation that changes c1 drops the seed.

#include <cstddef>
#include <optional>

#include "sotto/crypto/prg.h"
#include "sotto/he/rns_poly.h"

namespace sotto::he {

struct Ciphertext {
  RnsPoly c0;
  RnsPoly c1;
  std::optional<Prg::Seed> seed;  ///< set iff c1 is the uniform expansion of this seed

  /// The RNS level: 0 with every prime, primeCount() − 1 after modSwitchToLast.
  size_t level() const { return c0.level; }
};

}  // namespace sotto::he
