// What each end of an OT session sees must not depend on the other end's input (semi-honest
// security, checked statistically in the style of party_view_test.cc). Every byte one party
// receives during the calls (not the setup, whose curve points are not uniform bytes) is recorded
// with RecordingCommunicator over many runs on an input A and as many on a very different input B:
//   - receiver's view, sender inputs A = all-zero messages, B = all-ones / random messages, for
//     chosen OT (64-bit and trimmed 8-bit), 1-of-16 with 2-bit messages, additive COT;
//   - sender's view (the IKNP extension matrices and the choice flips), receiver choices A = all
//     zeros, B = all ones.
// Checks: the sequence of message sizes is the same for A and B; each bit position of the 64-bit
// words is balanced for A and for B (|z| ≤ 6, a binomial z-test at 6 sigma); each view's byte
// histogram is uniform (chi-square, 255 df) and A's and B's agree (two-sample chi-square), each
// at a false-alarm probability of 1e-6. Message sizes are multiples of 8 bytes (no padding). The
// detector is shown to fire on an insecure view (the sender's messages sent in the clear).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <sstream>

#include "sotto/ot/session.h"
#include "testing/recording_communicator.h"
#include "testing/simulate.h"

namespace sotto::ot {
namespace {

using sotto::testing::RecordingCommunicator;
using sotto::testing::simulate;
using View = std::vector<RecordingCommunicator::Message>;

constexpr double kMaxBitZ = 6.0;
constexpr double kZAlpha = 4.753424;  // upper 1e-6 quantile of the standard normal

// Upper 1e-6 quantile of chi-square with k df (Wilson–Hilferty; 377.25 for k = 255).
double chiSquareQuantile(int k) {
  const double h = 2.0 / (9.0 * k);
  return k * std::pow(1.0 - h + kZAlpha * std::sqrt(h), 3);
}

struct Profile {
  std::vector<size_t> sizes;
  uint64_t bytes = 0, words = 0;
  std::array<uint64_t, 64> ones{};
  std::array<uint64_t, 256> histogram{};
};

Profile profile(const View& v) {
  Profile p;
  for (const auto& m : v) {
    p.sizes.push_back(m.bytes.size());
    p.bytes += m.bytes.size();
    for (std::byte b : m.bytes) ++p.histogram[std::to_integer<uint8_t>(b)];
    for (size_t i = 0; i + 8 <= m.bytes.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, m.bytes.data() + i, 8);
      ++p.words;
      for (int j = 0; j < 64; ++j) p.ones[j] += (w >> j) & 1;
    }
  }
  return p;
}

double worstBitZ(const Profile& p) {
  double worst = 0;
  for (int j = 0; j < 64; ++j) {
    const double z = (static_cast<double>(p.ones[j]) - 0.5 * static_cast<double>(p.words)) /
                     std::sqrt(0.25 * static_cast<double>(p.words));
    if (std::fabs(z) > std::fabs(worst)) worst = z;
  }
  return worst;
}

double uniformChiSquare(const Profile& p) {
  const double e = static_cast<double>(p.bytes) / 256;
  double chi2 = 0;
  for (uint64_t h : p.histogram)
    chi2 += (static_cast<double>(h) - e) * (static_cast<double>(h) - e) / e;
  return chi2;
}

double twoSampleChiSquare(const Profile& a, const Profile& b) {
  const double na = static_cast<double>(a.bytes), nb = static_cast<double>(b.bytes);
  double chi2 = 0;
  for (int i = 0; i < 256; ++i) {
    const double x = static_cast<double>(a.histogram[i]), y = static_cast<double>(b.histogram[i]);
    if (x + y > 0) chi2 += (nb * x - na * y) * (nb * x - na * y) / (na * nb * (x + y));
  }
  return chi2;
}

struct Verdict {
  bool sizes_equal, all_multiples_of_8;
  double z_a, z_b, chi2_a, chi2_b, chi2_ab;
  uint64_t bytes;
  bool fires() const {
    const double crit = chiSquareQuantile(255);
    return !sizes_equal || std::fabs(z_a) > kMaxBitZ || std::fabs(z_b) > kMaxBitZ ||
           chi2_a > crit || chi2_b > crit || chi2_ab > crit;
  }
  std::string summary() const {
    std::ostringstream os;
    os << bytes << " B per input; sizes equal " << sizes_equal << "; worst bit z A " << z_a
       << ", B " << z_b << " [limit " << kMaxBitZ << "]; chi2 uniform A " << chi2_a << ", B "
       << chi2_b << ", A vs B " << chi2_ab << " [critical " << chiSquareQuantile(255) << "]";
    return os.str();
  }
};

Verdict judge(const View& a, const View& b) {
  const Profile pa = profile(a), pb = profile(b);
  Verdict v{};
  v.sizes_equal = pa.sizes == pb.sizes;
  v.all_multiples_of_8 = true;
  for (size_t s : pa.sizes) v.all_multiples_of_8 = v.all_multiples_of_8 && s % 8 == 0;
  v.z_a = worstBitZ(pa);
  v.z_b = worstBitZ(pb);
  v.chi2_a = uniformChiSquare(pa);
  v.chi2_b = uniformChiSquare(pb);
  v.chi2_ab = twoSampleChiSquare(pa, pb);
  v.bytes = pa.bytes;
  return v;
}

struct Views {
  View a, b;
};

// Runs `runs` × (input A, input B) on a fresh pair of sessions (party 0 the sender; `batch` as
// given, so that every call refills the same way on A and B); returns the views of {sender,
// receiver}: what each received during the calls. fs(sender, which), fr(receiver, which).
template <typename FS, typename FR>
std::array<Views, 2> observe(int runs, size_t batch, FS&& fs, FR&& fr) {
  auto out = simulate(2, [&](Communicator& comm) {
    RecordingCommunicator rec(comm, 1 - comm.rank());
    OtOptions options;
    options.batch = batch;
    std::optional<OtSender> s;
    std::optional<OtReceiver> r;
    if (comm.rank() == 0)
      s.emplace(rec, options);
    else
      r.emplace(rec, options);
    Views v;
    for (int run = 0; run < runs; ++run) {
      for (int which = 0; which < 2; ++which) {
        rec.setRecording(true);
        if (s)
          fs(*s, which);
        else
          fr(*r, which);
        rec.setRecording(false);
        View got = rec.takeMessages();
        View& into = which == 0 ? v.a : v.b;
        into.insert(into.end(), got.begin(), got.end());
      }
    }
    return v;
  });
  return {std::move(out[0]), std::move(out[1])};
}

void expectIndistinguishable(const Views& v, const std::string& what) {
  ASSERT_FALSE(v.a.empty()) << what << ": nothing was received";
  const Verdict verdict = judge(v.a, v.b);
  std::cout << "[ measured ] " << what << ": " << verdict.summary() << "\n";
  ASSERT_TRUE(verdict.all_multiples_of_8) << what << ": a message has padding bits";
  EXPECT_FALSE(verdict.fires()) << what << ": " << verdict.summary();
}

constexpr size_t kN = 4096;  // instances per call
constexpr int kRuns = 8;

std::vector<uint64_t> inputWords(int which, unsigned seed) {
  if (which == 0) return std::vector<uint64_t>(kN, 0);
  std::mt19937_64 gen(seed);
  std::vector<uint64_t> v(kN);
  for (size_t i = 0; i < kN; ++i) v[i] = i % 2 ? ~uint64_t{0} : gen();
  return v;
}
std::vector<uint8_t> choices(int which) { return std::vector<uint8_t>(kN, which ? 1 : 0); }

TEST(OtView, ChosenOtReceiverLearnsNothingOfTheOtherMessage) {
  for (int bits : {64, 8}) {
    const auto views = observe(
        kRuns, kN,
        [&](OtSender& s, int which) {
          s.chosenOt(inputWords(which, 1), inputWords(which, 2), bits);
        },
        [&](OtReceiver& r, int) { r.chosenOt(choices(0), bits); });
    expectIndistinguishable(views[1], "chosen OT (" + std::to_string(bits) +
                                          "-bit), receiver's view of the sender's messages");
  }
}

TEST(OtView, OneOfSixteenReceiverLearnsNothingOfTheOtherEntries) {
  const auto views = observe(
      kRuns, kN,
      [&](OtSender& s, int which) {
        std::vector<uint64_t> table(kN * 16, which ? 3 : 0);
        s.oneOfN(table, 4, 2);
      },
      [&](OtReceiver& r, int) { r.oneOfN(std::vector<uint8_t>(kN, 5), 4, 2); });
  expectIndistinguishable(views[1], "1-of-16 OT (2-bit), receiver's view of the table");
}

TEST(OtView, AdditiveCotReceiverLearnsNothingOfX) {
  const auto views = observe(
      kRuns, kN, [&](OtSender& s, int which) { s.additiveCot(inputWords(which, 3), 64); },
      [&](OtReceiver& r, int) { r.additiveCot(choices(1), 64); });
  expectIndistinguishable(views[1], "additive COT, receiver's view of x");
}

TEST(OtView, SenderLearnsNothingOfTheChoices) {
  const auto views = observe(
      kRuns, kN,
      [&](OtSender& s, int) {
        s.chosenOt(inputWords(1, 4), inputWords(1, 5), 64);
        s.additiveCot(inputWords(1, 6), 64);
      },
      [&](OtReceiver& r, int which) {
        r.chosenOt(choices(which), 64);
        r.additiveCot(choices(which), 64);
      });
  expectIndistinguishable(views[0],
                          "chosen OT + additive COT, sender's view (extension "
                          "matrices and choice flips)");
  // the extension matrices are there: 16 bytes per COT
  uint64_t bytes = 0;
  for (const auto& m : views[0].a) bytes += m.bytes.size();
  EXPECT_EQ(bytes, kRuns * (2 * kN * 16 + 2 * kN / 8));
}

// A view built from the inputs as an insecure protocol would send them: `mask_bits` low bits of
// each word masked by a uniform pad, the rest in the clear (0: the plaintext itself).
Views insecureViews(int mask_bits) {
  std::mt19937_64 pad(99);
  Views v;
  for (int run = 0; run < kRuns; ++run) {
    for (int which = 0; which < 2; ++which) {
      auto x = inputWords(which, 7);
      for (auto& w : x) {
        const uint64_t m = mask_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << mask_bits) - 1;
        w ^= pad() & m;
      }
      RecordingCommunicator::Message msg{CommOp::kRecv, std::vector<std::byte>(kN * 8)};
      std::memcpy(msg.bytes.data(), x.data(), msg.bytes.size());
      (which == 0 ? v.a : v.b).push_back(std::move(msg));
    }
  }
  return v;
}

TEST(OtView, TheDetectorFiresOnInsecureViews) {
  for (int mask_bits : {0, 63}) {  // the plaintext; a pad missing its top bit
    const Views v = insecureViews(mask_bits);
    EXPECT_TRUE(judge(v.a, v.b).fires()) << mask_bits << ": " << judge(v.a, v.b).summary();
  }
  const Views ok = insecureViews(64);  // and stays quiet on a full pad
  EXPECT_FALSE(judge(ok.a, ok.b).fires()) << judge(ok.a, ok.b).summary();
}

}  // namespace
}  // namespace sotto::ot
