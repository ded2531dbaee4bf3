// The receiving end of an OT session (session.h has the protocols and their costs).
#include <algorithm>
#include <memory>
#include <optional>

#include "../mpc/ot/bit_stream.h"
#include "background.h"
#include "bit_pack.h"
#include "cr_hash.h"
#include "ggm.h"
#include "mpcot.h"
#include "row_pads.h"
#include "session_common.h"
#include "sotto/crypto/prg.h"
#include "sotto/ot/ferret.h"
#include "sotto/ot/iknp.h"
#include "sotto/ot/session.h"

namespace sotto::ot {

using detail::lowBits;

struct OtReceiver::Impl {
  Communicator& comm;
  int peer;
  OtOptions options;
  Communicator& source_comm;  // the COT source's: comm, or the background communicator
  const bool threaded;        // refilled by the background thread (set before it starts)
  std::optional<IknpCotReceiver> iknp;
  std::optional<FerretCotReceiver> ferret;  // with OtExtension::kFerret: the COT source
  detail::CrHash hash;
  Prg prg;                 // the random choice bits of the COTs
  std::vector<Block> t;    // buffered COTs: t[pos...] and b[pos...] are unused
  std::vector<uint8_t> b;  // their choice bits, 0/1
  size_t pos = 0;
  uint64_t next_index = 0;
  std::vector<Block> scratch_t;  // a large request's COTs (capacity kept between calls)
  std::vector<uint8_t> scratch_b;
  struct Chunk {
    std::vector<Block> t;
    std::vector<uint8_t> b;
  };
  // with a background communicator: the refill thread (last: it uses the members above)
  std::optional<detail::Prefetcher<Chunk>> background;

  Impl(Communicator& c, OtOptions o, Communicator* bg)
      : comm(c),
        peer(detail::pairPeer(c)),
        options(std::move(o)),
        source_comm(bg ? *bg : c),
        threaded(bg != nullptr) {
    if (bg != nullptr) detail::checkBackground(c, *bg);
    {
      detail::OtTag tag(source_comm, options.tag, "setup");
      detail::inStep("OT receiver, setup (128 base OTs)", [&] { iknp.emplace(source_comm, peer); });
      if (options.extension == OtExtension::kFerret) {
        ferret.emplace(source_comm, peer, *iknp, options.ferret);
      }
    }
    if (bg != nullptr) {
      const size_t chunk = detail::chunkSize(options.batch);
      background.emplace(
          [this, chunk](Chunk& out) {
            out.t.resize(chunk);
            out.b.resize(chunk);
            extendInto(out.t, out.b);
          },
          detail::kBackgroundAhead);
    }
  }

  // out_t.size() fresh COTs and their uniform choice bits from the session's source (on the
  // refill thread with a background).
  void extendInto(std::span<Block> out_t, std::span<uint8_t> out_b) {
    detail::OtTag tag(source_comm, options.tag, "extend");
    if (ferret) {
      detail::inStep(
          threaded ? "OT receiver, background refill (Ferret)" : "OT receiver, extend (Ferret)",
          [&] { ferret->extend(out_t, out_b); });
      return;
    }
    std::vector<std::byte> choices((out_t.size() + 7) / 8);
    prg.fill(choices);
    detail::inStep(
        threaded ? "OT receiver, background refill (IKNP)" : "OT receiver, extend (IKNP)",
        [&] { iknp->extend(choices, out_t); });
    detail::unpackChoices(choices, out_b);
  }

  void ensure(size_t n) {
    if (threaded) {  // whole chunks from the refill thread (waiting for it if it lags)
      if (t.size() - pos >= n) return;
      t.erase(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(pos));
      b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(pos));
      pos = 0;
      while (t.size() < n) {
        const Chunk c = background->pop();
        t.insert(t.end(), c.t.begin(), c.t.end());
        b.insert(b.end(), c.b.begin(), c.b.end());
      }
      return;
    }
    const size_t m = detail::refillSize(n, t.size() - pos, options.batch);
    if (m == 0) return;
    t.erase(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(pos));
    b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(pos));
    pos = 0;
    const size_t old = t.size();
    t.resize(old + m);
    b.resize(old + m);
    extendInto(std::span(t).subspan(old), std::span(b).subspan(old));
  }

  // As OtSender's fill(): the next out_t.size() COTs into out_t and their choices into out_b.
  uint64_t fill(std::span<Block> out_t, std::span<uint8_t> out_b) {
    const size_t n = out_t.size();
    const uint64_t first = next_index;
    size_t done = std::min(n, t.size() - pos);
    std::copy_n(t.data() + pos, done, out_t.data());
    std::copy_n(b.data() + pos, done, out_b.data());
    pos += done;
    const size_t direct = !threaded && n - done >= options.batch ? (n - done) / 128 * 128 : 0;
    if (direct > 0) {
      extendInto(out_t.subspan(done, direct), out_b.subspan(done, direct));
      done += direct;
    }
    if (done < n) {
      ensure(n - done);
      std::copy_n(t.data() + pos, n - done, out_t.data() + done);
      std::copy_n(b.data() + pos, n - done, out_b.data() + done);
      pos += n - done;
    }
    next_index += n;
    return first;
  }

  struct Taken {
    std::span<const Block> t;
    std::span<const uint8_t> b;
    uint64_t first;
  };
  // The next n COTs (valid until the next call).
  Taken take(size_t n) {
    if (n <= t.size() - pos) {
      Taken k{{t.data() + pos, n}, {b.data() + pos, n}, next_index};
      pos += n;
      next_index += n;
      return k;
    }
    scratch_t.resize(n);
    scratch_b.resize(n);
    const uint64_t first = fill(scratch_t, scratch_b);
    return {scratch_t, scratch_b, first};
  }

  // Sends d_i = c_i ⊕ b_i, one bit each.
  void send(ConstBytes b, const char* step) {
    detail::inStep(std::string("OT receiver, ") + step, [&] { comm.send(peer, b); });
  }
  void recv(MutableBytes b, const char* step) {
    detail::inStep(std::string("OT receiver, ") + step, [&] { comm.recv(peer, b); });
  }

  void sendFlips(std::span<const uint8_t> c, std::span<const uint8_t> bs, const char* step) {
    std::vector<uint8_t> d(c.size());
    for (size_t i = 0; i < c.size(); ++i) d[i] = c[i] ^ bs[i];
    send(detail::packChoices(d), step);
  }

  // H(t_i, (first + i, 0)) = m_{b_i}, low 64 bits.
  std::vector<uint64_t> pads(const Taken& k) {
    constexpr size_t kPass = 4096;
    std::vector<Block> m(std::min(kPass, k.t.size()));
    std::vector<uint64_t> out(k.t.size());
    for (size_t off = 0; off < k.t.size(); off += kPass) {
      const size_t n = std::min(kPass, k.t.size() - off);
      hash.hashSeq(k.t.subspan(off, n), k.first + off, detail::kDomainOneOfTwo,
                   std::span(m.data(), n));
      for (size_t i = 0; i < n; ++i) out[off + i] = m[i].lo;
    }
    return out;
  }

  std::vector<uint64_t> recvValues(size_t n, int bits, const char* step) {
    std::vector<std::byte> packed(detail::packedSize(n, bits));
    recv(packed, step);
    std::vector<uint64_t> v(n);
    detail::unpackBits(packed, bits, v);
    return v;
  }
};

namespace {
void checkBits(std::span<const uint8_t> c) {
  for (size_t i = 0; i < c.size(); ++i) {
    SOTTO_ENFORCE(c[i] <= 1, "OT: choice ", i, " is ", int{c[i]}, ", not 0 or 1");
  }
}
}  // namespace

OtReceiver::OtReceiver(Communicator& comm, OtOptions options)
    : impl_(std::make_unique<Impl>(comm, std::move(options), nullptr)) {}
OtReceiver::OtReceiver(Communicator& comm, Communicator& background, OtOptions options)
    : impl_(std::make_unique<Impl>(comm, std::move(options), &background)) {}
OtReceiver::~OtReceiver() = default;

void OtReceiver::reserve(size_t n) { impl_->ensure(n); }
size_t OtReceiver::available() const { return impl_->t.size() - impl_->pos; }

ChoiceBlocks OtReceiver::randomCot(size_t n) {
  ChoiceBlocks out{std::vector<uint8_t>(n), std::vector<Block>(n)};
  impl_->fill(out.blocks, out.choices);
  return out;
}

void OtReceiver::randomCot(std::span<Block> t, std::span<uint8_t> choices) {
  SOTTO_ENFORCE(t.size() == choices.size(), "randomCot: ", t.size(), " blocks but ", choices.size(),
                " choices");
  impl_->fill(t, choices);
}

ChoiceBlocks OtReceiver::randomOt(size_t n) {
  ChoiceBlocks out{std::vector<uint8_t>(n), std::vector<Block>(n)};
  randomOt(out.blocks, out.choices);
  return out;
}

void OtReceiver::randomOt(std::span<Block> m, std::span<uint8_t> choices) {
  SOTTO_ENFORCE(m.size() == choices.size(), "randomOt: ", m.size(), " blocks but ", choices.size(),
                " choices");
  // the COTs go straight into m, then are hashed in place: m_{b_i} = H(t_i, (g_i, 0))
  const uint64_t first = impl_->fill(m, choices);
  impl_->hash.hashSeq(m, first, detail::kDomainOneOfTwo, m);
}

std::vector<uint64_t> OtReceiver::chosenOt(std::span<const uint8_t> choices, int bits) {
  checkBits(choices);
  detail::checkWidth(bits);
  const size_t n = choices.size();
  if (n == 0) return {};
  const auto k = impl_->take(n);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "chosen");
  impl_->sendFlips(choices, k.b, "chosenOt: sending the choice flips");
  const auto m = impl_->pads(k);
  const auto y = impl_->recvValues(2 * n, bits, "chosenOt: receiving the masked messages");
  std::vector<uint64_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = lowBits(y[2 * i + choices[i]] ^ m[i], bits);
  return out;
}

std::vector<uint64_t> OtReceiver::oneOfN(std::span<const uint8_t> choices, int k, int bits) {
  detail::checkArity(k);
  detail::checkWidth(bits);
  const std::vector<OneOfNShape> shapes(choices.size(), OneOfNShape{k, bits});
  return oneOfN(choices, shapes);
}

std::vector<uint64_t> OtReceiver::oneOfN(std::span<const uint8_t> choices,
                                         std::span<const OneOfNShape> shapes) {
  SOTTO_ENFORCE(choices.size() == shapes.size(), "oneOfN: ", choices.size(), " choices for ",
                shapes.size(), " instances");
  const detail::OneOfNSizes sizes = detail::oneOfNSizes(shapes);
  const size_t n = choices.size();
  for (size_t i = 0; i < n; ++i) {
    SOTTO_ENFORCE(choices[i] < (size_t{1} << shapes[i].k), "oneOfN: choice ", i, " is ",
                  int{choices[i]}, ", not below 2^", shapes[i].k);
  }
  if (n == 0) return {};
  const auto taken = impl_->take(sizes.cots);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "1ofN");
  // d_i = c_i ⊕ (b_i0 … b_i,k−1); pad = ⊕_j H(t_ij, (g_ij, 1 + c_i))
  sotto::detail::BitWriter d;
  std::vector<Block> tweak(sizes.cots), pad_parts(sizes.cots);
  for (size_t i = 0, cot = 0; i < n; cot += static_cast<size_t>(shapes[i].k), ++i) {
    uint64_t bits_i = 0;
    for (size_t j = 0; j < static_cast<size_t>(shapes[i].k); ++j) {
      bits_i |= uint64_t{taken.b[cot + j]} << j;
      tweak[cot + j] = Block{taken.first + cot + j, detail::domainOneOfN(choices[i])};
    }
    d.put(choices[i] ^ bits_i, shapes[i].k);
  }
  impl_->send(d.bytes(), "oneOfN: sending the choice offsets");
  impl_->hash.hash(taken.t, tweak, pad_parts);
  std::vector<std::byte> packed(sotto::detail::bitBytes(sizes.table_bits));
  impl_->recv(packed, "oneOfN: receiving the masked table");
  sotto::detail::BitReader y(packed);
  std::vector<uint64_t> out(n);
  for (size_t i = 0, cot = 0; i < n; cot += static_cast<size_t>(shapes[i].k), ++i) {
    uint64_t pad = 0;
    for (size_t j = 0; j < static_cast<size_t>(shapes[i].k); ++j) pad ^= pad_parts[cot + j].lo;
    // only the chosen entry is read: the others are passed over
    const size_t bits = static_cast<size_t>(shapes[i].bits);
    y.skip(choices[i] * bits);
    out[i] = lowBits(y.get(shapes[i].bits) ^ pad, shapes[i].bits);
    y.skip(((size_t{1} << shapes[i].k) - 1 - choices[i]) * bits);
  }
  return out;
}

std::vector<uint64_t> OtReceiver::oneOfNRows(std::span<const uint16_t> choices, int k, int bits,
                                             size_t width) {
  detail::checkRowArity(k);
  detail::checkWidth(bits);
  SOTTO_ENFORCE(width >= 1, "oneOfNRows: rows of ", width, " values");
  const size_t big_n = size_t{1} << k, n = choices.size(), ku = static_cast<size_t>(k);
  for (size_t i = 0; i < n; ++i) {
    SOTTO_ENFORCE(choices[i] < big_n, "oneOfN: choice ", i, " is ", choices[i], ", not below 2^",
                  k);
  }
  if (n == 0) return {};
  const auto taken = impl_->take(ku * n);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "1ofN");
  // d_i = c_i ⊕ (b_i0 … b_i,k−1); seed_i = ⊕_j H(t_ij, (g_ij, 1 + c_i)), then row_pads.h
  std::vector<uint64_t> d(n);
  std::vector<Block> tweak(n * ku), pad_parts(n * ku);
  for (size_t i = 0; i < n; ++i) {
    uint64_t bits_i = 0;
    for (size_t j = 0; j < ku; ++j) {
      bits_i |= uint64_t{taken.b[i * ku + j]} << j;
      tweak[i * ku + j] = Block{taken.first + i * ku + j, detail::domainOneOfN(choices[i])};
    }
    d[i] = choices[i] ^ bits_i;
  }
  std::vector<std::byte> packed_d(detail::packedSize(n, k));
  detail::packBits(d, k, packed_d);
  impl_->send(packed_d, "oneOfN: sending the choice offsets");
  impl_->hash.hash(taken.t, tweak, pad_parts);
  std::vector<Block> seeds(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < ku; ++j) seeds[i] ^= pad_parts[i * ku + j];
  }
  std::vector<uint64_t> out(n * width);
  detail::expandRowPads(impl_->hash, seeds, width, out);
  const size_t packed_size = detail::packedSize(n * big_n * width, bits);
  const auto packed_buf = std::make_unique_for_overwrite<std::byte[]>(packed_size);
  const std::span<std::byte> packed(packed_buf.get(), packed_size);
  impl_->recv(packed, "oneOfN: receiving the masked table");
  for (size_t i = 0; i < n; ++i) {
    const size_t row = (i * big_n + choices[i]) * width;
    for (size_t w = 0; w < width; ++w) {
      out[i * width + w] =
          lowBits(detail::packedValueAt(packed, bits, row + w) ^ out[i * width + w], bits);
    }
  }
  return out;
}

std::vector<uint64_t> OtReceiver::additiveCot(std::span<const uint8_t> choices, int bits) {
  checkBits(choices);
  detail::checkWidth(bits);
  const size_t n = choices.size();
  if (n == 0) return {};
  const auto k = impl_->take(n);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "additive");
  impl_->sendFlips(choices, k.b, "additiveCot: sending the choice flips");
  const auto m = impl_->pads(k);
  const auto u = impl_->recvValues(n, bits, "additiveCot: receiving the corrections");
  // y = m_b + c·u: k0 if c = 0, k1 + (k0 + x − k1) = k0 + x if c = 1
  std::vector<uint64_t> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = lowBits(m[i] + ((uint64_t{0} - choices[i]) & u[i]), bits);
  return y;
}

std::vector<Block> OtReceiver::singlePointCot(uint64_t alpha, int depth) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "singlePointCot: depth ", depth, " not in [1, 24]");
  SOTTO_ENFORCE(alpha < (uint64_t{1} << depth), "singlePointCot: point ", alpha, " not below 2^",
                depth);
  const size_t levels = static_cast<size_t>(depth);
  const auto k = impl_->take(levels);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "spcot");
  // level i (1-based) is chosen off alpha's path: r_i = NOT bit (depth - i) of alpha; the flip
  // d_i = r_i ⊕ b_i turns the COT into one with choice r_i (the sender adds d_i·Δ to q_i)
  std::vector<uint8_t> r(levels);
  for (size_t i = 0; i < levels; ++i) r[i] = 1 ^ ((alpha >> (levels - 1 - i)) & 1);
  impl_->sendFlips(r, k.b, "singlePointCot: sending the choice flips");
  std::vector<Block> msg(detail::mpcotMessageBlocks(1, depth));
  if (!msg.empty()) {
    impl_->recv(std::as_writable_bytes(std::span(msg)),
                "singlePointCot: receiving the level corrections");
  }
  std::vector<Block> w(size_t{1} << depth);
  uint64_t got = 0;
  detail::mpcotReceiverCompute(impl_->hash, depth, k.t, r, msg, k.first, detail::kGgmDomain, w,
                               std::span(&got, 1));
  return w;
}

}  // namespace sotto::ot
