// The OT engine's security parameters (params.h) are the cited ones: κ = 128, σ = 40, κ base OTs.
#include <gtest/gtest.h>

#include "sotto/ot/block.h"
#include "sotto/ot/params.h"

namespace sotto::ot {
namespace {

TEST(OtParams, SecurityParametersAreTheCitedOnes) {
  EXPECT_EQ(kComputationalSecurity, 128);
  EXPECT_EQ(kStatisticalSecurity, 40);
  EXPECT_EQ(kBaseOts, 128u);
  EXPECT_EQ(kBlockBits, 128);
}

TEST(OtParams, ABlockHoldsKappaBits) {
  EXPECT_EQ(sizeof(Block) * 8, static_cast<size_t>(kComputationalSecurity));
  Block b;
  for (int i = 0; i < kBlockBits; i += 3) b.setBit(i, true);
  for (int i = 0; i < kBlockBits; ++i) EXPECT_EQ(b.bit(i), i % 3 == 0) << i;
}

}  // namespace
}  // namespace sotto::ot
