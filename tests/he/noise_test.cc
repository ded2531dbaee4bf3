// The plaintext widths noise.h's table claims follow from its bounds.
#include "sotto/he/noise.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "sotto/error.h"

namespace sotto::he {
namespace {

TEST(HeNoise, TheTableOfSupportedWidths) {
  const RingParams a = ringParams(ParamSet::kN4096), b = ringParams(ParamSet::kN8192);
  EXPECT_EQ(maxPlainBits(a, {true, -1, false}), 54);
  EXPECT_EQ(maxPlainBits(b, {true, -1, false}), 64);
  // Full-width multipliers: P = t/2, so the bound depends on ℓ itself; walk ℓ.
  const auto full = [](const RingParams& r) {
    int best = 0;
    for (int ell = 1; ell <= 64; ++ell) {
      if (invariantNoiseBound(r, ell, {true, ell - 1, false}) < 0.5) best = ell;
    }
    return best;
  };
  EXPECT_EQ(full(a), 32);
  EXPECT_EQ(full(b), 64);
  EXPECT_EQ(maxPlainBits(a, {true, 8, false}), 44);
  EXPECT_EQ(maxPlainBits(b, {true, 8, false}), 64);
  EXPECT_EQ(maxPlainBits(a, {true, -1, true}), 36);
  EXPECT_EQ(maxPlainBits(b, {true, -1, true}), 35);
  for (const auto& [set, fresh, full_width, small, switched] :
       {std::tuple{ParamSet::kN8192Q168, 64, 51, 64, 40},
        std::tuple{ParamSet::kN8192Q150, 64, 45, 64, 46}}) {
    const RingParams r = ringParams(set);
    SCOPED_TRACE(std::string(r.name));
    EXPECT_EQ(maxPlainBits(r, {true, -1, false}), fresh);
    EXPECT_EQ(full(r), full_width);
    EXPECT_EQ(maxPlainBits(r, {true, 8, false}), small);
    EXPECT_EQ(maxPlainBits(r, {true, -1, true}), switched);
  }
}

TEST(HeNoise, BoundsGrowWithEveryStep) {
  const RingParams r = ringParams(ParamSet::kN4096);
  const double sym = invariantNoiseBound(r, 32, {false, -1, false});
  const double pk = invariantNoiseBound(r, 32, {true, -1, false});
  const double prod = invariantNoiseBound(r, 32, {true, 31, false});
  const double sw = invariantNoiseBound(r, 32, {true, 31, true});
  EXPECT_LT(sym, pk);
  EXPECT_LT(pk, prod);
  EXPECT_LT(prod, sw);
  EXPECT_LT(sw, 0.5);
  EXPECT_THROW(invariantNoiseBound(r, 0, {}), InvalidArgument);
}

}  // namespace
}  // namespace sotto::he
