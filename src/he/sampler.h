#pragma once
// Private: the distributions of sotto/he/params.h, drawn from a Prg (AES-128-CTR).

#include <cstdint>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/he/context.h"
#include "sotto/he/rns_poly.h"

namespace sotto::he::detail {

/// Uniform residues mod each prime of p's level, written into p (by rejection on bit length).
void sampleUniform(const HeContext& ctx, Prg& prg, RnsPoly& p);
/// n coefficients uniform in {-1, 0, 1}.
std::vector<int8_t> sampleTernary(uint64_t n, Prg& prg);
/// n coefficients from the centered binomial distribution with η = kErrorEta.
std::vector<int8_t> sampleError(uint64_t n, Prg& prg);
/// The residues of small signed coefficients at a level, in coefficient form.
RnsPoly liftSmall(const HeContext& ctx, const std::vector<int8_t>& v, size_t level);

}  // namespace sotto::he::detail
