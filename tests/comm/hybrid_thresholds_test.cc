// HybridThresholds: the text form of SOTTO_HYBRID_THRESHOLD, read and written.
#include "sotto/comm/hybrid_thresholds.h"

#include <gtest/gtest.h>

#include "sotto/error.h"
#include "testing/errors.h"

namespace sotto {
namespace {

using sotto::testing::errorOf;

TEST(HybridThresholds, BareNumberSetsEveryKind) {
  EXPECT_EQ(parseHybridThresholds("4096"), HybridThresholds(4096, 4096, 4096));
  EXPECT_EQ(parseHybridThresholds("never"), HybridThresholds());
}

TEST(HybridThresholds, KindsApart) {
  const auto t = parseHybridThresholds("p2p=262144,broadcast=1048576,allreduce=never");
  EXPECT_EQ(t.p2p, 262144u);
  EXPECT_EQ(t.broadcast, 1048576u);
  EXPECT_EQ(t.all_reduce, SIZE_MAX);
  // A kind not named keeps the bare number given first, or never.
  EXPECT_EQ(parseHybridThresholds("4096,broadcast=8192"), HybridThresholds(4096, 8192, 4096));
  EXPECT_EQ(parseHybridThresholds("allreduce=64"), HybridThresholds(SIZE_MAX, SIZE_MAX, 64));
}

TEST(HybridThresholds, RoundTrip) {
  for (const HybridThresholds& t : {HybridThresholds(), HybridThresholds(1, 2, 3),
                                    HybridThresholds(SIZE_MAX, 65536, SIZE_MAX)}) {
    EXPECT_EQ(parseHybridThresholds(toString(t)), t) << toString(t);
  }
  EXPECT_EQ(toString(HybridThresholds(4096, SIZE_MAX, 8)), "p2p=4096,broadcast=never,allreduce=8");
}

TEST(HybridThresholds, BadTextIsNamed) {
  EXPECT_NE(errorOf([] { parseHybridThresholds("4k"); }).find("'4k' is not a byte count"),
            std::string::npos);
  EXPECT_NE(errorOf([] { parseHybridThresholds(""); }).find("is not a byte count"),
            std::string::npos);
  EXPECT_NE(errorOf([] { parseHybridThresholds("p2p=1,gather=2"); }).find("unknown kind 'gather'"),
            std::string::npos);
  EXPECT_NE(errorOf([] { parseHybridThresholds("p2p=1,64"); }).find("may only come first"),
            std::string::npos);
  EXPECT_THROW(parseHybridThresholds("p2p=-1"), InvalidArgument);
}

}  // namespace
}  // namespace sotto
