// The 1-of-2^k OT of rows (session.h, oneOfNRows): the receiver gets exactly the chosen row of
// every instance, for k from 1 to 12, rows of 1 to 5 values (the seed's own words and the
// expansion) and widths from 1 to 64 bits, with party 0 and party 1 as sender; the traffic is
// what the header says; bad input gives clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "sotto/ot/session.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;
using ::testing::HasSubstr;

uint64_t low(uint64_t x, int bits) { return bits == 64 ? x : x & ((uint64_t{1} << bits) - 1); }

// The receiver's rows and each party's (bytes sent, bytes received, messages) under "ot/1ofN".
struct RowsRun {
  std::vector<uint64_t> got;
  uint64_t up = 0, down = 0, messages = 0;  // receiver → sender, sender → receiver
};

RowsRun runRows(int sender, std::span<const uint64_t> rows, std::span<const uint16_t> choices,
                int k, int bits, size_t width) {
  RowsRun run;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == sender) {
      OtSender s(comm);
      s.oneOfNRows(rows, k, bits, width);
      const auto& t = comm.stats().by_tag.at("ot/1ofN");
      run.up = t.bytes_received;
      run.down = t.bytes_sent;
      run.messages = t.messages_sent + t.messages_received;
    } else {
      OtReceiver r(comm);
      run.got = r.oneOfNRows(choices, k, bits, width);
    }
    return 0;
  });
  return run;
}

class OtSessionRowsTest : public ::testing::TestWithParam<int> {};

TEST_P(OtSessionRowsTest, ReturnsTheChosenRowAndSendsWhatTheHeaderSays) {
  std::mt19937_64 gen(11);  // test inputs only
  for (int k : {1, 3, 5, 12}) {
    for (size_t width : {size_t{1}, size_t{2}, size_t{3}, size_t{5}}) {
      for (int bits : {1, 7, 64}) {
        const size_t n = k == 12 ? 3 : 17, big_n = size_t{1} << k;
        std::vector<uint64_t> rows(n * big_n * width);
        for (auto& v : rows) v = gen();
        std::vector<uint16_t> c(n);
        for (auto& v : c) v = static_cast<uint16_t>(gen() % big_n);
        c[0] = static_cast<uint16_t>(big_n - 1);
        const RowsRun run = runRows(GetParam(), rows, c, k, bits, width);
        ASSERT_EQ(run.got.size(), n * width);
        for (size_t i = 0; i < n; ++i) {
          for (size_t v = 0; v < width; ++v) {
            ASSERT_EQ(run.got[i * width + v], low(rows[(i * big_n + c[i]) * width + v], bits))
                << "k " << k << ", width " << width << ", " << bits << " bits, instance " << i;
          }
        }
        EXPECT_EQ(run.up, (n * k + 7) / 8);
        EXPECT_EQ(run.down, (n * big_n * width * bits + 7) / 8);
        EXPECT_EQ(run.messages, 2u);
      }
    }
  }
}

TEST_P(OtSessionRowsTest, OneOfNIsRowsOfOneValue) {
  // oneOfN and oneOfNRows(width 1) are one protocol: the same session serves both in turn.
  const int k = 4, bits = 9;
  const size_t n = 20;
  std::vector<uint64_t> table(n << k);
  for (size_t i = 0; i < table.size(); ++i) table[i] = i * 0x9e3779b97f4a7c15ULL;
  std::vector<uint8_t> c8(n);
  std::vector<uint16_t> c16(n);
  for (size_t i = 0; i < n; ++i) c16[i] = c8[i] = static_cast<uint8_t>((i * 7) % 16);
  std::vector<uint64_t> a, b;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == GetParam()) {
      OtSender s(comm);
      s.oneOfN(table, k, bits);
      s.oneOfNRows(table, k, bits, 1);
    } else {
      OtReceiver r(comm);
      a = r.oneOfN(c8, k, bits);
      b = r.oneOfNRows(c16, k, bits, 1);
    }
    return 0;
  });
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(a[i], low(table[(i << k) + c8[i]], bits));
    EXPECT_EQ(b[i], a[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Sender, OtSessionRowsTest, ::testing::Values(0, 1));

TEST(OtSessionRows, BadInputIsNamed) {
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == 0) {
      OtSender s(comm);
      const std::vector<uint64_t> six(6), two(2);
      EXPECT_THAT(sotto::testing::errorOf([&] { s.oneOfNRows(six, 1, 8, 4); }),
                  HasSubstr("not a whole number"));
      EXPECT_THAT(sotto::testing::errorOf([&] { s.oneOfNRows(two, 17, 8, 1); }),
                  HasSubstr("k = 17"));
      EXPECT_THAT(sotto::testing::errorOf([&] { s.oneOfNRows(two, 1, 8, 0); }),
                  HasSubstr("rows of 0"));
    } else {
      OtReceiver r(comm);
      const std::vector<uint16_t> c{3, 4};
      EXPECT_THAT(sotto::testing::errorOf([&] { r.oneOfNRows(c, 2, 8, 1); }),
                  HasSubstr("choice 1 is 4"));
      EXPECT_THAT(sotto::testing::errorOf([&] { r.oneOfNRows(c, 3, 65, 1); }),
                  HasSubstr("65 bits"));
    }
    return 0;
  });
}

}  // namespace
}  // namespace sotto::ot
