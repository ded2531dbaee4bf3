// The homomorphic linear layers in a plaintext ring 2^ℓ with a public weight bound 2^b
// (sotto/mpc/ot/he_ring.h): the levels the analysis chooses; HeMatmul and HeConv2d exact mod 2^ℓ
// on LeNet5's and AlexNet-CIFAR's layers and random shapes for (ℓ, b) ∈ {44, 64} × {20, 63},
// with the bytes of the header's formulas; the noise budget of AlexNet-CIFAR's deepest layer;
// party 1's view for two weight sets; a weight beyond the bound and a peer with other options
// are clear errors. Two parties as threads over inproc.
#include "sotto/mpc/ot/he_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/error.h"
#include "sotto/he/params.h"
#include "sotto/mpc/ot/he_conv2d.h"
#include "sotto/mpc/ot/he_matmul.h"
#include "sotto/mpc/ot/he_session.h"
#include "sotto/tensor/linear.h"
#include "testing/bit_balance.h"
#include "testing/errors.h"
#include "testing/share_helpers.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

constexpr HeRingOptions kToday{64, 63}, kBound{64, 20}, kSmall{44, 20}, kSmallWide{44, 63};
const std::vector<HeRingOptions> kConfigs = {kToday, kBound, kSmall, kSmallWide};

std::string configName(const HeRingOptions& o) {
  return "l" + std::to_string(o.plain_bits) + "_b" + std::to_string(o.weight_bits);
}

uint64_t ringMask(int ell) { return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1; }

// Weights with |w| ≤ 2^b (full 64-bit words for b = 63), both ends of the bound present.
std::vector<uint64_t> boundedWeights(size_t count, int b, std::mt19937_64& rng) {
  std::vector<uint64_t> w(count);
  if (b >= 63) {
    for (uint64_t& v : w) v = rng();
    return w;
  }
  const int64_t bound = int64_t{1} << b;
  std::uniform_int_distribution<int64_t> pick(-bound, bound);
  for (uint64_t& v : w) v = static_cast<uint64_t>(pick(rng));
  w.front() = static_cast<uint64_t>(bound);
  w.back() = static_cast<uint64_t>(-bound);
  return w;
}

RingTensor boundedKernel(const Shape& shape, int b, std::mt19937_64& rng) {
  RingTensor k(shape);
  const std::vector<uint64_t> w = boundedWeights(static_cast<size_t>(shape.numel()), b, rng);
  std::copy(w.begin(), w.end(), k.data().begin());
  return k;
}

// The header's wire sizes: an upload 25 + N·Σ_upload/8 bytes; a trimmed response
// ⌈(N + outputs)·Σ_kept/8⌉ (Σ: bits of the primes).
struct Wire {
  size_t up = 0, kept_bits = 0;
};

Wire wireOf(const HeRingOptions& o) {
  const HeLevels levels = chooseHeLevels(o);
  const he::RingParams r = he::ringParams(levels.set);
  Wire wire;
  size_t all = 0;
  for (size_t i = 0; i < r.primes.size(); ++i) {
    const auto bits = static_cast<size_t>(std::bit_width(r.primes[i]));
    all += bits;
    if (i >= levels.out_level) wire.kept_bits += bits;
  }
  wire.up = 25 + r.n * all / 8;
  return wire;
}

struct LayerRun {
  std::vector<uint64_t> share;
  CommCounters setup, call;
  size_t inputs = 0, outputs = 0, reads = 0, up = 0, returned = 0;
  int64_t terms = 0;
  std::vector<std::vector<uint64_t>> decryptions;
  std::vector<double> budgets;
};

// One party's layer: a setup, then one call that fills the run.
template <typename Call>
std::vector<LayerRun> runParties(Call call) {
  return testing::simulate(2, [&](Communicator& comm) {
    LayerRun run;
    call(comm, run);
    return run;
  });
}

std::vector<LayerRun> runMatmul(const HeRingOptions& ring, const std::vector<uint64_t>& x,
                                const std::vector<uint64_t>& w, size_t m, size_t k, size_t n,
                                std::mt19937_64& rng, bool trim = true) {
  std::vector<uint64_t> x0(x.size()), x1(x.size());
  for (size_t i = 0; i < x.size(); ++i) x0[i] = x[i] - (x1[i] = rng());
  return runParties([&](Communicator& comm, LayerRun& run) {
    HeMatmul mm(comm, trim, ring);
    mm.keepView(true);
    run.setup = comm.stats().total;
    comm.resetStats();
    const bool owner = comm.rank() == 0;
    run.share = mm.multiply(owner ? x0 : x1, owner ? w : std::vector<uint64_t>{}, m, k, n);
    run.call = comm.stats().total;
    const HeMatmulBlocks b = mm.blocks(m, k, n);
    run.inputs = b.inputCiphertexts();
    run.outputs = b.outputCiphertexts();
    run.terms = static_cast<int64_t>(b.k_blocks);
    run.up = mm.uploadCiphertextBytes();
    for (size_t mb = 0; mb < b.m_blocks; ++mb)
      for (size_t nb = 0; nb < b.n_blocks; ++nb)
        run.returned += mm.returnedCiphertextBytes((std::min(m, (mb + 1) * b.m_w) - mb * b.m_w) *
                                                   (std::min(n, (nb + 1) * b.n_w) - nb * b.n_w));
    run.reads = m * n;
    run.decryptions = mm.lastDecryptions();
    run.budgets = mm.lastNoiseBudgets();
  });
}

struct ConvLayer {
  std::string name;
  Shape input, weight;
  int64_t stride = 1, pad = 0, groups = 1;
  Conv2dOptions options() const {
    Conv2dOptions o;
    o.stride = {stride, stride};
    o.padding = {pad, pad};
    o.groups = groups;
    return o;
  }
};

std::vector<LayerRun> runConv(const HeRingOptions& ring, const ConvLayer& l, const RingTensor& x,
                              const RingTensor& k, std::mt19937_64& rng, bool trim = true) {
  const auto [x0, x1] = testing::shareOf(x, rng);
  return runParties([&](Communicator& comm, LayerRun& run) {
    HeConv2d conv(comm, l.input, l.weight, l.options(), trim, ring);
    conv.keepView(true);
    run.setup = comm.stats().total;
    comm.resetStats();
    const bool owner = comm.rank() == 0;
    const RingTensor y = conv.forward(owner ? x0 : x1, owner ? k : RingTensor());
    run.share.assign(y.data().begin(), y.data().end());
    run.call = comm.stats().total;
    const HeConv2dPlan& p = conv.plan();
    run.inputs = static_cast<size_t>(p.inputCiphertexts());
    run.outputs = static_cast<size_t>(p.outputCiphertexts());
    run.terms = p.terms;
    run.up = conv.uploadCiphertextBytes();
    for (size_t i = 0; i < run.outputs; ++i) {
      const size_t reads = conv.readPositions(i).size();
      run.reads += reads;
      run.returned += conv.returnedCiphertextBytes(reads);
    }
    run.decryptions = conv.lastDecryptions();
    run.budgets = conv.lastNoiseBudgets();
  });
}

// Shares in [0, 2^ℓ) that add to the reference mod 2^ℓ; every byte as the header's formulas say.
void expectExactWithStatedBytes(const HeRingOptions& o, const std::vector<LayerRun>& runs,
                                const std::vector<uint64_t>& want) {
  const uint64_t mask = ringMask(o.plain_bits);
  ASSERT_EQ(runs[0].share.size(), want.size());
  ASSERT_EQ(runs[1].share.size(), want.size());
  size_t wrong = 0, wide = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    wrong += ((runs[0].share[i] + runs[1].share[i]) & mask) != (want[i] & mask);
    wide += (runs[0].share[i] & ~mask) != 0 || (runs[1].share[i] & ~mask) != 0;
  }
  EXPECT_EQ(wrong, 0u) << "of " << want.size();
  EXPECT_EQ(wide, 0u) << "shares not reduced mod 2^" << o.plain_bits;

  const Wire wire = wireOf(o);
  const LayerRun& r = runs[0];
  EXPECT_EQ(r.up, wire.up);
  const size_t c1 = 8192 * wire.kept_bits / 8,
               exact = r.outputs * c1 + r.reads * wire.kept_bits / 8;
  EXPECT_GE(r.returned, exact);
  EXPECT_LE(r.returned, exact + r.outputs);          // ≤ 1 B of padding per ciphertext
  EXPECT_EQ(runs[1].setup.bytes_sent, 4 + wire.up);  // ring options, then the public key
  EXPECT_EQ(runs[0].setup.bytes_sent, 4u);
  EXPECT_EQ(runs[1].call.bytes_sent, r.inputs * wire.up);
  EXPECT_EQ(runs[0].call.bytes_sent, r.returned);
  for (const LayerRun& run : runs) {
    EXPECT_EQ(run.call.messages_sent, 1u);
    EXPECT_EQ(run.call.messages_received, 1u);
  }
}

TEST(HeRing, LevelsFollowTheNoiseAnalysis) {
  struct Row {
    HeRingOptions o;
    he::ParamSet set;
    size_t out_level;
    int flood_bits;
    int max_terms_log2;
    size_t up, c1;
  };
  for (const Row& row : {Row{kToday, he::ParamSet::kN8192, 2, 134, 11, 217113, 100352},
                         Row{kBound, he::ParamSet::kN8192Q168, 1, 91, 10, 172057, 110592},
                         Row{kSmall, he::ParamSet::kN8192Q150, 2, 91, 11, 153625, 61440},
                         Row{kSmallWide, he::ParamSet::kN8192, 2, 114, 51, 217113, 100352}}) {
    SCOPED_TRACE(configName(row.o));
    const HeLevels levels = chooseHeLevels(row.o);
    EXPECT_EQ(levels.set, row.set);
    EXPECT_EQ(levels.out_level, row.out_level);
    EXPECT_EQ(heFlood(row.o, levels, 1).flood_bits, row.flood_bits);
    int max_log2 = -1;
    for (int lt = 0; lt < 64 && heFlood(row.o, levels, std::ldexp(1.0, lt)).invariant < 0.25; ++lt)
      max_log2 = lt;
    EXPECT_EQ(max_log2, row.max_terms_log2);
    EXPECT_GE(max_log2, kHeMaxTermsLog2);
    // Fewest primes: the response with one prime fewer would not decrypt.
    const he::RingParams ring = he::ringParams(levels.set);
    if (levels.out_level + 1 < ring.primes.size()) {
      EXPECT_GE(heFlood(row.o, {levels.set, levels.out_level + 1}, 1).invariant, 0.25);
    }
    const Wire wire = wireOf(row.o);
    EXPECT_EQ(wire.up, row.up);
    EXPECT_EQ(8192 * wire.kept_bits / 8, row.c1);
  }
  // ℓ = 44 needs one ≥ 60-bit prime after switching: ℓ + log2 N + 2 = 59 bits.
  EXPECT_EQ(std::bit_width(he::ringParams(he::ParamSet::kN8192Q150).primes.back()), 60);
  // N = 4096 (log2 Q ≈ 109) holds no useful ring: ℓ ≤ 19 for b = 20, ℓ ≤ 29 for b = 8.
  for (const auto& [b, max_ell] : {std::pair{20, 19}, std::pair{8, 29}}) {
    int best = 0;
    for (int ell = 2; ell <= 64; ++ell)
      for (size_t level : {0, 1})
        if (heFlood({ell, b}, {he::ParamSet::kN4096, level}, 1).invariant < 0.25) best = ell;
    EXPECT_EQ(best, max_ell) << "b = " << b;
  }
  EXPECT_THROW(chooseHeLevels({65, 20}), InvalidArgument);
  EXPECT_THROW(chooseHeLevels({44, 0}), InvalidArgument);
}

using FcShape = std::array<size_t, 3>;  // m, k, n
using FcParam = std::tuple<HeRingOptions, FcShape>;

std::string fcName(const ::testing::TestParamInfo<FcParam>& param) {
  const auto& [o, s] = param.param;
  return configName(o) + "_" + std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" +
         std::to_string(s[2]);
}

class HeRingMatmul : public ::testing::TestWithParam<FcParam> {};

TEST_P(HeRingMatmul, ExactModTheRingWithStatedBytes) {
  const auto& [o, shape] = GetParam();
  const auto [m, k, n] = shape;
  std::mt19937_64 rng(1000 * m + 10 * k + n + static_cast<size_t>(o.plain_bits + o.weight_bits));
  std::vector<uint64_t> x(m * k);
  for (uint64_t& v : x) v = rng();
  const std::vector<uint64_t> w = boundedWeights(k * n, o.weight_bits, rng);
  std::vector<uint64_t> want(m * n, 0);
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < k; ++j)
      for (size_t i = 0; i < n; ++i) want[r * n + i] += x[r * k + j] * w[j * n + i];
  expectExactWithStatedBytes(o, runMatmul(o, x, w, m, k, n, rng), want);
}

// LeNet5's fc1..3 and AlexNet-CIFAR's fc at batch 1; random shapes (several k-blocks, a batch).
INSTANTIATE_TEST_SUITE_P(
    Configs, HeRingMatmul,
    ::testing::Combine(::testing::ValuesIn(kConfigs),
                       ::testing::Values(FcShape{1, 400, 120}, FcShape{1, 120, 84},
                                         FcShape{1, 84, 10}, FcShape{1, 256, 10},
                                         FcShape{3, 9001, 2}, FcShape{5, 97, 131})),
    fcName);

const std::vector<ConvLayer> kConvLayers = {
    {"lenet5_conv1", {1, 1, 28, 28}, {6, 1, 5, 5}, 1, 2},
    {"lenet5_conv2", {1, 6, 14, 14}, {16, 6, 5, 5}, 1, 0},
    {"alexnet_conv1", {1, 3, 32, 32}, {64, 3, 11, 11}, 4, 5},
    {"alexnet_conv2", {1, 64, 4, 4}, {192, 64, 5, 5}, 1, 2},
    {"alexnet_conv3", {1, 192, 2, 2}, {384, 192, 3, 3}, 1, 1},
    {"alexnet_conv4", {1, 384, 2, 2}, {256, 384, 3, 3}, 1, 1},
    {"alexnet_conv5", {1, 256, 2, 2}, {256, 256, 3, 3}, 1, 1},
    {"stride2_groups2_batch2", {2, 4, 9, 7}, {6, 2, 3, 3}, 2, 1, 2}};

using ConvParam = std::tuple<HeRingOptions, ConvLayer>;

std::string convName(const ::testing::TestParamInfo<ConvParam>& param) {
  return configName(std::get<0>(param.param)) + "_" + std::get<1>(param.param).name;
}

class HeRingConv : public ::testing::TestWithParam<ConvParam> {};

TEST_P(HeRingConv, ExactModTheRingWithStatedBytes) {
  const auto& [o, l] = GetParam();
  std::mt19937_64 rng(l.weight.numel() + o.plain_bits + o.weight_bits);
  const RingTensor x = testing::randomRing(l.input, rng);
  const RingTensor k = boundedKernel(l.weight, o.weight_bits, rng);
  const RingTensor want = conv2d(x, k, l.options());
  expectExactWithStatedBytes(o, runConv(o, l, x, k, rng),
                             std::vector<uint64_t>(want.data().begin(), want.data().end()));
}

INSTANTIATE_TEST_SUITE_P(Configs, HeRingConv,
                         ::testing::Combine(::testing::ValuesIn(kConfigs),
                                            ::testing::ValuesIn(kConvLayers)),
                         convName);

// AlexNet-CIFAR's deepest layer (the most channel blocks summed into one output): every returned
// ciphertext decrypts with at least the worst-case budget −log2(2·invariant) of he_ring.h, and
// that is at least 1 bit (the 1/4 the analysis keeps), in every configuration.
TEST(HeRing, NoiseBudgetOfTheDeepestAlexNetLayerHasMargin) {
  for (const HeRingOptions& o : kConfigs) {
    SCOPED_TRACE(configName(o));
    const Wire wire = wireOf(o);
    const ConvLayer* deepest = nullptr;
    int64_t terms = 0;
    for (const ConvLayer& l : kConvLayers) {
      if (l.name.rfind("alexnet", 0) != 0) continue;
      const HeConv2dPlan p =
          planHeConv2d(l.input, l.weight, l.options(), 8192, wire.up, 8192 * wire.kept_bits / 8);
      if (p.terms > terms) terms = p.terms, deepest = &l;
    }
    ASSERT_NE(deepest, nullptr);
    SCOPED_TRACE(deepest->name + ", T = " + std::to_string(terms));
    std::mt19937_64 rng(static_cast<uint64_t>(terms));
    const RingTensor x = testing::randomRing(deepest->input, rng);
    const RingTensor k = boundedKernel(deepest->weight, o.weight_bits, rng);
    const std::vector<LayerRun> runs = runConv(o, *deepest, x, k, rng, /*trim=*/false);
    // Whole ciphertexts (to measure every coefficient's noise) may pack the layer otherwise.
    ASSERT_GE(runs[1].terms, 1);
    const double bound =
        heFlood(o, chooseHeLevels(o), static_cast<double>(runs[1].terms)).invariant;
    const double worst_budget = -std::log2(2 * bound);
    EXPECT_GE(worst_budget, 1.0);
    ASSERT_EQ(runs[1].budgets.size(), runs[1].outputs);
    for (double budget : runs[1].budgets) EXPECT_GE(budget, worst_budget);
    RecordProperty(configName(o) + "_worst_case_bits", std::to_string(worst_budget));
    RecordProperty(
        configName(o) + "_min_budget_bits",
        std::to_string(*std::min_element(runs[1].budgets.begin(), runs[1].budgets.end())));
  }
}

// Party 1's view in the new rings (whole ciphertexts): for two weight sets on the same input,
// an extreme constant one (every weight 2^b) and a random one within the bound, the coefficients
// it does not read are uniform mod 2^ℓ (bit by bit, z < 6: without the mask R they are partial
// sums of X1·W) and the decryptions' noise budgets agree within a bit (the flooding and the
// switching, not the weights, set them).
TEST(HeRing, PartyOneViewDoesNotDependOnTheWeights) {
  const size_t m = 1, k = 60, n = 100;
  const std::vector<uint64_t> x(m * k, 3);
  for (const HeRingOptions& o : {kBound, kSmall}) {
    SCOPED_TRACE(configName(o));
    std::mt19937_64 rng(5);
    std::vector<double> min_budget;
    for (const std::vector<uint64_t>& w :
         {std::vector<uint64_t>(k * n, uint64_t{1} << o.weight_bits),
          boundedWeights(k * n, o.weight_bits, rng)}) {
      const std::vector<LayerRun> runs = runMatmul(o, x, w, m, k, n, rng, /*trim=*/false);
      ASSERT_EQ(runs[1].decryptions.size(), 1u);
      // One block [1, 60] x [60, 100]: outputs at i·k_w + k_w − 1.
      std::vector<bool> read(8192, false);
      for (size_t i = 0; i < n; ++i) read[i * k + k - 1] = true;
      std::vector<uint64_t> unread;
      for (size_t c = 0; c < 8192; ++c)
        if (!read[c]) unread.push_back(runs[1].decryptions[0][c]);
      EXPECT_LT(testing::worstBitZ(unread, o.plain_bits), 6.0) << "weights " << w[1];
      EXPECT_EQ(*std::max_element(unread.begin(), unread.end()) & ~ringMask(o.plain_bits), 0u);
      min_budget.push_back(*std::min_element(runs[1].budgets.begin(), runs[1].budgets.end()));
    }
    EXPECT_NEAR(min_budget[0], min_budget[1], 1.0);
  }
}

// A weight beyond the public bound is an InvalidArgument naming the layer and the bound, on
// party 0 before anything is sent; ±2^b themselves are accepted (the exact tests use them).
TEST(HeRing, WeightBeyondTheBoundNamesTheLayer) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> w = boundedWeights(400 * 120, 20, rng);
  w[7] = (uint64_t{1} << 20) + 1;
  const std::vector<uint64_t> x(400, 1);
  const std::string fc = testing::errorOf([&] { runMatmul(kBound, x, w, 1, 400, 120, rng); });
  EXPECT_NE(fc.find("HeMatmul [400, 120] weights"), std::string::npos) << fc;
  EXPECT_NE(fc.find("weight 7 is 1048577"), std::string::npos) << fc;
  EXPECT_NE(fc.find("2^20"), std::string::npos) << fc;

  const ConvLayer& l = kConvLayers[1];
  RingTensor kernel = boundedKernel(l.weight, 20, rng);
  kernel[5] = static_cast<uint64_t>(-(int64_t{1} << 20) - 1);
  const RingTensor x2 = testing::randomRing(l.input, rng);
  const std::string conv = testing::errorOf([&] { runConv(kSmall, l, x2, kernel, rng); });
  EXPECT_NE(conv.find("HeConv2d"), std::string::npos) << conv;
  EXPECT_NE(conv.find("[16, 6, 5, 5]"), std::string::npos) << conv;
  EXPECT_NE(conv.find("weight 5 is -1048577"), std::string::npos) << conv;
  EXPECT_NE(conv.find("|w| ≤ 2^20"), std::string::npos) << conv;
}

// The bound is checked when the model owner encodes the weights (prepare, as at a model's load):
// the error comes there, on party 0 alone, with no message sent.
TEST(HeRing, PrepareChecksTheBoundBeforeAnyMessage) {
  std::mt19937_64 rng(9);
  const ConvLayer& l = kConvLayers[0];
  RingTensor kernel = boundedKernel(l.weight, 20, rng);
  kernel[0] = uint64_t{1} << 40;
  const auto got = testing::simulate(2, [&](Communicator& comm) {
    auto session = std::make_shared<HeSession>(comm, true, kBound);
    HeConv2d conv(session, l.input, l.weight, l.options());
    HeMatmul fc(session);
    const uint64_t before = comm.stats().total.bytes_sent;
    std::string conv_error, fc_error;
    if (comm.rank() == 0) {
      conv_error = testing::errorOf([&] { conv.prepare(kernel); });
      fc_error = testing::errorOf([&] {
        fc.prepare(std::vector<uint64_t>(kernel.data().begin(), kernel.data().begin() + 30), 1, 5,
                   6);
      });
    }
    return std::make_tuple(conv_error, fc_error, comm.stats().total.bytes_sent - before);
  });
  EXPECT_NE(std::get<0>(got[0]).find("HeConv2d"), std::string::npos) << std::get<0>(got[0]);
  EXPECT_NE(std::get<0>(got[0]).find("2^20"), std::string::npos) << std::get<0>(got[0]);
  EXPECT_NE(std::get<1>(got[0]).find("HeMatmul [5, 6] weights"), std::string::npos)
      << std::get<1>(got[0]);
  for (const auto& party : got) EXPECT_EQ(std::get<2>(party), 0u);
}

// Both parties must use the same options: a difference in ℓ, or in b alone (same parameter set),
// is a ProtocolError naming the peer, at setup, on either party.
TEST(HeRing, PartiesWithOtherOptionsAreAClearError) {
  for (const auto& [a, b] : {std::pair{kToday, kSmall}, std::pair{kToday, HeRingOptions{64, 62}}}) {
    SCOPED_TRACE(configName(a) + " vs " + configName(b));
    try {
      testing::simulate(2, [&](Communicator& comm) {
        HeMatmul mm(comm, true, comm.rank() == 0 ? a : b);
        return 0;
      });
      FAIL() << "no exception";
    } catch (const ProtocolError& e) {
      const std::string what = e.what();
      EXPECT_TRUE(what.find("party 1 uses") != std::string::npos ||
                  what.find("party 0 uses") != std::string::npos)
          << what;
      EXPECT_NE(what.find("HeRingOptions"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace sotto
