// IKNP random COT (iknp.h) and its bit-matrix transpose: t_i == q_i ^ (b_i ? Δ : 0) for every COT,
// both directions, sizes 1, non-multiples of 128 and several message parts; Δ's bit 0 is 1; the
// streams continue across extend calls (no COT repeats); the transpose agrees with the naive one.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <set>

#include "cr_hash.h"
#include "sotto/ot/iknp.h"
#include "testing/simulate.h"
#include "transpose.h"

namespace sotto::ot {
namespace {

using sotto::testing::simulate;

TEST(OtTranspose, AgreesWithTheNaiveTransposeOnRandomMatrices) {
  std::mt19937_64 gen(5);
  for (size_t n : {size_t{128}, size_t{256}, size_t{1024}}) {
    const size_t stride = n / 8 + 16;  // rows further apart than they are long
    std::vector<std::byte> in(128 * stride);
    for (auto& b : in) b = std::byte(static_cast<uint8_t>(gen()));
    std::vector<Block> out(n);
    detail::transpose128(in.data(), stride, n, out.data());
    for (size_t i = 0; i < n; ++i) {
      for (int j = 0; j < 128; ++j) {
        const bool want = (std::to_integer<unsigned>(in[j * stride + i / 8]) >> (i % 8)) & 1;
        ASSERT_EQ(out[i].bit(j), want) << "n " << n << ", row " << i << ", bit " << j;
      }
    }
  }
}

TEST(OtTranspose, RefusesASizeThatIsNotAMultipleOf128) {
  std::vector<std::byte> in(128 * 32);
  std::vector<Block> out(256);
  EXPECT_THROW(detail::transpose128(in.data(), 32, 200, out.data()), InvalidArgument);
}

// π = AES-128 under the hash's fixed key, computed here directly with OpenSSL.
Block aes(Block x) {
  static const unsigned char key[16] = {0x24, 0x3F, 0x6A, 0x88, 0x85, 0xA3, 0x08, 0xD3,
                                        0x13, 0x19, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x44};
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key, nullptr);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  Block y;
  int len = 0;
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(&y), &len,
                    reinterpret_cast<const unsigned char*>(&x), 16);
  EVP_CIPHER_CTX_free(ctx);
  return y;
}

TEST(OtCrHash, IsPiOfPiXorTweakXorPi) {
  std::mt19937_64 gen(9);
  const size_t n = 1000;
  std::vector<Block> x(n), tweak(n), out(n), seq(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = {gen(), gen()};
    tweak[i] = {1000 + i, 7};
  }
  detail::CrHash h;
  h.hash(x, tweak, out);
  h.hashSeq(x, 1000, 7, seq);
  std::set<std::pair<uint64_t, uint64_t>> distinct;
  for (size_t i = 0; i < n; ++i) {
    const Block p = aes(x[i]);
    ASSERT_EQ(out[i], aes(p ^ tweak[i]) ^ p) << i;  // H(x, i) = π(π(x) ⊕ i) ⊕ π(x)
    ASSERT_EQ(seq[i], out[i]) << i;
    distinct.insert({out[i].lo, out[i].hi});
  }
  EXPECT_EQ(distinct.size(), n);
  // another tweak, same input: another output
  h.hashSeq(x, 1000, 8, seq);
  for (size_t i = 0; i < n; ++i) ASSERT_NE(seq[i], out[i]) << i;
}

struct CotRun {
  Block delta;
  std::vector<std::vector<Block>> q, t;
  std::vector<std::vector<uint8_t>> b;
};

// One sender/receiver pair (sender on party `sender`), one extend per entry of `sizes`.
CotRun runIknp(int sender, const std::vector<size_t>& sizes, unsigned seed) {
  CotRun r;
  simulate(2, [&](Communicator& comm) {
    if (comm.rank() == sender) {
      IknpCotSender s(comm, 1 - sender);
      r.delta = s.delta();
      for (size_t n : sizes) {
        r.q.emplace_back(n);
        s.extend(r.q.back());
      }
    } else {
      IknpCotReceiver rc(comm, sender);
      std::mt19937 gen(seed);
      for (size_t n : sizes) {
        std::vector<uint8_t> b(n);
        std::vector<std::byte> packed((n + 7) / 8);
        for (size_t i = 0; i < n; ++i) {
          b[i] = static_cast<uint8_t>(gen() & 1);
          packed[i / 8] |= std::byte(b[i] << (i % 8));
        }
        r.t.emplace_back(n);
        rc.extend(packed, r.t.back());
        r.b.push_back(std::move(b));
      }
    }
    return 0;
  });
  return r;
}

class IknpTest : public ::testing::TestWithParam<int> {};

TEST_P(IknpTest, EveryCotHoldsTheCorrelation) {
  const std::vector<size_t> sizes{1, 127, 128, 1000, kIknpChunk + 5, 3};
  const CotRun r = runIknp(GetParam(), sizes, 11);
  EXPECT_TRUE(r.delta.bit(0)) << "Δ's bit 0 is 1 by convention";
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (size_t k = 0; k < sizes.size(); ++k) {
    ASSERT_EQ(r.q[k].size(), sizes[k]);
    ASSERT_EQ(r.t[k].size(), sizes[k]);
    for (size_t i = 0; i < sizes[k]; ++i) {
      ASSERT_EQ(r.t[k][i], r.q[k][i] ^ (r.b[k][i] ? r.delta : Block{}))
          << "extend " << k << " (" << sizes[k] << " COTs), COT " << i;
      seen.insert({r.q[k][i].lo, r.q[k][i].hi});
    }
  }
  size_t total = 0;
  for (size_t n : sizes) total += n;
  EXPECT_EQ(seen.size(), total) << "a q_i repeats: the PRG streams must continue across calls";
}

TEST_P(IknpTest, AllZeroChoicesGiveEqualBlocksAndAllOnesDifferByDelta) {
  for (uint8_t c : {uint8_t{0}, uint8_t{1}}) {
    CotRun r;
    simulate(2, [&](Communicator& comm) {
      const size_t n = 300;
      if (comm.rank() == GetParam()) {
        IknpCotSender s(comm, 1 - GetParam());
        r.delta = s.delta();
        r.q.emplace_back(n);
        s.extend(r.q.back());
      } else {
        IknpCotReceiver rc(comm, GetParam());
        std::vector<std::byte> packed(n / 8 + 1, std::byte(c ? 0xff : 0));
        r.t.emplace_back(n);
        rc.extend(packed, r.t.back());
      }
      return 0;
    });
    for (size_t i = 0; i < r.q[0].size(); ++i) {
      ASSERT_EQ(r.t[0][i] ^ r.q[0][i], c ? r.delta : Block{}) << i;
    }
  }
}

TEST_P(IknpTest, SendsSixteenBytesPerCotInOneWayMessages) {
  simulate(2, [&](Communicator& comm) {
    const size_t n = 2 * kIknpChunk + 1000;  // 3 parts; the last rounds 1000 up to 1024
    std::vector<Block> blocks(n);
    if (comm.rank() == GetParam()) {
      IknpCotSender s(comm, 1 - GetParam());
      comm.resetStats();
      s.extend(blocks);
      EXPECT_EQ(comm.stats().total.bytes_received, 16u * (2 * kIknpChunk + 1024));
      EXPECT_EQ(comm.stats().total.bytes_sent, 0u);
      EXPECT_EQ(comm.stats().total.messages_received, 3u);
    } else {
      IknpCotReceiver rc(comm, GetParam());
      std::vector<std::byte> choices((n + 7) / 8);
      rc.extend(choices, blocks);
    }
    return 0;
  });
}

INSTANTIATE_TEST_SUITE_P(Sender, IknpTest, ::testing::Values(0, 1),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "Party" + std::to_string(i.param);
                         });

}  // namespace
}  // namespace sotto::ot
