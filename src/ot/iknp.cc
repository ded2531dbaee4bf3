// IKNP extension to random COT with a global Δ (iknp.h has the protocol and its cost).
#include "sotto/ot/iknp.h"

#include <cstring>

#include "sotto/error.h"
#include "sotto/ot/base_ot.h"
#include "sotto/ot/params.h"
#include "transpose.h"

namespace sotto::ot {
namespace {

Prg::Seed seedOf(const Block& k) {
  Prg::Seed s;
  std::memcpy(s.data(), &k, s.size());
  return s;
}

size_t roundUp128(size_t n) { return (n + 127) / 128 * 128; }

void xorInto(std::byte* dst, const std::byte* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] ^= src[i];
}

}  // namespace

IknpCotSender::IknpCotSender(Communicator& comm, int peer) : comm_(comm), peer_(peer) {
  Prg prg;
  prg.fill(std::as_writable_bytes(std::span(&delta_, 1)));
  delta_.setBit(0, true);  // convention: Δ's bit 0 is 1
  std::vector<uint8_t> bits(kBaseOts);
  for (size_t j = 0; j < kBaseOts; ++j) bits[j] = delta_.bit(static_cast<int>(j));
  const std::vector<Block> keys = baseOtReceive(comm, peer, bits);
  prgs_.reserve(kBaseOts);
  for (const Block& k : keys) prgs_.emplace_back(seedOf(k));
}

void IknpCotSender::extend(std::span<Block> q) {
  for (size_t off = 0; off < q.size(); off += kIknpChunk) {
    const size_t m = std::min(kIknpChunk, q.size() - off);
    const size_t mp = roundUp128(m), col = mp / 8;  // padded COTs, bytes per column
    u_.resize(kBaseOts * col);
    g_.resize(kBaseOts * col);
    comm_.recv(peer_, u_);
    // column j of Q: G(k_{Δ_j, j}) ⊕ Δ_j·u_j
    for (size_t j = 0; j < kBaseOts; ++j) {
      std::byte* g = g_.data() + j * col;
      prgs_[j].fill(std::span(g, col));
      if (delta_.bit(static_cast<int>(j))) xorInto(g, u_.data() + j * col, col);
    }
    if (mp == m) {
      detail::transpose128(g_.data(), col, mp, q.data() + off);
    } else {
      std::vector<Block> rows(mp);
      detail::transpose128(g_.data(), col, mp, rows.data());
      std::copy(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(m), q.begin() + off);
    }
  }
}

IknpCotReceiver::IknpCotReceiver(Communicator& comm, int peer) : comm_(comm), peer_(peer) {
  const auto keys = baseOtSend(comm, peer, kBaseOts);
  prgs0_.reserve(kBaseOts);
  prgs1_.reserve(kBaseOts);
  for (const auto& k : keys) {
    prgs0_.emplace_back(seedOf(k[0]));
    prgs1_.emplace_back(seedOf(k[1]));
  }
}

void IknpCotReceiver::extend(std::span<const std::byte> choices, std::span<Block> t) {
  SOTTO_ENFORCE(choices.size() >= (t.size() + 7) / 8, "IKNP: ", choices.size(),
                " bytes of choices for ", t.size(), " COTs");
  std::vector<std::byte> r;
  for (size_t off = 0; off < t.size(); off += kIknpChunk) {
    const size_t m = std::min(kIknpChunk, t.size() - off);
    const size_t mp = roundUp128(m), col = mp / 8;
    // this part's choices, zero past the last COT (off is a multiple of 8)
    r.assign(col, std::byte{0});
    std::memcpy(r.data(), choices.data() + off / 8, (m + 7) / 8);
    if (m % 8 != 0) r[m / 8] &= std::byte(static_cast<uint8_t>((1u << (m % 8)) - 1));
    u_.resize(kBaseOts * col);
    g_.resize(kBaseOts * col);
    // T = (G(k0_j))_j, u_j = G(k0_j) ⊕ G(k1_j) ⊕ r
    for (size_t j = 0; j < kBaseOts; ++j) {
      std::byte* g = g_.data() + j * col;
      std::byte* u = u_.data() + j * col;
      prgs0_[j].fill(std::span(g, col));
      prgs1_[j].fill(std::span(u, col));
      xorInto(u, g, col);
      xorInto(u, r.data(), col);
    }
    comm_.send(peer_, u_);
    if (mp == m) {
      detail::transpose128(g_.data(), col, mp, t.data() + off);
    } else {
      std::vector<Block> rows(mp);
      detail::transpose128(g_.data(), col, mp, rows.data());
      std::copy(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(m), t.begin() + off);
    }
  }
}

}  // namespace sotto::ot
