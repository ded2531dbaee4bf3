// ArithTensor over the seeded dealer, 2 and 3 parties: plaintext -> share -> op -> reveal ->
// compare with a double-precision reference on the encoded inputs.
#include "sotto/mpc/arith_tensor.h"

#include <gtest/gtest.h>

#include <random>

#include "sotto/mpc/fixed_weight.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

class ArithTensorTest : public PartiesDealersTest {};

TEST_P(ArithTensorTest, ShareAndRevealFromEveryOwner) {
  const auto x = uniform(37, -1000, 1000, 1);
  for (int owner = 0; owner < parties(); ++owner) {
    auto out = run([&](Party& p) {
      auto t = ArithTensor::share(p, owner, x, Shape{37});
      return t.revealDoubles();
    });
    for (const auto& o : out) EXPECT_LE(maxAbsDiff(o, x), kUlp / 2) << "owner " << owner;
  }
}

TEST_P(ArithTensorTest, RevealToOneParty) {
  const auto x = uniform(10, -5, 5, 2);
  const int receiver = parties() - 1;
  auto out = run([&](Party& p) {
    auto t = ArithTensor::share(p, 0, x, Shape{2, 5});
    return t.revealTo(receiver);
  });
  for (int r = 0; r < parties(); ++r) {
    if (r == receiver) {
      EXPECT_LE(maxAbsDiff(out[r].decode(), x), kUlp / 2);
    } else {
      EXPECT_EQ(out[r].numel(), 0) << "party " << r << " must learn nothing";
    }
  }
}

TEST_P(ArithTensorTest, LinearOperationsAreExact) {
  const auto x = quantized(uniform(24, -100, 100, 3));
  const auto y = quantized(uniform(24, -100, 100, 4));
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{4, 6});
    auto b = ArithTensor::share(p, p.numParties() - 1, y, Shape{4, 6});
    auto pub = RingTensor::encode(std::vector<double>(24, 2.5), Shape{4, 6});
    auto r = ((a + b) - (-a)).mulPublicInt(3).addPublic(pub);  // 3·(2a + b) + 2.5
    return std::make_pair(r.revealDoubles(), a.sum(1).revealDoubles());
  });
  std::vector<double> expect(24), rowsum(4, 0);
  for (int i = 0; i < 24; ++i) {
    expect[i] = 3 * (2 * x[i] + y[i]) + 2.5;
    rowsum[i / 6] += x[i];
  }
  EXPECT_LE(maxAbsDiff(out[0].first, expect), 1e-9);
  EXPECT_LE(maxAbsDiff(out[0].second, rowsum), 1e-9);
}

TEST_P(ArithTensorTest, MulWithinOneUlpBothTruncations) {
  const size_t n = 4096;
  auto x = quantized(uniform(n, -10, 10, 5));
  auto y = quantized(uniform(n, -10, 10, 6));
  // Edge values: tiny negatives, zero, values near the top of the range (|xy| < 2^30).
  const std::vector<double> ex = {-1.0 / (1 << 17), -kUlp, 0.0, kUlp, 30000.0, -30000.0, 1.5};
  const std::vector<double> ey = {3.0, -kUlp, 12345.0, -kUlp, 30000.0, 30000.0, -kUlp};
  for (size_t i = 0; i < ex.size(); ++i) {
    x[i] = quantize(ex[i]);
    y[i] = quantize(ey[i]);
  }
  std::vector<double> expect(n);
  for (size_t i = 0; i < n; ++i) expect[i] = x[i] * y[i];
  auto product = [&](Truncation method, const std::vector<double>& a_in,
                     const std::vector<double>& b_in) {
    return run(
        [&](Party& p) {
          auto a = ArithTensor::share(p, 0, a_in, Shape{64, 64});
          auto b = ArithTensor::share(p, 1, b_in, Shape{64, 64});
          return a.mul(b).revealDoubles();
        },
        PartyOptions{kDefaultFracBits, method})[0];
  };
  // Dealer truncation: within one ULP on everything, edge values included.
  EXPECT_LE(maxAbsDiff(product(Truncation::kDealer, x, y), expect), 1.0001 * kUlp);
  if (parties() == 2) {
    // Local truncation fails with probability ~|xy|·2^32 / 2^63 per element, so it is checked on
    // products below 1 (4096 elements: a failure about once in 2^19 runs).
    const auto xs = quantized(uniform(n, -1, 1, 17)), ys = quantized(uniform(n, -1, 1, 18));
    std::vector<double> small(n);
    for (size_t i = 0; i < n; ++i) small[i] = xs[i] * ys[i];
    EXPECT_LE(maxAbsDiff(product(Truncation::kLocal, xs, ys), small), 1.0001 * kUlp);
  }
}

TEST_P(ArithTensorTest, DealerTruncationHasNoLargeErrorsNearTheLimit) {
  // Values up to 2^61 in ring units: local truncation would fail on many; the dealer's never.
  std::vector<uint64_t> raw(2000);
  std::mt19937_64 gen(7);
  for (auto& v : raw)
    v = static_cast<uint64_t>(static_cast<int64_t>(gen() >> 2) - (int64_t{1} << 61));
  RingTensor input(Shape{2000}, raw);
  auto out = run([&](Party& p) {
    auto t = ArithTensor::shareEncoded(p, 0, input, input.shape(), 0);
    return t.truncate(16, Truncation::kDealer).reveal();
  });
  for (size_t i = 0; i < raw.size(); ++i) {
    const int64_t want = static_cast<int64_t>(raw[i]) >> 16;
    const int64_t got = static_cast<int64_t>(out[0][static_cast<int64_t>(i)]);
    EXPECT_LE(std::abs(got - want), 1)
        << "element " << i << " (" << static_cast<int64_t>(raw[i]) << ")";
  }
}

TEST_P(ArithTensorTest, MatmulMatchesDoubleReference) {
  const int64_t m = 13, k = 37, n = 9;
  const auto x = quantized(uniform(m * k, -4, 4, 8));
  const auto y = quantized(uniform(k * n, -4, 4, 9));
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{m, k});
    auto b = ArithTensor::share(p, 1, y, Shape{k, n});
    return a.matmul(b).revealDoubles();
  });
  std::vector<double> expect(m * n, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t l = 0; l < k; ++l) expect[i * n + j] += x[i * k + l] * y[l * n + j];
  EXPECT_LE(maxAbsDiff(out[0], expect), 1.0001 * kUlp);
}

TEST_P(ArithTensorTest, Conv2dMatchesDoubleReference) {
  const Shape in{2, 3, 7, 6}, w{4, 3, 3, 2};
  Conv2dOptions opt;
  opt.stride = {2, 1};
  opt.padding = {1, 1};
  const auto x = quantized(uniform(in.numel(), -3, 3, 10));
  const auto y = quantized(uniform(w.numel(), -1, 1, 11));
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 1, x, in);
    auto b = ArithTensor::share(p, 0, y, w);
    return a.conv2d(b, opt).revealDoubles();
  });
  const Shape os = conv2dOutputShape(in, w, opt);
  std::vector<double> expect(os.numel(), 0);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t o = 0; o < 4; ++o)
      for (int64_t oh = 0; oh < os[2]; ++oh)
        for (int64_t ow = 0; ow < os[3]; ++ow) {
          double acc = 0;
          for (int64_t c = 0; c < 3; ++c)
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 2; ++j) {
                const int64_t h = oh * 2 - 1 + i, ww = ow - 1 + j;
                if (h < 0 || h >= 7 || ww < 0 || ww >= 6) continue;
                acc += x[((b * 3 + c) * 7 + h) * 6 + ww] * y[((o * 3 + c) * 3 + i) * 2 + j];
              }
          expect[((b * 4 + o) * os[2] + oh) * os[3] + ow] = acc;
        }
  EXPECT_LE(maxAbsDiff(out[0], expect), 1.0001 * kUlp);
}

TEST_P(ArithTensorTest, MulBroadcastsLikeNumpy) {
  const auto x = quantized(uniform(24, -3, 3, 30));  // [4, 6]
  const auto y = quantized(uniform(6, -3, 3, 31));   // [6]
  const auto z = quantized(uniform(4, -3, 3, 32));   // [4, 1]
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{4, 6});
    auto b = ArithTensor::share(p, 1, y, Shape{6});
    auto c = ArithTensor::share(p, 0, z, Shape{4, 1});
    return std::make_pair(a.mul(b).revealDoubles(), c.mul(b).revealDoubles());
  });
  std::vector<double> ab(24), cb(24);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 6; ++j) {
      ab[i * 6 + j] = x[i * 6 + j] * y[j];
      cb[i * 6 + j] = z[i] * y[j];
    }
  }
  EXPECT_LE(maxAbsDiff(out[0].first, ab), 1.0001 * kUlp);
  EXPECT_LE(maxAbsDiff(out[0].second, cb), 1.0001 * kUlp);
  EXPECT_THROW(run([&](Party& p) {
                 auto a = ArithTensor::share(p, 0, x, Shape{4, 6});
                 auto d = ArithTensor::share(p, 0, std::vector<double>(4, 1), Shape{4});
                 return a.mul(d).numel();
               }),
               InvalidArgument);
}

TEST_P(ArithTensorTest, ZeroSizeTensors) {
  auto out = run([&](Party& p) {
    auto a = ArithTensor::share(p, 0, std::vector<double>{}, Shape{0, 3});
    auto b = ArithTensor::share(p, 1, std::vector<double>{}, Shape{0, 3});
    return (a + b).mul(b).revealDoubles().size();
  });
  EXPECT_EQ(out[0], 0u);
}

TEST_P(ArithTensorTest, BadInputIsAClearErrorOnEveryParty) {
  EXPECT_THROW(run([&](Party& p) {
                 auto a = ArithTensor::share(p, 0, std::vector<double>(6, 1), Shape{6});
                 auto b = ArithTensor::share(p, 0, std::vector<double>(4, 1), Shape{4});
                 return a.mul(b).numel();  // [6] and [4] do not broadcast
               }),
               InvalidArgument);
  EXPECT_THROW(run([&](Party& p) {
                 auto a = ArithTensor::share(p, 0, std::vector<double>(2, 1), Shape{2});
                 return a.revealTo(parties()).numel();
               }),
               InvalidArgument);
  EXPECT_THROW(run([&](Party& p) {
                 ArithTensor a(p, RingTensor(Shape{2}), 16), b(p, RingTensor(Shape{2}), 12);
                 return (a + b).numel();
               }),
               InvalidArgument);
}

TEST_P(ArithTensorTest, ReceivedSharesLookUniformWhateverTheSecret) {
  // Party 1's share of a secret is all it sees: its top byte must be uniform for secret 0 and for
  // secret 12345 alike (chi-square over 256 bins, 2^16 samples; 255 dof, 400 is ~p < 1e-7).
  for (double secret : {0.0, 12345.0}) {
    auto out = run([&](Party& p) {
      auto t = ArithTensor::share(p, 0, std::vector<double>(1 << 16, secret), Shape{1 << 16});
      return t.share();
    });
    std::vector<int> bins(256);
    for (uint64_t w : out[1].data()) bins[w >> 56]++;
    double chi = 0;
    for (int c : bins) chi += (c - 256.0) * (c - 256.0) / 256.0;
    EXPECT_LT(chi, 400.0) << "secret " << secret;
  }
}

TEST_P(ArithTensorTest, FixedWeightReusedAcrossInferencesOpensOnlyTheInput) {
  const int64_t m = 8, k = 16, n = 5;
  const auto w = quantized(uniform(k * n, -1, 1, 12));
  const auto x1 = quantized(uniform(m * k, -3, 3, 13));
  const auto x2 = quantized(uniform(m * k, -3, 3, 14));
  auto reference = [&](const std::vector<double>& x) {
    std::vector<double> out(m * n, 0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t l = 0; l < k; ++l) out[i * n + j] += x[i * k + l] * w[l * n + j];
    return out;
  };
  struct Result {
    std::vector<double> y1, y2;
    uint64_t load_sent, infer_sent;
  };
  auto out = run([&](Party& p) {
    Result r;
    p.comm().resetStats();
    auto weight = FixedWeight::load(p, 0, w, Shape{k, n});  // the model owner is party 0
    r.load_sent = p.comm().stats().total.bytes_sent;
    const int data_owner = p.numParties() - 1;
    auto a = ArithTensor::share(p, data_owner, x1, Shape{m, k});
    auto b = ArithTensor::share(p, data_owner, x2, Shape{m, k});
    const auto before = p.comm().stats().total.bytes_sent;
    auto y1 = weight.matmulFrom(a);
    r.infer_sent = p.comm().stats().total.bytes_sent - before;
    r.y1 = y1.revealDoubles();
    r.y2 = weight.matmulFrom(b).revealDoubles();
    return r;
  });
  EXPECT_LE(maxAbsDiff(out[0].y1, reference(x1)), 1.0001 * kUlp);
  EXPECT_LE(maxAbsDiff(out[0].y2, reference(x2)), 1.0001 * kUlp);
  if (parties() == 2) {
    // Per inference each party sends e = x - A once (m·k words), plus the dealer truncation's
    // opening of the m·n result; nothing about W.
    EXPECT_EQ(out[1].infer_sent, static_cast<uint64_t>(8 * (m * k + m * n)));
    EXPECT_EQ(out[0].load_sent, static_cast<uint64_t>(8 * k * n));  // W - B, once
  }
}

TEST_P(ArithTensorTest, FixedWeightConv2d) {
  const Shape in{1, 2, 6, 6}, ws{3, 2, 3, 3};
  Conv2dOptions opt;
  opt.padding = {1, 1};
  const auto x = quantized(uniform(in.numel(), -2, 2, 15));
  const auto w = quantized(uniform(ws.numel(), -1, 1, 16));
  auto out = run([&](Party& p) {
    auto weight = FixedWeight::load(p, 0, w, ws);
    auto a = ArithTensor::share(p, 1, x, in);
    auto b = ArithTensor::share(p, 0, w, ws);
    return std::make_pair(weight.conv2dFrom(a, opt).revealDoubles(),
                          a.conv2d(b, opt).revealDoubles());
  });
  // The fixed-weight path and the two-private-operands path agree within their 1-ULP bounds.
  EXPECT_LE(maxAbsDiff(out[0].first, out[0].second), 2.0001 * kUlp);
  EXPECT_GT(out[0].first.size(), 0u);
}

SOTTO_PARTIES_AND_DEALERS(ArithTensorTest);

}  // namespace
}  // namespace sotto::testing
