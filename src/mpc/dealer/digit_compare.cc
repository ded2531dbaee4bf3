#include "digit_compare.h"

#include <algorithm>

#include "sotto/mpc/dealer/dealer.h"

namespace sotto::detail {
namespace {

// XOR-shared bits, 64 per word: a RingTensor of shape [ceil(n / 64)].
using Bits = RingTensor;

// x_j & y_j for XOR-shared packed bits, every pair in one round with one AND triple:
// z = c ^ (d & b) ^ (e & a) (^ d & e on party 0), d = x ^ a and e = y ^ b opened.
std::vector<Bits> andAll(const Party& p, Dealer& dealer,
                         const std::vector<std::pair<Bits, Bits>>& pairs) {
  const int64_t w = pairs.front().first.numel();
  const int64_t k = static_cast<int64_t>(pairs.size());
  const BinaryTriple t = dealer.binaryTriple(k * w);
  auto part = [&](const RingTensor& r, int64_t j) { return r.slice(0, j * w, (j + 1) * w); };
  std::vector<RingTensor> masked;
  for (int64_t j = 0; j < k; ++j) masked.push_back(pairs[j].first ^ part(t.a, j));
  for (int64_t j = 0; j < k; ++j) masked.push_back(pairs[j].second ^ part(t.b, j));
  auto opened = openMixed(p, {}, std::move(masked)).second;
  std::vector<Bits> out;
  for (int64_t j = 0; j < k; ++j) {
    const RingTensor& d = opened[j];
    const RingTensor& e = opened[k + j];
    RingTensor z = part(t.c, j) ^ (d & part(t.b, j)) ^ (e & part(t.a, j));
    if (p.id() == 0) z ^= d & e;
    out.push_back(std::move(z));
  }
  return out;
}

// The XOR-shared (T, E) = ([c_d < r_d], [c_d == r_d]) of every digit of c mod 2^63, from the
// tables L_d: T = L_d[c_d], E = L_d[c_d - 1] ^ L_d[c_d] (1 ^ L_d[0] at c_d = 0; party 0 adds 1).
std::pair<std::vector<Bits>, std::vector<Bits>> lookups(const Party& p, const RingTensor& c,
                                                        const RingTensor& tables,
                                                        CompareDigits digits) {
  const int64_t n = c.numel(), row_words = digits.words();
  const int count = digits.count();
  const uint64_t one = p.id() == 0 ? 1 : 0;
  std::vector<Bits> t(static_cast<size_t>(count), Bits(Shape{(n + 63) / 64}));
  std::vector<Bits> e = t;
  const uint64_t* tab = tables.data().data();
  std::vector<uint64_t> tw(static_cast<size_t>(count)), ew(static_cast<size_t>(count));
  for (int64_t word = 0; word * 64 < n; ++word) {  // 64 elements at a time, bits in registers
    std::fill(tw.begin(), tw.end(), 0);
    std::fill(ew.begin(), ew.end(), 0);
    for (int64_t i = word * 64; i < std::min(n, word * 64 + 64); ++i) {
      const uint64_t* row = tab + i * row_words;
      for (int d = 0; d < count; ++d) {
        const int64_t off = digits.offset(d);
        auto at = [&](uint64_t v) {
          const int64_t b = off + static_cast<int64_t>(v);
          return (row[b / 64] >> (b % 64)) & 1;
        };
        const uint64_t digit = (c[i] >> (digits.bits * d)) & ((uint64_t{1} << digits.width(d)) - 1);
        const uint64_t lt = at(digit);
        tw[static_cast<size_t>(d)] |= lt << (i % 64);
        ew[static_cast<size_t>(d)] |= ((digit == 0 ? one : at(digit - 1)) ^ lt) << (i % 64);
      }
    }
    for (int d = 0; d < count; ++d) {
      t[static_cast<size_t>(d)][word] = tw[static_cast<size_t>(d)];
      e[static_cast<size_t>(d)][word] = ew[static_cast<size_t>(d)];
    }
  }
  return {std::move(t), std::move(e)};
}

// A run of digits as (T, E) = ([run of c < run of r], [equal]); the lowest run's E is never used.
struct Group {
  Bits t, e;
  bool lowest = false;
};

// Combines digit groups pairwise from the lowest, (T, E) = (T_hi ^ E_hi & T_lo, E_hi & E_lo), one
// round of AND gates per level, until two groups are left: (lowest run, the rest).
std::vector<Group> reduceToTwo(const Party& p, Dealer& dealer, std::vector<Group> g) {
  while (g.size() > 2) {
    std::vector<std::pair<Bits, Bits>> pairs;
    for (size_t i = 0; i + 1 < g.size(); i += 2) {
      pairs.emplace_back(g[i + 1].e, g[i].t);
      if (!g[i].lowest) pairs.emplace_back(g[i + 1].e, g[i].e);
    }
    const auto ands = andAll(p, dealer, pairs);
    std::vector<Group> next;
    size_t k = 0;
    for (size_t i = 0; i + 1 < g.size(); i += 2) {
      Group m;
      m.t = g[i + 1].t ^ ands[k++];
      m.lowest = g[i].lowest;
      if (!g[i].lowest) m.e = ands[k++];
      next.push_back(std::move(m));
    }
    if (g.size() % 2 == 1) next.push_back(std::move(g.back()));  // the top group waits a level
    g = std::move(next);
  }
  return g;
}

}  // namespace

std::pair<std::vector<RingTensor>, std::vector<RingTensor>> openMixed(const Party& p,
                                                                      std::vector<RingTensor> add,
                                                                      std::vector<RingTensor> xr) {
  Communicator& comm = p.comm();
  size_t n_add = 0, n_xor = 0;
  for (const auto& t : add) n_add += static_cast<size_t>(t.numel());
  for (const auto& t : xr) n_xor += static_cast<size_t>(t.numel());
  std::vector<uint64_t> buf;
  buf.reserve(n_add + n_xor);
  for (const auto& t : add) buf.insert(buf.end(), t.data().begin(), t.data().end());
  for (const auto& t : xr) buf.insert(buf.end(), t.data().begin(), t.data().end());
  if (comm.worldSize() == 2) {
    std::vector<uint64_t> theirs(buf.size());
    comm.exchange(1 - comm.rank(), std::as_bytes(std::span(buf)),
                  std::as_writable_bytes(std::span(theirs)));
    for (size_t i = 0; i < n_add; ++i) buf[i] += theirs[i];
    for (size_t i = n_add; i < buf.size(); ++i) buf[i] ^= theirs[i];
  } else {
    if (n_add > 0) comm.allReduce(std::span(buf).first(n_add), ReduceOp::kAdd);
    if (n_xor > 0) comm.allReduce(std::span(buf).subspan(n_add), ReduceOp::kXor);
  }
  size_t at = 0;
  for (auto& t : add) {
    std::copy(buf.begin() + at, buf.begin() + at + t.numel(), t.data().begin());
    at += static_cast<size_t>(t.numel());
  }
  for (auto& t : xr) {
    std::copy(buf.begin() + at, buf.begin() + at + t.numel(), t.data().begin());
    at += static_cast<size_t>(t.numel());
  }
  return {std::move(add), std::move(xr)};
}

SignResult signOf(const Party& p, Dealer& dealer, const RingTensor& x, bool nonneg,
                  const RingTensor* values) {
  const int64_t n = x.numel(), w = (n + 63) / 64;
  const CompareTables tab =
      dealer.compareTables(x.shape(), values != nullptr ? values->shape() : Shape{int64_t{0}});
  // Round 1: c = x + r over the whole ring; MSB(x) = c_63 ^ s ^ L, L = [c mod 2^63 < r mod 2^63].
  const RingTensor c = std::move(openTogether(p, {x + tab.r})[0]);
  auto [t, e] = lookups(p, c, tab.tables, tab.digits);
  // Rounds 2 .. (3 for 8 digits, 4 for 16): the digits' groups down to the lowest half and the
  // highest half.
  std::vector<Group> groups;
  for (size_t d = 0; d < t.size(); ++d)
    groups.push_back({std::move(t[d]), std::move(e[d]), d == 0});
  groups = reduceToTwo(p, dealer, std::move(groups));
  const Bits lo_t = groups[0].t, hi_t = groups[1].t, hi_e = groups[1].e;
  // Last round: L = H ^ G·P = H + G·P (H·G = 0) with H, G, P opened under alpha, beta, gamma, and
  // e = v - a for the selected values: the bit and b·v are then linear in the dealer's monomials.
  RingTensor masked = tab.bits;
  for (int64_t k = 0; k < w; ++k) {
    masked[k] ^= hi_t[k];
    masked[w + k] ^= hi_e[k];
    masked[2 * w + k] ^= lo_t[k];
  }
  std::vector<RingTensor> add;
  if (values != nullptr) add.push_back(*values - tab.a);
  auto [sums, xors] = openMixed(p, std::move(add), {std::move(masked)});
  const RingTensor& o = xors[0];
  const uint64_t delta = p.id() == 0 ? 1 : 0;
  const int64_t nv = values != nullptr ? values->numel() : 0, per = n == 0 ? 0 : nv / n;
  SignResult out{RingTensor(x.shape()), RingTensor(values != nullptr ? values->shape() : Shape{})};
  for (int64_t i = 0; i < n; ++i) {
    auto opened = [&](int64_t k) { return (o[k * w + i / 64] >> (i % 64)) & 1; };
    const uint64_t h = opened(0), g = opened(1), q = opened(2), c63 = c[i] >> 63;
    const uint64_t sh = 1 - 2 * h, sg = 1 - 2 * g, sq = 1 - 2 * q, sc = 1 - 2 * c63;
    // L = k0 + sh·alpha + q·sg·beta + g·sq·gamma + sg·sq·beta·gamma, k0 = h + g·q; with s = r_63,
    // sigma = 1 - 2s: s ^ L = k0 + (1 - 2·k0)·s + sigma·(L - k0); b = c_63 + sc·(s ^ L).
    const uint64_t k0 = h + g * q;
    uint64_t m[6] = {c63 + sc * k0, sc * (1 - 2 * k0), sc * sh,
                     sc * q * sg,   sc * g * sq,       sc * sg * sq};
    if (nonneg) {
      m[0] = 1 - m[0];
      for (int k = 1; k < 6; ++k) m[k] = 0 - m[k];
    }
    uint64_t b = delta * m[0];
    for (int k = 0; k < kCompareMonomials; ++k) b += m[k + 1] * tab.mono[k * n + i];
    out.bit[i] = b;
    for (int64_t j = i * per; j < (i + 1) * per; ++j) {
      // b·v = m_0·v + Σ_k m_k·(e·mu_k + a·mu_k)
      uint64_t s = m[0] * (*values)[j];
      for (int k = 0; k < kCompareMonomials; ++k) {
        s += m[k + 1] * (sums[0][j] * tab.mono[k * n + i] + tab.a_mono[k * nv + j]);
      }
      out.selected[j] = s;
    }
  }
  return out;
}

}  // namespace sotto::detail
