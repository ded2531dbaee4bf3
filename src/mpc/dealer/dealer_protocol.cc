// The dealer family's kernels (dealer_protocol.h): Beaver products, the dealer-assisted
// truncation, fixed weight masks, the digit-table comparison, AND triples, bit selects and
// the lookup on a rotated table.
#include "sotto/mpc/dealer/dealer_protocol.h"

#include <cstddef>

#include "../ot/bit_stream.h"
#include "digit_compare.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/binary_tensor.h"

namespace sotto {
namespace {

// Every product: open e = x - a and f = y - b together (one round), then
// z_i = c_i + e ⊛ b_i + a_i ⊛ f (+ e ⊛ f on party 0), where ⊛ is the bilinear map.
template <typename Map>
RingTensor beaver(const Party& party, const RingTensor& x, const RingTensor& y,
                  const BeaverTriple& t, Map&& map) {
  auto opened = openTogether(party, {x - t.a, y - t.b});
  const RingTensor& e = opened[0];
  const RingTensor& f = opened[1];
  RingTensor z = t.c + map(e, t.b) + map(t.a, f);
  if (party.id() == 0) z += map(e, f);
  return z;
}

// A weight W with a fixed dealer mask B known to the owner only and f = W - B public.
class DealerWeight final : public WeightKernel {
 public:
  DealerWeight(Dealer& dealer, int owner, FixedMask mask, RingTensor opened)
      : dealer_(dealer), owner_(owner), mask_(std::move(mask)), opened_(std::move(opened)) {}

  RingTensor matmul(const Party& party, const RingTensor& x) const override {
    const BeaverTriple t = dealer_.matmulTripleFixed(mask_, x.shape());
    return product(party, x, t,
                   [](const RingTensor& a, const RingTensor& b) { return ::sotto::matmul(a, b); });
  }

  RingTensor conv2d(const Party& party, const RingTensor& x,
                    const Conv2dOptions& options) const override {
    const BeaverTriple t = dealer_.conv2dTripleFixed(mask_, x.shape(), options);
    return product(party, x, t, [&](const RingTensor& a, const RingTensor& b) {
      return ::sotto::conv2d(a, b, options);
    });
  }

 private:
  // c = A ⊛ B shared: open e = x - A to the owner only;
  // z_owner = c_o + e ⊛ B + a_o ⊛ f + e ⊛ f, z_i = c_i + a_i ⊛ f for the others.
  template <typename Map>
  RingTensor product(const Party& party, const RingTensor& x, const BeaverTriple& t,
                     Map&& map) const {
    RingTensor e = ArithTensor(party, x - t.a, 0).revealTo(owner_);
    RingTensor z = t.c + map(t.a, opened_);
    if (party.id() == owner_) z += map(e, mask_.b) + map(e, opened_);
    return z;
  }

  Dealer& dealer_;
  int owner_;
  FixedMask mask_;     // the owner: B; the others: empty
  RingTensor opened_;  // f = W - B, public
};

class DealerProtocol final : public Protocol {
 public:
  explicit DealerProtocol(Dealer& dealer) : dealer_(dealer) {}

  std::string name() const override { return dealer_.name(); }
  bool secure() const override { return dealer_.secure(); }
  bool functionTablesSent() const override { return dealer_.sendsTables(); }
  // (c >> f) - (r >> f) plus the wrap is ⌊x' / 2^f⌋ plus the carry of the low bits (truncate).
  bool truncationRoundsUp() const override { return true; }
  Dealer* dealer() const override { return &dealer_; }
  uint64_t offlineBytes() const override { return dealer_.usedBytes(); }

  RingTensor mul(const Party& party, const RingTensor& x, const RingTensor& y) override {
    const BeaverTriple t = dealer_.mulTriple(x.shape());
    return beaver(party, x, y, t, [](const RingTensor& a, const RingTensor& b) { return a * b; });
  }

  RingTensor matmul(const Party& party, const RingTensor& x, const RingTensor& y) override {
    const BeaverTriple t = dealer_.matmulTriple(x.shape(), y.shape());
    return beaver(party, x, y, t,
                  [](const RingTensor& a, const RingTensor& b) { return ::sotto::matmul(a, b); });
  }

  RingTensor conv2d(const Party& party, const RingTensor& x, const RingTensor& w,
                    const Conv2dOptions& options) override {
    const BeaverTriple t = dealer_.conv2dTriple(x.shape(), w.shape(), options);
    return beaver(party, x, w, t, [&](const RingTensor& a, const RingTensor& b) {
      return ::sotto::conv2d(a, b, options);
    });
  }

  std::unique_ptr<WeightKernel> loadWeight(const Party& party, int owner, const RingTensor& encoded,
                                           const Shape& shape, int frac_bits) override {
    FixedMask mask = dealer_.fixedMask(shape);
    // The others hand their shares of B to the owner, who alone learns B (it knows W anyway), and
    // the owner publishes f = W - B. One round each way, once per weight.
    RingTensor b = ArithTensor(party, std::move(mask.b), frac_bits).revealTo(owner);
    RingTensor f(shape);
    Communicator& comm = party.comm();
    if (party.id() == owner) {
      f = encoded - b;
      for (int p = 0; p < party.numParties(); ++p) {
        if (p != owner) comm.send(p, std::as_bytes(f.data()));
      }
    } else {
      comm.recv(owner, std::as_writable_bytes(f.data()));
    }
    mask.b = std::move(b);  // the owner: B itself; the others: nothing
    return std::make_unique<DealerWeight>(dealer_, owner, std::move(mask), std::move(f));
  }

  RingTensor truncate(const Party& party, const RingTensor& x, int bits) override {
    const int id = party.id();
    const TruncationPair p = dealer_.truncationPair(x.shape(), bits);
    // x' = x + 2^62 lies in [0, 2^63); open c = x' + r. The sum wrapped iff r_t = 1 and c_t = 0,
    // so x' >> f = (c >> f) - (r >> f) + r_t·(1 - c_t)·2^(64-f), within one ULP; then subtract
    // 2^(62-f).
    RingTensor masked = x + p.r;
    if (id == 0) masked += uint64_t{1} << 62;
    RingTensor c = std::move(openTogether(party, {std::move(masked)})[0]);
    RingTensor y = -p.r_shifted;
    auto ys = y.data();
    const auto cs = c.data();
    const auto top = p.r_top.data();
    const uint64_t lift = uint64_t{1} << (64 - bits);
    const uint64_t offset = uint64_t{1} << (62 - bits);
    for (size_t i = 0; i < ys.size(); ++i) {
      if ((cs[i] >> 63) == 0) ys[i] += top[i] * lift;  // r_t·(1 - c_t)·2^(64-f)
      if (id == 0) ys[i] += (cs[i] >> bits) - offset;
    }
    return y;
  }

  RingTensor truncatePositive(const Party& party, const RingTensor& x, int bits) override {
    return truncate(party, x, bits);
  }

  SignResult sign(const Party& party, const RingTensor& x, bool nonneg,
                  const RingTensor* values) override {
    return detail::signOf(party, dealer_, x, nonneg, values);
  }

  RingTensor andWords(const Party& party, const RingTensor& x, const RingTensor& y) override {
    const BinaryTriple t = dealer_.binaryTriple(x.numel());
    const auto a = t.a.data();
    const auto b = t.b.data();
    const auto c = t.c.data();
    // Open d = x ^ a and e = y ^ b in one round.
    auto de = openXorTogether(party, {x.reshape({x.numel()}) ^ t.a, y.reshape({y.numel()}) ^ t.b});
    const auto d = de[0].data();
    const auto e = de[1].data();
    const bool first = party.id() == 0;
    RingTensor z(x.shape());
    auto zs = z.data();
    for (size_t i = 0; i < zs.size(); ++i) {
      // z_i = c_i ^ (d & b_i) ^ (e & a_i) (^ d & e on party 0)
      zs[i] = c[i] ^ (d[i] & b[i]) ^ (e[i] & a[i]) ^ (first ? d[i] & e[i] : 0);
    }
    return z;
  }

  RingTensor b2a(const Party& party, const RingTensor& packed, const Shape& bits_shape) override {
    const BitSelect m = dealer_.bitSelect(bits_shape);
    // t = b ^ rho, opened; b_A = t ? δ_0 - rho_A : rho_A (δ_0 = 1 on party 0 only).
    RingTensor masked = m.rho_bits;
    auto ms = masked.data();
    const auto ps = packed.data();
    for (size_t i = 0; i < ms.size(); ++i) ms[i] ^= ps[i];
    const RingTensor t = std::move(openXorTogether(party, {std::move(masked)})[0]);
    const auto ts = t.data();
    const uint64_t delta = party.id() == 0 ? 1 : 0;
    RingTensor out(bits_shape);
    auto os = out.data();
    const auto rho = m.rho.data();
    for (size_t i = 0; i < os.size(); ++i) {
      os[i] = ((ts[i / 64] >> (i % 64)) & 1) != 0 ? delta - rho[i] : rho[i];
    }
    return out;
  }

  RingTensor lookup(const Party& party, const RingTensor& index, int index_bits, int columns,
                    std::span<const uint64_t> table, int) override {
    Communicator& comm = party.comm();
    const uint64_t mask = (uint64_t{1} << index_bits) - 1;
    const int64_t n = index.numel();
    auto material = dealer_.lookupMaterial(index_bits, columns, table, index.shape());
    // u = x + r mod 2^k, opened: 2 parties exchange the k-bit shares packed (n·k bits, whole
    // bytes); more parties allReduce words.
    std::vector<uint64_t> u(n);
    for (int64_t e = 0; e < n; ++e) u[e] = (index[e] + material->r[e]) & mask;
    if (comm.worldSize() == 2) {
      detail::BitWriter packed;
      packed.reserve(static_cast<size_t>(n) * static_cast<size_t>(index_bits));
      for (const uint64_t v : u) packed.put(v, index_bits);
      const std::vector<std::byte> mine = packed.bytes();
      std::vector<std::byte> theirs(mine.size());
      comm.exchange(1 - comm.rank(), mine, theirs);
      detail::BitReader other(theirs);
      for (int64_t e = 0; e < n; ++e) u[e] = (u[e] + other.get(index_bits)) & mask;
    } else {
      comm.allReduce(u, ReduceOp::kAdd);
      for (auto& v : u) v &= mask;
    }
    return material->sharesAt(u);  // S_e[u_e] = T[x_e], [n, columns]
  }

  std::unique_ptr<FunctionTableMaterial> functionTables(const Party&, const FunctionTableSpec& spec,
                                                        const Shape& shape) override {
    return dealer_.functionTables(spec, shape);
  }

 private:
  Dealer& dealer_;
};

}  // namespace

WeightKernel::~WeightKernel() = default;
Protocol::~Protocol() = default;

RingTensor Protocol::signBits(const Party&, const RingTensor&, bool) {
  throw NotImplemented("signBits (comparison bits as XOR shares) is not offered by the family '" +
                       name() + "'");
}

RingTensor Protocol::selectBits(const Party&, const RingTensor&, int64_t, const RingTensor&, int) {
  throw NotImplemented(
      "selectBits (a selection by XOR-shared bits) is not offered by the family '" + name() + "'");
}

RingTensor Protocol::selectBitsShifted(const Party&, const RingTensor&, int64_t, const RingTensor&,
                                       std::span<const int>) {
  throw NotImplemented(
      "selectBitsShifted (a selection by XOR-shared bits) is not offered by the family '" + name() +
      "'");
}

std::unique_ptr<Protocol> makeDealerProtocol(Dealer& dealer) {
  return std::make_unique<DealerProtocol>(dealer);
}

}  // namespace sotto
