// Cheetah's coefficient-encoded matrix product (sotto/mpc/ot/he_matmul.h).
#include "sotto/mpc/ot/he_matmul.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include "he_linear_core.h"
#include "sotto/error.h"
#include "sotto/he/evaluator.h"

namespace sotto {

struct HeMatmul::State {
  std::shared_ptr<HeSession> session;
  detail::HeLinearCore* core = nullptr;
  // Party 0: the weight polynomials in NTT form per (kb, nb) of the last call, kept for the next
  // call of the same shape and weights (a copy compared).
  size_t m = 0, k = 0, n = 0;
  std::vector<uint64_t> weights;
  std::vector<he::PlainMultiplier> wpoly;
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

HeMatmul::HeMatmul(Communicator& comm, bool trim_download, const HeRingOptions& ring)
    : HeMatmul(std::make_shared<HeSession>(comm, trim_download, ring)) {}

HeMatmul::HeMatmul(std::shared_ptr<HeSession> session) : st_(std::make_unique<State>()) {
  SOTTO_ENFORCE(session != nullptr, "HeMatmul: no session");
  st_->session = std::move(session);
  st_->core = &st_->session->core();
}

HeMatmul::~HeMatmul() = default;

size_t HeMatmul::uploadCiphertextBytes() const { return st_->core->uploadBytes(); }
size_t HeMatmul::downloadCiphertextBytes() const { return returnedCiphertextBytes(0); }
size_t HeMatmul::returnedCiphertextBytes(size_t outputs) const {
  return st_->core->returnedBytes(outputs);
}
size_t HeMatmul::outputLevel() const { return st_->core->outLevel(); }
uint64_t HeMatmul::weightEncodings() const { return st_->core->weightEncodings(); }
const std::vector<std::vector<uint64_t>>& HeMatmul::lastDecryptions() const {
  return st_->core->lastDecryptions();
}
const std::vector<double>& HeMatmul::lastNoiseBudgets() const {
  return st_->core->lastNoiseBudgets();
}

HeMatmulBlocks HeMatmul::blocks(size_t m, size_t k, size_t n) const {
  return chooseHeMatmulBlocks(m, k, n, st_->core->ringDegree(), uploadCiphertextBytes(),
                              downloadCiphertextBytes());
}

void HeMatmul::checkWeights(std::span<const uint64_t> w, size_t k, size_t n) const {
  if (!st_->core->owner()) return;
  SOTTO_ENFORCE(w.size() == k * n, "HeMatmul: the weights have ", w.size(), " elements, [", k, ", ",
                n, "] needs ", k * n);
  std::ostringstream layer;
  layer << "HeMatmul [" << k << ", " << n << "] weights";
  st_->core->checkWeightBound(w, layer.str());
}

// Weight polynomials per (kb, nb): coefficient i·k_w + k_w − 1 − j holds W[j][i]; made again only
// for another shape or other weights (party 0).
void HeMatmul::encodeWeights(std::span<const uint64_t> w, size_t m, size_t k, size_t n,
                             const HeMatmulBlocks& b) {
  State& st = *st_;
  if (!st.wpoly.empty() && st.m == m && st.k == k && st.n == n && std::ranges::equal(st.weights, w))
    return;
  st.m = m, st.k = k, st.n = n;
  st.weights.assign(w.begin(), w.end());
  st.wpoly.clear();
  st.wpoly.reserve(b.k_blocks * b.n_blocks);
  const size_t kw = b.k_w, nw = b.n_w;
  std::vector<uint64_t> poly(st.core->ringDegree());
  for (size_t kb = 0; kb < b.k_blocks; ++kb) {
    for (size_t nb = 0; nb < b.n_blocks; ++nb) {
      std::fill(poly.begin(), poly.end(), 0);
      for (size_t i = 0; i < nw && nb * nw + i < n; ++i)
        for (size_t j = 0; j < kw && kb * kw + j < k; ++j)
          poly[i * kw + kw - 1 - j] = w[(kb * kw + j) * n + nb * nw + i];
      st.wpoly.push_back(st.core->encodeWeight(poly));
    }
  }
}

void HeMatmul::prepare(std::span<const uint64_t> w, size_t m, size_t k, size_t n) {
  const HeMatmulBlocks b = blocks(m, k, n);  // checks for a 0 dimension
  checkWeights(w, k, n);
  if (st_->core->owner()) encodeWeights(w, m, k, n, b);
}

std::vector<uint64_t> HeMatmul::multiply(std::span<const uint64_t> x_share,
                                         std::span<const uint64_t> w, size_t m, size_t k,
                                         size_t n) {
  detail::HeLinearCore& core = *st_->core;
  core.setName("HeMatmul");
  core.keepView(keep_view_);
  const size_t big_n = core.ringDegree();
  const HeMatmulBlocks b = blocks(m, k, n);
  SOTTO_ENFORCE(x_share.size() == m * k, "HeMatmul: the input share has ", x_share.size(),
                " elements, [", m, ", ", k, "] needs ", m * k);
  checkWeights(w, k, n);
  const size_t mw = b.m_w, kw = b.k_w, nw = b.n_w;
  // Output (r, i) of block (mb, nb) sits at coefficient r·k_w·n_w + i·k_w + k_w − 1; reads[idx]
  // lists them r-major, outputs[idx] the matching indices of y.
  std::vector<std::vector<size_t>> reads(b.outputCiphertexts()), outputs(b.outputCiphertexts());
  for (size_t mb = 0; mb < b.m_blocks; ++mb)
    for (size_t nb = 0; nb < b.n_blocks; ++nb)
      for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
        for (size_t i = 0; i < nw && nb * nw + i < n; ++i) {
          reads[mb * b.n_blocks + nb].push_back(r * kw * nw + i * kw + kw - 1);
          outputs[mb * b.n_blocks + nb].push_back((mb * mw + r) * n + nb * nw + i);
        }
  std::vector<uint64_t> y(m * n, 0);

  if (!core.owner()) {
    // Party 1: x̂ holds X1[r][j] at coefficient r·k_w·n_w + j.  // y1 = X1·W + R
    std::vector<std::vector<uint64_t>> polys;
    polys.reserve(b.inputCiphertexts());
    for (size_t mb = 0; mb < b.m_blocks; ++mb)
      for (size_t kb = 0; kb < b.k_blocks; ++kb) {
        std::vector<uint64_t>& poly = polys.emplace_back(big_n, 0);
        for (size_t r = 0; r < mw && mb * mw + r < m; ++r)
          for (size_t j = 0; j < kw && kb * kw + j < k; ++j)
            poly[r * kw * nw + j] = x_share[(mb * mw + r) * k + kb * kw + j];
      }
    core.sendInputs(polys);
    const std::vector<std::vector<uint64_t>> got = core.receiveOutputs(reads);
    for (size_t idx = 0; idx < got.size(); ++idx)
      for (size_t j = 0; j < got[idx].size(); ++j) y[outputs[idx][j]] = got[idx][j];
    return y;  // Dec reduces mod 2^ℓ
  }

  // Party 0.  // y0 = X0·W − R
  std::ostringstream shape;
  shape << "[" << m << ", " << k << "] x [" << k << ", " << n << "]";
  const int f = core.floodBits(b.k_blocks, shape.str());
  const std::vector<he::Ciphertext> in = core.receiveInputs(b.inputCiphertexts());
  encodeWeights(w, m, k, n, b);
  const std::vector<he::PlainMultiplier>& wpoly = st_->wpoly;
  // Own share's contribution in the clear.
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < k; ++j) {
      const uint64_t x = x_share[r * k + j];
      if (x == 0) continue;
      for (size_t i = 0; i < n; ++i) y[r * n + i] += x * w[j * n + i];
    }
  std::vector<std::byte> download;
  for (size_t mb = 0; mb < b.m_blocks; ++mb) {
    for (size_t nb = 0; nb < b.n_blocks; ++nb) {
      const size_t idx = mb * b.n_blocks + nb;
      he::Ciphertext acc;
      for (size_t kb = 0; kb < b.k_blocks; ++kb)
        he::multiplyPlainAccumulate(core.ctx(), acc, in[mb * b.k_blocks + kb],
                                    wpoly[kb * b.n_blocks + nb]);
      const std::vector<uint64_t> r = core.respond(std::move(acc), reads[idx], f, download);
      for (size_t j = 0; j < r.size(); ++j) y[outputs[idx][j]] -= r[j];
    }
  }
  core.sendOutputs(download);
  for (uint64_t& v : y) v &= core.plainMask();
  return y;
}

}  // namespace sotto
