// Statistical tests of each party's view (semi-honest security, issue 12 item 6): under the TTP
// dealer, what a party receives from the other party during an operation must not depend on the
// other party's secret input. For each operation (mul, relu, sigmoid, a whole LeNet5 forward) the
// observer records every byte it receives from the secret's owner (RecordingCommunicator), over
// many runs on a secret A (all zeros) and as many on a very different secret B (large positive and
// negative values), and the test asserts:
//   - sizes: the sequence of received message sizes (hence the total) is identical for A and B;
//   - uniformity: each bit position of the received 64-bit words is balanced, for A and for B,
//     over the whole view and over each message of a run (the i-th message of every run), so a
//     small biased message is not lost among large ones: |ones - n/2| <= 6·sqrt(n/4), a binomial
//     z-test at 6 sigma (2e-9 false alarms per position for large n; Hoeffding bounds it by
//     2·exp(-18) = 3e-8 for any n); and the sum of z² over all messages and positions, which is
//     chi-square with 64 degrees of freedom per message, stays below its 1e-6 quantile;
//   - indistinguishability: a two-sample chi-square test on the 256-bin byte histograms of A's and
//     B's views, and a two-sample Kolmogorov–Smirnov test on their words read as doubles in
//     [0, 1), each at a false-alarm probability of 1e-6.
// About 8600 bit positions and 26 chi-square or KS tests are checked per pass, so a pass fails by
// chance with probability about 3e-5. Sizes are multiples of 64 elements, so no message carries
// padding; no message needed excluding (every message of every op here is uniform by design). The
// same detector must fire on insecure views (the plaintext sent as it is, a mask missing its top
// bit, a size that depends on the secret), so these tests can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sotto/math/functions.h"
#include "sotto/model/onnx.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/protocol_factory.h"
#include "sotto/nn/private_model.h"
#include "testing/mpc.h"
#include "testing/recording_communicator.h"

#ifndef SOTTO_MODELS_DIR
#define SOTTO_MODELS_DIR "models"
#endif

namespace sotto::testing {
namespace {

using View = std::vector<RecordingCommunicator::Message>;

// ---------------------------------------------------------------------------------------------
// The detector.

// 6 sigma: P(|Z| > 6) = 1.97e-9 for a standard normal (the binomial counts here are over
// thousands of words, where the normal approximation is accurate at this level).
constexpr double kMaxBitZ = 6.0;
// False-alarm probability of each two-sample test.
constexpr double kAlpha = 1e-6;
// Upper 1e-6 quantile of the standard normal (for the chi-square quantile below).
constexpr double kZAlpha = 4.753424;

// Upper-alpha quantile of chi-square with k degrees of freedom, by Wilson–Hilferty: 377.25 for
// k = 255 against the exact 377.08, 219.16 for k = 128 against 218.91 (a false-alarm probability
// a little under 1e-6).
double chiSquareQuantile(int k) {
  const double h = 2.0 / (9.0 * k);
  return k * std::pow(1.0 - h + kZAlpha * std::sqrt(h), 3);
}

// Critical value of the two-sample KS statistic D at level kAlpha (the asymptotic Kolmogorov
// tail 2·exp(-2·t²), whose first term bounds the tail from above at this level).
double ksCritical(size_t n, size_t m) {
  const double c = std::sqrt(-std::log(kAlpha / 2) / 2);  // 2.693
  return c * std::sqrt(static_cast<double>(n + m) / (static_cast<double>(n) * m));
}

// What one view (all runs on one secret) looks like.
struct Profile {
  std::vector<size_t> sizes;  // per message, in order
  uint64_t bytes = 0;
  uint64_t words = 0;  // 64-bit words (messages whose size is a multiple of 8)
  std::array<uint64_t, 64> word_ones{};
  uint64_t odd_bytes = 0;  // bytes of the other messages, tested per bit of a byte
  std::array<uint64_t, 8> byte_ones{};
  std::array<uint64_t, 256> histogram{};
  std::vector<double> uniforms;  // the words as doubles in [0, 1)
};

Profile profile(const View& view) {
  Profile p;
  for (const auto& m : view) {
    p.sizes.push_back(m.bytes.size());
    p.bytes += m.bytes.size();
    for (std::byte b : m.bytes) ++p.histogram[std::to_integer<uint8_t>(b)];
    if (m.bytes.size() % 8 == 0) {
      for (size_t i = 0; i < m.bytes.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, m.bytes.data() + i, 8);
        ++p.words;
        for (int j = 0; j < 64; ++j) p.word_ones[j] += (w >> j) & 1;
        p.uniforms.push_back(static_cast<double>(w >> 11) * 0x1p-53);
      }
    } else {
      for (std::byte b : m.bytes) {
        ++p.odd_bytes;
        for (int j = 0; j < 8; ++j) p.byte_ones[j] += (std::to_integer<uint8_t>(b) >> j) & 1;
      }
    }
  }
  return p;
}

// Largest |z| of the bit frequencies over the positions of the words and of the odd bytes.
struct BitBalance {
  double z = 0;
  std::string where = "none";
};

double zScore(uint64_t ones, uint64_t n) {
  return (static_cast<double>(ones) - 0.5 * static_cast<double>(n)) /
         std::sqrt(0.25 * static_cast<double>(n));
}

BitBalance bitBalance(const Profile& p) {
  BitBalance b;
  for (int j = 0; j < 64 && p.words > 0; ++j) {
    const double z = zScore(p.word_ones[j], p.words);
    if (std::fabs(z) > std::fabs(b.z)) b = {z, "bit " + std::to_string(j) + " of the words"};
  }
  for (int j = 0; j < 8 && p.odd_bytes > 0; ++j) {
    const double z = zScore(p.byte_ones[j], p.odd_bytes);
    if (std::fabs(z) > std::fabs(b.z)) b = {z, "bit " + std::to_string(j) + " of the odd bytes"};
  }
  return b;
}

// Two-sample chi-square on byte histograms: sum_i (Nb·a_i - Na·b_i)² / (Na·Nb·(a_i + b_i)),
// degrees of freedom = nonempty bins - 1.
std::pair<double, int> chiSquare(const Profile& a, const Profile& b) {
  const double na = static_cast<double>(a.bytes), nb = static_cast<double>(b.bytes);
  double chi2 = 0;
  int bins = 0;
  for (int i = 0; i < 256; ++i) {
    const double x = static_cast<double>(a.histogram[i]), y = static_cast<double>(b.histogram[i]);
    if (x + y == 0) continue;
    ++bins;
    chi2 += (nb * x - na * y) * (nb * x - na * y) / (na * nb * (x + y));
  }
  return {chi2, bins - 1};
}

// Two-sample KS statistic: sup |F_a - F_b| over the pooled sample.
double ksStatistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d,
                 std::fabs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size()));
  }
  return d;
}

// Every statistic of a pair of views, and which detectors fire.
struct Verdict {
  bool sizes_equal = false;
  uint64_t bytes_a = 0, bytes_b = 0, words = 0;
  BitBalance bits_a, bits_b;
  double chi2 = 0, chi2_critical = 0;
  int chi2_df = 0;
  double ks = 0, ks_critical = 0;

  bool unbalancedA() const { return std::fabs(bits_a.z) > kMaxBitZ; }
  bool unbalancedB() const { return std::fabs(bits_b.z) > kMaxBitZ; }
  bool chi2Fires() const { return chi2 > chi2_critical; }
  bool ksFires() const { return ks > ks_critical; }

  std::string summary() const {
    std::ostringstream os;
    os << "received " << bytes_a << " B (A) / " << bytes_b << " B (B), " << words
       << " words each; worst bit z: A " << bits_a.z << " (" << bits_a.where << "), B " << bits_b.z
       << " (" << bits_b.where << ") [limit " << kMaxBitZ << "]; chi2 " << chi2 << " (df "
       << chi2_df << ", critical " << chi2_critical << "); KS D " << ks << " (critical "
       << ks_critical << ")";
    return os.str();
  }
};

Verdict judge(const View& a, const View& b) {
  const Profile pa = profile(a), pb = profile(b);
  Verdict v;
  v.sizes_equal = pa.sizes == pb.sizes;
  v.bytes_a = pa.bytes;
  v.bytes_b = pb.bytes;
  v.words = pa.words;
  v.bits_a = bitBalance(pa);
  v.bits_b = bitBalance(pb);
  if (pa.bytes > 0 && pb.bytes > 0) {
    std::tie(v.chi2, v.chi2_df) = chiSquare(pa, pb);
    v.chi2_critical = v.chi2_df > 0 ? chiSquareQuantile(v.chi2_df) : 0;
  }
  if (!pa.uniforms.empty() && !pb.uniforms.empty()) {
    v.ks = ksStatistic(pa.uniforms, pb.uniforms);
    v.ks_critical = ksCritical(pa.uniforms.size(), pb.uniforms.size());
  }
  return v;
}

// The bit balance of each message slot of a run (the i-th message of every run taken together),
// so that a small message that is not uniform is not hidden among large ones. Empty if the runs
// do not all receive the same sequence of message sizes (the size check reports that).
// Over all slots and positions, sum z² is chi-square with 64 degrees of freedom per slot when
// every message is uniform (the slots are distinct messages, the bits of a uniform word are
// independent): a small bias spread over many messages shows there before any single z reaches 6.
struct SlotBalance {
  std::vector<std::string> slots;  // one line per slot
  BitBalance worst;
  double sum_z2 = 0;
  int df = 0;
};

SlotBalance slotBalance(const View& view, int runs) {
  SlotBalance out;
  if (runs <= 0 || view.size() % runs != 0) return out;
  const size_t per_run = view.size() / runs;
  for (size_t s = 0; s < per_run; ++s) {
    View slot;
    for (size_t r = 0; r < static_cast<size_t>(runs); ++r) {
      if (view[r * per_run + s].bytes.size() != view[s].bytes.size()) return {};
      slot.push_back(view[r * per_run + s]);
    }
    const Profile prof = profile(slot);
    const BitBalance b = bitBalance(prof);
    for (int j = 0; j < 64 && prof.words > 0; ++j, ++out.df)
      out.sum_z2 += std::pow(zScore(prof.word_ones[j], prof.words), 2);
    for (int j = 0; j < 8 && prof.odd_bytes > 0; ++j, ++out.df)
      out.sum_z2 += std::pow(zScore(prof.byte_ones[j], prof.odd_bytes), 2);
    std::ostringstream os;
    os << "message " << s << " of " << per_run << " (" << commOpName(slot[0].op) << ", "
       << slot[0].bytes.size() << " B)";
    out.slots.push_back(os.str() + ": worst z " + std::to_string(b.z) + " at " + b.where);
    if (std::fabs(b.z) > std::fabs(out.worst.z)) out.worst = {b.z, os.str() + ", " + b.where};
  }
  return out;
}

std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += "\n  " + l;
  return s;
}

struct Views {
  View a, b;
  int runs = 0;
  double seconds = 0;
};

void expectIndistinguishable(const Views& v, const std::string& what) {
  ASSERT_FALSE(v.a.empty()) << what << ": nothing was received";
  const Verdict verdict = judge(v.a, v.b);
  const SlotBalance slots_a = slotBalance(v.a, v.runs), slots_b = slotBalance(v.b, v.runs);
  std::cout << "[ measured ] " << what << " (" << v.runs << " runs per secret, " << v.seconds
            << " s): " << verdict.summary() << "; " << slots_a.slots.size()
            << " messages per run, worst per message: A " << slots_a.worst.z << " ("
            << slots_a.worst.where << "), B " << slots_b.worst.z << " (" << slots_b.worst.where
            << "); sum z^2 A " << slots_a.sum_z2 << ", B " << slots_b.sum_z2 << " (df "
            << slots_a.df << ", critical " << chiSquareQuantile(slots_a.df) << ")\n";
  EXPECT_TRUE(verdict.sizes_equal) << what << ": message sizes depend on the secret";
  EXPECT_EQ(verdict.bytes_a, verdict.bytes_b) << what;
  ASSERT_FALSE(slots_a.slots.empty()) << what << ": the runs received different messages";
  EXPECT_FALSE(verdict.unbalancedA()) << what << ", secret A: " << verdict.summary();
  EXPECT_FALSE(verdict.unbalancedB()) << what << ", secret B: " << verdict.summary();
  EXPECT_LE(std::fabs(slots_a.worst.z), kMaxBitZ) << what << ", secret A:" << lines(slots_a.slots);
  EXPECT_LE(std::fabs(slots_b.worst.z), kMaxBitZ) << what << ", secret B:" << lines(slots_b.slots);
  EXPECT_LE(slots_a.sum_z2, chiSquareQuantile(slots_a.df))
      << what << ", secret A:" << lines(slots_a.slots);
  EXPECT_LE(slots_b.sum_z2, chiSquareQuantile(slots_b.df))
      << what << ", secret B:" << lines(slots_b.slots);
  EXPECT_FALSE(verdict.chi2Fires()) << what << ": " << verdict.summary();
  EXPECT_FALSE(verdict.ksFires()) << what << ": " << verdict.summary();
}

// ---------------------------------------------------------------------------------------------
// The harness: 2 parties and the TTP dealer as 3 threads; each party computes over a
// RecordingCommunicator (around its online SubCommunicator) that records what the other party
// sends it. The dealer's messages never pass through it.

// session(party, recorder) runs on both parties and returns that party's views.
// family "none": the two parties alone (the OT family over the recorder; every message of its
// kernels in the view).
template <typename Session>
std::vector<Views> runRecorded(Session&& session, const std::string& family = "ttp") {
  auto results =
      simulate(protocolWorldSize(family, 2), [&](Communicator& world) -> std::optional<Views> {
        if (family == "none") {
          RecordingCommunicator recorder(world, 1 - world.rank());
          // Ferret, bootstrapped before the views: its first round's 10 M COTs each way outlast
          // the test, so that no refill (whose timing varies from run to run) enters a view.
          ProtocolOptions options;
          options.ot.extension = ot::OtExtension::kFerret;
          ProtocolSetup setup = makeProtocol(recorder, family, options);
          Party party(recorder, setup.protocol());
          setup.protocol().setup(party);
          return session(party, recorder);
        }
        DealerSetup setup = makeDealer(world, "ttp");
        if (setup.serves()) {
          setup.serve();
          return std::nullopt;
        }
        RecordingCommunicator recorder(setup.online(), 1 - world.rank());
        Party party(recorder, setup.dealer());
        return session(party, recorder);
      });
  return {std::move(*results[0]), std::move(*results[1])};
}

// Runs step(secret, recorded) `runs` times on each of a and b, alternating; step shares its
// inputs and calls recorded(fn) around the operation itself, whose messages go into the view.
template <typename Step>
Views alternate(RecordingCommunicator& recorder, int runs, const std::vector<double>& a,
                const std::vector<double>& b, Step&& step) {
  Views v;
  v.runs = runs;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < runs; ++r) {
    for (int which = 0; which < 2; ++which) {
      auto recorded = [&](auto&& fn) {
        recorder.setRecording(true);
        fn();
        recorder.setRecording(false);
      };
      step(which == 0 ? a : b, recorded);
      View got = recorder.takeMessages();
      View& into = which == 0 ? v.a : v.b;
      into.insert(into.end(), std::make_move_iterator(got.begin()),
                  std::make_move_iterator(got.end()));
    }
  }
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return v;
}

// Secrets: A all zeros; B large values of both signs (magnitudes 1000..20000, so that products
// stay well inside the ring).
std::vector<double> zeros(size_t n) { return std::vector<double>(n, 0.0); }
std::vector<double> large(size_t n) {
  auto v = uniform(n, 1000, 20000, 12);
  for (size_t i = 0; i < n; i += 2) v[i] = -v[i];
  return v;
}

// Runs an elementwise op on a secret of `n` elements owned by `owner`; returns the other party's
// views.
template <typename Op>
Views observerViews(int owner, int runs, size_t n, Op&& op, const std::string& family = "ttp") {
  const auto a = zeros(n), b = large(n);
  auto out = runRecorded(
      [&](Party& p, RecordingCommunicator& recorder) {
        return alternate(
            recorder, runs, a, b, [&](const std::vector<double>& secret, auto& recorded) {
              const auto x = ArithTensor::share(p, owner, secret, Shape{static_cast<int64_t>(n)});
              recorded([&] { (void)op(x); });
            });
      },
      family);
  return out[1 - owner];
}

class PartyViewTest : public ::testing::TestWithParam<int> {
 protected:
  int owner() const { return GetParam(); }
  std::string observed(const char* op) const {
    return std::string(op) + ", party " + std::to_string(1 - owner()) + " from party " +
           std::to_string(owner());
  }
};

TEST_P(PartyViewTest, Mul) {
  // Both operands are the owner's secret (the second reversed), each shared afresh.
  const size_t n = 1024;
  const auto a = zeros(n), b = large(n);
  const int owner = this->owner();
  auto out = runRecorded([&](Party& p, RecordingCommunicator& recorder) {
    return alternate(recorder, 32, a, b, [&](const std::vector<double>& secret, auto& recorded) {
      const std::vector<double> reversed(secret.rbegin(), secret.rend());
      const Shape shape{static_cast<int64_t>(n)};
      const auto x = ArithTensor::share(p, owner, secret, shape);
      const auto y = ArithTensor::share(p, owner, reversed, shape);
      recorded([&] { (void)x.mul(y); });
    });
  });
  expectIndistinguishable(out[1 - owner], observed("mul"));
}

TEST_P(PartyViewTest, Relu) {
  expectIndistinguishable(
      observerViews(owner(), 32, 1024, [](const ArithTensor& x) { return relu(x); }),
      observed("relu"));
}

TEST_P(PartyViewTest, Sigmoid) {
  // The default under the TTP: composed from the dealer's kernels (its function tables would be
  // sent entry by entry): the comparisons, selections, truncations, the packed lookup index and
  // Horner's products in the view.
  expectIndistinguishable(
      observerViews(owner(), 20, 128, [](const ArithTensor& x) { return sigmoid(x); }),
      observed("sigmoid (composed, ttp)"));
}

TEST_P(PartyViewTest, SigmoidOnFunctionTables) {
  // 128 elements per run: the TTP dealer sends party 0 26 KB of tables per element (functions.h),
  // ~50 ms per call here, so more elements per run would cost seconds per test.
  expectIndistinguishable(
      observerViews(owner(), 20, 128,
                    [](const ArithTensor& x) { return sigmoid(x, MathMethod::kFunctionTables); }),
      observed("sigmoid (function tables, ttp)"));
}

TEST_P(PartyViewTest, SigmoidWithoutDealer) {
  // The composed engine under the OT family (piecewise_engine.h): every kernel it calls, and the
  // OT extension's refills, in the view.
  expectIndistinguishable(
      observerViews(
          owner(), 20, 128, [](const ArithTensor& x) { return sigmoid(x); }, "none"),
      observed("sigmoid (composed, --dealer none)"));
}

TEST_P(PartyViewTest, NormalisedFunctionsWithoutDealer) {
  // The composed reciprocal and log under the OT family (normalization.h): the normalisation's
  // sign bits, selections, lookup and products in the view.
  expectIndistinguishable(
      observerViews(
          owner(), 20, 128, [](const ArithTensor& x) { return reciprocal(x); }, "none"),
      observed("reciprocal (composed, --dealer none)"));
  expectIndistinguishable(
      observerViews(
          owner(), 20, 128, [](const ArithTensor& x) { return log(x); }, "none"),
      observed("log (composed, --dealer none)"));
}

INSTANTIATE_TEST_SUITE_P(Owner, PartyViewTest, ::testing::Values(1, 0),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "SecretOfParty" + std::to_string(i.param);
                         });

// A Fashion-MNIST-like image: 28x28, background and stripes as after the usual normalisation.
std::vector<double> brightImage() {
  std::vector<double> v(28 * 28);
  for (int r = 0; r < 28; ++r)
    for (int c = 0; c < 28; ++c) v[r * 28 + c] = (r / 4 + c / 4) % 2 ? 2.8 : -0.8;
  return v;
}

TEST(PartyView, Lenet5ForwardPartyZeroLearnsNothingOfTheImage) {
  const std::string path = std::string(SOTTO_MODELS_DIR) + "/lenet5.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  nn::Graph graph;
  try {
    graph = nn::loadOnnx(path);
  } catch (const NotImplemented& e) {
    GTEST_SKIP() << e.what();
  }
  // The model owner is party 0; party 1 owns the image (all zeros, or bright stripes).
  const auto a = zeros(28 * 28), b = brightImage();
  auto out = runRecorded([&](Party& p, RecordingCommunicator& recorder) {
    const auto model = nn::PrivateModel::load(p, p.id() == 0 ? graph : nn::Graph{});
    return alternate(recorder, 48, a, b, [&](const std::vector<double>& image, auto& recorded) {
      const auto x = ArithTensor::share(p, 1, image, Shape{1, 1, 28, 28});
      recorded([&] { (void)model.forward(x); });
    });
  });
  expectIndistinguishable(out[0], "LeNet5 forward, party 0 (model) from party 1 (image)");
}

TEST(RecordingCommunicator, RecordsEverythingFromThePeerAndNothingElse) {
  // Party r sends words valued 100·(r + 1) + i; each party records what comes from the other.
  auto out = simulate(2, [](Communicator& inner) {
    RecordingCommunicator rec(inner, 1 - inner.rank());
    const int me = rec.rank(), peer = 1 - me;
    auto mine = [&](uint64_t base) {
      return std::vector<uint64_t>{100 * (me + 1) + base, 100 * (me + 1) + base + 1};
    };
    auto bytes = [](const std::vector<uint64_t>& v) { return std::as_bytes(std::span(v)); };
    std::vector<uint64_t> in(2), all(4);
    rec.exchange(peer, bytes(mine(0)), std::as_writable_bytes(std::span(in)));
    rec.setRecording(true);
    if (me == 0) rec.send(peer, bytes(mine(1)));
    if (me == 1) rec.recv(peer, std::as_writable_bytes(std::span(in)));
    rec.exchange(peer, bytes(mine(2)), std::as_writable_bytes(std::span(in)));
    auto b = mine(3);
    rec.broadcast(1, std::as_writable_bytes(std::span(b)));
    auto add = mine(4), xr = mine(5);
    rec.allReduce(add, ReduceOp::kAdd);
    rec.allReduce(xr, ReduceOp::kXor);
    rec.allGather(bytes(mine(6)), std::as_writable_bytes(std::span(all)));
    rec.gather(0, bytes(mine(7)), std::as_writable_bytes(std::span(all)));
    rec.setRecording(false);
    std::vector<std::vector<uint64_t>> got;
    for (const auto& m : rec.messages()) {
      std::vector<uint64_t> w(m.bytes.size() / 8);
      std::memcpy(w.data(), m.bytes.data(), m.bytes.size());
      got.push_back(w);
    }
    return got;
  });
  using W = std::vector<std::vector<uint64_t>>;
  // Party 0 hears from party 1: exchange, broadcast (rooted at 1), allReduce (Add, Xor),
  // allGather, gather (rooted at 0).
  EXPECT_EQ(out[0], (W{{202, 203}, {203, 204}, {204, 205}, {205, 206}, {206, 207}, {207, 208}}));
  // Party 1 hears from party 0: send, exchange, allReduce (Add, Xor), allGather; not the
  // broadcast it roots, nor the gather to party 0.
  EXPECT_EQ(out[1], (W{{101, 102}, {102, 103}, {104, 105}, {105, 106}, {106, 107}}));
}

// ---------------------------------------------------------------------------------------------
// Tests of the test: insecure views must be caught.

// An insecure "protocol": party 1 sends the messages leak(party, x) to party 0 (x: the encoded
// secret); returns party 0's views. Party 0 learns the messages' sizes by calling leak on zeros,
// or, with sizes_in_header, from a header message (one word per message) sent first.
template <typename Leak>
Views leakedViews(int runs, size_t n, Leak&& leak, bool sizes_in_header = false) {
  const auto a = zeros(n), b = large(n);
  auto out = runRecorded([&](Party& p, RecordingCommunicator& recorder) {
    return alternate(recorder, runs, a, b, [&](const std::vector<double>& secret, auto& recorded) {
      const int f = p.options().frac_bits;
      const Shape shape{static_cast<int64_t>(n)};
      const RingTensor x = RingTensor::encode(p.id() == 1 ? secret : zeros(n), shape, f);
      std::vector<std::vector<uint64_t>> messages = leak(p, x);
      std::vector<uint64_t> sizes;
      for (const auto& m : messages) sizes.push_back(m.size());
      recorded([&] {
        if (p.id() == 1) {
          if (sizes_in_header) p.comm().send(0, std::as_bytes(std::span(sizes)));
          for (const auto& m : messages) p.comm().send(0, std::as_bytes(std::span(m)));
        } else {
          if (sizes_in_header) p.comm().recv(1, std::as_writable_bytes(std::span(sizes)));
          for (uint64_t size : sizes) {
            std::vector<uint64_t> got(size);
            p.comm().recv(1, std::as_writable_bytes(std::span(got)));
          }
        }
      });
    });
  });
  return out[0];
}

using Messages = std::vector<std::vector<uint64_t>>;

TEST(PartyViewDetector, FiresOnThePlaintext) {
  const Views v = leakedViews(8, 1024, [](Party&, const RingTensor& x) {
    return Messages{std::vector<uint64_t>(x.data().begin(), x.data().end())};
  });
  const Verdict verdict = judge(v.a, v.b);
  std::cout << "[ measured ] plaintext sent: " << verdict.summary() << "\n";
  EXPECT_TRUE(verdict.sizes_equal);
  EXPECT_TRUE(verdict.unbalancedA()) << verdict.summary();
  EXPECT_TRUE(verdict.chi2Fires()) << verdict.summary();
  EXPECT_TRUE(verdict.ksFires()) << verdict.summary();
}

TEST(PartyViewDetector, FiresOnAShortMask) {
  // x + r with r uniform below 2^20 only, smaller than the values (B's are 2^26..2^31 in ring
  // units): statistical masking without the slack it needs.
  const Views v = leakedViews(8, 1024, [](Party& p, const RingTensor& x) {
    std::vector<uint64_t> r(static_cast<size_t>(x.numel()));
    p.prg().fill(std::span(r));
    for (size_t i = 0; i < r.size(); ++i) r[i] = x.data()[i] + (r[i] >> 44);
    return Messages{r};
  });
  const Verdict verdict = judge(v.a, v.b);
  std::cout << "[ measured ] 20-bit mask: " << verdict.summary() << "\n";
  EXPECT_TRUE(verdict.unbalancedA()) << verdict.summary();
  EXPECT_TRUE(verdict.chi2Fires()) << verdict.summary();
  EXPECT_TRUE(verdict.ksFires()) << verdict.summary();
}

TEST(PartyViewDetector, FiresOnOneSmallMessageThatIsNotMasked) {
  // A large uniform message, then the secret's sign bits packed (one word per 64 elements): lost
  // in the aggregate of the whole view, caught by the balance of each message.
  const Views v = leakedViews(8, 1024, [](Party& p, const RingTensor& x) {
    std::vector<uint64_t> masked(static_cast<size_t>(x.numel()));
    p.prg().fill(std::span(masked));
    std::vector<uint64_t> signs(static_cast<size_t>(x.numel() + 63) / 64, 0);
    for (int64_t i = 0; i < x.numel(); ++i) signs[i / 64] |= (x.data()[i] >> 63) << (i % 64);
    return Messages{masked, signs};
  });
  const Verdict verdict = judge(v.a, v.b);
  const SlotBalance slots = slotBalance(v.a, v.runs);
  std::cout << "[ measured ] signs sent after a uniform message: " << verdict.summary()
            << "; worst per message " << slots.worst.z << " (" << slots.worst.where << ")\n";
  EXPECT_FALSE(verdict.unbalancedA()) << "the whole view hides it";
  EXPECT_GT(std::fabs(slots.worst.z), kMaxBitZ) << lines(slots.slots);
}

TEST(PartyViewDetector, FiresOnASizeThatDependsOnTheSecret) {
  // Fully masked, but only the nonzero elements are sent (their number in a header).
  const Views v = leakedViews(
      8, 1024,
      [](Party& p, const RingTensor& x) {
        std::vector<uint64_t> r;
        for (uint64_t w : x.data())
          if (w != 0) r.push_back(w);
        p.prg().fill(std::span(r));
        return Messages{r};
      },
      /*sizes_in_header=*/true);
  EXPECT_FALSE(judge(v.a, v.b).sizes_equal);
}

}  // namespace
}  // namespace sotto::testing
