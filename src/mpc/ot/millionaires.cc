// The millionaires' comparison of CrypTFlow2 (Rathee et al., CCS 2020, section 3): m-bit leaves
// by 1-of-2^m OT, then a tree of ANDs on bit triples from random OTs; MSB and DReLU on top.
#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

#include "bit_stream.h"
#include "sotto/crypto/prg.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

using detail::lowBits;

// XOR-shared bit triples sharing their first operand: c_j = a ∧ b_j for j < per (per ≤ 64),
// m of each; b and c hold b_j and c_j of triple i at j·m + i.
struct OtKernels::Triples {
  BitShares a, b, c;
};

// One random OT per triple and direction: with party p the sender (m0, m1) and party q the
// receiver (choice a_q, m_{a_q}), bit_j(m0) ⊕ bit_j(m_{a_q}) = a_q·b_{p,j} for b_{p,j} =
// bit_j(m0 ⊕ m1). So c_{p,j} = a_p·b_{p,j} ⊕ bit_j(m0 of p's sends) ⊕ bit_j(m_{a_p} of p's
// receives) sums to (a0 ⊕ a1)(b_{0,j} ⊕ b_{1,j}).
OtKernels::Triples OtKernels::bitTriples(size_t m, int per) {
  Triples t;
  const size_t np = static_cast<size_t>(per);
  t.a.resize(m);
  t.b.resize(np * m);
  t.c.resize(np * m);
  auto [sent, got] = randomOtsBothWays(m);
  for (size_t i = 0; i < m; ++i) {
    t.a[i] = got.choices[i] & 1;
    for (size_t j = 0; j < np; ++j) {
      const uint8_t m0 = (sent[i][0].lo >> j) & 1, m1 = (sent[i][1].lo >> j) & 1;
      const uint8_t b = m0 ^ m1;
      t.b[j * m + i] = b;
      t.c[j * m + i] = static_cast<uint8_t>((t.a[i] & b) ^ m0 ^ ((got.blocks[i].lo >> j) & 1));
    }
  }
  return t;
}

// x ∧ y_j for every j with one triple (a; b_j; c_j) per element: d = x ⊕ a is opened once.
// y_j may be shorter than x: it pairs with x's first |y_j| elements (the rest open no e_j).
std::vector<BitShares> OtKernels::andShared(std::span<const uint8_t> x,
                                            const std::vector<BitShares>& ys) {
  const size_t m = x.size(), per = ys.size();
  SOTTO_ENFORCE(per >= 1 && per <= 64, "OtKernels::andShared: ", per, " second operands");
  std::vector<size_t> at(per + 1, m);  // e_j of element i opened at at[j] + i
  for (size_t j = 0; j < per; ++j) {
    SOTTO_ENFORCE(ys[j].size() <= m, "OtKernels::andBits: sizes ", m, " and ", ys[j].size());
    at[j + 1] = at[j] + ys[j].size();
  }
  const Triples t = bitTriples(m, static_cast<int>(per));
  // d = x ⊕ a, e_j = y_j ⊕ b_j, all opened in one exchange.
  std::vector<uint8_t> de(at[per]);
  for (size_t i = 0; i < m; ++i) de[i] = (x[i] & 1) ^ t.a[i];
  for (size_t j = 0; j < per; ++j) {
    for (size_t i = 0; i < ys[j].size(); ++i) de[at[j] + i] = (ys[j][i] & 1) ^ t.b[j * m + i];
  }
  const std::vector<std::byte> out = detail::packBits(de);
  std::vector<std::byte> in(out.size());
  comm_.exchange(1 - rank(), out, in);
  const std::vector<uint8_t> theirs = detail::unpackBits(in, de.size());
  std::vector<BitShares> z(per);
  for (size_t j = 0; j < per; ++j) {
    z[j].resize(ys[j].size());
    for (size_t i = 0; i < ys[j].size(); ++i) {
      const uint8_t d = de[i] ^ theirs[i], e = de[at[j] + i] ^ theirs[at[j] + i];
      // z_j = c_j ⊕ d·b_j ⊕ e_j·a (⊕ d·e_j on party 0)
      z[j][i] = t.c[j * m + i] ^ (d & t.b[j * m + i]) ^ (e & t.a[i]) ^ (rank() == 0 ? (d & e) : 0);
    }
  }
  return z;
}

BitShares OtKernels::andBits(std::span<const uint8_t> x, std::span<const uint8_t> y) {
  SOTTO_ENFORCE(x.size() == y.size(), "OtKernels::andBits: sizes ", x.size(), " and ", y.size());
  return std::move(andShared(x, {BitShares(y.begin(), y.end())})[0]);
}

namespace {

// A node of the comparison tree: XOR shares of [a < b] and [a = b] on its digits; eq stays empty
// where no later merge reads it (node 0 of every level, the prefix's last merge).
struct Node {
  BitShares lt, eq;
};

// One merge, H the more significant node: lt = lt_H ⊕ eq_H·lt_L, and eq = eq_H·eq_L if wanted.
struct Merge {
  const Node* high;
  const Node* low;
  bool want_eq;
};

}  // namespace

OtKernels::LeafPlan OtKernels::leafPlan(int bits, int split, int leaf_bits) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::lessThan: bits = ", bits, " not in [1, 64]");
  SOTTO_ENFORCE(leaf_bits >= 1 && leaf_bits <= 4, "OtKernels::lessThan: leaf_bits = ", leaf_bits,
                " not in [1, 4]");
  SOTTO_ENFORCE(split >= 0 && split < bits, "OtKernels: split ", split, " not in [0, ", bits, ")");
  LeafPlan plan;
  // [from, to) in leaves of leaf_bits; the top one takes the remainder r if leaf_bits + r ≤ 4
  // (one leaf fewer: cheaper, and a level less where it counts), else is r bits wide.
  auto cover = [&](int from, int to) {
    const int span = to - from, r = span % leaf_bits;
    const bool widen = r > 0 && span > leaf_bits && leaf_bits + r <= 4;
    for (int o = from; o < to;) {
      const int w = widen && to - o == leaf_bits + r ? leaf_bits + r : std::min(leaf_bits, to - o);
      plan.offsets.push_back(o);
      plan.widths.push_back(w);
      o += w;
    }
  };
  cover(0, split);
  plan.prefix_leaves = plan.offsets.size();
  cover(split, bits);
  return plan;
}

OtKernels::Comparison OtKernels::compare(std::span<const uint64_t> mine, int bits, int split,
                                         int leaf_bits) {
  const size_t n = mine.size();
  const LeafPlan plan = leafPlan(bits, split, leaf_bits);
  if (n == 0) return {};  // both parties: no OT, no exchange (the tree's merges index its bits)
  const size_t leaves = plan.offsets.size();
  auto digit = [&](size_t j, uint64_t v) {
    return (lowBits(v, bits) >> plan.offsets[j]) & ((uint64_t{1} << plan.widths[j]) - 1);
  };
  // Leaf j of element i is instance j·n + i: a 1-of-2^w_j OT (w_j its digit width) giving
  // (lt, eq) of the digits a_j, b_j; leaf 0's eq is never read (node 0), so it gives lt alone.
  std::vector<ot::OneOfNShape> shapes(leaves * n);
  for (size_t j = 0; j < leaves; ++j) {
    std::fill_n(shapes.begin() + static_cast<std::ptrdiff_t>(j * n), n,
                ot::OneOfNShape{plan.widths[j], j == 0 ? 1 : 2});
  }
  std::vector<Node> nodes(leaves, Node{BitShares(n), BitShares(n)});
  if (rank() == 0) {
    // Party 0 offers, for every digit v party 1 may hold, ([a_j < v] ⊕ r_lt, [a_j = v] ⊕ r_eq).
    std::vector<uint64_t> masks((leaves * n + 31) / 32);
    Prg prg;
    prg.fill(masks);
    std::vector<uint64_t> table;
    size_t entries = 0;
    for (int w : plan.widths) entries += (size_t{1} << w) * n;
    table.reserve(entries);
    for (size_t j = 0; j < leaves; ++j) {
      for (size_t i = 0; i < n; ++i) {
        const size_t inst = j * n + i;
        const uint64_t a = digit(j, mine[i]);
        const uint64_t r = (masks[inst / 32] >> (2 * (inst % 32))) & 3;
        nodes[j].lt[i] = r & 1;
        nodes[j].eq[i] = (r >> 1) & 1;
        for (uint64_t v = 0; v < (uint64_t{1} << plan.widths[j]); ++v) {
          table.push_back((uint64_t{a < v} | (uint64_t{a == v} << 1)) ^ r);
        }
      }
    }
    send_->oneOfN(table, shapes);
  } else {
    std::vector<uint8_t> choices(leaves * n);
    for (size_t j = 0; j < leaves; ++j) {
      for (size_t i = 0; i < n; ++i) choices[j * n + i] = static_cast<uint8_t>(digit(j, mine[i]));
    }
    const std::vector<uint64_t> got = recv_->oneOfN(choices, shapes);
    for (size_t j = 0; j < leaves; ++j) {
      for (size_t i = 0; i < n; ++i) {
        nodes[j].lt[i] = got[j * n + i] & 1;
        nodes[j].eq[i] = (got[j * n + i] >> 1) & 1;
      }
    }
  }
  // Every merge of a round on one triple (a; b1, b2) each, in one exchange (both products share
  // eq_H); the merges wanting eq come first, so the eq_L operands cover a prefix (andShared).
  auto mergeAll = [&](const std::vector<Merge>& merges) {
    BitShares x;
    std::vector<BitShares> ys(2);
    for (const Merge& m : merges) {
      x.insert(x.end(), m.high->eq.begin(), m.high->eq.end());
      ys[0].insert(ys[0].end(), m.low->lt.begin(), m.low->lt.end());
      if (m.want_eq) ys[1].insert(ys[1].end(), m.low->eq.begin(), m.low->eq.end());
    }
    if (ys[1].empty()) ys.pop_back();
    const std::vector<BitShares> z = andShared(x, ys);
    std::vector<Node> out(merges.size());
    for (size_t k = 0; k < merges.size(); ++k) {
      out[k].lt.resize(n);
      for (size_t i = 0; i < n; ++i) out[k].lt[i] = merges[k].high->lt[i] ^ z[0][k * n + i];
      if (merges[k].want_eq) out[k].eq.assign(z[1].begin() + k * n, z[1].begin() + (k + 1) * n);
    }
    return out;
  };
  // The tree, one AND level per round: node k of level r + 1 merges nodes 2k + 1 (H) and 2k (L)
  // of level r; an odd last node moves up as it is. lt_H and eq_H·lt_L never both hold, so ⊕ is
  // ∨. Node 0 of a level (the lowest spine) is only ever an L or the root: no eq.
  // The prefix, leaves [0, P), is the blocks of P's set bits, bit r's a node of level r at index
  // (P >> (r + 1)) << 1 (its eq made, as the index is ≥ 2, unless it is the top bit's block 0).
  // They merge from the lowest bit (the most significant block, acc = H) up, bit r's in the round
  // that makes level r + 1: no extra round, as P < leaves.
  const size_t prefix = plan.prefix_leaves;
  std::optional<Node> acc;
  for (size_t r = 0; nodes.size() > 1; ++r) {
    const size_t count = nodes.size(), pairs = count / 2, block = (prefix >> (r + 1)) << 1;
    const bool bit = (prefix >> r) & 1, more = (prefix >> (r + 1)) != 0;
    const bool prefix_merge = bit && acc.has_value();
    if (bit && !acc) acc = Node{nodes[block].lt, more ? nodes[block].eq : BitShares{}};
    std::vector<Merge> merges;
    for (size_t k = 1; k < pairs; ++k) merges.push_back({&nodes[2 * k + 1], &nodes[2 * k], true});
    const Merge onto_prefix{prefix_merge ? &*acc : nullptr, &nodes[block], more};
    if (prefix_merge && more) merges.push_back(onto_prefix);
    const size_t spine = merges.size();
    merges.push_back({&nodes[1], &nodes[0], false});
    if (prefix_merge && !more) merges.push_back(onto_prefix);
    std::vector<Node> merged = mergeAll(merges);
    std::vector<Node> next(count - pairs);
    for (size_t k = 1; k < pairs; ++k) next[k] = std::move(merged[k - 1]);
    next[0] = std::move(merged[spine]);
    if (count % 2 == 1) next.back() = std::move(nodes.back());
    if (prefix_merge) acc = std::move(merged[more ? spine - 1 : spine + 1]);
    nodes = std::move(next);
  }
  Comparison out;
  out.lt = std::move(nodes[0].lt);
  if (acc) out.prefix_lt = std::move(acc->lt);
  return out;
}

BitShares OtKernels::lessThan(std::span<const uint64_t> mine, int bits, int leaf_bits) {
  return compare(mine, bits, 0, leaf_bits).lt;
}

BitShares OtKernels::msb(std::span<const uint64_t> x, int bits) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::msb: bits = ", bits, " not in [1, 64]");
  const int low = bits - 1;  // the bits below the sign bit
  const uint64_t top = (uint64_t{1} << low) - 1;
  // carry into bit ℓ − 1 of x0 + x1 = [2^(ℓ−1) − 1 − low(x0) < low(x1)] (none if ℓ = 1)
  BitShares carry(x.size());
  if (low > 0) {
    std::vector<uint64_t> mine(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      mine[i] = rank() == 0 ? top - (x[i] & top) : (x[i] & top);
    }
    carry = lessThan(mine, low);
  }
  for (size_t i = 0; i < x.size(); ++i) carry[i] ^= static_cast<uint8_t>((x[i] >> low) & 1);
  return carry;
}

BitShares OtKernels::drelu(std::span<const uint64_t> x, int bits) {
  BitShares b = msb(x, bits);
  if (rank() == 0) {
    for (auto& v : b) v ^= 1;
  }
  return b;
}

}  // namespace sotto
