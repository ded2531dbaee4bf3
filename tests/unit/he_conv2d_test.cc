// HeConv2d (sotto/mpc/ot/he_conv2d.h): shares -> Cheetah's coefficient-encoded convolution on 2
// threads over inproc -> reveal -> exact comparison with the plaintext conv mod 2^64
// (sotto::conv2d) on full-range random values, for LeNet5's and AlexNet-CIFAR's layers, stride,
// padding, dilation, groups, depthwise and random shapes; a fixed-point run within the truncation
// tolerance; bytes and rounds as the header states; party 1's view; the errors.
#include "sotto/mpc/ot/he_conv2d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/he/context.h"
#include "sotto/he/encryptor.h"
#include "sotto/he/keys.h"
#include "sotto/he/serialize.h"
#include "sotto/mpc/ot/he_batchnorm.h"
#include "sotto/mpc/ot/he_matmul.h"
#include "testing/bit_balance.h"
#include "testing/errors.h"
#include "testing/share_helpers.h"
#include "testing/simulate.h"

namespace sotto {
namespace {

using testing::randomRing;

struct PartyRun {
  RingTensor share;
  CommCounters setup, call;
  HeConv2dPlan plan;
  size_t returned = 0;  // bytes of every returned ciphertext, as the header states
  std::vector<std::vector<uint64_t>> decryptions;
  std::vector<double> budgets;
  std::vector<std::vector<size_t>> reads;
};

std::vector<PartyRun> runConv(const RingTensor& x, const RingTensor& k, const Conv2dOptions& opt,
                              uint64_t seed, bool trim = true) {
  std::mt19937_64 rng(seed);
  const auto [x0, x1] = testing::shareOf(x, rng);
  return testing::simulate(2, [&](Communicator& comm) {
    PartyRun run;
    HeConv2d conv(comm, x.shape(), k.shape(), opt, trim);
    conv.keepView(true);
    run.setup = comm.stats().total;
    comm.resetStats();
    const bool owner = comm.rank() == 0;
    run.share = conv.forward(owner ? x0 : x1, owner ? k : RingTensor());
    run.call = comm.stats().total;
    run.plan = conv.plan();
    for (int64_t i = 0; i < run.plan.outputCiphertexts(); ++i) {
      run.reads.push_back(conv.readPositions(static_cast<size_t>(i)));
      run.returned += conv.returnedCiphertextBytes(run.reads.back().size());
    }
    run.decryptions = conv.lastDecryptions();
    run.budgets = conv.lastNoiseBudgets();
    return run;
  });
}

struct Layer {
  std::string name;
  Shape input, weight;
  Conv2dOptions opt;
};

Conv2dOptions options(int64_t stride, int64_t pad, int64_t dil = 1, int64_t groups = 1) {
  Conv2dOptions o;
  o.stride = {stride, stride};
  o.padding = {pad, pad};
  o.dilation = {dil, dil};
  o.groups = groups;
  return o;
}

// Exact mod 2^64, and the bytes and messages of the header.
void checkLayer(const Layer& l, uint64_t seed) {
  SCOPED_TRACE(l.name);
  std::mt19937_64 rng(seed);
  const RingTensor x = randomRing(l.input, rng), k = randomRing(l.weight, rng);
  const std::vector<PartyRun> runs = runConv(x, k, l.opt, rng());
  const RingTensor want = conv2d(x, k, l.opt);
  ASSERT_EQ(runs[0].share.shape(), want.shape());
  ASSERT_EQ(runs[1].share.shape(), want.shape());
  int64_t wrong = 0;
  for (int64_t i = 0; i < want.numel(); ++i)
    wrong += (runs[0].share[i] + runs[1].share[i]) != want[i];
  EXPECT_EQ(wrong, 0) << "of " << want.numel();

  const HeConv2dPlan& p = runs[0].plan;
  EXPECT_LE(p.o_w * p.c_w * p.h_w * p.w_w, 8192);
  size_t reads = 0;
  for (const auto& r : runs[0].reads) reads += r.size();
  EXPECT_EQ(reads, static_cast<size_t>(want.numel()));  // every output read exactly once
  // Trimmed: c1 in full (100,352 B), c0 at the read coefficients (98 bits each), ≤ 1 B padding.
  const size_t d = static_cast<size_t>(p.outputCiphertexts());
  EXPECT_GE(runs[0].returned, d * 100352 + reads * 98 / 8);
  EXPECT_LE(runs[0].returned, d * 100352 + reads * 98 / 8 + d);
  EXPECT_EQ(runs[1].setup.bytes_sent, 4u + 217113u);  // the ring options, then the key
  EXPECT_EQ(runs[1].call.bytes_sent, static_cast<size_t>(p.inputCiphertexts()) * 217113u);
  EXPECT_EQ(runs[0].call.bytes_sent, runs[0].returned);
  for (const PartyRun& r : runs) {
    EXPECT_EQ(r.call.messages_sent, 1u);
    EXPECT_EQ(r.call.messages_received, 1u);
    EXPECT_EQ(r.call.rounds, 2u);
  }
}

class HeConv2dLayers : public ::testing::TestWithParam<Layer> {};

TEST_P(HeConv2dLayers, ExactConvModRing) { checkLayer(GetParam(), 17); }

INSTANTIATE_TEST_SUITE_P(
    Layers, HeConv2dLayers,
    ::testing::Values(
        Layer{"lenet5_conv1", {1, 1, 28, 28}, {6, 1, 5, 5}, options(1, 2)},
        Layer{"lenet5_conv2", {1, 6, 14, 14}, {16, 6, 5, 5}, options(1, 0)},
        Layer{"alexnet_conv1", {1, 3, 32, 32}, {64, 3, 11, 11}, options(4, 5)},
        Layer{"alexnet_conv2", {1, 64, 4, 4}, {192, 64, 5, 5}, options(1, 2)},
        Layer{"alexnet_conv3", {1, 192, 2, 2}, {384, 192, 3, 3}, options(1, 1)},
        Layer{"stride2_batch2", {2, 3, 9, 7}, {4, 3, 3, 3}, options(2, 1)},
        Layer{"dilation2", {1, 2, 11, 10}, {3, 2, 3, 3}, options(1, 2, 2)},
        Layer{"groups2", {1, 4, 8, 8}, {6, 2, 3, 3}, options(1, 1, 1, 2)},
        Layer{"depthwise", {1, 5, 9, 9}, {5, 1, 3, 3}, options(1, 1, 1, 5)},
        // Filter blocks of 2 that straddle the two groups (filters 2 and 3), one channel a block.
        Layer{"groups2_straddle", {1, 2, 60, 60}, {6, 1, 3, 3}, options(1, 1, 1, 2)},
        Layer{"depthwise_x2", {1, 4, 6, 6}, {8, 1, 3, 3}, options(2, 1, 1, 4)},
        Layer{"spatial_blocks", {1, 1, 100, 100}, {2, 1, 3, 3}, options(1, 0)},
        Layer{"channel_blocks", {1, 64, 16, 16}, {2, 64, 3, 3}, options(1, 1)}),
    [](const ::testing::TestParamInfo<Layer>& param_info) { return param_info.param.name; });

// Random shapes, strides, paddings, dilations and groups (seeded: the same each run).
// Party 0 prepares the kernel polynomials at the first forward and reuses them: a layer called
// with kernels K1, K1, K2, K1 (a different kernel rebuilds them) is exact every time.
TEST(HeConv2d, RepeatedForwardsReuseOrRebuildTheKernelPolynomials) {
  std::mt19937_64 rng(29);
  const Shape in{1, 3, 6, 6}, wt{4, 3, 3, 3};
  const Conv2dOptions opt = options(1, 1);
  const RingTensor k1 = randomRing(wt, rng), k2 = randomRing(wt, rng);
  std::vector<RingTensor> xs;
  for (int i = 0; i < 4; ++i) xs.push_back(randomRing(in, rng));
  const std::vector<const RingTensor*> ks = {&k1, &k1, &k2, &k1};
  std::vector<std::pair<RingTensor, RingTensor>> shares;
  for (const RingTensor& x : xs) shares.push_back(testing::shareOf(x, rng));
  const auto got = testing::simulate(2, [&](Communicator& comm) {
    HeConv2d conv(comm, in, wt, opt);
    const bool owner = comm.rank() == 0;
    std::vector<RingTensor> out;
    for (size_t i = 0; i < xs.size(); ++i)
      out.push_back(
          conv.forward(owner ? shares[i].first : shares[i].second, owner ? *ks[i] : RingTensor()));
    return out;
  });
  for (size_t i = 0; i < xs.size(); ++i) {
    const RingTensor want = conv2d(xs[i], *ks[i], opt);
    int64_t wrong = 0;
    for (int64_t j = 0; j < want.numel(); ++j) wrong += (got[0][i][j] + got[1][i][j]) != want[j];
    EXPECT_EQ(wrong, 0) << "forward " << i;
  }
}

// prepare (the model owner's one-time work before the first input) encodes the kernel without a
// message on either party; the forward after it encodes nothing more and is exact, as a forward
// alone is. A kernel of the wrong shape is refused by prepare on party 0.
TEST(HeConv2d, PrepareEncodesTheKernelBeforeTheFirstForward) {
  std::mt19937_64 rng(41);
  const Shape in{2, 3, 7, 7}, wt{5, 3, 3, 3};
  const Conv2dOptions opt = options(2, 1);
  const RingTensor x = randomRing(in, rng), k = randomRing(wt, rng);
  const auto [x0, x1] = testing::shareOf(x, rng);
  struct Run {
    RingTensor share;
    uint64_t before = 0, prepared = 0, after = 0, prepare_messages = 0;
    int64_t polys = 0;
  };
  const auto got = testing::simulate(2, [&](Communicator& comm) {
    HeConv2d conv(comm, in, wt, opt);
    const bool owner = comm.rank() == 0;
    Run run;
    comm.resetStats();
    run.before = conv.weightEncodings();
    conv.prepare(owner ? k : RingTensor());
    run.prepared = conv.weightEncodings();
    run.prepare_messages = comm.stats().total.messages_sent + comm.stats().total.messages_received;
    run.share = conv.forward(owner ? x0 : x1, owner ? k : RingTensor());
    run.after = conv.weightEncodings();
    run.polys = conv.plan().o_blocks * conv.plan().c_blocks;
    return run;
  });
  const RingTensor want = conv2d(x, k, opt);
  int64_t wrong = 0;
  for (int64_t j = 0; j < want.numel(); ++j)
    wrong += (got[0].share[j] + got[1].share[j]) != want[j];
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(got[0].before, 0u);
  EXPECT_EQ(got[0].prepared, static_cast<uint64_t>(got[0].polys));  // groups 1: every block
  EXPECT_EQ(got[0].after, got[0].prepared);                         // the forward encoded nothing
  EXPECT_EQ(got[1].after, 0u);                                      // party 1 never encodes
  for (const Run& r : got) EXPECT_EQ(r.prepare_messages, 0u);
  EXPECT_THROW(testing::simulate(2,
                                 [&](Communicator& comm) {
                                   HeConv2d conv(comm, in, wt, opt);
                                   conv.prepare(RingTensor(Shape{5, 3, 3, 2}));
                                   return 0;
                                 }),
               InvalidArgument);  // party 0's kernel is not [5, 3, 3, 3]
}

// The same layer at batch 1 borrows the kernel encoding of the layer at batch 2 (one session):
// its forward is exact and encodes nothing. A layer of another image shape cannot borrow it.
TEST(HeConv2d, ALayerAtAnotherBatchSizeSharesTheKernelEncoding) {
  std::mt19937_64 rng(47);
  const Shape in2{2, 3, 7, 7}, in1{1, 3, 7, 7}, wt{5, 3, 3, 3};
  const Conv2dOptions opt = options(1, 1);
  const RingTensor x = randomRing(in1, rng), k = randomRing(wt, rng);
  const auto [x0, x1] = testing::shareOf(x, rng);
  const auto got = testing::simulate(2, [&](Communicator& comm) {
    auto session = std::make_shared<HeSession>(comm);
    const bool owner = comm.rank() == 0;
    HeConv2d two(session, in2, wt, opt), one(session, in1, wt, opt);
    two.prepare(owner ? k : RingTensor());
    const uint64_t prepared = session->weightEncodings();
    one.shareKernel(two);
    RingTensor y = one.forward(owner ? x0 : x1, owner ? k : RingTensor());
    return std::make_tuple(y, prepared, session->weightEncodings());
  });
  const RingTensor want = conv2d(x, k, opt);
  int64_t wrong = 0;
  for (int64_t j = 0; j < want.numel(); ++j)
    wrong += (std::get<0>(got[0])[j] + std::get<0>(got[1])[j]) != want[j];
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(std::get<1>(got[0]), 0u);
  EXPECT_EQ(std::get<2>(got[0]), std::get<1>(got[0]));  // the batch-1 forward encoded nothing
  const std::string what = testing::errorOf([&] {
    testing::simulate(2, [&](Communicator& comm) {
      auto session = std::make_shared<HeSession>(comm);
      HeConv2d a(session, in1, wt, opt), b(session, Shape{1, 3, 8, 7}, wt, opt);
      b.shareKernel(a);
      return 0;
    });
  });
  EXPECT_NE(what.find("cannot share the kernel encoding"), std::string::npos) << what;
}

TEST(HeConv2d, RandomShapes) {
  std::mt19937_64 rng(99);
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  for (int trial = 0; trial < 16; ++trial) {
    const int64_t groups = pick(1, 4), cg = pick(1, 8), og = pick(1, 6), kh = pick(1, 5),
                  kw = pick(1, 5), dil = pick(1, 3), pad = pick(0, 2), stride = pick(1, 3);
    const int64_t h = pick(dil * (kh - 1) + 1, 40), w = pick(dil * (kw - 1) + 1, 40);
    checkLayer(Layer{"random" + std::to_string(trial),
                     {pick(1, 2), groups * cg, h, w},
                     {groups * og, cg, kh, kw},
                     options(stride, pad, dil, groups)},
               rng());
  }
}

// Fixed point: inputs and kernel at f fractional bits, the product at 2f truncated locally by
// each party (SecureML's share truncation: off by at most 1 ulp each, with probability
// 1 − |y|/2^63 per element) and compared with the conv of the same quantised values in double.
TEST(HeConv2d, FixedPointWithinTruncationTolerance) {
  const int f = 16;
  const Shape in{1, 6, 14, 14}, wt{16, 6, 5, 5};
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-2, 2), uw(-0.5, 0.5);
  std::vector<double> xs(static_cast<size_t>(in.numel())), ws(static_cast<size_t>(wt.numel()));
  for (double& v : xs) v = u(rng);
  for (double& v : ws) v = uw(rng);
  const RingTensor x = RingTensor::encode(xs, in, f), k = RingTensor::encode(ws, wt, f);
  const std::vector<PartyRun> runs = runConv(x, k, options(1, 2), 4);
  const std::vector<double> xq = x.decode(f), wq = k.decode(f);
  const Shape out = conv2dOutputShape(in, wt, options(1, 2));
  double worst = 0;
  for (int64_t o = 0; o < 16; ++o)
    for (int64_t r = 0; r < 14; ++r)
      for (int64_t c = 0; c < 14; ++c) {
        double want = 0;
        for (int64_t ch = 0; ch < 6; ++ch)
          for (int64_t i = 0; i < 5; ++i)
            for (int64_t j = 0; j < 5; ++j) {
              const int64_t y = r - 2 + i, z = c - 2 + j;
              if (y < 0 || y >= 14 || z < 0 || z >= 14) continue;
              want += xq[static_cast<size_t>((ch * 14 + y) * 14 + z)] *
                      wq[static_cast<size_t>(((o * 6 + ch) * 5 + i) * 5 + j)];
            }
        const int64_t idx = (o * 14 + r) * 14 + c;
        const uint64_t t0 = testing::truncateShare(runs[0].share[idx], 0, f);
        const uint64_t t1 = testing::truncateShare(runs[1].share[idx], 1, f);
        const double got = std::ldexp(static_cast<double>(static_cast<int64_t>(t0 + t1)), -f);
        worst = std::max(worst, std::abs(got - want));
      }
  EXPECT_EQ(out.numel(), 16 * 14 * 14);
  EXPECT_LE(worst, std::ldexp(2.0, -f));  // two truncations of ≤ 1 ulp each
}

// Party 1's view (whole ciphertexts): each decrypted polynomial is its share at the read
// coefficients, and every other coefficient (which, unmasked, would hold partial sums of the
// kernel) is uniform mod 2^64 whatever the kernel: each bit balanced (z-test at 6 sigma) for a
// constant kernel (far from uniform without the mask: the test fails with R removed) and a
// full-range random one on the same input. The noise budget shows the flooding: ≤ 14 bits left
// (f = 134 for one channel block) and never below the 1 bit decryption needs.
TEST(HeConv2d, DataOwnerViewIndependentOfKernel) {
  const Shape in{1, 3, 12, 12}, wt{4, 3, 3, 3};
  const RingTensor x = RingTensor::full(in, 3);
  std::mt19937_64 rng(5);
  for (const RingTensor& k : {RingTensor::full(wt, 5), randomRing(wt, rng)}) {
    const std::vector<PartyRun> runs = runConv(x, k, options(1, 1), 7, /*trim=*/false);
    const PartyRun& p1 = runs[1];
    ASSERT_EQ(p1.decryptions.size(), static_cast<size_t>(p1.plan.outputCiphertexts()));
    std::vector<uint64_t> unread;
    for (size_t ct = 0; ct < p1.decryptions.size(); ++ct) {
      const std::vector<uint64_t>& dec = p1.decryptions[ct];
      ASSERT_EQ(dec.size(), 8192u);
      std::vector<bool> read(8192, false);
      for (size_t pos : p1.reads[ct]) read[pos] = true;
      for (size_t c = 0; c < dec.size(); ++c)
        if (!read[c]) unread.push_back(dec[c]);
    }
    ASSERT_GT(unread.size(), 7000u);
    EXPECT_LT(testing::worstBitZ(unread), 6.0) << "kernel " << k[0];
    for (double budget : p1.budgets) {
      EXPECT_GE(budget, 1.0);
      EXPECT_LE(budget, 14.0);
    }
  }
}

// The noise budget of what party 1 decrypts, for AlexNet-CIFAR's deepest convolutions (the most
// channel blocks T summed into one output): flooding of f = 134 + ⌈log2 T⌉ bits leaves
// ≈ 13 − log2 T bits (he_matmul_test's ReturnedNoiseIsFlooded explains the figure); asserted
// within [11 − ⌈log2 T⌉, 14 − ⌈log2 T⌉] and with a margin of 5 bits above exhaustion, and the
// results exact.
TEST(HeConv2d, NoiseBudgetHoldsOnAlexNetsDeepestLayers) {
  for (const Layer& l : {Layer{"alexnet_conv4", {1, 384, 2, 2}, {256, 384, 3, 3}, options(1, 1)},
                         Layer{"alexnet_conv5", {1, 256, 2, 2}, {256, 256, 3, 3}, options(1, 1)}}) {
    SCOPED_TRACE(l.name);
    std::mt19937_64 rng(31);
    const RingTensor x = randomRing(l.input, rng), k = randomRing(l.weight, rng);
    const std::vector<PartyRun> runs = runConv(x, k, l.opt, 32, /*trim=*/false);
    const RingTensor want = conv2d(x, k, l.opt);
    int64_t wrong = 0;
    for (int64_t i = 0; i < want.numel(); ++i)
      wrong += (runs[0].share[i] + runs[1].share[i]) != want[i];
    EXPECT_EQ(wrong, 0);
    const double lg = std::ceil(std::log2(static_cast<double>(runs[1].plan.terms)));
    ASSERT_EQ(runs[1].budgets.size(), static_cast<size_t>(runs[1].plan.outputCiphertexts()));
    for (double budget : runs[1].budgets) {
      EXPECT_GE(budget, 5.0) << "T = " << runs[1].plan.terms;
      EXPECT_GE(budget, 11.0 - lg);
      EXPECT_LE(budget, 14.0 - lg);
    }
  }
}

// One HeSession for a LeNet5-like chain (conv, conv, BatchNorm, FC): the key setup is paid once
// (4 B each way and 217,113 B from party 1, at the session), the layers send nothing at
// construction, and each layer's result is exact.
TEST(HeConv2d, SharedSessionPaysTheSetupOnce) {
  std::mt19937_64 rng(21);
  const Shape in1{1, 1, 12, 12}, k1{4, 1, 3, 3}, in2{1, 4, 10, 10}, k2{6, 4, 3, 3};
  const RingTensor x1 = randomRing(in1, rng), w1 = randomRing(k1, rng);
  const RingTensor x2 = randomRing(in2, rng), w2 = randomRing(k2, rng);
  const RingTensor scale = randomRing(Shape{4}, rng), bias = randomRing(Shape{4}, rng);
  const auto [a0, a1] = testing::shareOf(x1, rng);
  const auto [b0, b1] = testing::shareOf(x2, rng);
  const std::vector<uint64_t> wf(30 * 5, 3), f0(60, 2), f1(60, 5);  // FC: X = 7, W = 3
  auto runs = testing::simulate(2, [&](Communicator& comm) {
    const bool owner = comm.rank() == 0;
    auto session = std::make_shared<HeSession>(comm);
    const uint64_t setup = comm.stats().total.bytes_sent + comm.stats().total.bytes_received;
    HeConv2d c1(session, in1, k1, options(1, 0)), c2(session, in2, k2, options(1, 1));
    HeBatchNorm bn(session, in2);
    HeMatmul fc(session);
    const uint64_t after_layers = comm.stats().total.bytes_sent + comm.stats().total.bytes_received;
    RingTensor y1 = c1.forward(owner ? a0 : a1, owner ? w1 : RingTensor());
    RingTensor y2 = c2.forward(owner ? b0 : b1, owner ? w2 : RingTensor());
    RingTensor y3 = bn.forward(owner ? b0 : b1, scale, bias);
    std::vector<uint64_t> y4 =
        fc.multiply(owner ? f0 : f1, owner ? wf : std::vector<uint64_t>{}, 2, 30, 5);
    return std::make_tuple(setup, after_layers, y1, y2, y3, y4);
  });
  for (const auto& r : runs) {
    EXPECT_EQ(std::get<0>(r), 8u + 217113u);
    EXPECT_EQ(std::get<1>(r), 8u + 217113u);  // no layer sent a key of its own
  }
  auto reveal = [&](const RingTensor& s0, const RingTensor& s1) {
    RingTensor y = s0;
    y += s1;
    return y;
  };
  const RingTensor y1 = reveal(std::get<2>(runs[0]), std::get<2>(runs[1]));
  const RingTensor want1 = conv2d(x1, w1, options(1, 0));
  EXPECT_TRUE(std::equal(y1.data().begin(), y1.data().end(), want1.data().begin()));
  const RingTensor y2 = reveal(std::get<3>(runs[0]), std::get<3>(runs[1]));
  const RingTensor want2 = conv2d(x2, w2, options(1, 1));
  EXPECT_TRUE(std::equal(y2.data().begin(), y2.data().end(), want2.data().begin()));
  const RingTensor y3 = reveal(std::get<4>(runs[0]), std::get<4>(runs[1]));
  for (int64_t i = 0; i < y3.numel(); ++i)
    EXPECT_EQ(y3[i], scale[i / 100] * x2[i] + bias[i / 100]) << i;
  for (size_t i = 0; i < 10; ++i)
    EXPECT_EQ(std::get<5>(runs[0])[i] + std::get<5>(runs[1])[i], uint64_t{7 * 3 * 30}) << i;
}

// An input ciphertext under other parameters (a genuine ciphertext of the same size, for a
// 32-bit plaintext ring) is a ProtocolError naming the peer, never a wrong result.
TEST(HeConv2d, RejectsAWrongParameterCiphertextNamingThePeer) {
  const Shape in{1, 1, 8, 8}, wt{2, 1, 3, 3};
  try {
    testing::simulate(2, [&](Communicator& comm) {
      HeConv2d conv(comm, in, wt);
      if (comm.rank() == 0) {
        conv.forward(RingTensor(in), RingTensor(wt));
      } else {
        const he::HeContext other(he::ParamSet::kN8192, 32);
        Prg prg;
        const he::SecretKey sk = he::generateSecretKey(other, prg);
        const std::vector<uint64_t> zero(other.n(), 0);
        const std::vector<std::byte> bytes =
            he::serialize(other, he::encryptSymmetricSeeded(other, sk, zero, prg));
        EXPECT_EQ(bytes.size(), conv.uploadCiphertextBytes());
        comm.send(0, bytes);
      }
      return 0;
    });
    FAIL() << "no exception";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("HeConv2d: input ciphertext from party 1"),
              std::string::npos)
        << e.what();
  }
}

// The InvalidArgument a layer's construction throws on both parties (before any message).
std::string constructionError(const Shape& input, const Shape& weight, const Conv2dOptions& opt) {
  try {
    testing::simulate(2, [&](Communicator& comm) {
      HeConv2d conv(comm, input, weight, opt);
      return 0;
    });
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no exception";
}

// A layer whose dilated kernel window exceeds N is an error at construction naming the shapes.
TEST(HeConv2d, RejectsALayerThatDoesNotFitN) {
  const std::string what =
      constructionError(Shape{1, 1, 100, 100}, Shape{1, 1, 46, 46}, options(1, 0, 2));
  EXPECT_NE(what.find("[1, 1, 100, 100]"), std::string::npos) << what;
  EXPECT_NE(what.find("does not fit N = 8192"), std::string::npos) << what;
}

// A layer that sums too many channel blocks into one output (20,000 channels under a 90x90
// kernel: one channel a ciphertext, 20,000 products per output) would need flooding beyond the
// parameters: an error at construction naming the layer (no tensor is ever made).
TEST(HeConv2d, RejectsALayerWhoseFloodedNoiseDoesNotFit) {
  const std::string what =
      constructionError(Shape{1, 20000, 90, 90}, Shape{1, 20000, 90, 90}, options(1, 0));
  EXPECT_NE(what.find("[1, 20000, 90, 90]"), std::string::npos) << what;
  EXPECT_NE(what.find("does not fit the parameters"), std::string::npos) << what;
}

TEST(HeConv2d, RejectsWrongShapes) {
  EXPECT_THROW(
      testing::simulate(
          2,
          [&](Communicator& comm) {
            HeConv2d conv(comm, Shape{1, 2, 5, 5}, Shape{3, 2, 3, 3});
            return conv.forward(RingTensor(Shape{1, 2, 5, 4}), RingTensor(Shape{3, 2, 3, 3}));
          }),
      InvalidArgument);
  EXPECT_THROW(testing::simulate(2,
                                 [&](Communicator& comm) {
                                   HeConv2d conv(comm, Shape{1, 3, 5, 5}, Shape{3, 2, 3, 3});
                                   return 0;
                                 }),
               InvalidArgument);  // groups 1 needs C/g = 3 kernel channels
}

}  // namespace
}  // namespace sotto
