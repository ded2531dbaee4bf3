#include "mpcot.h"

#include <algorithm>
#include <vector>

#include "ggm.h"
#include "sotto/error.h"

namespace sotto::ot::detail {
namespace {

void checkDepth(int depth) {
  SOTTO_ENFORCE(depth >= 1 && depth <= 24, "MPCOT: tree depth ", depth, " not in [1, 24]");
}

}  // namespace

void mpcotSenderCompute(CrHash& hash, Block delta, int depth, std::span<const Block> q,
                        uint64_t first, uint64_t domain, std::span<Block> v, std::span<Block> msg) {
  checkDepth(depth);
  const size_t h = static_cast<size_t>(depth), leaves = size_t{1} << depth;
  const size_t trees = v.size() / leaves;
  SOTTO_ENFORCE(v.size() == trees * leaves && q.size() == trees * h &&
                    msg.size() == mpcotMessageBlocks(trees, depth),
                "MPCOT sender: ", v.size(), " outputs, ", q.size(), " COTs and a message of ",
                msg.size(), " blocks for trees of depth ", depth);
  std::vector<Block> left(h), scratch;
  for (size_t j = 0; j < trees; ++j) {
    // level 1 = (q_g, q_g ⊕ Δ); c_i = K_0^i ⊕ q_g for i ≥ 2 (g = j·depth + i − 1)
    ggmExpand(hash, q[j * h], delta, depth, Block{first + j * h, domain},
              v.subspan(j * leaves, leaves), left, scratch);
    for (size_t i = 1; i < h; ++i) msg[j * (h - 1) + i - 1] = left[i] ^ q[j * h + i];
  }
}

void mpcotReceiverCompute(CrHash& hash, int depth, std::span<const Block> t,
                          std::span<const uint8_t> b, std::span<const Block> msg, uint64_t first,
                          uint64_t domain, std::span<Block> w, std::span<uint64_t> alphas) {
  checkDepth(depth);
  const size_t h = static_cast<size_t>(depth), leaves = size_t{1} << depth;
  const size_t trees = alphas.size();
  SOTTO_ENFORCE(w.size() == trees * leaves && t.size() == trees * h && b.size() == t.size() &&
                    msg.size() == mpcotMessageBlocks(trees, depth),
                "MPCOT receiver: ", w.size(), " outputs, ", t.size(), " COTs, ", b.size(),
                " choices and a message of ", msg.size(), " blocks for ", trees, " trees of depth ",
                depth);
  std::vector<Block> known(h), scratch;
  for (size_t j = 0; j < trees; ++j) {
    // bit (depth − i) of α_j = 1 ⊕ b_g: the COT gives the side off the path, K_{b_g}^i
    uint64_t alpha = 0;
    for (size_t i = 0; i < h; ++i) alpha = (alpha << 1) | (1 ^ (b[j * h + i] & 1));
    alphas[j] = alpha;
    known[0] = t[j * h];
    for (size_t i = 1; i < h; ++i) known[i] = msg[j * (h - 1) + i - 1] ^ t[j * h + i];
    ggmPuncture(hash, alpha, depth, Block{first + j * h, domain}, known,
                w.subspan(j * leaves, leaves), scratch);
  }
}

void mpcotSend(Communicator& comm, int peer, CrHash& hash, Block delta, int depth,
               std::span<const Block> q, uint64_t first, std::span<Block> v) {
  checkDepth(depth);
  const size_t trees = v.size() >> depth;
  std::vector<Block> msg(mpcotMessageBlocks(trees, depth));
  mpcotSenderCompute(hash, delta, depth, q, first, kMpcotDomain, v, msg);
  if (!msg.empty()) comm.send(peer, std::as_bytes(std::span(msg)));
}

void mpcotRecv(Communicator& comm, int peer, CrHash& hash, int depth, std::span<const Block> t,
               std::span<const uint8_t> b, uint64_t first, std::span<Block> w,
               std::span<uint64_t> alphas) {
  checkDepth(depth);
  std::vector<Block> msg(mpcotMessageBlocks(alphas.size(), depth));
  if (!msg.empty()) comm.recv(peer, std::as_writable_bytes(std::span(msg)));
  mpcotReceiverCompute(hash, depth, t, b, msg, first, kMpcotDomain, w, alphas);
}

}  // namespace sotto::ot::detail
