// The OT kernels on a narrow ring Z_2^ℓ with results in Z_2^64 (sotto/mpc/ot/ot_kernels.h, issue
// 17 item 4): a signed ℓ-bit plaintext -> additive shares mod 2^ℓ whose high 64 − ℓ bits are
// garbage (party 0 a PRG word, party 1 the rest of the low ℓ bits under a PRG word's high bits) ->
// kernel on 2 parties as threads over inproc -> reveal (sum mod 2^64 or XOR) -> compared with the
// plaintext result: exactly for extendSigned, msb, drelu, reluExtend and the select at f = 0;
// within the documented one below (the dropped carry) for selectTruncatePositive with f ≥ 1. The
// values: 0, ±1, ±2, −2^(ℓ−1), 2^(ℓ−1) − 1 and their neighbours, party 0's share at the wrap's
// edges (0, 2^ℓ − 1, 2^(ℓ−1), 2^(ℓ−1) − 1), and random ℓ-bit values, for ℓ ∈ {1, 2, 20, 37, 44, 63,
// 64}. The rounds and bytes each party sends are those of the header's table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/mpc/ot/ot_kernels.h"
#include "testing/errors.h"
#include "testing/prg_words.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using sotto::testing::simulate;
using Words = std::vector<uint64_t>;
using Kernel = OtKernels::Kernel;

const std::vector<int> kWidths{1, 2, 20, 37, 44, 63, 64};

uint64_t lowMask(int bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// The signed ℓ-bit value in the low bits of v, as a 64-bit word (sign-extended).
uint64_t signExtend(uint64_t v, int bits) {
  const int up = 64 - bits;
  return static_cast<uint64_t>(static_cast<int64_t>(v << up) >> up);
}

// Signed ℓ-bit values (as sign-extended words): the edges and their neighbours, then random ones.
Words narrowValues(int bits, size_t n, unsigned seed) {
  const uint64_t half = uint64_t{1} << (bits - 1);
  Words edges{0, 1, 2, half - 1, half - 2, half, half + 1, ~uint64_t{0}, ~uint64_t{1}};
  Words v;
  for (uint64_t e : edges) v.push_back(signExtend(e, bits));
  std::mt19937_64 gen(seed);  // test inputs only
  while (v.size() < n) v.push_back(signExtend(gen(), bits));
  v.resize(n);
  return v;
}

// Shares mod 2^ℓ with garbage above bit ℓ − 1: party 0 a PRG word (its low ℓ bits at the wrap's
// edges for the elements 20 to 27), party 1 (v − x0) mod 2^ℓ under another PRG word's high bits.
Words narrowShareOf(const Words& v, int bits, int rank, uint8_t seed) {
  Words x0 = testing::prgWords(v.size(), seed);
  const uint64_t mask = lowMask(bits), half = uint64_t{1} << (bits - 1);
  const uint64_t at_edges[] = {0, mask, half, half - 1};
  for (size_t i = 20; i < std::min<size_t>(28, v.size()); ++i)
    x0[i] = (x0[i] & ~mask) | at_edges[i % 4];
  if (rank == 0) return x0;
  Words x1 = testing::prgWords(v.size(), seed, 1);  // its high bits stay
  for (size_t i = 0; i < v.size(); ++i) x1[i] = ((v[i] - x0[i]) & mask) | (x1[i] & ~mask);
  return x1;
}

BitShares bitShareOf(const BitShares& b, int rank, uint8_t seed) {
  const Words r = testing::prgWords(b.size(), seed, 2);
  BitShares out(b.size());
  for (size_t i = 0; i < b.size(); ++i)
    out[i] = static_cast<uint8_t>((r[i] & 1) ^ (rank ? b[i] : 0));
  return out;
}

template <typename Fn>
auto run(Fn&& fn) {
  return simulate(2, [&](Communicator& comm) {
    OtKernels k(comm);
    return fn(k);
  });
}

Words sum(const Words& a, const Words& b) {
  Words r(a.size());
  for (size_t i = 0; i < r.size(); ++i) r[i] = a[i] + b[i];
  return r;
}

bool isNegative(uint64_t v) { return static_cast<int64_t>(v) < 0; }

TEST(OtNarrowRingTest, ExtendSignedIsExactForEveryWidth) {
  for (int bits : kWidths) {
    const Words x = narrowValues(bits, 600, 1);
    auto out = run(
        [&](OtKernels& k) { return k.extendSigned(narrowShareOf(x, bits, k.rank(), 2), bits); });
    const Words got = sum(out[0], out[1]);
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(got[i], x[i]) << "ℓ = " << bits << ", x = " << static_cast<int64_t>(x[i]);
    }
  }
}

// The overflow bound (the header's): a true result v outside [−2^(ℓ−1), 2^(ℓ−1)) shared mod 2^ℓ
// comes out as its reduced value, v − 2^ℓ·k in that range; and its DReLU is that value's sign.
TEST(OtNarrowRingTest, OverflowComesOutReducedModTwoToTheL) {
  const int bits = 44;
  const uint64_t half = uint64_t{1} << (bits - 1), ring = uint64_t{1} << bits;
  const Words v{half, half + 5, uint64_t{0} - half - 1, 3 * ring + 7, uint64_t{0} - 5 * ring - 9};
  const Words want{uint64_t{0} - half, uint64_t{0} - half + 5, half - 1, 7, uint64_t{0} - 9};
  auto out = run([&](OtKernels& k) {
    const Words mine = narrowShareOf(v, bits, k.rank(), 12);
    return std::make_pair(k.extendSigned(mine, bits), k.drelu(mine, bits));
  });
  EXPECT_EQ(sum(out[0].first, out[1].first), want);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(out[0].second[i] ^ out[1].second[i], isNegative(want[i]) ? 0 : 1) << i;
}

TEST(OtNarrowRingTest, MsbAndDreluOnNarrowShares) {
  for (int bits : kWidths) {
    const Words x = narrowValues(bits, 600, 3);
    auto out = run([&](OtKernels& k) {
      const Words mine = narrowShareOf(x, bits, k.rank(), 4);
      return std::make_pair(k.msb(mine, bits), k.drelu(mine, bits));
    });
    for (size_t i = 0; i < x.size(); ++i) {
      const uint8_t msb = out[0].first[i] ^ out[1].first[i];
      const uint8_t drelu = out[0].second[i] ^ out[1].second[i];
      ASSERT_EQ(msb, isNegative(x[i]) ? 1 : 0)
          << "ℓ = " << bits << ", x = " << static_cast<int64_t>(x[i]);
      ASSERT_EQ(drelu, isNegative(x[i]) ? 0 : 1)
          << "ℓ = " << bits << ", x = " << static_cast<int64_t>(x[i]);
    }
  }
}

// b·⌊x / 2^f⌋ in Z_2^64 with b = 1 only where x ≥ 0 (and not on every third element): exactly 0
// where b = 0, exactly x where f = 0, ⌊x / 2^f⌋ or one less otherwise; then with a shift per
// element. The dropped carry must show on some elements and not on all (f ≥ 1).
TEST(OtNarrowRingTest, SelectTruncatePositiveInZ64) {
  for (int bits : kWidths) {
    const Words x = narrowValues(bits, 600, 5);
    BitShares b(x.size());
    for (size_t i = 0; i < x.size(); ++i) b[i] = !isNegative(x[i]) && i % 3 != 0;
    std::vector<int> fs{0, 1, 12, bits - 1};
    if (bits == 64) fs.erase(fs.begin());  // f = 0 at 64 bits is select's (the per-element call)
    fs.erase(std::remove_if(fs.begin(), fs.end(), [&](int f) { return f >= bits; }), fs.end());
    std::vector<int> each(x.size());
    for (size_t i = 0; i < x.size(); ++i) each[i] = static_cast<int>(i % static_cast<size_t>(bits));
    auto out = run([&](OtKernels& k) {
      const BitShares mine_b = bitShareOf(b, k.rank(), 6);
      const Words mine = narrowShareOf(x, bits, k.rank(), 7);
      std::vector<Words> r;
      for (int f : fs) r.push_back(k.selectTruncatePositive(mine_b, mine, f, bits));
      r.push_back(k.selectTruncatePositive(mine_b, mine, each, bits));
      return r;
    });
    for (size_t j = 0; j <= fs.size(); ++j) {
      const Words got = sum(out[0][j], out[1][j]);
      size_t low = 0, selected = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const int f = j < fs.size() ? fs[j] : each[i];
        const std::string where = "ℓ = " + std::to_string(bits) + ", f = " + std::to_string(f) +
                                  ", x = " + std::to_string(static_cast<int64_t>(x[i]));
        if (!b[i]) {
          ASSERT_EQ(got[i], 0u) << where;
          continue;
        }
        const uint64_t want = x[i] >> f;
        ASSERT_TRUE(got[i] == want || (f > 0 && got[i] + 1 == want)) << where << ": " << got[i];
        ++selected;
        low += got[i] != want;
      }
      if (j < fs.size() && fs[j] >= 1 && bits >= 20) {
        EXPECT_GT(low, 0u) << "ℓ = " << bits << ", f = " << fs[j];
        EXPECT_LT(low, selected) << "ℓ = " << bits << ", f = " << fs[j];
      }
    }
  }
}

TEST(OtNarrowRingTest, ReluExtendIsExactAndAt64BitsIsRelu) {
  for (int bits : kWidths) {
    const Words x = narrowValues(bits, 600, 8);
    auto out = run([&](OtKernels& k) {
      const Words mine = narrowShareOf(x, bits, k.rank(), 9);
      return std::make_pair(k.reluExtend(mine, bits), bits == 64 ? k.relu(mine) : Words{});
    });
    const Words got = sum(out[0].first, out[1].first);
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(got[i], isNegative(x[i]) ? 0 : x[i])
          << "ℓ = " << bits << ", x = " << static_cast<int64_t>(x[i]);
    }
    if (bits == 64) {
      EXPECT_EQ(sum(out[0].second, out[1].second), got);
    }
  }
}

// Rounds and bytes each party sends at n = 512 (bit messages in whole bytes), after reserving
// cotsForNarrow's COTs (too few would add the extension's refills to the bytes), against the
// header's table: ℓ = 44, ℓ = 20 (extendSigned: L = 5, D = 3, T = 144, A = 9) and the 64-bit
// drelu and relu by the same calls at ℓ = 64.
TEST(OtNarrowRingTest, RoundsAndBytesMatchTheDocumentation) {
  const size_t n = 512;
  struct Expect {
    const char* name;
    Kernel kernel;
    int bits;
    uint64_t rounds, bits0, bits1;  // bits sent per element by party 0 and party 1
  };
  const std::vector<Expect> expect = {
      {"drelu(44)", Kernel::kMsb, 44, 6, 346, 69},
      {"extendSigned(44)", Kernel::kExtendSigned, 44, 8, 382, 71},
      {"selectTruncatePositive(f = 0, 44)", Kernel::kSelectTruncatePositive, 44, 2, 193, 67},
      {"reluExtend(44)", Kernel::kRelu, 44, 8, 539, 136},
      {"drelu(64)", Kernel::kMsb, 64, 6, 521, 104},
      {"reluExtend(64)", Kernel::kRelu, 64, 8, 586, 169},
      {"extendSigned(20)", Kernel::kExtendSigned, 20, 7, 197, 30},
  };
  const Words x = narrowValues(44, n, 10);
  auto out = run([&](OtKernels& k) {
    const BitShares b(n, static_cast<uint8_t>(k.rank()));
    std::vector<CommCounters> used;
    for (const Expect& e : expect) {
      const Words mine = narrowShareOf(x, e.bits, k.rank(), 11);
      k.reserve(OtKernels::cotsForNarrow(e.kernel, n, e.bits));
      const CommCounters c = k.comm().stats().total;
      if (e.kernel == Kernel::kMsb) (void)k.drelu(mine, e.bits);
      if (e.kernel == Kernel::kExtendSigned) (void)k.extendSigned(mine, e.bits);
      if (e.kernel == Kernel::kSelectTruncatePositive)
        (void)k.selectTruncatePositive(b, mine, 0, e.bits);
      if (e.kernel == Kernel::kRelu) (void)k.reluExtend(mine, e.bits);
      const CommCounters& now = k.comm().stats().total;
      used.push_back(
          {.bytes_sent = now.bytes_sent - c.bytes_sent, .rounds = now.rounds - c.rounds});
    }
    return used;
  });
  for (size_t i = 0; i < expect.size(); ++i) {
    const Expect& e = expect[i];
    for (int p = 0; p < 2; ++p) {
      const uint64_t bits_per_element = (p == 0 ? e.bits0 : e.bits1);
      EXPECT_EQ(out[p][i].rounds, e.rounds) << e.name << ", party " << p;
      EXPECT_EQ(8 * out[p][i].bytes_sent, bits_per_element * n) << e.name << ", party " << p;
    }
    std::cout << "[ cost     ] n = " << n << ", " << e.name << ": " << out[0][i].rounds
              << " rounds; bits sent per element " << 8 * out[0][i].bytes_sent / n << " (party 0), "
              << 8 * out[1][i].bytes_sent / n << " (party 1)\n";
  }
}

TEST(OtNarrowRingTest, BadInputGivesClearErrors) {
  EXPECT_THROW((void)OtKernels::cotsForNarrow(Kernel::kMul, 4, 44), InvalidArgument);
  EXPECT_THROW((void)OtKernels::cotsForNarrow(Kernel::kMsb, 4, 65), InvalidArgument);
  EXPECT_THROW((void)OtKernels::cotsFor(Kernel::kExtendSigned, 4, 0), InvalidArgument);
  auto out = run([](OtKernels& k) {
    const Words a(4);
    const BitShares b(4);
    return std::make_tuple(
        testing::errorOf([&] { (void)k.extendSigned(a, 0); }),
        testing::errorOf([&] { (void)k.msb(a, 65); }),
        testing::errorOf([&] { (void)k.reluExtend(a, -3); }),
        testing::errorOf([&] { (void)k.selectTruncatePositive(b, a, 44, 44); }),
        testing::errorOf([&] {
          (void)k.selectTruncatePositive(b, a, std::vector<int>{0, 1, 20, 2}, 20);
        }));
  });
  EXPECT_NE(std::get<0>(out[0]).find("bits = 0"), std::string::npos) << std::get<0>(out[0]);
  EXPECT_NE(std::get<1>(out[0]).find("bits = 65"), std::string::npos) << std::get<1>(out[0]);
  EXPECT_NE(std::get<2>(out[0]).find("bits = -3"), std::string::npos) << std::get<2>(out[0]);
  EXPECT_NE(std::get<3>(out[0]).find("f = 44 not in [0, 43]"), std::string::npos)
      << std::get<3>(out[0]);
  EXPECT_NE(std::get<4>(out[0]).find("f = 20 not in [0, 19]"), std::string::npos)
      << std::get<4>(out[0]);
}

}  // namespace
}  // namespace sotto
