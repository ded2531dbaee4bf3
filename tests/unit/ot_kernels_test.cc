// The two-party OT kernels (sotto/mpc/ot/ot_kernels.h): plaintext -> additive shares over Z_2^64
// (party 0 a PRG word, party 1 the rest) -> kernel on 2 parties as threads over inproc -> reveal
// (sum or XOR of the two outputs) -> compared exactly with the plaintext result, on edge values
// (0, ±1, 2^63 − 1, −2^63, ±2^40, ±2^61, ...), random full-range words and mixed magnitudes.
// Cheetah's truncation for a known sign is allowed its documented 1-bit error (⌊x/2^f⌋ or one
// less); every other kernel must be exact. The traffic each party sends and its rounds are those
// the header states; one small test runs on Ferret COTs.
#include "sotto/mpc/ot/ot_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/crypto/prg.h"
#include "testing/errors.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using sotto::testing::simulate;
using Words = std::vector<uint64_t>;
using Kernel = OtKernels::Kernel;

constexpr uint64_t kMin = uint64_t{1} << 63;  // −2^63

uint64_t s64(int64_t v) { return static_cast<uint64_t>(v); }

// Edge values, then random full-range words, then mixed magnitudes (a random word shifted right
// by a random amount, either sign); n values in all (n ≥ the edge list).
Words testValues(size_t n, unsigned seed) {
  Words v{0,
          1,
          ~uint64_t{0},
          kMin - 1,
          kMin,
          kMin + 1,
          uint64_t{1} << 40,
          s64(-(int64_t{1} << 40)),
          (uint64_t{1} << 40) + 1,
          s64(-(int64_t{1} << 40) - 1),
          uint64_t{1} << 61,
          s64(-(int64_t{1} << 61)),
          uint64_t{1} << 62,
          s64(-(int64_t{1} << 62)),
          (uint64_t{1} << 62) - 1,
          2,
          s64(-2),
          65535,
          65536,
          s64(-65536)};
  std::mt19937_64 gen(seed);
  while (v.size() < n) {
    const uint64_t r = gen();
    if (v.size() % 2 == 0) {
      v.push_back(r);
    } else {
      const int shift = static_cast<int>(gen() % 64);
      const uint64_t mag = r >> shift;
      v.push_back((gen() & 1) ? uint64_t{0} - mag : mag);
    }
  }
  v.resize(n);
  return v;
}

// Additive shares: party 0 gets a PRG word (fixed seed, so both threads agree), party 1 the rest.
Words shareOf(const Words& v, int rank, uint8_t seed) {
  Prg::Seed s{};
  s[0] = seed;
  Prg prg(s);
  Words r(v.size());
  prg.fill(r);
  if (rank == 1) {
    for (size_t i = 0; i < v.size(); ++i) r[i] = v[i] - r[i];
  }
  return r;
}

// XOR shares of bits.
BitShares bitShareOf(const BitShares& v, int rank, uint8_t seed) {
  const Words r = shareOf(Words(v.size(), 0), 0, seed);
  BitShares out(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    out[i] = static_cast<uint8_t>((r[i] & 1) ^ (rank ? v[i] : 0));
  return out;
}

// fn(kernels) on both parties; returns both results.
template <typename Fn>
auto run(Fn&& fn, ot::OtOptions options = {}) {
  return simulate(2, [&](Communicator& comm) {
    OtKernels k(comm, options);
    return fn(k);
  });
}

Words revealAdd(const std::vector<Words>& out) {
  Words r(out[0].size());
  for (size_t i = 0; i < r.size(); ++i) r[i] = out[0][i] + out[1][i];
  return r;
}

BitShares revealXor(const std::vector<BitShares>& out) {
  BitShares r(out[0].size());
  for (size_t i = 0; i < r.size(); ++i) r[i] = out[0][i] ^ out[1][i];
  return r;
}

int64_t asSigned(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t floorShift(uint64_t v, int f) { return static_cast<uint64_t>(asSigned(v) >> f); }

TEST(OtKernelsTest, MsbAndDreluOverTheWholeRing) {
  const Words x = testValues(1000, 1);
  auto out = run([&](OtKernels& k) {
    const Words mine = shareOf(x, k.rank(), 7);
    return std::make_pair(k.msb(mine), k.drelu(mine));
  });
  const BitShares msb = revealXor({out[0].first, out[1].first});
  const BitShares drelu = revealXor({out[0].second, out[1].second});
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(msb[i], x[i] >> 63) << "x = " << asSigned(x[i]);
    ASSERT_EQ(drelu[i], asSigned(x[i]) >= 0 ? 1 : 0) << "x = " << asSigned(x[i]);
  }
}

TEST(OtKernelsTest, LessThanForEveryWidthShape) {
  // Widths with a full top leaf, a partial one, a single leaf, an odd leaf count, for every leaf
  // width (the default first); one session.
  const std::vector<int> widths{1, 3, 4, 5, 12, 16, 20, 63, 64};
  const std::vector<int> leaf_bits{OtKernels::kLeafBits, 1, 2, 3};
  const Words a = testValues(300, 10), b0 = testValues(300, 50);
  Words b = b0;
  // Also equal values and values differing in the lowest bit only.
  for (size_t i = 0; i < 40; ++i) b[i] = a[i] + (i % 2);
  auto out = run([&](OtKernels& k) {
    std::vector<BitShares> r;
    for (int leaf : leaf_bits) {
      for (int bits : widths) r.push_back(k.lessThan(k.rank() == 0 ? a : b, bits, leaf));
    }
    return r;
  });
  for (size_t w = 0; w < widths.size() * leaf_bits.size(); ++w) {
    const int bits = widths[w % widths.size()];
    const BitShares lt = revealXor({out[0][w], out[1][w]});
    const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(lt[i], (a[i] & mask) < (b[i] & mask) ? 1 : 0)
          << "bits " << bits << ", leaf bits " << leaf_bits[w / widths.size()] << ", a = " << a[i]
          << ", b = " << b[i];
    }
  }
}

// b with every fifth bit flipped.
BitShares bitsNot(const BitShares& b) {
  BitShares out(b);
  for (size_t i = 0; i < out.size(); i += 5) out[i] ^= 1;
  return out;
}

TEST(OtKernelsTest, B2aSelectAndAnd) {
  const Words x = testValues(777, 2);
  BitShares bits(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    bits[i] = static_cast<uint8_t>((x[i] * 0x9e3779b97f4a7c15) >> 63);
  auto out = run([&](OtKernels& k) {
    const BitShares b = bitShareOf(bits, k.rank(), 3);
    return std::make_tuple(k.b2a(b), k.b2a(b, 5), k.select(b, shareOf(x, k.rank(), 4)),
                           k.andBits(b, bitShareOf(bitsNot(bits), k.rank(), 6)));
  });
  const Words b64 = revealAdd({std::get<0>(out[0]), std::get<0>(out[1])});
  const Words b5 = revealAdd({std::get<1>(out[0]), std::get<1>(out[1])});
  const Words sel = revealAdd({std::get<2>(out[0]), std::get<2>(out[1])});
  const BitShares conj = revealXor({std::get<3>(out[0]), std::get<3>(out[1])});
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(b64[i], bits[i]);
    ASSERT_EQ(b5[i] & 31, bits[i]);
    ASSERT_EQ(sel[i], bits[i] ? x[i] : 0) << "x = " << asSigned(x[i]);
    ASSERT_EQ(conj[i], bits[i] & (bits[i] ^ (i % 5 == 0)));
  }
}

// selectTruncatePositive: b·⌊x / 2^f⌋, within one below where b = 1 (then x >= 0), exactly 0
// where b = 0 (any x, negative ones too), for several f, then with a shift per element (the
// last call: f_i cycling through 0 and fs; exactly b·x where f_i = 0).
TEST(OtKernelsTest, SelectTruncatePositive) {
  const Words x = testValues(600, 20);
  BitShares bits(x.size());
  for (size_t i = 0; i < x.size(); ++i) bits[i] = asSigned(x[i]) >= 0 && i % 3 != 0;
  const std::vector<int> fs{1, 12, 16, 40, 63};
  std::vector<int> each(x.size());
  for (size_t i = 0; i < x.size(); ++i) each[i] = i % 6 == 0 ? 0 : fs[i % 6 - 1];
  auto out = run([&](OtKernels& k) {
    const BitShares b = bitShareOf(bits, k.rank(), 21);
    const Words a = shareOf(x, k.rank(), 22);
    std::vector<Words> r;
    for (int f : fs) r.push_back(k.selectTruncatePositive(b, a, f));
    r.push_back(k.selectTruncatePositive(b, a, each));
    return r;
  });
  for (size_t j = 0; j <= fs.size(); ++j) {
    const Words got = revealAdd({out[0][j], out[1][j]});
    for (size_t i = 0; i < x.size(); ++i) {
      const int f = j < fs.size() ? fs[j] : each[i];
      if (!bits[i]) {
        ASSERT_EQ(got[i], 0u) << "f = " << f << ", x = " << asSigned(x[i]);
        continue;
      }
      const uint64_t want = x[i] >> f;
      ASSERT_TRUE(got[i] == want || (f > 0 && got[i] + 1 == want))
          << "f = " << f << ", x = " << asSigned(x[i]) << ", got " << got[i];
    }
  }
}

TEST(OtKernelsTest, ReluAndMax) {
  const Words x = testValues(1000, 3);
  // max on values whose difference does not overflow: x and y in [−2^62, 2^62).
  Words a = testValues(1000, 4), b = testValues(1000, 5);
  for (auto* v : {&a, &b}) {
    for (auto& w : *v) w = static_cast<uint64_t>(asSigned(w) >> 1);
  }
  auto out = run([&](OtKernels& k) {
    return std::make_pair(k.relu(shareOf(x, k.rank(), 8)),
                          k.max(shareOf(a, k.rank(), 9), shareOf(b, k.rank(), 10)));
  });
  const Words relu = revealAdd({out[0].first, out[1].first});
  const Words mx = revealAdd({out[0].second, out[1].second});
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(relu[i], asSigned(x[i]) > 0 ? x[i] : 0) << "x = " << asSigned(x[i]);
    ASSERT_EQ(mx[i], static_cast<uint64_t>(std::max(asSigned(a[i]), asSigned(b[i]))))
        << asSigned(a[i]) << " vs " << asSigned(b[i]);
  }
}

TEST(OtKernelsTest, MulIsExactModTwoToThe64) {
  const Words x = testValues(500, 6), y = testValues(500, 7);
  Words ys = y;
  std::reverse(ys.begin(), ys.end());  // edge values meet random ones
  auto out = run([&](OtKernels& k) {
    const Words a = shareOf(x, k.rank(), 11), b = shareOf(ys, k.rank(), 12);
    return std::make_pair(k.mul(a, b), k.mul(a, a));
  });
  const Words xy = revealAdd({out[0].first, out[1].first});
  const Words xx = revealAdd({out[0].second, out[1].second});
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(xy[i], x[i] * ys[i]) << x[i] << " * " << ys[i];
    ASSERT_EQ(xx[i], x[i] * x[i]) << x[i];
  }
}

// f = 12, 13, 27, 40: a prefix of 6, 7, 14, 20 leaves, merged from 2, 3, 3, 2 tree nodes.
const std::vector<int> kFracBits{1, 3, 12, 13, 16, 27, 40, 63};

TEST(OtKernelsTest, TruncatePositiveHasAtMostTheOneBitError) {
  Words x = testValues(1000, 8);
  for (auto& v : x) v &= ~kMin;  // 0 ≤ x < 2^63
  auto out = run([&](OtKernels& k) {
    std::vector<Words> r;
    for (int f : kFracBits) r.push_back(k.truncatePositive(shareOf(x, k.rank(), 13), f));
    return r;
  });
  for (size_t j = 0; j < kFracBits.size(); ++j) {
    const int f = kFracBits[j];
    const Words t = revealAdd({out[0][j], out[1][j]});
    int low = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const uint64_t want = x[i] >> f;
      ASSERT_TRUE(t[i] == want || t[i] == want - 1)
          << "f = " << f << ", x = " << x[i] << ": " << asSigned(t[i]) << " vs " << want;
      low += t[i] != want;
    }
    // The error is the dropped carry of the low f bits: present for some, not all, inputs.
    EXPECT_GT(low, 0) << "f = " << f;
    EXPECT_LT(low, static_cast<int>(x.size())) << "f = " << f;
  }
}

TEST(OtKernelsTest, TruncateIsExactForEverySign) {
  const Words x = testValues(1000, 9);
  auto out = run([&](OtKernels& k) {
    std::vector<Words> r;
    for (int f : kFracBits) r.push_back(k.truncate(shareOf(x, k.rank(), 14), f));
    return r;
  });
  for (size_t j = 0; j < kFracBits.size(); ++j) {
    const int f = kFracBits[j];
    const Words t = revealAdd({out[0][j], out[1][j]});
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(t[i], floorShift(x[i], f)) << "f = " << f << ", x = " << asSigned(x[i]);
    }
  }
}

// A small Ferret set of emp-ot's shape (fast, not a secure set; as ot_session_ferret_test):
// rounds of 13,872 COTs.
ot::OtOptions smallFerret() {
  ot::OtOptions options;
  options.extension = ot::OtExtension::kFerret;
  options.ferret = {"small", {64 * 256, 2000, 64, 8}, {24 * 256, 1000, 24, 8}};
  options.batch = 4096;
  return options;
}

// Bytes this party moved for the OT extension (the refills, tag "ot/extend").
uint64_t otBytes(const Communicator& comm) {
  const auto& tags = comm.stats().by_tag;
  const auto t = tags.find("ot/extend");
  return t == tags.end() ? 0 : t->second.bytes();
}

// setup() does the extension's one-time work: with Ferret it bootstraps both directions, after
// which a ReLU within the first round's COTs (64 elements: 80 and 16 COTs each) moves nothing
// for the extension and is still exact; with IKNP it sends nothing.
TEST(OtKernelsTest, SetupBootstrapsFerretAhead) {
  const Words x = testValues(64, 18);
  struct Out {
    uint64_t setup_bytes = 0, relu_bytes = 0;
    Words relu;
  };
  for (const bool ferret : {true, false}) {
    auto out = run(
        [&](OtKernels& k) {
          Out o;
          const uint64_t b0 = otBytes(k.comm());
          k.setup();
          const uint64_t b1 = otBytes(k.comm());
          o.relu = k.relu(shareOf(x, k.rank(), 19));
          o.setup_bytes = b1 - b0;
          o.relu_bytes = otBytes(k.comm()) - b1;
          return o;
        },
        ferret ? smallFerret() : ot::OtOptions{});
    const Words relu = revealAdd({out[0].relu, out[1].relu});
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(relu[i], asSigned(x[i]) > 0 ? x[i] : 0) << "x = " << asSigned(x[i]);
    for (int p = 0; p < 2; ++p) {
      if (ferret) {
        EXPECT_GT(out[p].setup_bytes, 0u) << "party " << p;
        EXPECT_EQ(out[p].relu_bytes, 0u) << "party " << p;
      } else {
        EXPECT_EQ(out[p].setup_bytes, 0u) << "party " << p;
        EXPECT_GT(out[p].relu_bytes, 0u) << "party " << p;  // IKNP refills as it goes
      }
    }
  }
}

TEST(OtKernelsTest, ReluAndMulOnFerretCots) {
  const Words x = testValues(256, 10), y = testValues(256, 11);
  // The small set's rounds of 13,872 COTs: the kernels run across several Ferret rounds.
  const ot::OtOptions options = smallFerret();
  auto out = run(
      [&](OtKernels& k) {
        const Words a = shareOf(x, k.rank(), 15), b = shareOf(y, k.rank(), 16);
        return std::make_pair(k.relu(a), k.mul(a, b));
      },
      options);
  const Words relu = revealAdd({out[0].first, out[1].first});
  const Words xy = revealAdd({out[0].second, out[1].second});
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(relu[i], asSigned(x[i]) > 0 ? x[i] : 0) << "x = " << asSigned(x[i]);
    ASSERT_EQ(xy[i], x[i] * y[i]);
  }
}

TEST(OtKernelsTest, RoundsAndBytesMatchTheDocumentation) {
  const size_t n = 512;  // a multiple of 64: every bit message is whole bytes
  const int f = 16;
  const Words x = testValues(n, 12);
  struct Cost {
    uint64_t rounds = 0, sent = 0;
  };
  auto out = run([&](OtKernels& k) {
    const Words a = shareOf(x, k.rank(), 17);
    const BitShares b(n, static_cast<uint8_t>(k.rank()));
    std::vector<Cost> costs;
    auto measure = [&](OtKernels::Cots cots, auto&& fn) {
      k.reserve(cots);
      const CommCounters before = k.comm().stats().total;
      fn();
      const CommCounters after = k.comm().stats().total;
      costs.push_back({after.rounds - before.rounds, after.bytes_sent - before.bytes_sent});
    };
    measure(OtKernels::cotsFor(Kernel::kMsb, n, f), [&] { (void)k.drelu(a); });
    measure(OtKernels::cotsFor(Kernel::kB2a, n, f), [&] { (void)k.b2a(b); });
    measure(OtKernels::cotsFor(Kernel::kSelect, n, f), [&] { (void)k.select(b, a); });
    measure(OtKernels::cotsFor(Kernel::kSelectTruncatePositive, n, f),
            [&] { (void)k.selectTruncatePositive(b, a, f); });
    measure(OtKernels::cotsFor(Kernel::kRelu, n, f), [&] { (void)k.relu(a); });
    measure(OtKernels::cotsFor(Kernel::kMul, n, f), [&] { (void)k.mul(a, a); });
    measure(OtKernels::cotsFor(Kernel::kTruncatePositive, n, f),
            [&] { (void)k.truncatePositive(a, f); });
    measure(OtKernels::cotsFor(Kernel::kTruncate, n, f), [&] { (void)k.truncate(a, f); });
    measure(OtKernels::cotsForLessThan(n, 64, 2), [&] { (void)k.lessThan(a, 64, 2); });
    measure(OtKernels::cotsFor(Kernel::kTruncate, n, 13), [&] { (void)k.truncate(a, 13); });
    return costs;
  });
  // Bytes per 8 elements (the header's per-element figures times 8), party 0 and party 1.
  struct Expect {
    const char* name;
    uint64_t rounds, sent0_per8, sent1_per8;
  };
  const std::vector<Expect> expect = {
      {"drelu", 6, 521, 104},                  // 65.125 / 13 B per element
      {"b2a", 2, 64, 1},                       // 8 / 0.125
      {"select", 2, 65, 65},                   // 8.125 each
      {"selectTruncatePositive", 2, 193, 67},  // 24.125 / 8.375
      {"relu", 8, 586, 169},                   // 73.25 / 21.125
      {"mul", 2, 2144, 2144},                  // 268 each
      {"truncatePositive", 2, 16, 1},          // f/8 = 2 / 0.125
      {"truncate", 9, 418, 154},               // 52.25 / 19.25
      {"lessThan(64, 2)", 7, 340, 152},        // 42.5 / 19
      {"truncate(13)", 9, 422, 153},           // 52.75 / 19.125
  };

  for (size_t i = 0; i < expect.size(); ++i) {
    const Expect& e = expect[i];
    for (int p = 0; p < 2; ++p) {
      EXPECT_EQ(out[p][i].rounds, e.rounds) << e.name << ", party " << p;
      EXPECT_EQ(out[p][i].sent, (p == 0 ? e.sent0_per8 : e.sent1_per8) * n / 8)
          << e.name << ", party " << p;
    }
    std::cout << "[ cost     ] n = " << n << ": " << e.name << " " << out[0][i].rounds
              << " rounds, bytes sent per element: party 0 " << double(out[0][i].sent) / n
              << ", party 1 " << double(out[1][i].sent) / n
              << " (both: " << 8.0 * double(out[0][i].sent + out[1][i].sent) / n << " bits)\n";
  }
}

TEST(OtKernelsTest, BadInputGivesClearErrors) {
  EXPECT_THROW((void)OtKernels::cotsFor(Kernel::kTruncate, 4, 64), InvalidArgument);
  EXPECT_THROW((void)OtKernels::cotsForLessThan(4, 64, 0), InvalidArgument);
  EXPECT_THROW(simulate(3,
                        [](Communicator& comm) {
                          OtKernels k(comm);
                          return 0;
                        }),
               InvalidArgument);
  auto out = run([](OtKernels& k) {
    const Words a(4), b(5);
    return std::make_tuple(
        testing::errorOf([&] { (void)k.mul(a, b); }),
        testing::errorOf([&] { (void)k.truncate(a, 64); }),
        testing::errorOf([&] { (void)k.lessThan(a, 0); }),
        testing::errorOf([&] { (void)k.lessThan(a, 8, 5); }),
        testing::errorOf([&] { (void)k.selectTruncatePositive(BitShares(4), a, 0); }),
        testing::errorOf([&] {
          (void)k.selectTruncatePositive(BitShares(4), a, std::vector<int>{0, 1, 64, 2});
        }));
  });
  EXPECT_NE(std::get<0>(out[0]).find("sizes 4 and 5"), std::string::npos) << std::get<0>(out[0]);
  EXPECT_NE(std::get<1>(out[0]).find("f = 64"), std::string::npos) << std::get<1>(out[0]);
  EXPECT_NE(std::get<2>(out[0]).find("bits = 0"), std::string::npos) << std::get<2>(out[0]);
  EXPECT_NE(std::get<3>(out[0]).find("leaf_bits = 5"), std::string::npos) << std::get<3>(out[0]);
  EXPECT_NE(std::get<4>(out[0]).find("f = 0"), std::string::npos) << std::get<4>(out[0]);
  EXPECT_NE(std::get<5>(out[0]).find("f = 64"), std::string::npos) << std::get<5>(out[0]);
}

}  // namespace
}  // namespace sotto
