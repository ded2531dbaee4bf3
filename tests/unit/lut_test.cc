// Lookup tables on shared indices, 2 and 3 parties, both dealers: every lookup must return exactly
// T[x mod 2^k].
#include "sotto/mpc/lut.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "testing/mpc.h"

namespace sotto::testing {
namespace {

class LutTest : public PartiesDealersTest {};

// Integer indices, including ones outside [0, 2^k) (they wrap) and negatives.
std::vector<uint64_t> indices(size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);  // test inputs only
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = gen() % 1000;
  v[0] = 0;
  v[1] = 255;
  v[2] = 256;                        // wraps to 0 with k = 8
  v[3] = static_cast<uint64_t>(-1);  // -1: row 2^k - 1
  v[4] = 300;
  return v;
}

TEST_P(LutTest, TwoColumnsExactForEveryIndex) {
  const auto x = indices(777, 1);
  const auto table = LookupTable::fromFunction(
      8, 2, [](uint64_t row, int col) { return col == 0 ? row * row : 1000 - row; });
  auto out = run([&](Party& p) {
    auto idx =
        ArithTensor::shareEncoded(p, p.numParties() - 1, RingTensor(Shape{777}, x), Shape{777}, 0);
    auto cols = lookup(idx, table, 0);
    return std::make_pair(cols[0].reveal(), cols[1].reveal());
  });
  for (size_t i = 0; i < x.size(); ++i) {
    const uint64_t row = x[i] & 255;
    ASSERT_EQ(out[0].first[static_cast<int64_t>(i)], row * row) << "x = " << x[i];
    ASSERT_EQ(out[0].second[static_cast<int64_t>(i)], 1000 - row) << "x = " << x[i];
  }
}

TEST_P(LutTest, FixedPointFunctionTable) {
  // exp(-j/16) for a 10-bit index, entries encoded at 16 fractional bits.
  const int k = 10;
  const auto table = LookupTable::fromFunction(
      k, 1, [](uint64_t row, int) { return encode(std::exp(-static_cast<double>(row) / 16)); });
  std::vector<uint64_t> x(300);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i * 7) % 1024;
  auto out = run([&](Party& p) {
    auto idx = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{300}, x), Shape{300}, 0);
    return lookup(idx, table, kDefaultFracBits)[0].revealDoubles();
  });
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(out[0][i], decode(encode(std::exp(-static_cast<double>(x[i]) / 16)))) << i;
  }
}

TEST(LutTtp, SeveralColumnsCostTheDealerOneColumn) {
  // The TTP deals a one-hot of the mask for 2 or more columns (Kind::kLookupOneHot): party 0
  // receives 2^k words per element whatever the columns, as for one column's rotated table (the
  // mask is a free output: each party draws its share); every column still reads T[x].
  const int64_t n = 100;
  const int k = 4;
  std::vector<uint64_t> x(n);
  for (int64_t i = 0; i < n; ++i) x[static_cast<size_t>(i)] = static_cast<uint64_t>(i * 7 + 3);
  auto run = [&](int columns) {
    const auto table = LookupTable::fromFunction(
        k, columns, [](uint64_t row, int col) { return row * 1000 + static_cast<uint64_t>(col); });
    return simulateTtp(2, [&](Party& p) {
      auto idx = ArithTensor::shareEncoded(p, 1, RingTensor(Shape{n}, x), Shape{n}, 0);
      const uint64_t before = p.protocol().offlineBytes();
      auto cols = lookup(idx, table, 0);
      const uint64_t dealt = p.protocol().offlineBytes() - before;
      std::vector<RingTensor> values;
      for (const auto& c : cols) values.push_back(c.reveal());
      return std::make_pair(dealt, values);
    });
  };
  const auto one = run(1), five = run(5);
  // 2^k words per element, plus the request's few hundred bytes (one column's request carries its
  // table); a rotated table of 5 columns would be 5·2^k words per element.
  const auto words = static_cast<uint64_t>(n * (1 << k) * 8);
  EXPECT_LE(five[0].first, one[0].first);
  EXPECT_GE(five[0].first, words);
  EXPECT_LT(one[0].first, words + 512);
  ASSERT_EQ(five[0].second.size(), 5u);
  for (int col = 0; col < 5; ++col) {
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t row = x[static_cast<size_t>(i)] & ((1u << k) - 1);
      ASSERT_EQ(five[0].second[static_cast<size_t>(col)][i],
                row * 1000 + static_cast<uint64_t>(col))
          << "column " << col << ", element " << i;
    }
  }
}

TEST_P(LutTest, SmallestAndLargestIndexWidths) {
  const auto one_bit = LookupTable(1, 1, {7, 9});
  const auto wide = LookupTable::fromFunction(16, 1, [](uint64_t row, int) { return row ^ 0xabc; });
  std::vector<uint64_t> x = {0, 1, 2, 3, 65535, 65536, 12345};
  auto out = run([&](Party& p) {
    auto idx = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{7}, x), Shape{7}, 0);
    return std::make_pair(lookup(idx, one_bit, 0)[0].reveal(), lookup(idx, wide, 0)[0].reveal());
  });
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(out[0].first[static_cast<int64_t>(i)], (x[i] & 1) ? 9u : 7u);
    EXPECT_EQ(out[0].second[static_cast<int64_t>(i)], (x[i] & 0xffff) ^ 0xabc);
  }
}

TEST_P(LutTest, OneRoundKBitsPerElement) {
  // The opened index u = x + r mod 2^k: with 2 parties each sends its k-bit shares packed,
  // ceil(n·k / 8) bytes.
  const int64_t n = 1000;
  for (const int k : {8, 5, 1}) {
    const auto table =
        LookupTable::fromFunction(k, 3, [](uint64_t row, int col) { return row + col; });
    auto out = run([&](Party& p) {
      auto idx = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{n}), Shape{n}, 0);
      const CommCounters before = p.comm().stats().total;
      auto cols = lookup(idx, table, 0);
      const CommCounters after = p.comm().stats().total;
      return std::make_pair(after.rounds - before.rounds, after.bytes_sent - before.bytes_sent);
    });
    EXPECT_EQ(out[0].first, 1u) << k << " bits";
    if (parties() == 2) {
      EXPECT_EQ(out[0].second, static_cast<uint64_t>((n * k + 7) / 8)) << k << " bits";
    }
  }
}

TEST_P(LutTest, ZeroElementsAndBadTables) {
  const auto table = LookupTable(2, 1, {1, 2, 3, 4});
  auto out = run([&](Party& p) {
    auto idx = ArithTensor::shareEncoded(p, 0, RingTensor(Shape{0}), Shape{0}, 0);
    return lookup(idx, table, 0)[0].numel();
  });
  EXPECT_EQ(out[0], 0);
  EXPECT_THROW(LookupTable(3, 1, {1, 2, 3}), InvalidArgument);
  EXPECT_THROW(LookupTable(17, 1, {}), InvalidArgument);
  EXPECT_THROW(LookupTable(2, 0, {}), InvalidArgument);
  try {
    LookupTable(4, 2, std::vector<uint64_t>(31));
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("31 entries do not fill 2^4 rows of 2 columns"),
              std::string::npos)
        << e.what();
  }
}

SOTTO_PARTIES_AND_DEALERS(LutTest);

}  // namespace
}  // namespace sotto::testing
