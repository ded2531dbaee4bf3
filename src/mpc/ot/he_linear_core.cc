// The shared machinery of Cheetah's coefficient-encoded linear layers (he_linear_core.h).
#include "he_linear_core.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "bit_stream.h"
#include "sotto/error.h"
#include "sotto/he/decryptor.h"
#include "sotto/he/encryptor.h"
#include "sotto/he/evaluator.h"
#include "sotto/he/params.h"
#include "sotto/he/serialize.h"

namespace sotto::detail {

using he::Ciphertext;
using he::HeContext;
using he::RnsPoly;
using he::u128;

namespace {

// r_t = Q mod t at level 0, t = 2^ℓ.
uint64_t qModT(const HeContext& ctx) {
  uint64_t r = 1;
  for (size_t i = 0; i < ctx.primeCount(); ++i) r *= ctx.modulus(i).value();
  return r & ctx.plainMask();
}

// ⌊Q·m̃/t⌉ as coefficients at level 0, m̃ the centered lift of m mod t = 2^ℓ:
// Q·m̃/t = Δ·m̃ + r_t·m̃/t with Q = Δ·t + r_t.
RnsPoly encodeRoundedCoefficients(const HeContext& ctx, std::span<const uint64_t> m) {
  const uint64_t r_t = qModT(ctx), mask = ctx.plainMask();
  const int ell = ctx.plainBits();
  RnsPoly p = RnsPoly::zero(ctx, 0);
  for (size_t i = 0; i < ctx.primeCount(); ++i) {
    const he::Modulus& q = ctx.modulus(i);
    const uint64_t delta = ctx.delta(0, i), delta_shoup = q.shoup(delta), one_shoup = q.shoup(1);
    auto row = p.row(i);
    for (size_t c = 0; c < m.size(); ++c) {
      const uint64_t v_t = m[c] & mask;
      const bool neg = (v_t >> (ell - 1)) != 0;
      const uint64_t mag = neg ? (uint64_t{0} - v_t) & mask : v_t;  // |m̃| ≤ t/2
      const uint64_t corr = static_cast<uint64_t>(
          (static_cast<u128>(r_t) * mag + (static_cast<u128>(1) << (ell - 1))) >> ell);
      // ⌊Q·|m̃|/t⌉ = Δ·|m̃| + corr (Shoup's products take any 64-bit operand)
      const uint64_t v = q.add(he::mulShoup(mag, delta, delta_shoup, q.value()),
                               he::mulShoup(corr, 1, one_shoup, q.value()));
      row[c] = neg ? q.neg(v) : v;
    }
  }
  return p;
}

// x += uniform integers on [−2^f, 2^f) (f < 190), x as coefficients at level 0.
void addFloodNoise(const HeContext& ctx, int f, Prg& prg, RnsPoly& x) {
  const size_t n = ctx.n();
  std::vector<uint64_t> limbs(3 * n);
  prg.fill(std::span<uint64_t>(limbs));
  const int bits = f + 1;
  for (size_t c = 0; c < n; ++c) {
    for (int l = 0; l < 3; ++l) {
      const int keep = std::clamp(bits - 64 * l, 0, 64);
      uint64_t& w = limbs[3 * c + l];
      w = keep == 64 ? w : (keep == 0 ? 0 : w & ((uint64_t{1} << keep) - 1));
    }
  }
  for (size_t i = 0; i < ctx.primeCount(); ++i) {
    const he::Modulus& q = ctx.modulus(i);
    const uint64_t qv = q.value();
    const uint64_t c64 = q.reduce(static_cast<u128>(1) << 64);
    const uint64_t c128 = q.mul(c64, c64);
    const uint64_t s1 = q.shoup(1), s64 = q.shoup(c64), s128 = q.shoup(c128);
    const uint64_t pf = q.pow(2, static_cast<uint64_t>(f));
    auto row = x.row(i);
    for (size_t c = 0; c < n; ++c) {
      uint64_t v = he::mulShoup(limbs[3 * c], 1, s1, qv);
      v = q.add(v, he::mulShoup(limbs[3 * c + 1], c64, s64, qv));
      v = q.add(v, he::mulShoup(limbs[3 * c + 2], c128, s128, qv));
      row[c] = q.add(row[c], q.sub(v, pf));
    }
  }
}

// x ← (x − [x]_{q_l}) / q_l at level l + 1, [·] centered, x as coefficients: BFV modulus
// switching by one prime (no NTT: every step is per coefficient).
void dropPrime(const HeContext& ctx, RnsPoly& x) {
  const size_t l = x.level;
  const he::Modulus& ql = ctx.modulus(l);
  RnsPoly out = he::dropToLevel(x, l + 1);
  const auto low = x.row(0);
  for (size_t r = 0; r < out.rows; ++r) {
    const he::Modulus& q = ctx.modulus(l + 1 + r);
    const uint64_t qv = q.value(), half = ql.value() / 2;
    const uint64_t inv = q.inv(q.reduce(ql.value())), inv_shoup = q.shoup(inv), one = q.shoup(1);
    auto dst = out.row(r);
    for (size_t c = 0; c < x.n; ++c) {
      const uint64_t v = low[c];
      const uint64_t lift =
          v > half ? q.neg(he::mulShoup(ql.value() - v, 1, one, qv)) : he::mulShoup(v, 1, one, qv);
      dst[c] = he::mulShoup(q.sub(dst[c], lift), inv, inv_shoup, qv);
    }
  }
  x = std::move(out);
}

}  // namespace

HeLinearCore::HeLinearCore(Communicator& comm, bool trim, std::string who,
                           const HeRingOptions& ring)
    : comm_(comm),
      who_(std::move(who)),
      ring_(ring),
      levels_(chooseHeLevels(ring)),
      ctx_(levels_.set, ring.plain_bits),
      out_level_(levels_.out_level),
      trim_(trim) {
  SOTTO_ENFORCE(comm.worldSize() == 2, who_, ": needs 2 parties, the communicator has ",
                comm.worldSize());
}

void HeLinearCore::checkWeightBound(std::span<const uint64_t> weights,
                                    const std::string& layer) const {
  if (ring_.weight_bits >= 63) return;  // every signed 64-bit value has |w| ≤ 2^63
  const int64_t bound = int64_t{1} << ring_.weight_bits;
  for (size_t i = 0; i < weights.size(); ++i) {
    const auto w = static_cast<int64_t>(weights[i]);
    SOTTO_ENFORCE(w >= -bound && w <= bound, layer, ": weight ", i, " is ", w,
                  ", beyond the public weight bound |w| ≤ 2^", ring_.weight_bits, " = ", bound,
                  " (HeRingOptions::weight_bits, ProtocolOptions::he; the examples' "
                  "--he-weight-bits 63 takes any weight, at ~20 % more time)");
  }
}

he::PlainMultiplier HeLinearCore::encodeWeight(std::span<const uint64_t> poly) {
  ++weight_encodings_;
  if (ctx_.plainBits() == 64) return he::preparePlain(ctx_, poly);
  std::vector<uint64_t> reduced(poly.begin(), poly.end());
  for (uint64_t& v : reduced) v &= ctx_.plainMask();
  return he::preparePlain(ctx_, reduced);
}

void HeLinearCore::setup() {
  // (ℓ, b, parameter set) each way: a mismatch is an error on both sides, before the key.
  const int peer = 1 - comm_.rank();
  const std::array<std::byte, 4> mine{std::byte{'R'}, static_cast<std::byte>(ring_.plain_bits),
                                      static_cast<std::byte>(ring_.weight_bits),
                                      static_cast<std::byte>(ctx_.paramSet())};
  std::array<std::byte, 4> theirs{};
  comm_.exchange(peer, mine, theirs);
  SOTTO_ENFORCE_AS(ProtocolError, theirs == mine, who_, ": party ", peer, " uses the ring 2^",
                   static_cast<int>(theirs[1]), ", weight bound 2^", static_cast<int>(theirs[2]),
                   " and parameter set ", static_cast<int>(theirs[3]), "; this party uses 2^",
                   ring_.plain_bits, ", 2^", ring_.weight_bits, " and ", ctx_.ring().name, " (",
                   static_cast<int>(ctx_.paramSet()), "): both must use the same HeRingOptions");
  if (comm_.rank() == 1) {
    sk_ = he::generateSecretKey(ctx_, prg_);
    // A seeded symmetric encryption of zero is a public key (−a·s + e, a) with a from the seed.
    const std::vector<uint64_t> zero(ctx_.n(), 0);
    comm_.send(0, he::serialize(ctx_, he::encryptSymmetricSeeded(ctx_, *sk_, zero, prg_)));
  } else {
    std::vector<std::byte> bytes(he::serializedSize(ctx_, 0, true));
    comm_.recv(1, bytes);
    Ciphertext ct = fromPeer(bytes, 1, "public key");
    SOTTO_ENFORCE_AS(ProtocolError, ct.level() == 0, who_,
                     ": the public key from party 1 is not at level 0");
    pk_ = he::preparePublicKey(ctx_, he::PublicKey{std::move(ct.c0), std::move(ct.c1)});
  }
}

size_t HeLinearCore::uploadBytes() const { return he::serializedSize(ctx_, 0, true); }

size_t HeLinearCore::returnedBytes(size_t outputs) const {
  if (!trim_) return he::serializedSize(ctx_, out_level_, false);
  size_t bits = 0;
  for (size_t i = out_level_; i < ctx_.primeCount(); ++i) bits += ctx_.modulus(i).bits();
  return bitBytes((ctx_.n() + outputs) * bits);
}

Ciphertext HeLinearCore::fromPeer(std::span<const std::byte> bytes, int peer,
                                  const char* what) const {
  try {
    return he::deserialize(ctx_, bytes);
  } catch (const ProtocolError& e) {
    throw ProtocolError(who_ + ": " + what + " from party " + std::to_string(peer) + ": " +
                        e.what());
  }
}

void HeLinearCore::sendInputs(const std::vector<std::vector<uint64_t>>& polys) {
  const size_t up = uploadBytes();
  std::vector<std::byte> upload;
  upload.reserve(polys.size() * up);
  for (const std::vector<uint64_t>& poly : polys) {
    const Ciphertext ct =
        he::encryptSymmetricSeededEncoded(ctx_, *sk_, encodeRoundedCoefficients(ctx_, poly), prg_);
    const std::vector<std::byte> bytes = he::serialize(ctx_, ct);
    SOTTO_ENFORCE(bytes.size() == up, who_, ": upload ciphertext of ", bytes.size(), " B");
    upload.insert(upload.end(), bytes.begin(), bytes.end());
  }
  comm_.send(0, upload);
}

std::vector<Ciphertext> HeLinearCore::receiveInputs(size_t count) {
  const size_t up = uploadBytes();
  std::vector<std::byte> upload(count * up);
  comm_.recv(1, upload);
  std::vector<Ciphertext> in;
  in.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    in.push_back(
        fromPeer(std::span<const std::byte>(upload).subspan(i * up, up), 1, "input ciphertext"));
    SOTTO_ENFORCE_AS(ProtocolError, in.back().level() == 0, who_,
                     ": party 1 sent a ciphertext at level ", in.back().level());
  }
  return in;
}

int HeLinearCore::floodBits(size_t terms, const std::string& shape) const {
  const HeFlood fl = heFlood(ring_, levels_, static_cast<double>(terms));
  SOTTO_ENFORCE(fl.invariant < 0.25, who_, ": ", shape, " sums ", terms,
                " products per output: the flooded noise (2^", fl.flood_bits,
                ") does not fit the parameters ", ctx_.ring().name, " (invariant noise ",
                fl.invariant, ", ring 2^", ring_.plain_bits, ", weight bound 2^", ring_.weight_bits,
                ")");
  return fl.flood_bits;
}

std::vector<uint64_t> HeLinearCore::respond(Ciphertext acc, std::span<const size_t> reads,
                                            int flood_bits, std::vector<std::byte>& download) {
  // ct = Σ ct(x̂)·ŵ + Enc_pk(0) + ⌊Q·R/t⌉ + E, then switched down to out_level; from the
  // re-randomisation on in coefficient form (k forward and 2k inverse NTTs, then c1's 2 forward).
  he::rerandomizeToCoefficients(ctx_, *pk_, prg_, acc);
  std::vector<uint64_t> mask(ctx_.n());
  prg_.fill(std::span<uint64_t>(mask));
  for (uint64_t& v : mask) v &= ctx_.plainMask();  // R uniform mod t
  he::addInplace(ctx_, acc.c0, encodeRoundedCoefficients(ctx_, mask));
  addFloodNoise(ctx_, flood_bits, prg_, acc.c0);
  for (RnsPoly* c : {&acc.c0, &acc.c1})
    while (c->level < out_level_) dropPrime(ctx_, *c);
  he::toNtt(ctx_, acc.c1);  // the wire's c1 is in NTT form
  const size_t before = download.size();
  if (trim_) {
    // Cheetah's trimmed download: c1 in full, c0 only where party 1 reads.
    BitWriter out;
    for (size_t row = 0; row < acc.c1.rows; ++row)
      for (uint64_t v : acc.c1.row(row)) out.put(v, ctx_.modulus(out_level_ + row).bits());
    for (size_t row = 0; row < acc.c0.rows; ++row)
      for (size_t pos : reads) out.put(acc.c0.row(row)[pos], ctx_.modulus(out_level_ + row).bits());
    const std::vector<std::byte> bytes = out.bytes();
    download.insert(download.end(), bytes.begin(), bytes.end());
  } else {
    he::toNtt(ctx_, acc.c0);
    const std::vector<std::byte> bytes = he::serialize(ctx_, acc);
    download.insert(download.end(), bytes.begin(), bytes.end());
  }
  SOTTO_ENFORCE(download.size() - before == returnedBytes(reads.size()), who_,
                ": returned ciphertext of ", download.size() - before, " B");
  std::vector<uint64_t> r(reads.size());
  for (size_t i = 0; i < reads.size(); ++i) r[i] = mask[reads[i]];
  return r;
}

void HeLinearCore::sendOutputs(const std::vector<std::byte>& download) { comm_.send(1, download); }

Ciphertext HeLinearCore::readTrimmed(std::span<const std::byte> bytes,
                                     std::span<const size_t> reads) const {
  // c1 in full (NTT form), c0 only at the read coefficients (the others stay 0), kept as
  // coefficients (decrypt adds it after c1·s's inverse NTT).
  BitReader in(bytes);
  auto next = [&](size_t row) {
    const he::Modulus& q = ctx_.modulus(out_level_ + row);
    const uint64_t v = in.get(q.bits());
    SOTTO_ENFORCE_AS(ProtocolError, v < q.value(), who_,
                     ": returned ciphertext from party 0 holds a residue ≥ its prime");
    return v;
  };
  Ciphertext ct;
  ct.c1 = RnsPoly::zero(ctx_, out_level_);
  ct.c0 = RnsPoly::zero(ctx_, out_level_);
  for (size_t row = 0; row < ct.c1.rows; ++row)
    for (uint64_t& v : ct.c1.row(row)) v = next(row);
  for (size_t row = 0; row < ct.c0.rows; ++row)
    for (size_t pos : reads) ct.c0.row(row)[pos] = next(row);
  return ct;
}

std::vector<std::vector<uint64_t>> HeLinearCore::receiveOutputs(
    const std::vector<std::vector<size_t>>& reads) {
  std::vector<size_t> offset(reads.size() + 1, 0);
  for (size_t i = 0; i < reads.size(); ++i)
    offset[i + 1] = offset[i] + returnedBytes(reads[i].size());
  std::vector<std::byte> download(offset.back());
  comm_.recv(0, download);
  last_dec_.clear();
  last_budget_.clear();
  std::vector<std::vector<uint64_t>> out;
  out.reserve(reads.size());
  for (size_t i = 0; i < reads.size(); ++i) {
    const auto bytes =
        std::span<const std::byte>(download).subspan(offset[i], offset[i + 1] - offset[i]);
    Ciphertext ct;
    if (trim_) {
      try {
        ct = readTrimmed(bytes, reads[i]);
      } catch (const ProtocolError& e) {
        throw ProtocolError(who_ + ": returned ciphertext from party 0: " + e.what());
      }
    } else {
      ct = fromPeer(bytes, 0, "returned ciphertext");
    }
    SOTTO_ENFORCE_AS(ProtocolError, ct.level() == out_level_, who_,
                     ": party 0 returned a ciphertext at level ", ct.level(), ", expected ",
                     out_level_);
    std::vector<uint64_t> dec = he::decrypt(ctx_, *sk_, ct, trim_);
    if (keep_view_) last_budget_.push_back(he::noiseBudget(ctx_, *sk_, ct, trim_));
    std::vector<uint64_t> y(reads[i].size());
    for (size_t j = 0; j < y.size(); ++j) y[j] = dec[reads[i][j]];
    out.push_back(std::move(y));
    if (keep_view_) last_dec_.push_back(std::move(dec));
  }
  return out;
}

}  // namespace sotto::detail
