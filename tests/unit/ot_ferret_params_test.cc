// Ferret's parameter sets (ferret_params.h) are emp-ot's published ones (emp-ot/ferret/constants.h
// at 18f83b8: ferret_b13 / b12 / b11 and their pre sets), field by field, and are consistent.
#include <gtest/gtest.h>

#include "sotto/ot/ferret_params.h"

namespace sotto::ot {
namespace {

void expectRound(const LpnRound& r, size_t n, size_t k, size_t t, int log_bin) {
  EXPECT_EQ(r.n, n);
  EXPECT_EQ(r.k, k);
  EXPECT_EQ(r.t, t);
  EXPECT_EQ(r.log_bin_size, log_bin);
}

TEST(FerretParams, B13IsEmpOts) {
  expectRound(kFerretB13.main, 10485760, 452000, 1280, 13);
  expectRound(kFerretB13.bootstrap, 470016, 32768, 918, 9);
}

TEST(FerretParams, B12IsEmpOts) {
  expectRound(kFerretB12.main, 10268672, 238000, 2507, 12);
  expectRound(kFerretB12.bootstrap, 268800, 17384, 1050, 8);
}

TEST(FerretParams, B11IsEmpOts) {
  expectRound(kFerretB11.main, 10180608, 124000, 4971, 11);
  expectRound(kFerretB11.bootstrap, 178944, 17384, 699, 8);
}

TEST(FerretParams, LpnDensityIsTen) { EXPECT_EQ(kLpnD, 10); }

TEST(FerretParams, EverySetIsConsistent) {
  for (const FerretParams& p : {kFerretB13, kFerretB12, kFerretB11}) {
    SCOPED_TRACE(p.name);
    // n = t · 2^log_bin (regular noise: one point per bin), in both rounds
    EXPECT_EQ(p.main.n, p.main.t << p.main.log_bin_size);
    EXPECT_EQ(p.bootstrap.n, p.bootstrap.t << p.bootstrap.log_bin_size);
    // the bootstrap's output feeds a main round (with emp-ot's 128 check COTs to spare)
    EXPECT_GE(p.bootstrap.n, p.main.k + p.main.t * p.main.log_bin_size + 128);
    // each main round feeds the next and still yields most of its output
    EXPECT_EQ(p.reserved(), p.main.k + p.main.t * p.main.log_bin_size);
    EXPECT_GT(p.yield(), p.main.n * 9 / 10);
    EXPECT_TRUE(consistent(p));
  }
}

TEST(FerretParams, ConsistencyCatchesABrokenSet) {
  FerretParams p = kFerretB13;
  p.main.t += 1;  // n no longer t · 2^13
  EXPECT_FALSE(consistent(p));
  p = kFerretB13;
  p.bootstrap.t = 915;  // 915 · 2^9 = 468,480 < 452,000 + 1,280 · 13 + 128 = 468,896
  p.bootstrap.n = p.bootstrap.t << p.bootstrap.log_bin_size;
  EXPECT_EQ(p.bootstrap.n, p.bootstrap.t * p.bootstrap.binSize());
  EXPECT_FALSE(consistent(p));
}

static_assert(consistent(kFerretB13) && consistent(kFerretB12) && consistent(kFerretB11));

}  // namespace
}  // namespace sotto::ot
