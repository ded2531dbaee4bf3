// The TTP dealer's packed replies (src/mpc/dealer/packed_outputs.h): outputs with widths travel as
// their entries' low bits, the others as whole words, and come back as the same values mod 2^width.
#include "packed_outputs.h"

#include <gtest/gtest.h>

#include <random>

#include "sotto/error.h"

namespace sotto::detail {
namespace {

TEST(PackedOutputs, RoundTripKeepsTheLowBitsOfEveryColumn) {
  const std::vector<Shape> shapes = {Shape{3, 2}, Shape{4, 5}, Shape{7}};
  const OutputBits bits = {{}, {7, 8, 33, 64, 1}, {3}};
  std::mt19937_64 gen(7);
  std::vector<uint64_t> words(6 + 20 + 7);
  for (auto& w : words) w = gen();
  // Whole words, then 4 rows of 113 bits (57 bytes), then 21 bits (3 bytes).
  EXPECT_EQ(packedBytes(shapes, bits), size_t{48 + 57 + 3});
  const auto bytes = packOutputs(words, shapes, bits);
  ASSERT_EQ(bytes.size(), packedBytes(shapes, bits));
  const auto out = unpackOutputs(bytes, shapes, bits);
  ASSERT_EQ(out.size(), shapes.size());
  size_t at = 0;
  for (size_t k = 0; k < shapes.size(); ++k) {
    EXPECT_EQ(out[k].shape(), shapes[k]);
    for (int64_t i = 0; i < shapes[k].numel(); ++i, ++at) {
      const int b = bits[k].empty() ? 64 : bits[k][static_cast<size_t>(i) % bits[k].size()];
      const uint64_t m = b == 64 ? ~uint64_t{0} : (uint64_t{1} << b) - 1;
      EXPECT_EQ(out[k][i], words[at] & m) << "output " << k << " entry " << i;
    }
  }
  EXPECT_TRUE(anyPacked(bits));
  EXPECT_FALSE(anyPacked({{}, {}}));
}

TEST(PackedOutputs, AReplyOfTheWrongSizeIsAProtocolError) {
  const std::vector<Shape> shapes = {Shape{10}};
  const OutputBits bits = {{5}};
  std::vector<std::byte> bytes(packedBytes(shapes, bits) + 1);
  EXPECT_THROW(unpackOutputs(bytes, shapes, bits), ProtocolError);
}

}  // namespace
}  // namespace sotto::detail
