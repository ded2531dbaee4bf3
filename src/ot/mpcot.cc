#include "mpcot.h"

#include <algorithm>
#include <array>
#include <vector>

#include "bit_pack.h"
#include "ggm.h"
#include "sotto/crypto/prg.h"
#include "sotto/error.h"

namespace sotto::ot::detail {
namespace {

void checkDepth(int depth) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "MPCOT: tree depth ", depth, " not in [1, 24]");
}

}  // namespace

void mpcotSend(Communicator& comm, int peer, CrHash& hash, Block delta, int depth,
               std::span<const Block> q, uint64_t first, std::span<Block> v) {
  checkDepth(depth);
  const size_t h = static_cast<size_t>(depth), leaves = size_t{1} << depth;
  const size_t trees = v.size() / leaves;
  SOTTO_ENFORCE(v.size() == trees * leaves && q.size() == trees * h, "MPCOT sender: ", v.size(),
                " outputs and ", q.size(), " COTs for trees of depth ", depth);
  if (trees == 0) return;
  std::vector<std::byte> packed((trees * h + 7) / 8);
  comm.recv(peer, packed);
  std::vector<uint8_t> d(trees * h);
  unpackChoices(packed, d);
  // m_s = H(q_i ⊕ s·Δ, (first + i, kMpcotDomain)), s = 0, 1
  std::vector<Block> m0(q.size()), m1(q.size());
  for (size_t i = 0; i < q.size(); ++i) m1[i] = q[i] ^ delta;
  hash.hashSeq(q, first, kMpcotDomain, m0);
  hash.hashSeq(m1, first, kMpcotDomain, m1);

  std::vector<Block> msg(trees * (2 * h + 1)), tree;
  std::vector<std::array<Block, 2>> sums;
  std::vector<Block> seeds(trees);
  Prg().fill(std::as_writable_bytes(std::span(seeds)));
  for (size_t j = 0; j < trees; ++j) {
    ggmExpand(hash, seeds[j], depth, tree, sums);
    Block* out = msg.data() + j * (2 * h + 1);
    // M_s^i = K_s^i ⊕ m_{s ⊕ d_i}; c = Δ ⊕ ⊕_k v_k
    for (size_t i = 0; i < h; ++i) {
      const size_t g = j * h + i;
      out[2 * i] = sums[i][0] ^ (d[g] ? m1[g] : m0[g]);
      out[2 * i + 1] = sums[i][1] ^ (d[g] ? m0[g] : m1[g]);
    }
    Block c = delta;
    for (const Block& x : tree) c ^= x;
    out[2 * h] = c;
    std::copy(tree.begin(), tree.end(), v.begin() + static_cast<std::ptrdiff_t>(j * leaves));
  }
  comm.send(peer, std::as_bytes(std::span(msg)));
}

void mpcotRecv(Communicator& comm, int peer, CrHash& hash, int depth,
               std::span<const uint64_t> alphas, std::span<const Block> t,
               std::span<const uint8_t> b, uint64_t first, std::span<Block> w) {
  checkDepth(depth);
  const size_t h = static_cast<size_t>(depth), leaves = size_t{1} << depth;
  const size_t trees = alphas.size();
  SOTTO_ENFORCE(w.size() == trees * leaves && t.size() == trees * h && b.size() == t.size(),
                "MPCOT receiver: ", w.size(), " outputs, ", t.size(), " COTs and ", b.size(),
                " choices for ", trees, " trees of depth ", depth);
  if (trees == 0) return;
  // tree j's level i (1-based) is chosen off α_j's path: r = NOT bit (depth − i) of α_j
  std::vector<uint8_t> r(trees * h), d(trees * h);
  for (size_t j = 0; j < trees; ++j) {
    SOTTO_ENFORCE(alphas[j] < leaves, "MPCOT receiver: point ", alphas[j], " of bin ", j,
                  " not below 2^", depth);
    for (size_t i = 0; i < h; ++i) r[j * h + i] = 1 ^ ((alphas[j] >> (h - 1 - i)) & 1);
  }
  for (size_t i = 0; i < r.size(); ++i) d[i] = r[i] ^ (b[i] & 1);
  comm.send(peer, packChoices(d));
  std::vector<Block> pad(t.size());
  hash.hashSeq(t, first, kMpcotDomain, pad);  // = m_{b_i}
  std::vector<Block> msg(trees * (2 * h + 1));
  comm.recv(peer, std::as_writable_bytes(std::span(msg)));

  std::vector<Block> known(h), tree;
  for (size_t j = 0; j < trees; ++j) {
    const Block* in = msg.data() + j * (2 * h + 1);
    for (size_t i = 0; i < h; ++i) known[i] = in[2 * i + r[j * h + i]] ^ pad[j * h + i];
    ggmPuncture(hash, alphas[j], depth, known, tree);
    // w_α = c ⊕ ⊕_{k ≠ α} w_k = v_α ⊕ Δ
    Block sum = in[2 * h];
    for (const Block& x : tree) sum ^= x;
    tree[alphas[j]] = sum;
    std::copy(tree.begin(), tree.end(), w.begin() + static_cast<std::ptrdiff_t>(j * leaves));
  }
}

}  // namespace sotto::ot::detail
