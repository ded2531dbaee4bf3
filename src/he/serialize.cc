#include "sotto/he/serialize.h"

#include <cstring>

#include "sotto/error.h"
#include "sotto/he/encryptor.h"

namespace sotto::he {
namespace {

constexpr std::byte kMagic[4] = {std::byte{'S'}, std::byte{'H'}, std::byte{'E'}, std::byte{'C'}};
constexpr uint8_t kVersion = 1;
constexpr size_t kHeader = 9;
constexpr uint8_t kSeededFlag = 1;

size_t polyBytes(const HeContext& ctx, size_t level) {
  size_t bits = 0;
  for (size_t i = level; i < ctx.primeCount(); ++i)
    bits += ctx.n() * static_cast<size_t>(ctx.modulus(i).bits());
  return (bits + 7) / 8;
}

void packPoly(const HeContext& ctx, const RnsPoly& p, std::byte* out) {
  u128 acc = 0;
  int acc_bits = 0;
  for (size_t r = 0; r < p.rows; ++r) {
    const int bits = ctx.modulus(p.level + r).bits();
    for (uint64_t v : p.row(r)) {
      acc |= static_cast<u128>(v) << acc_bits;
      acc_bits += bits;
      while (acc_bits >= 8) {
        *out++ = static_cast<std::byte>(static_cast<uint8_t>(acc));
        acc >>= 8;
        acc_bits -= 8;
      }
    }
  }
  if (acc_bits > 0) *out = static_cast<std::byte>(static_cast<uint8_t>(acc));
}

RnsPoly unpackPoly(const HeContext& ctx, size_t level, const std::byte* in) {
  RnsPoly p = RnsPoly::zero(ctx, level);
  u128 acc = 0;
  int acc_bits = 0;
  for (size_t r = 0; r < p.rows; ++r) {
    const Modulus& mod = ctx.modulus(level + r);
    const int bits = mod.bits();
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    auto row = p.row(r);
    for (size_t j = 0; j < p.n; ++j) {
      while (acc_bits < bits) {
        acc |= static_cast<u128>(std::to_integer<uint8_t>(*in++)) << acc_bits;
        acc_bits += 8;
      }
      const uint64_t v = static_cast<uint64_t>(acc) & mask;
      acc >>= bits;
      acc_bits -= bits;
      SOTTO_ENFORCE_AS(ProtocolError, v < mod.value(), "he deserialize: residue ", j, " of prime ",
                       level + r, " is ", v, ", not below q = ", mod.value());
      row[j] = v;
    }
  }
  return p;
}

}  // namespace

size_t serializedSize(const HeContext& ctx, size_t level, bool seeded) {
  SOTTO_ENFORCE(level < ctx.primeCount(), "serializedSize: level ", level, " outside [0, ",
                ctx.primeCount(), ")");
  SOTTO_ENFORCE(!seeded || level == 0, "serializedSize: a seeded ciphertext is at level 0");
  const size_t poly = polyBytes(ctx, level);
  return kHeader + (seeded ? sizeof(Prg::Seed) + poly : 2 * poly);
}

std::vector<std::byte> serialize(const HeContext& ctx, const Ciphertext& ct) {
  const size_t level = ct.level();
  SOTTO_ENFORCE(ct.c0.n == ctx.n() && level < ctx.primeCount() &&
                    ct.c0.rows == ctx.primeCount() - level && ct.c1.level == level &&
                    ct.c1.rows == ct.c0.rows && ct.c0.data.size() == ct.c0.rows * ctx.n() &&
                    ct.c1.data.size() == ct.c0.data.size(),
                "serialize: the ciphertext is not of this context (", ctx.ring().name, ")");
  const bool seeded = ct.seed.has_value();
  SOTTO_ENFORCE(!seeded || level == 0, "serialize: a seeded ciphertext must be at level 0");
  std::vector<std::byte> out(serializedSize(ctx, level, seeded));
  std::memcpy(out.data(), kMagic, 4);
  out[4] = std::byte{kVersion};
  out[5] = static_cast<std::byte>(ctx.paramSet());
  out[6] = static_cast<std::byte>(ctx.plainBits());
  out[7] = static_cast<std::byte>(level);
  out[8] = std::byte{seeded ? kSeededFlag : uint8_t{0}};
  std::byte* p = out.data() + kHeader;
  if (seeded) {
    std::memcpy(p, ct.seed->data(), ct.seed->size());
    p += ct.seed->size();
  }
  packPoly(ctx, ct.c0, p);
  if (!seeded) packPoly(ctx, ct.c1, p + polyBytes(ctx, level));
  return out;
}

Ciphertext deserialize(const HeContext& ctx, std::span<const std::byte> bytes) {
  SOTTO_ENFORCE_AS(ProtocolError, bytes.size() >= kHeader, "he deserialize: ", bytes.size(),
                   " bytes, shorter than the ", kHeader, "-byte header");
  SOTTO_ENFORCE_AS(ProtocolError, std::memcmp(bytes.data(), kMagic, 4) == 0,
                   "he deserialize: not a ciphertext (bad magic)");
  const auto byte = [&](size_t i) { return std::to_integer<unsigned>(bytes[i]); };
  SOTTO_ENFORCE_AS(ProtocolError, byte(4) == kVersion, "he deserialize: format version ", byte(4),
                   ", expected ", unsigned{kVersion});
  SOTTO_ENFORCE_AS(ProtocolError, byte(5) == static_cast<unsigned>(ctx.paramSet()),
                   "he deserialize: parameter set id ", byte(5), ", expected ",
                   static_cast<unsigned>(ctx.paramSet()), " (", ctx.ring().name, ")");
  SOTTO_ENFORCE_AS(ProtocolError, byte(6) == static_cast<unsigned>(ctx.plainBits()),
                   "he deserialize: plaintext width ", byte(6), " bits, expected ",
                   ctx.plainBits());
  const size_t level = byte(7);
  SOTTO_ENFORCE_AS(ProtocolError, level < ctx.primeCount(), "he deserialize: level ", level,
                   " outside [0, ", ctx.primeCount(), ")");
  SOTTO_ENFORCE_AS(ProtocolError, (byte(8) & ~unsigned{kSeededFlag}) == 0,
                   "he deserialize: unknown flags ", byte(8));
  const bool seeded = (byte(8) & kSeededFlag) != 0;
  SOTTO_ENFORCE_AS(ProtocolError, !seeded || level == 0,
                   "he deserialize: a seeded ciphertext at level ", level);
  const size_t want = serializedSize(ctx, level, seeded);
  SOTTO_ENFORCE_AS(ProtocolError, bytes.size() == want, "he deserialize: ", bytes.size(),
                   " bytes, expected ", want, " for level ", level, seeded ? " (seeded)" : "");
  const std::byte* p = bytes.data() + kHeader;
  Ciphertext ct;
  if (seeded) {
    Prg::Seed seed{};
    std::memcpy(seed.data(), p, seed.size());
    p += seed.size();
    ct.seed = seed;
    ct.c1 = expandSeed(ctx, seed);
  }
  ct.c0 = unpackPoly(ctx, level, p);
  if (!seeded) ct.c1 = unpackPoly(ctx, level, p + polyBytes(ctx, level));
  return ct;
}

}  // namespace sotto::he
