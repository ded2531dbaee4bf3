// Party 0's view of DReLU on OT (sotto/mpc/ot/ot_kernels.h) must not depend on the secret (the
// semi-honest security of the kernel, checked statistically in the style of party_view_test.cc);
// nor may either party's view of the lookup depend on the index, nor party 1's on the table,
// nor either view of the narrow-ring kernels (extendSigned, reluExtend) on the secret (the same
// checks, at the end of the file):
// every byte party 0 receives during drelu (after the COTs were reserved, so the view is the
// kernel's own messages: party 1's masked 1-of-16 choices and its AND-tree openings) is recorded
// over many runs on a secret A (all zeros) and as many on a very different secret B (edge and
// full-range values), each run with fresh shares. Checks: the message sizes are the same for A and
// B; each bit position of the 64-bit words is balanced for A and for B over the whole view and
// per message slot (|z| ≤ 6, a binomial z-test at 6 sigma); A's and B's byte histograms agree (a
// two-sample chi-square at a false-alarm probability of 1e-6). The same detector fires on an
// insecure view (the secret opened to party 0), so the test can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <span>
#include <tuple>

#include "sotto/crypto/prg.h"
#include "sotto/mpc/ot/ot_kernels.h"
#include "testing/recording_communicator.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using sotto::testing::RecordingCommunicator;
using sotto::testing::simulate;
using View = std::vector<RecordingCommunicator::Message>;
using Words = std::vector<uint64_t>;

constexpr double kMaxBitZ = 6.0;
constexpr double kZAlpha = 4.753424;  // upper 1e-6 quantile of the standard normal

// Upper 1e-6 quantile of chi-square with k df (Wilson–Hilferty; 377.25 for k = 255).
double chiSquareQuantile(int k) {
  const double h = 2.0 / (9.0 * k);
  return k * std::pow(1.0 - h + kZAlpha * std::sqrt(h), 3);
}

double zScore(uint64_t ones, uint64_t n) {
  return (static_cast<double>(ones) - 0.5 * static_cast<double>(n)) /
         std::sqrt(0.25 * static_cast<double>(n));
}

// Largest |z| over the 64 bit positions of the words of `messages`.
double worstBitZ(const View& messages) {
  std::array<uint64_t, 64> ones{};
  uint64_t words = 0;
  for (const auto& m : messages) {
    for (size_t i = 0; i + 8 <= m.bytes.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, m.bytes.data() + i, 8);
      ++words;
      for (int j = 0; j < 64; ++j) ones[j] += (w >> j) & 1;
    }
  }
  double worst = 0;
  for (int j = 0; j < 64 && words > 0; ++j)
    worst = std::max(worst, std::fabs(zScore(ones[j], words)));
  return worst;
}

std::array<uint64_t, 256> histogram(const View& v) {
  std::array<uint64_t, 256> h{};
  for (const auto& m : v) {
    for (std::byte b : m.bytes) ++h[std::to_integer<uint8_t>(b)];
  }
  return h;
}

// Two-sample chi-square statistic and its degrees of freedom.
std::pair<double, int> chiSquare(const View& a, const View& b) {
  const auto ha = histogram(a), hb = histogram(b);
  double na = 0, nb = 0;
  for (int i = 0; i < 256; ++i) {
    na += static_cast<double>(ha[i]);
    nb += static_cast<double>(hb[i]);
  }
  double chi2 = 0;
  int bins = 0;
  for (int i = 0; i < 256; ++i) {
    const double x = static_cast<double>(ha[i]), y = static_cast<double>(hb[i]);
    if (x + y == 0) continue;
    ++bins;
    chi2 += (nb * x - na * y) * (nb * x - na * y) / (na * nb * (x + y));
  }
  return {chi2, bins - 1};
}

struct Verdict {
  bool sizes_equal = false;
  double worst_z = 0;  // over A and B, whole views and per slot
  double chi2 = 0, chi2_critical = 0;
  bool secure() const { return sizes_equal && worst_z <= kMaxBitZ && chi2 <= chi2_critical; }
};

Verdict judge(const View& a, const View& b, int runs) {
  Verdict v;
  v.sizes_equal = a.size() == b.size();
  for (size_t i = 0; v.sizes_equal && i < a.size(); ++i)
    v.sizes_equal = a[i].bytes.size() == b[i].bytes.size();
  v.worst_z = std::max(worstBitZ(a), worstBitZ(b));
  // Per slot: the i-th message of every run together.
  const size_t per_run = a.size() / static_cast<size_t>(runs);
  for (const View* view : {&a, &b}) {
    for (size_t s = 0; s < per_run; ++s) {
      View slot;
      for (size_t r = 0; r < static_cast<size_t>(runs); ++r)
        slot.push_back((*view)[r * per_run + s]);
      v.worst_z = std::max(v.worst_z, worstBitZ(slot));
    }
  }
  int df = 0;
  std::tie(v.chi2, df) = chiSquare(a, b);
  v.chi2_critical = chiSquareQuantile(df);
  return v;
}

// Secret B: edge values and full-range words.
Words secretB(size_t n) {
  std::mt19937_64 gen(5);
  Words v(n);
  const uint64_t edges[] = {~uint64_t{0}, uint64_t{1} << 63, (uint64_t{1} << 63) - 1, 1,
                            uint64_t{1} << 40};
  for (size_t i = 0; i < n; ++i) v[i] = i % 2 ? gen() : edges[i / 2 % 5];
  return v;
}

// Fresh shares of x for run r (party 0 a PRG word).
Words shareOf(const Words& x, int rank, int run) {
  Prg::Seed s{};
  s[0] = static_cast<uint8_t>(run);
  s[1] = static_cast<uint8_t>(run >> 8);
  Prg prg(s);
  Words r(x.size());
  prg.fill(r);
  if (rank == 1) {
    for (size_t i = 0; i < x.size(); ++i) r[i] = x[i] - r[i];
  }
  return r;
}

constexpr size_t kN = 512;
constexpr int kRuns = 16;

// Party `observer`'s views of op(kernels, comm, shares, second) on secrets xa and xb (second:
// the run is on xb), runs alternating between them, each after reserving `cots`.
template <typename Op>
std::pair<View, View> viewsOf(int observer, const OtKernels::Cots& cots, const Words& xa,
                              const Words& xb, Op&& op) {
  auto out = simulate(2, [&](Communicator& comm) -> std::optional<std::pair<View, View>> {
    std::optional<RecordingCommunicator> recorder;
    if (comm.rank() == observer) recorder.emplace(comm, 1 - observer);
    Communicator& c = recorder ? static_cast<Communicator&>(*recorder) : comm;
    OtKernels k(c);
    View va, vb;
    for (int r = 0; r < 2 * kRuns; ++r) {
      const bool second = r % 2 == 1;
      const Words mine = shareOf(second ? xb : xa, comm.rank(), r);
      k.reserve(cots);
      if (recorder) recorder->setRecording(true);
      op(k, c, mine, second);
      if (recorder) {
        recorder->setRecording(false);
        View got = recorder->takeMessages();
        View& into = second ? vb : va;
        into.insert(into.end(), got.begin(), got.end());
      }
    }
    if (!recorder) return std::nullopt;
    return std::make_pair(std::move(va), std::move(vb));
  });
  return std::move(*out[observer]);
}

// Party 0's views of op(kernels, comm, shares) on A (zeros) and on B (secretB).
template <typename Op>
std::pair<View, View> viewsOfParty0(Op&& op) {
  return viewsOf(0, OtKernels::cotsFor(OtKernels::Kernel::kMsb, kN), Words(kN, 0), secretB(kN),
                 [&](OtKernels& k, Communicator& c, const Words& x, bool) { op(k, c, x); });
}

TEST(OtKernelsViewTest, Party0sViewOfDreluDoesNotDependOnTheSecret) {
  const auto [a, b] =
      viewsOfParty0([](OtKernels& k, Communicator&, const Words& x) { (void)k.drelu(x); });
  ASSERT_FALSE(a.empty());
  const Verdict v = judge(a, b, kRuns);
  size_t bytes = 0;
  for (const auto& m : a) bytes += m.bytes.size();
  std::cout << "[ measured ] drelu, party 0's view: " << a.size() / kRuns << " messages, "
            << bytes / kRuns << " B per run; worst bit z " << v.worst_z << " (limit " << kMaxBitZ
            << "); chi2 " << v.chi2 << " (critical " << v.chi2_critical << ")\n";
  EXPECT_TRUE(v.sizes_equal);
  EXPECT_LE(v.worst_z, kMaxBitZ);
  EXPECT_LE(v.chi2, v.chi2_critical);
}

TEST(OtKernelsViewTest, TheDetectorFiresOnAnInsecureView) {
  // An "opening" of x to party 0: party 0 sends its share, party 1 answers with x0 + x1.
  const auto [a, b] = viewsOfParty0([](OtKernels&, Communicator& c, const Words& x) {
    Words other(x.size());
    if (c.rank() == 0) {
      c.send(1, std::as_bytes(std::span(x)));
      c.recv(1, std::as_writable_bytes(std::span(other)));
    } else {
      c.recv(0, std::as_writable_bytes(std::span(other)));
      for (size_t i = 0; i < x.size(); ++i) other[i] += x[i];
      c.send(0, std::as_bytes(std::span(other)));
    }
  });
  const Verdict v = judge(a, b, kRuns);
  EXPECT_FALSE(v.secure()) << "worst z " << v.worst_z << ", chi2 " << v.chi2;
}

}  // namespace
}  // namespace sotto

namespace sotto {
namespace {

// The lookup (SiRnn's, k = 4, two 64-bit columns): party 1 receives the 2^k masked rows of every
// element, party 0 the masked choices; neither view may depend on the table or on the index.
constexpr int kLutBits = 4, kLutColumns = 2;

Words lutTable(unsigned seed) {
  std::mt19937_64 gen(seed);  // test inputs only
  Words t(kLutColumns << kLutBits);
  for (auto& v : t) v = gen();
  return t;
}

OtKernels::Cots lutCots() { return OtKernels::cotsFor(OtKernels::Kernel::kLookup, kN, kLutBits); }

void expectSecure(const std::pair<View, View>& views, const char* what) {
  const auto& [a, b] = views;
  ASSERT_FALSE(a.empty()) << what;
  const Verdict v = judge(a, b, kRuns);
  std::cout << "[ measured ] " << what << ": worst bit z " << v.worst_z << " (limit " << kMaxBitZ
            << "); chi2 " << v.chi2 << " (critical " << v.chi2_critical << ")\n";
  EXPECT_TRUE(v.sizes_equal) << what;
  EXPECT_LE(v.worst_z, kMaxBitZ) << what;
  EXPECT_LE(v.chi2, v.chi2_critical) << what;
}

TEST(OtKernelsViewTest, Party1sViewOfLookupDoesNotDependOnTheTable) {
  // The same index, table A all zeros and table B random words.
  const Words x = secretB(kN), zeros(kLutColumns << kLutBits, 0), random = lutTable(7);
  expectSecure(viewsOf(1, lutCots(), x, x,
                       [&](OtKernels& k, Communicator&, const Words& mine, bool second) {
                         (void)k.lookup(mine, kLutBits, kLutColumns, second ? random : zeros);
                       }),
               "lookup, party 1's view, tables A and B");
}

TEST(OtKernelsViewTest, NeitherViewOfLookupDependsOnTheIndex) {
  const Words table = lutTable(8);
  for (int observer : {0, 1}) {
    expectSecure(viewsOf(observer, lutCots(), Words(kN, 0), secretB(kN),
                         [&](OtKernels& k, Communicator&, const Words& mine, bool) {
                           (void)k.lookup(mine, kLutBits, kLutColumns, table);
                         }),
                 observer == 0 ? "lookup, party 0's view, indices A and B"
                               : "lookup, party 1's view, indices A and B");
  }
}

// The narrow ring (ℓ = 44; the high bits of the shares are garbage to the kernels): neither
// party's view of extendSigned and reluExtend may depend on the ℓ-bit secret (A zeros, B edge
// and full-range words, their low 44 bits read as signed).
TEST(OtKernelsViewTest, NeitherViewOfTheNarrowRingKernelsDependsOnTheSecret) {
  constexpr int kBits = 44;
  OtKernels::Cots cots = OtKernels::cotsForNarrow(OtKernels::Kernel::kExtendSigned, kN, kBits);
  cots += OtKernels::cotsForNarrow(OtKernels::Kernel::kRelu, kN, kBits);
  for (int observer : {0, 1}) {
    expectSecure(viewsOf(observer, cots, Words(kN, 0), secretB(kN),
                         [&](OtKernels& k, Communicator&, const Words& mine, bool) {
                           (void)k.extendSigned(mine, kBits);
                           (void)k.reluExtend(mine, kBits);
                         }),
                 observer == 0 ? "extendSigned + reluExtend (44 bits), party 0's view"
                               : "extendSigned + reluExtend (44 bits), party 1's view");
  }
}

TEST(OtKernelsViewTest, TheDetectorFiresOnAnUnmaskedLookup) {
  // Party 0 sends its rotated table T[(x0 + j) mod 2^k] as it is: tables A and B tell apart.
  const Words x = secretB(kN), zeros(kLutColumns << kLutBits, 0), random = lutTable(7);
  const auto [a, b] =
      viewsOf(1, lutCots(), x, x, [&](OtKernels&, Communicator& c, const Words& mine, bool second) {
        const Words& t = second ? random : zeros;
        const size_t rows = size_t{1} << kLutBits, cols = kLutColumns;
        Words sent(kN * rows * cols);
        if (c.rank() == 0) {
          for (size_t i = 0; i < kN; ++i)
            for (size_t j = 0; j < rows * cols; ++j)
              sent[i * rows * cols + j] = t[((mine[i] + j / cols) % rows) * cols + j % cols];
          c.send(1, std::as_bytes(std::span(sent)));
        } else {
          c.recv(0, std::as_writable_bytes(std::span(sent)));
        }
      });
  const Verdict v = judge(a, b, kRuns);
  EXPECT_FALSE(v.secure()) << "worst z " << v.worst_z << ", chi2 " << v.chi2;
}

}  // namespace
}  // namespace sotto
