// The millionaires' comparison of CrypTFlow2 (Rathee et al., CCS 2020, section 3): 4-bit leaves
// by 1-of-16 OT, then a tree of ANDs on bit triples from random OTs; MSB and DReLU on top.
#include <array>

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
std::vector<BitShares> OtKernels::andShared(std::span<const uint8_t> x,
                                            const std::vector<BitShares>& ys) {
  const size_t m = x.size(), per = ys.size();
  SOTTO_ENFORCE(per >= 1 && per <= 64, "OtKernels::andShared: ", per, " second operands");
  for (const auto& y : ys) {
    SOTTO_ENFORCE(y.size() == m, "OtKernels::andBits: sizes ", m, " and ", y.size());
  }
  const Triples t = bitTriples(m, static_cast<int>(per));
  // d = x ⊕ a, e_j = y_j ⊕ b_j, all opened in one exchange.
  std::vector<uint8_t> de((1 + per) * m);
  for (size_t i = 0; i < m; ++i) de[i] = (x[i] & 1) ^ t.a[i];
  for (size_t j = 0; j < per; ++j) {
    for (size_t i = 0; i < m; ++i) de[(1 + j) * m + i] = (ys[j][i] & 1) ^ t.b[j * m + i];
  }
  const std::vector<std::byte> out = detail::packBits(de);
  std::vector<std::byte> in(out.size());
  comm_.exchange(1 - rank(), out, in);
  const std::vector<uint8_t> theirs = detail::unpackBits(in, de.size());
  std::vector<BitShares> z(per, BitShares(m));
  for (size_t i = 0; i < m; ++i) {
    const uint8_t d = de[i] ^ theirs[i];
    for (size_t j = 0; j < per; ++j) {
      const size_t k = (1 + j) * m + i;
      const uint8_t e = de[k] ^ theirs[k], b = t.b[j * m + i];
      // z_j = c_j ⊕ d·b_j ⊕ e_j·a (⊕ d·e_j on party 0)
      z[j][i] = t.c[j * m + i] ^ (d & b) ^ (e & t.a[i]) ^ (rank() == 0 ? (d & e) : 0);
    }
  }
  return z;
}

BitShares OtKernels::andBits(std::span<const uint8_t> x, std::span<const uint8_t> y) {
  SOTTO_ENFORCE(x.size() == y.size(), "OtKernels::andBits: sizes ", x.size(), " and ", y.size());
  return std::move(andShared(x, {BitShares(y.begin(), y.end())})[0]);
}

BitShares OtKernels::lessThan(std::span<const uint64_t> mine, int bits) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::lessThan: bits = ", bits, " not in [1, 64]");
  const size_t n = mine.size();
  const size_t leaves = (static_cast<size_t>(bits) + 3) / 4;
  // Leaf j of element i is instance j·n + i: (lt, eq) of the 4-bit digits a_j, b_j.
  std::vector<BitShares> lt(leaves, BitShares(n)), eq(leaves, BitShares(n));
  if (rank() == 0) {
    // Party 0 offers, for every digit v party 1 may hold, ([a_j < v] ⊕ r_lt, [a_j = v] ⊕ r_eq).
    std::vector<uint64_t> masks((leaves * n + 31) / 32);
    Prg prg;
    prg.fill(masks);
    std::vector<uint64_t> table(leaves * n * 16);
    for (size_t j = 0; j < leaves; ++j) {
      for (size_t i = 0; i < n; ++i) {
        const size_t inst = j * n + i;
        const uint64_t digit = (lowBits(mine[i], bits) >> (4 * j)) & 15;
        const uint64_t r = (masks[inst / 32] >> (2 * (inst % 32))) & 3;
        lt[j][i] = r & 1;
        eq[j][i] = (r >> 1) & 1;
        for (uint64_t v = 0; v < 16; ++v) {
          const uint64_t entry = uint64_t{digit < v} | (uint64_t{digit == v} << 1);
          table[inst * 16 + v] = entry ^ r;
        }
      }
    }
    send_->oneOfN(table, 4, 2);
  } else {
    std::vector<uint8_t> choices(leaves * n);
    for (size_t j = 0; j < leaves; ++j) {
      for (size_t i = 0; i < n; ++i) {
        choices[j * n + i] = static_cast<uint8_t>((lowBits(mine[i], bits) >> (4 * j)) & 15);
      }
    }
    const std::vector<uint64_t> got = recv_->oneOfN(choices, 4, 2);
    for (size_t j = 0; j < leaves; ++j) {
      for (size_t i = 0; i < n; ++i) {
        lt[j][i] = got[j * n + i] & 1;
        eq[j][i] = (got[j * n + i] >> 1) & 1;
      }
    }
  }
  // The tree, one AND level per round: node k of the next level combines high 2k + 1 and low 2k:
  // lt = lt_H ⊕ eq_H·lt_L, eq = eq_H·eq_L (lt_H and eq_H·lt_L never both hold, so ⊕ is ∨); both
  // products share eq_H, so one triple (a; b1, b2) serves them. The last level needs lt only.
  while (lt.size() > 1) {
    const size_t nodes = lt.size(), pairs = nodes / 2;
    const bool last = nodes == 2;
    BitShares x;
    std::vector<BitShares> ys(last ? 1 : 2);
    x.reserve(pairs * n);
    for (auto& y : ys) y.reserve(pairs * n);
    for (size_t k = 0; k < pairs; ++k) {
      x.insert(x.end(), eq[2 * k + 1].begin(), eq[2 * k + 1].end());
      ys[0].insert(ys[0].end(), lt[2 * k].begin(), lt[2 * k].end());
      if (!last) ys[1].insert(ys[1].end(), eq[2 * k].begin(), eq[2 * k].end());
    }
    const std::vector<BitShares> z = andShared(x, ys);
    std::vector<BitShares> lt2((nodes + 1) / 2, BitShares(n)), eq2((nodes + 1) / 2, BitShares(n));
    for (size_t k = 0; k < pairs; ++k) {
      for (size_t i = 0; i < n; ++i) {
        lt2[k][i] = lt[2 * k + 1][i] ^ z[0][k * n + i];
        if (!last) eq2[k][i] = z[1][k * n + i];
      }
    }
    if (nodes % 2 == 1) {
      lt2.back() = std::move(lt.back());
      eq2.back() = std::move(eq.back());
    }
    lt = std::move(lt2);
    eq = std::move(eq2);
  }
  return std::move(lt[0]);
}

BitShares OtKernels::msb(std::span<const uint64_t> x) {
  constexpr uint64_t kLow63 = (uint64_t{1} << 63) - 1;
  // carry into bit 63 of x0 + x1 = [2^63 − 1 − low63(x0) < low63(x1)]
  std::vector<uint64_t> mine(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    mine[i] = rank() == 0 ? kLow63 - (x[i] & kLow63) : (x[i] & kLow63);
  }
  BitShares carry = lessThan(mine, 63);
  for (size_t i = 0; i < x.size(); ++i) carry[i] ^= static_cast<uint8_t>(x[i] >> 63);
  return carry;
}

BitShares OtKernels::drelu(std::span<const uint64_t> x) {
  BitShares b = msb(x);
  if (rank() == 0) {
    for (auto& v : b) v ^= 1;
  }
  return b;
}

}  // namespace sotto
