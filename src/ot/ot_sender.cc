// The sending end of an OT session (session.h has the protocols and their costs).
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
#include "sotto/ot/ferret.h"
#include "sotto/ot/iknp.h"
#include "sotto/ot/session.h"

namespace sotto::ot {

using detail::lowBits;

struct OtSender::Impl {
  Communicator& comm;
  int peer;
  OtOptions options;
  Communicator& source_comm;  // the COT source's: comm, or the background communicator
  const bool threaded;        // refilled by the background thread (set before it starts)
  std::optional<IknpCotSender> iknp;
  std::optional<FerretCotSender> ferret;  // with OtExtension::kFerret: the COT source, on iknp
  detail::CrHash hash;
  std::vector<Block> q;  // buffered COTs: q[pos...] are unused
  size_t pos = 0;
  uint64_t next_index = 0;     // session index of q[pos]
  std::vector<Block> scratch;  // a large request's COTs (capacity kept between calls)
  // with a background communicator: the refill thread (last: it uses the members above)
  std::optional<detail::Prefetcher<std::vector<Block>>> background;

  Impl(Communicator& c, OtOptions o, Communicator* bg)
      : comm(c),
        peer(detail::pairPeer(c)),
        options(std::move(o)),
        source_comm(bg ? *bg : c),
        threaded(bg != nullptr) {
    if (bg != nullptr) detail::checkBackground(c, *bg);
    {
      detail::OtTag tag(source_comm, options.tag, "setup");
      detail::inStep("OT sender, setup (128 base OTs)", [&] { iknp.emplace(source_comm, peer); });
      if (options.extension == OtExtension::kFerret)
        ferret.emplace(source_comm, peer, *iknp, options.ferret);
    }
    if (bg != nullptr) {
      const size_t chunk = detail::chunkSize(options.batch);
      background.emplace(
          [this, chunk](std::vector<Block>& out) {
            out.resize(chunk);
            extendInto(out);
          },
          detail::kBackgroundAhead);
    }
  }

  // out.size() fresh COTs from the session's source (on the refill thread with a background).
  void extendInto(std::span<Block> out) {
    detail::OtTag tag(source_comm, options.tag, "extend");
    const char* where =
        threaded ? "OT sender, background refill (Ferret)" : "OT sender, extend (Ferret)";
    if (ferret) {
      detail::inStep(where, [&] { ferret->extend(out); });
    } else {
      where = threaded ? "OT sender, background refill (IKNP)" : "OT sender, extend (IKNP)";
      detail::inStep(where, [&] { iknp->extend(out); });
    }
  }

  void ensure(size_t n) {
    if (threaded) {  // whole chunks from the refill thread (waiting for it if it lags)
      if (q.size() - pos >= n) return;
      q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(pos));
      pos = 0;
      while (q.size() < n) {
        const std::vector<Block> c = background->pop();
        q.insert(q.end(), c.begin(), c.end());
      }
      return;
    }
    const size_t m = detail::refillSize(n, q.size() - pos, options.batch);
    if (m == 0) return;
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(pos));
    pos = 0;
    const size_t old = q.size();
    q.resize(old + m);
    extendInto(std::span(q).subspan(old));
  }

  // Writes the next out.size() COTs into out and returns the session index of the first: the
  // buffered ones, then (for a large request) a whole number of 128-COT tiles extended straight
  // into out, then the rest from a refilled buffer. The receiver's fill() decides alike.
  uint64_t fill(std::span<Block> out) {
    const size_t n = out.size();
    const uint64_t first = next_index;
    size_t done = std::min(n, q.size() - pos);
    std::copy_n(q.data() + pos, done, out.data());
    pos += done;
    const size_t direct = !threaded && n - done >= options.batch ? (n - done) / 128 * 128 : 0;
    if (direct > 0) {
      extendInto(out.subspan(done, direct));
      done += direct;
    }
    if (done < n) {
      ensure(n - done);
      std::copy_n(q.data() + pos, n - done, out.data() + done);
      pos += n - done;
    }
    next_index += n;
    return first;
  }

  // The next n COTs (valid until the next call); `first` gets the session index of the first.
  std::span<const Block> take(size_t n, uint64_t& first) {
    if (n <= q.size() - pos) {
      std::span<const Block> s(q.data() + pos, n);
      first = next_index;
      pos += n;
      next_index += n;
      return s;
    }
    scratch.resize(n);
    first = fill(scratch);
    return scratch;
  }

  // m_s[i] = H(q_i ⊕ s·Δ, (first + i, 0)) for s = 0, 1, passed to emit(i, m0, m1) in passes of
  // a few thousand (no arrays of n blocks besides the caller's).
  template <typename Emit>
  void pads(std::span<const Block> qs, uint64_t first, Emit&& emit) {
    constexpr size_t kPass = 4096;
    std::vector<Block> m0(std::min(kPass, qs.size())), m1(m0.size());
    const Block delta = iknp->delta();
    for (size_t off = 0; off < qs.size(); off += kPass) {
      const size_t n = std::min(kPass, qs.size() - off);
      for (size_t i = 0; i < n; ++i) m1[i] = qs[off + i] ^ delta;
      hash.hashSeq(qs.subspan(off, n), first + off, detail::kDomainOneOfTwo,
                   std::span(m0.data(), n));
      hash.hashSeq(std::span(m1.data(), n), first + off, detail::kDomainOneOfTwo,
                   std::span(m1.data(), n));
      for (size_t i = 0; i < n; ++i) emit(off + i, m0[i], m1[i]);
    }
  }

  // The receiver's d_i = c_i ⊕ b_i, one bit each.
  void send(ConstBytes b, const char* step) {
    detail::inStep(std::string("OT sender, ") + step, [&] { comm.send(peer, b); });
  }
  void recv(MutableBytes b, const char* step) {
    detail::inStep(std::string("OT sender, ") + step, [&] { comm.recv(peer, b); });
  }

  std::vector<uint8_t> recvFlips(size_t n, const char* step) {
    std::vector<std::byte> packed((n + 7) / 8);
    recv(packed, step);
    std::vector<uint8_t> d(n);
    detail::unpackChoices(packed, d);
    return d;
  }
};

OtSender::OtSender(Communicator& comm, OtOptions options)
    : impl_(std::make_unique<Impl>(comm, std::move(options), nullptr)) {}
OtSender::OtSender(Communicator& comm, Communicator& background, OtOptions options)
    : impl_(std::make_unique<Impl>(comm, std::move(options), &background)) {}
OtSender::~OtSender() = default;

Block OtSender::delta() const { return impl_->iknp->delta(); }

void OtSender::reserve(size_t n) { impl_->ensure(n); }
size_t OtSender::available() const { return impl_->q.size() - impl_->pos; }

std::vector<Block> OtSender::randomCot(size_t n) {
  std::vector<Block> q(n);
  impl_->fill(q);
  return q;
}

void OtSender::randomCot(std::span<Block> q) { impl_->fill(q); }

std::vector<std::array<Block, 2>> OtSender::randomOt(size_t n) {
  std::vector<std::array<Block, 2>> out(n);
  randomOt(std::span(out));
  return out;
}

void OtSender::randomOt(std::span<std::array<Block, 2>> out) {
  uint64_t first;
  const auto qs = impl_->take(out.size(), first);
  impl_->pads(qs, first, [&](size_t i, Block m0, Block m1) { out[i] = {m0, m1}; });
}

void OtSender::chosenOt(std::span<const uint64_t> x0, std::span<const uint64_t> x1, int bits) {
  SOTTO_ENFORCE(x0.size() == x1.size(), "chosenOt: ", x0.size(), " and ", x1.size(), " messages");
  detail::checkWidth(bits);
  const size_t n = x0.size();
  if (n == 0) return;
  uint64_t first;
  const auto qs = impl_->take(n, first);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "chosen");
  const auto d = impl_->recvFlips(n, "chosenOt: receiving the choice flips");
  // y_s = x_s ⊕ m_{s ⊕ d}: the receiver holds m_{b} with b = c ⊕ d, so it opens y_c only
  std::vector<uint64_t> y(2 * n);
  impl_->pads(qs, first, [&](size_t i, Block m0, Block m1) {
    const uint64_t a = m0.lo, b = m1.lo, sel = uint64_t{0} - d[i];  // all ones if d = 1
    y[2 * i] = lowBits(x0[i] ^ ((a & ~sel) | (b & sel)), bits);
    y[2 * i + 1] = lowBits(x1[i] ^ ((b & ~sel) | (a & sel)), bits);
  });
  std::vector<std::byte> packed(detail::packedSize(y.size(), bits));
  detail::packBits(y, bits, packed);
  impl_->send(packed, "chosenOt: sending the masked messages");
}

void OtSender::oneOfN(std::span<const uint64_t> table, int k, int bits) {
  detail::checkArity(k);
  detail::checkWidth(bits);
  const size_t big_n = size_t{1} << k;
  SOTTO_ENFORCE(table.size() % big_n == 0, "oneOfN: table of ", table.size(),
                " entries is not a whole number of instances of ", big_n);
  const std::vector<OneOfNShape> shapes(table.size() / big_n, OneOfNShape{k, bits});
  oneOfN(table, shapes);
}

void OtSender::oneOfN(std::span<const uint64_t> table, std::span<const OneOfNShape> shapes) {
  const detail::OneOfNSizes sizes = detail::oneOfNSizes(shapes);
  SOTTO_ENFORCE(table.size() == sizes.entries, "oneOfN: table of ", table.size(),
                " entries for instances of ", sizes.entries);
  if (shapes.empty()) return;
  uint64_t first;
  const auto qs = impl_->take(sizes.cots, first);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "1ofN");
  std::vector<std::byte> packed_d(sotto::detail::bitBytes(sizes.cots));
  impl_->recv(packed_d, "oneOfN: receiving the choice offsets");
  sotto::detail::BitReader d_in(packed_d);
  sotto::detail::BitWriter y;

  // entry x of instance i: M_x ⊕ ⊕_j H(q_ij ⊕ (x_j ⊕ d_ij)·Δ, (g_ij, 1 + x))
  const Block delta = impl_->iknp->delta();
  std::vector<Block> in, tweak, out;
  size_t cot = 0, entry = 0;
  for (const OneOfNShape& shape : shapes) {
    const size_t ku = static_cast<size_t>(shape.k), big_n = size_t{1} << shape.k;
    const uint64_t d = d_in.get(shape.k);
    in.resize(big_n * ku);
    tweak.resize(big_n * ku);
    out.resize(big_n * ku);
    for (size_t x = 0; x < big_n; ++x) {
      const uint64_t s = x ^ d;
      for (size_t j = 0; j < ku; ++j) {
        in[x * ku + j] = qs[cot + j] ^ (delta & Block::mask((s >> j) & 1));
        tweak[x * ku + j] = Block{first + cot + j, detail::domainOneOfN(x)};
      }
    }
    impl_->hash.hash(in, tweak, out);
    for (size_t x = 0; x < big_n; ++x) {
      uint64_t pad = 0;
      for (size_t j = 0; j < ku; ++j) pad ^= out[x * ku + j].lo;
      y.put(table[entry + x] ^ pad, shape.bits);
    }
    cot += ku;
    entry += big_n;
  }
  impl_->send(y.bytes(), "oneOfN: sending the masked table");
}

void OtSender::oneOfNRows(std::span<const uint64_t> rows, int k, int bits, size_t width) {
  detail::checkRowArity(k);
  SOTTO_ENFORCE(width >= 1, "oneOfNRows: rows of ", width, " values");
  const size_t big_n = size_t{1} << k, per = big_n * width;
  SOTTO_ENFORCE(rows.size() % per == 0, "oneOfN: table of ", rows.size(),
                " entries is not a whole number of instances of ", big_n, " rows of ", width);
  oneOfNRows(rows.size() / per, k, bits, width, [&](size_t i, std::span<uint64_t> out) {
    std::copy_n(rows.data() + i * per, per, out.data());
  });
}

void OtSender::oneOfNRows(size_t n, int k, int bits, size_t width, const RowFill& fill) {
  detail::checkRowArity(k);
  detail::checkWidth(bits);
  SOTTO_ENFORCE(width >= 1, "oneOfNRows: rows of ", width, " values");
  const size_t big_n = size_t{1} << k, per = big_n * width, ku = static_cast<size_t>(k);
  if (n == 0) return;
  uint64_t first;
  const auto qs = impl_->take(ku * n, first);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "1ofN");
  std::vector<std::byte> packed_d(detail::packedSize(n, k));
  impl_->recv(packed_d, "oneOfN: receiving the choice offsets");
  std::vector<uint64_t> d(n);
  detail::unpackBits(packed_d, k, d);

  // row x of instance i: M_x ⊕ pads(⊕_j H(q_ij ⊕ (x_j ⊕ d_ij)·Δ, (g_ij, 1 + x))), row_pads.h.
  // Instances in passes of 8 (whole bytes of the packed message whatever the widths), entries
  // hashed in slices of at most kSlice blocks.
  constexpr size_t kPassInstances = 8, kSlice = 8192;
  const size_t xs_per_slice = std::max<size_t>(1, kSlice / ku);
  const Block delta = impl_->iknp->delta();
  const size_t packed_size = detail::packedSize(n * per, bits);
  const auto packed = std::make_unique_for_overwrite<std::byte[]>(packed_size);  // all written
  std::vector<Block> in, tweak, out, seeds(big_n);
  std::vector<uint64_t> y(kPassInstances * per), pads(per);
  for (size_t i0 = 0; i0 < n; i0 += kPassInstances) {
    const size_t m = std::min(kPassInstances, n - i0);
    for (size_t i = i0; i < i0 + m; ++i) {
      for (size_t x0 = 0; x0 < big_n; x0 += xs_per_slice) {
        const size_t xn = std::min(xs_per_slice, big_n - x0);
        in.resize(xn * ku);
        tweak.resize(xn * ku);
        out.resize(xn * ku);
        for (size_t x = x0; x < x0 + xn; ++x) {
          const uint64_t sel = x ^ d[i];
          for (size_t j = 0; j < ku; ++j) {
            in[(x - x0) * ku + j] = qs[i * ku + j] ^ (delta & Block::mask((sel >> j) & 1));
            tweak[(x - x0) * ku + j] = Block{first + i * ku + j, detail::domainOneOfN(x)};
          }
        }
        impl_->hash.hash(in, tweak, out);
        for (size_t x = x0; x < x0 + xn; ++x) {
          Block seed;
          for (size_t j = 0; j < ku; ++j) seed ^= out[(x - x0) * ku + j];
          seeds[x] = seed;
        }
      }
      detail::expandRowPads(impl_->hash, seeds, width, pads);
      const std::span<uint64_t> row(y.data() + (i - i0) * per, per);
      fill(i, row);
      for (size_t v = 0; v < per; ++v) row[v] ^= pads[v];
    }
    // 8·per·bits bits per full pass: every pass starts on a byte
    const size_t offset = i0 * per * static_cast<size_t>(bits) / 8;
    const std::span<const uint64_t> part(y.data(), m * per);
    detail::packBits(part, bits,
                     std::span(packed.get() + offset, detail::packedSize(part.size(), bits)));
  }
  impl_->send(std::span(packed.get(), packed_size), "oneOfN: sending the masked table");
}

std::vector<uint64_t> OtSender::additiveCot(std::span<const uint64_t> x, int bits) {
  detail::checkWidth(bits);
  const size_t n = x.size();
  if (n == 0) return {};
  uint64_t first;
  const auto qs = impl_->take(n, first);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "additive");
  const auto d = impl_->recvFlips(n, "additiveCot: receiving the choice flips");
  // k_s = m_{s ⊕ d}; u = k0 + x − k1; the sender keeps −k0, the receiver gets k0 + c·x
  std::vector<uint64_t> u(n), s(n);
  impl_->pads(qs, first, [&](size_t i, Block m0, Block m1) {
    const uint64_t a = m0.lo, b = m1.lo, sel = uint64_t{0} - d[i];
    const uint64_t k0 = (a & ~sel) | (b & sel), k1 = (b & ~sel) | (a & sel);
    u[i] = lowBits(k0 + x[i] - k1, bits);
    s[i] = lowBits(uint64_t{0} - k0, bits);
  });
  std::vector<std::byte> packed(detail::packedSize(n, bits));
  detail::packBits(u, bits, packed);
  impl_->send(packed, "additiveCot: sending the corrections");
  return s;
}

std::vector<Block> OtSender::singlePointCot(int depth) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "singlePointCot: depth ", depth, " not in [1, 24]");
  const size_t levels = static_cast<size_t>(depth);
  uint64_t first;
  const auto qs = impl_->take(levels, first);
  detail::OtTag tag(impl_->comm, impl_->options.tag, "spcot");
  const auto d = impl_->recvFlips(levels, "singlePointCot: receiving the choice flips");
  // q'_i = q_i ⊕ d_i·Δ: COTs whose receiver choice is r_i, the side off alpha's path (mpcot.h)
  const Block delta = impl_->iknp->delta();
  std::vector<Block> qd(levels);
  for (size_t i = 0; i < levels; ++i) qd[i] = qs[i] ^ (delta & Block::mask(d[i]));
  std::vector<Block> v(size_t{1} << depth), msg(detail::mpcotMessageBlocks(1, depth));
  detail::mpcotSenderCompute(impl_->hash, delta, depth, qd, first, detail::kGgmDomain, v, msg);
  if (!msg.empty()) {
    impl_->send(std::as_bytes(std::span(msg)), "singlePointCot: sending the level corrections");
  }
  return v;
}

OtPair makeOtPair(Communicator& comm, const OtOptions& options) {
  detail::pairPeer(comm);
  OtPair p;
  if (comm.rank() == 0) {
    p.send = std::make_unique<OtSender>(comm, options);
    p.recv = std::make_unique<OtReceiver>(comm, options);
  } else {
    p.recv = std::make_unique<OtReceiver>(comm, options);
    p.send = std::make_unique<OtSender>(comm, options);
  }
  return p;
}

}  // namespace sotto::ot
