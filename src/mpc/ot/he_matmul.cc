// Cheetah's coefficient-encoded matrix product (sotto/mpc/ot/he_matmul.h).
#include "sotto/mpc/ot/he_matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "sotto/crypto/prg.h"
#include "sotto/error.h"
#include "sotto/he/ciphertext.h"
#include "sotto/he/context.h"
#include "sotto/he/decryptor.h"
#include "sotto/he/encryptor.h"
#include "sotto/he/evaluator.h"
#include "sotto/he/keys.h"
#include "sotto/he/serialize.h"

namespace sotto {

using he::Ciphertext;
using he::HeContext;
using he::RnsPoly;
using he::u128;

namespace {

constexpr he::ParamSet kSet = he::ParamSet::kN8192;
constexpr int kPlainBits = 64;
constexpr double kStatSec = 40;  // σ of the noise flooding

// Q mod 2^64 at level 0 (= r_t, since t = 2^64).
uint64_t qMod2To64(const HeContext& ctx) {
  uint64_t r = 1;
  for (size_t i = 0; i < ctx.primeCount(); ++i) r *= ctx.modulus(i).value();
  return r;
}

// ⌊Q·m̃/t⌉ in NTT form at level 0, m̃ the centered lift of m mod 2^64:
// Q·m̃/t = Δ·m̃ + r_t·m̃/t with Q = Δ·t + r_t.
RnsPoly encodeRounded(const HeContext& ctx, std::span<const uint64_t> m) {
  const uint64_t r_t = qMod2To64(ctx);
  RnsPoly p = RnsPoly::zero(ctx, 0);
  for (size_t i = 0; i < ctx.primeCount(); ++i) {
    const he::Modulus& q = ctx.modulus(i);
    const uint64_t delta = ctx.delta(0, i);
    auto row = p.row(i);
    for (size_t c = 0; c < m.size(); ++c) {
      const bool neg = (m[c] >> 63) != 0;
      const uint64_t mag = neg ? uint64_t{0} - m[c] : m[c];  // |m̃| ≤ 2^63
      const uint64_t corr = static_cast<uint64_t>(
          (static_cast<u128>(r_t) * mag + (static_cast<u128>(1) << 63)) >> 64);
      const uint64_t v = q.add(q.mul(delta, q.reduce(mag)), q.reduce(corr));  // ⌊Q·|m̃|/t⌉
      row[c] = neg ? q.neg(v) : v;
    }
  }
  he::toNtt(ctx, p);
  return p;
}

// Uniform integers on [−2^f, 2^f) (f < 190), NTT form at level 0.
RnsPoly floodNoise(const HeContext& ctx, int f, Prg& prg) {
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
  RnsPoly p = RnsPoly::zero(ctx, 0);
  for (size_t i = 0; i < ctx.primeCount(); ++i) {
    const he::Modulus& q = ctx.modulus(i);
    const uint64_t c64 = q.reduce(static_cast<u128>(1) << 64);
    const uint64_t c128 = q.mul(c64, c64);
    const uint64_t pf = q.pow(2, static_cast<uint64_t>(f));
    auto row = p.row(i);
    for (size_t c = 0; c < n; ++c) {
      uint64_t v = q.reduce(limbs[3 * c]);
      v = q.add(v, q.mul(q.reduce(limbs[3 * c + 1]), c64));
      v = q.add(v, q.mul(q.reduce(limbs[3 * c + 2]), c128));
      row[c] = q.sub(v, pf);
    }
  }
  he::toNtt(ctx, p);
  return p;
}

// x ← (x − [x]_{q_l}) / q_l at level l + 1, [·] centered: BFV modulus switching by one prime.
void dropPrime(const HeContext& ctx, RnsPoly& x) {
  const size_t l = x.level;
  const he::Modulus& ql = ctx.modulus(l);
  RnsPoly low = RnsPoly::zero(ctx, l);
  std::copy(x.row(0).begin(), x.row(0).end(), low.row(0).begin());
  he::fromNtt(ctx, low);
  RnsPoly lift = RnsPoly::zero(ctx, l + 1);
  for (size_t r = 0; r < lift.rows; ++r) {
    const he::Modulus& q = ctx.modulus(l + 1 + r);
    auto dst = lift.row(r);
    for (size_t c = 0; c < x.n; ++c) {
      const uint64_t v = low.row(0)[c];
      dst[c] = v > ql.value() / 2 ? q.neg(q.reduce(ql.value() - v)) : q.reduce(v);
    }
  }
  he::toNtt(ctx, lift);
  RnsPoly out = he::dropToLevel(x, l + 1);
  he::subInplace(ctx, out, lift);
  for (size_t r = 0; r < out.rows; ++r) {
    const he::Modulus& q = ctx.modulus(l + 1 + r);
    const uint64_t inv = q.inv(q.reduce(ql.value()));
    for (uint64_t& v : out.row(r)) v = q.mul(v, inv);
  }
  x = std::move(out);
}

// deserialize, naming the peer in the error.
Ciphertext fromPeer(const HeContext& ctx, std::span<const std::byte> bytes, int peer,
                    const char* what) {
  try {
    return he::deserialize(ctx, bytes);
  } catch (const ProtocolError& e) {
    throw ProtocolError(std::string("HeMatmul: ") + what + " from party " + std::to_string(peer) +
                        ": " + e.what());
  }
}

// Little-endian bit stream of residues (the trimmed download).
class BitWriter {
 public:
  explicit BitWriter(std::vector<std::byte>& out) : out_(out) {}
  void put(uint64_t v, int bits) {
    acc_ |= static_cast<u128>(v) << held_;
    held_ += bits;
    for (; held_ >= 8; held_ -= 8, acc_ >>= 8) out_.push_back(static_cast<std::byte>(acc_ & 0xff));
  }
  void flush() {
    if (held_ > 0) out_.push_back(static_cast<std::byte>(acc_ & 0xff));
    acc_ = 0;
    held_ = 0;
  }

 private:
  std::vector<std::byte>& out_;
  u128 acc_ = 0;
  int held_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::span<const std::byte> in) : in_(in) {}
  // The next residue mod q. @throws ProtocolError past the end or on a residue ≥ q.
  uint64_t get(const he::Modulus& q) {
    const int bits = q.bits();
    while (held_ < bits) {
      SOTTO_ENFORCE_AS(ProtocolError, pos_ < in_.size(),
                       "HeMatmul: returned ciphertext from party 0 is too short");
      acc_ |= static_cast<u128>(static_cast<uint8_t>(in_[pos_++])) << held_;
      held_ += 8;
    }
    const uint64_t v = static_cast<uint64_t>(acc_ & ((static_cast<u128>(1) << bits) - 1));
    acc_ >>= bits;
    held_ -= bits;
    SOTTO_ENFORCE_AS(ProtocolError, v < q.value(),
                     "HeMatmul: returned ciphertext from party 0 holds a residue ≥ its prime");
    return v;
  }

 private:
  std::span<const std::byte> in_;
  size_t pos_ = 0;
  u128 acc_ = 0;
  int held_ = 0;
};

}  // namespace

struct HeMatmul::State {
  HeContext ctx{kSet, kPlainBits};
  Prg prg;
  std::optional<he::SecretKey> sk;  // party 1
  std::optional<he::PublicKey> pk;  // party 0
  size_t out_level = 0;
  bool trim = true;
  std::vector<std::vector<uint64_t>> last_dec;
  std::vector<double> last_budget;
};

HeMatmulBlocks chooseHeMatmulBlocks(size_t m, size_t k, size_t n, size_t n_ring, size_t up_bytes,
                                    size_t down_bytes) {
  SOTTO_ENFORCE(m > 0 && k > 0 && n > 0, "HeMatmul: empty shape [", m, ", ", k, "] x [", k, ", ", n,
                "]");
  HeMatmulBlocks best;
  size_t best_bytes = std::numeric_limits<size_t>::max(), best_products = 0;
  for (size_t kw = 1; kw <= std::min(k, n_ring); ++kw) {
    for (size_t nw = 1; nw <= std::min(n, n_ring / kw); ++nw) {
      const size_t mw = std::min(m, n_ring / (kw * nw));
      const size_t mb = (m + mw - 1) / mw, kb = (k + kw - 1) / kw, nb = (n + nw - 1) / nw;
      const size_t bytes = mb * kb * up_bytes + mb * nb * down_bytes;
      const size_t products = mb * kb * nb;
      if (bytes < best_bytes || (bytes == best_bytes && products < best_products)) {
        best = HeMatmulBlocks{mw, kw, nw, mb, kb, nb};
        best_bytes = bytes;
        best_products = products;
      }
    }
  }
  return best;
}

HeMatmul::HeMatmul(Communicator& comm, bool trim_download)
    : comm_(comm), st_(std::make_unique<State>()) {
  st_->trim = trim_download;
  SOTTO_ENFORCE(comm.worldSize() == 2, "HeMatmul: needs 2 parties, the communicator has ",
                comm.worldSize());
  const HeContext& ctx = st_->ctx;
  // Two primes kept (98 bits): room for t = 2^64 and the modulus-switching rounding.
  st_->out_level = ctx.lastLevel() - 1;
  const size_t pk_bytes = he::serializedSize(ctx, 0, true);
  if (comm.rank() == 1) {
    st_->sk = he::generateSecretKey(ctx, st_->prg);
    // A seeded symmetric encryption of zero is a public key (−a·s + e, a) with a from the seed.
    const std::vector<uint64_t> zero(ctx.n(), 0);
    const Ciphertext pk = he::encryptSymmetricSeeded(ctx, *st_->sk, zero, st_->prg);
    const std::vector<std::byte> bytes = he::serialize(ctx, pk);
    comm.send(0, bytes);
  } else {
    std::vector<std::byte> bytes(pk_bytes);
    comm.recv(1, bytes);
    Ciphertext ct = fromPeer(ctx, bytes, 1, "public key");
    SOTTO_ENFORCE_AS(ProtocolError, ct.level() == 0,
                     "HeMatmul: the public key from party 1 is not at level 0");
    st_->pk = he::PublicKey{std::move(ct.c0), std::move(ct.c1)};
  }
}

HeMatmul::~HeMatmul() = default;

size_t HeMatmul::uploadCiphertextBytes() const { return he::serializedSize(st_->ctx, 0, true); }
size_t HeMatmul::downloadCiphertextBytes() const { return returnedCiphertextBytes(0); }
size_t HeMatmul::returnedCiphertextBytes(size_t outputs) const {
  const HeContext& ctx = st_->ctx;
  if (!st_->trim) return he::serializedSize(ctx, st_->out_level, false);
  size_t bits = 0;
  for (size_t i = st_->out_level; i < ctx.primeCount(); ++i) bits += ctx.modulus(i).bits();
  return ((ctx.n() + outputs) * bits + 7) / 8;
}
size_t HeMatmul::outputLevel() const { return st_->out_level; }
const std::vector<std::vector<uint64_t>>& HeMatmul::lastDecryptions() const {
  return st_->last_dec;
}
const std::vector<double>& HeMatmul::lastNoiseBudgets() const { return st_->last_budget; }

HeMatmulBlocks HeMatmul::blocks(size_t m, size_t k, size_t n) const {
  return chooseHeMatmulBlocks(m, k, n, st_->ctx.n(), uploadCiphertextBytes(),
                              downloadCiphertextBytes());
}

std::vector<uint64_t> HeMatmul::multiply(std::span<const uint64_t> x_share,
                                         std::span<const uint64_t> w, size_t m, size_t k,
                                         size_t n) {
  const HeContext& ctx = st_->ctx;
  const size_t big_n = ctx.n();
  const bool owner = comm_.rank() == 0;
  const HeMatmulBlocks b = blocks(m, k, n);
  SOTTO_ENFORCE(x_share.size() == m * k, "HeMatmul: the input share has ", x_share.size(),
                " elements, [", m, ", ", k, "] needs ", m * k);
  if (owner)
    SOTTO_ENFORCE(w.size() == k * n, "HeMatmul: the weights have ", w.size(), " elements, [", k,
                  ", ", n, "] needs ", k * n);
  const size_t up = uploadCiphertextBytes();
  const size_t mw = b.m_w, kw = b.k_w, nw = b.n_w;
  // Coefficient of output (r, i) of a block: r·k_w·n_w + i·k_w + k_w − 1.
  auto outPos = [&](size_t r, size_t i) { return r * kw * nw + i * kw + kw - 1; };
  // Outputs of block (mb, nb) inside the shape.
  auto blockOutputs = [&](size_t mb, size_t nb) {
    return (std::min(m, (mb + 1) * mw) - mb * mw) * (std::min(n, (nb + 1) * nw) - nb * nw);
  };

  if (!owner) {
    // Party 1: encrypt X1 by blocks, send; receive, decrypt, read.  // y1 = X1·W + R
    std::vector<std::byte> upload(b.inputCiphertexts() * up);
    std::vector<uint64_t> poly(big_n);
    const std::vector<uint64_t> zeros(big_n, 0);
    for (size_t mb = 0; mb < b.m_blocks; ++mb) {
      for (size_t kb = 0; kb < b.k_blocks; ++kb) {
        std::fill(poly.begin(), poly.end(), 0);
        for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
          for (size_t j = 0; j < kw && kb * kw + j < k; ++j)
            poly[r * kw * nw + j] = x_share[(mb * mw + r) * k + kb * kw + j];
        Ciphertext ct = he::encryptSymmetricSeeded(ctx, *st_->sk, zeros, st_->prg);
        he::addInplace(ctx, ct.c0, encodeRounded(ctx, poly));  // c1 (the seed) unchanged
        const std::vector<std::byte> bytes = he::serialize(ctx, ct);
        SOTTO_ENFORCE(bytes.size() == up, "HeMatmul: upload ciphertext of ", bytes.size(), " B");
        std::memcpy(upload.data() + (mb * b.k_blocks + kb) * up, bytes.data(), up);
      }
    }
    comm_.send(0, upload);
    std::vector<size_t> offset(b.outputCiphertexts() + 1, 0);
    for (size_t mb = 0; mb < b.m_blocks; ++mb)
      for (size_t nb = 0; nb < b.n_blocks; ++nb) {
        const size_t idx = mb * b.n_blocks + nb;
        offset[idx + 1] = offset[idx] + returnedCiphertextBytes(blockOutputs(mb, nb));
      }
    std::vector<std::byte> download(offset.back());
    comm_.recv(0, download);
    std::vector<uint64_t> y(m * n, 0);
    st_->last_dec.clear();
    st_->last_budget.clear();
    for (size_t mb = 0; mb < b.m_blocks; ++mb) {
      for (size_t nb = 0; nb < b.n_blocks; ++nb) {
        const size_t idx = mb * b.n_blocks + nb;
        const std::span<const std::byte> bytes = std::span<const std::byte>(download).subspan(
            offset[idx], offset[idx + 1] - offset[idx]);
        Ciphertext ct;
        if (st_->trim) {
          // c1 in full (NTT form), c0 only at the read coefficients (the others stay 0).
          BitReader in(bytes);
          ct.c1 = RnsPoly::zero(ctx, st_->out_level);
          ct.c0 = RnsPoly::zero(ctx, st_->out_level);
          for (size_t row = 0; row < ct.c1.rows; ++row)
            for (uint64_t& v : ct.c1.row(row)) v = in.get(ctx.modulus(st_->out_level + row));
          for (size_t row = 0; row < ct.c0.rows; ++row)
            for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
              for (size_t i = 0; i < nw && nb * nw + i < n; ++i)
                ct.c0.row(row)[outPos(r, i)] = in.get(ctx.modulus(st_->out_level + row));
          he::toNtt(ctx, ct.c0);
        } else {
          ct = fromPeer(ctx, bytes, 0, "returned ciphertext");
        }
        SOTTO_ENFORCE_AS(ProtocolError, ct.level() == st_->out_level,
                         "HeMatmul: party 0 returned a ciphertext at level ", ct.level(),
                         ", expected ", st_->out_level);
        std::vector<uint64_t> dec = he::decrypt(ctx, *st_->sk, ct);
        if (keep_view_) st_->last_budget.push_back(he::noiseBudget(ctx, *st_->sk, ct));
        for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
          for (size_t i = 0; i < nw && nb * nw + i < n; ++i)
            y[(mb * mw + r) * n + nb * nw + i] = dec[outPos(r, i)];
        if (keep_view_) st_->last_dec.push_back(std::move(dec));
      }
    }
    return y;
  }

  // Party 0: noise bound and flooding width (he_matmul.h).
  const double eta = he::kErrorEta;
  const double log2_b = std::log2(static_cast<double>(b.k_blocks) * static_cast<double>(big_n) *
                                      std::ldexp(1.0, 63) * (eta + 0.5) +
                                  eta * (2.0 * static_cast<double>(big_n) + 1) + 1);
  const int f =
      static_cast<int>(std::ceil(kStatSec + std::log2(static_cast<double>(big_n)) + log2_b));
  const double log2_q_last = ctx.logQ(st_->out_level);
  const double invariant =
      std::ldexp(1.0, kPlainBits) * (std::exp2(log2_b) + std::exp2(static_cast<double>(f))) /
          std::exp2(ctx.logQ(0)) +
      std::ldexp(1.0, kPlainBits) * (static_cast<double>(big_n) + 1) / std::exp2(log2_q_last);
  SOTTO_ENFORCE(f < 190 && invariant < 0.25, "HeMatmul: [", m, ", ", k, "] x [", k, ", ", n,
                "] sums ", b.k_blocks, " blocks: the flooded noise (2^", f,
                ") does not fit the parameters (invariant noise ", invariant, ")");

  std::vector<std::byte> upload(b.inputCiphertexts() * up);
  comm_.recv(1, upload);
  std::vector<Ciphertext> in;
  in.reserve(b.inputCiphertexts());
  for (size_t i = 0; i < b.inputCiphertexts(); ++i) {
    in.push_back(fromPeer(ctx, std::span<const std::byte>(upload).subspan(i * up, up), 1,
                          "input ciphertext"));
    SOTTO_ENFORCE_AS(ProtocolError, in.back().level() == 0,
                     "HeMatmul: party 1 sent a ciphertext at level ", in.back().level());
  }
  // Weight polynomials per (kb, nb): coefficient i·k_w + k_w − 1 − j holds W[j][i].
  std::vector<he::PlainMultiplier> wpoly;
  wpoly.reserve(b.k_blocks * b.n_blocks);
  std::vector<uint64_t> poly(big_n);
  for (size_t kb = 0; kb < b.k_blocks; ++kb) {
    for (size_t nb = 0; nb < b.n_blocks; ++nb) {
      std::fill(poly.begin(), poly.end(), 0);
      for (size_t i = 0; i < nw && nb * nw + i < n; ++i)
        for (size_t j = 0; j < kw && kb * kw + j < k; ++j)
          poly[i * kw + kw - 1 - j] = w[(kb * kw + j) * n + nb * nw + i];
      wpoly.push_back(he::preparePlain(ctx, poly));
    }
  }
  // Own share's contribution in the clear: y0 = X0·W − R.
  std::vector<uint64_t> y(m * n, 0);
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < k; ++j) {
      const uint64_t x = x_share[r * k + j];
      if (x == 0) continue;
      for (size_t i = 0; i < n; ++i) y[r * n + i] += x * w[j * n + i];
    }
  std::vector<std::byte> download;
  std::vector<uint64_t> mask(big_n);
  for (size_t mb = 0; mb < b.m_blocks; ++mb) {
    for (size_t nb = 0; nb < b.n_blocks; ++nb) {
      // ct = Σ_kb ct(x̂)·ŵ + ⌊Q·R/t⌉ + Enc_pk(0) + E, then switched down to out_level.
      Ciphertext acc = he::encryptZero(ctx, *st_->pk, st_->prg, 0);
      for (size_t kb = 0; kb < b.k_blocks; ++kb) {
        Ciphertext prod = in[mb * b.k_blocks + kb];
        he::multiplyPlainInplace(ctx, prod, wpoly[kb * b.n_blocks + nb]);
        he::addInplace(ctx, acc, prod);
      }
      st_->prg.fill(std::span<uint64_t>(mask));
      he::addInplace(ctx, acc.c0, encodeRounded(ctx, mask));
      he::addInplace(ctx, acc.c0, floodNoise(ctx, f, st_->prg));
      for (RnsPoly* c : {&acc.c0, &acc.c1})
        while (c->level < st_->out_level) dropPrime(ctx, *c);
      acc.seed.reset();
      const size_t before = download.size();
      if (st_->trim) {
        // Cheetah's trimmed download: c1 in full, c0 only where party 1 reads.
        he::fromNtt(ctx, acc.c0);
        BitWriter out(download);
        for (size_t row = 0; row < acc.c1.rows; ++row)
          for (uint64_t v : acc.c1.row(row)) out.put(v, ctx.modulus(st_->out_level + row).bits());
        for (size_t row = 0; row < acc.c0.rows; ++row)
          for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
            for (size_t i = 0; i < nw && nb * nw + i < n; ++i)
              out.put(acc.c0.row(row)[outPos(r, i)], ctx.modulus(st_->out_level + row).bits());
        out.flush();
      } else {
        const std::vector<std::byte> bytes = he::serialize(ctx, acc);
        download.insert(download.end(), bytes.begin(), bytes.end());
      }
      SOTTO_ENFORCE(download.size() - before == returnedCiphertextBytes(blockOutputs(mb, nb)),
                    "HeMatmul: returned ciphertext of ", download.size() - before, " B");
      for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
        for (size_t i = 0; i < nw && nb * nw + i < n; ++i)
          y[(mb * mw + r) * n + nb * nw + i] -= mask[outPos(r, i)];
    }
  }
  comm_.send(1, download);
  return y;
}

}  // namespace sotto
