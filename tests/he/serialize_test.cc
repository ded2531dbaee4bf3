// Serialisation: round trips at every level, exact sizes, malformed input is a ProtocolError.
#include "sotto/he/serialize.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sotto/error.h"
#include "sotto/he/decryptor.h"
#include "sotto/he/encryptor.h"
#include "sotto/he/evaluator.h"

namespace sotto::he {
namespace {

std::vector<uint64_t> randomPlain(const HeContext& ctx, std::mt19937_64& rng) {
  std::vector<uint64_t> m(ctx.n());
  for (auto& v : m) v = rng() & ctx.plainMask();
  return m;
}

TEST(HeSerialize, RoundTripsAndSizesN4096) {
  const HeContext ctx(ParamSet::kN4096, 32);
  Prg prg;
  std::mt19937_64 rng(1);
  const SecretKey sk = generateSecretKey(ctx, prg);
  const auto m = randomPlain(ctx, rng);

  const Ciphertext seeded = encryptSymmetricSeeded(ctx, sk, m, prg);
  const auto b_seeded = serialize(ctx, seeded);
  EXPECT_EQ(b_seeded.size(), 55833u);  // 9 + 16 + 4096·(60 + 49)/8
  const Ciphertext back = deserialize(ctx, b_seeded);
  EXPECT_EQ(back.c0, seeded.c0);
  EXPECT_EQ(back.c1, seeded.c1);
  EXPECT_EQ(back.seed, seeded.seed);
  EXPECT_EQ(decrypt(ctx, sk, back), m);

  const Ciphertext full = encryptSymmetric(ctx, sk, m, prg);
  const auto b_full = serialize(ctx, full);
  EXPECT_EQ(b_full.size(), 111625u);  // 9 + 2·4096·109/8
  EXPECT_EQ(b_full.size(), serializedSize(ctx, 0, false));
  EXPECT_EQ(decrypt(ctx, sk, deserialize(ctx, b_full)), m);

  Ciphertext low = full;
  modSwitchToLastInplace(ctx, low);
  const auto b_low = serialize(ctx, low);
  EXPECT_EQ(b_low.size(), 50185u);  // 9 + 2·4096·49/8
  const Ciphertext low_back = deserialize(ctx, b_low);
  EXPECT_EQ(low_back.level(), ctx.lastLevel());
  EXPECT_EQ(decrypt(ctx, sk, low_back), m);
}

TEST(HeSerialize, SizesN8192) {
  const HeContext ctx(ParamSet::kN8192, 64);
  Prg prg;
  std::mt19937_64 rng(2);
  const SecretKey sk = generateSecretKey(ctx, prg);
  const auto m = randomPlain(ctx, rng);
  const auto b_seeded = serialize(ctx, encryptSymmetricSeeded(ctx, sk, m, prg));
  EXPECT_EQ(b_seeded.size(), 217113u);  // 9 + 16 + 8192·(59 + 55 + 49 + 49)/8
  EXPECT_EQ(decrypt(ctx, sk, deserialize(ctx, b_seeded)), m);
  EXPECT_EQ(serializedSize(ctx, 0, false), 434185u);
}

class HeSerializeMalformed : public ::testing::Test {
 protected:
  HeSerializeMalformed() : ctx_(ParamSet::kN4096, 32), sk_(generateSecretKey(ctx_, prg_)) {
    std::vector<uint64_t> m(ctx_.n(), 5);
    full_ = serialize(ctx_, encryptSymmetric(ctx_, sk_, m, prg_));
    seeded_ = serialize(ctx_, encryptSymmetricSeeded(ctx_, sk_, m, prg_));
  }
  void expectProtocolError(const std::vector<std::byte>& bytes, const std::string& words) {
    try {
      deserialize(ctx_, bytes);
      ADD_FAILURE() << "no error for: " << words;
    } catch (const ProtocolError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  }
  Prg prg_;
  HeContext ctx_;
  SecretKey sk_;
  std::vector<std::byte> full_, seeded_;
};

TEST_F(HeSerializeMalformed, EveryDefectIsAProtocolErrorNamingIt) {
  expectProtocolError({}, "shorter than");
  auto b = full_;
  b[0] = std::byte{'X'};
  expectProtocolError(b, "bad magic");
  b = full_;
  b[4] = std::byte{9};
  expectProtocolError(b, "format version");
  b = full_;
  b[5] = std::byte{2};
  expectProtocolError(b, "parameter set");
  b = full_;
  b[6] = std::byte{44};
  expectProtocolError(b, "plaintext width");
  b = full_;
  b[7] = std::byte{2};
  expectProtocolError(b, "level");
  b = full_;
  b[8] = std::byte{6};
  expectProtocolError(b, "unknown flags");
  b = full_;
  b.pop_back();
  expectProtocolError(b, "expected 111625");
  b = full_;
  b.push_back(std::byte{0});
  expectProtocolError(b, "expected 111625");
  b = seeded_;
  b[7] = std::byte{1};
  expectProtocolError(b, "seeded");
  b = full_;
  for (size_t i = 9; i < 9 + 8; ++i) b[i] = std::byte{0xff};  // first residue: 60 ones ≥ q0
  expectProtocolError(b, "not below q");
}

TEST(HeSerialize, AnotherParameterSetIsRefused) {
  const HeContext big(ParamSet::kN8192, 32), small(ParamSet::kN4096, 32);
  Prg prg;
  const SecretKey sk = generateSecretKey(big, prg);
  const auto bytes =
      serialize(big, encryptSymmetric(big, sk, std::vector<uint64_t>(big.n(), 1), prg));
  EXPECT_THROW(deserialize(small, bytes), ProtocolError);
  const HeContext other_width(ParamSet::kN8192, 44);
  EXPECT_THROW(deserialize(other_width, bytes), ProtocolError);
}

}  // namespace
}  // namespace sotto::he
