#pragma once
/// @file keys.h
/// RLWE keys (ring and distributions: sotto/he/params.h). The secret key s is ternary; the
/// public key is (b, a) = (−a·s + e, a) with a uniform and e from the error distribution.
/// Both are kept in NTT form over every prime. Semi-honest: keys are never checked for
/// well-formedness, and nothing here protects a key against a party that deviates.

#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/he/context.h"
#include "sotto/he/rns_poly.h"

namespace sotto::he {

struct SecretKey {
  RnsPoly s;  ///< NTT form, level 0
};

struct PublicKey {
  RnsPoly b;  ///< −a·s + e, NTT form, level 0
  RnsPoly a;  ///< uniform, NTT form, level 0
};

/// A public key with Shoup's companions ⌊v·2^64/q_i⌋ of every residue of b and a (same layout as
/// their data): what a party that re-randomises many ciphertexts multiplies by.
struct PreparedPublicKey {
  PublicKey pk;
  std::vector<uint64_t> b_shoup, a_shoup;
};

/// pk with its companions. Cost: 2k·N companions. @throws InvalidArgument if pk is not a level-0
/// key of this context.
PreparedPublicKey preparePublicKey(const HeContext& ctx, PublicKey pk);

/// A fresh ternary secret key drawn from `prg` (use an OS-seeded Prg: Prg()). Cost: k NTTs.
SecretKey generateSecretKey(const HeContext& ctx, Prg& prg);

/// A public key for `sk`. Cost: k NTTs, one RLWE sample. @throws InvalidArgument on a key of
/// another context's shape.
PublicKey generatePublicKey(const HeContext& ctx, const SecretKey& sk, Prg& prg);

}  // namespace sotto::he
