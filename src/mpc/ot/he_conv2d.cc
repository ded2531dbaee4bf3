// Cheetah's coefficient-encoded convolution (sotto/mpc/ot/he_conv2d.h).
#include "sotto/mpc/ot/he_conv2d.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include "he_linear_core.h"
#include "sotto/error.h"
#include "sotto/he/evaluator.h"

namespace sotto {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string layerName(const Shape& input, const Shape& weight, const Conv2dOptions& o) {
  std::ostringstream s;
  s << "conv " << input << " * " << weight << " (stride " << o.stride[0] << "x" << o.stride[1]
    << ", pad " << o.padding[0] << "x" << o.padding[1] << ", dilation " << o.dilation[0] << "x"
    << o.dilation[1] << ", groups " << o.groups << ")";
  return s.str();
}

// Channel blocks holding a channel of some output channel of output block ob: the products
// that output block sums (the others have an all-zero kernel block and are skipped).
std::vector<int64_t> channelBlocksOf(const HeConv2dPlan& p, int64_t ob) {
  const int64_t cg = p.weight.dim(1), og = p.weight.dim(0) / p.options.groups;
  const int64_t o_first = ob * p.o_w, o_last = std::min(p.weight.dim(0), o_first + p.o_w) - 1;
  const int64_t c_first = (o_first / og) * cg, c_last = (o_last / og) * cg + cg - 1;
  std::vector<int64_t> blocks;
  for (int64_t cb = c_first / p.c_w; cb <= c_last / p.c_w; ++cb) {
    // A block is used iff the channels of one of ob's groups meet it.
    for (int64_t g = o_first / og; g <= o_last / og; ++g) {
      if (g * cg <= (cb + 1) * p.c_w - 1 && (g + 1) * cg - 1 >= cb * p.c_w) {
        blocks.push_back(cb);
        break;
      }
    }
  }
  return blocks;
}

}  // namespace

HeConv2dPlan planHeConv2d(const Shape& input, const Shape& weight, const Conv2dOptions& options,
                          size_t n_ring, size_t up_bytes, size_t down_bytes) {
  HeConv2dPlan p;
  p.output = conv2dOutputShape(input, weight, options);  // validates the shapes
  p.input = input;
  p.weight = weight;
  p.options = options;
  const int64_t c = input.dim(1), o = weight.dim(0);
  p.padded_h = input.dim(2) + 2 * options.padding[0];
  p.padded_w = input.dim(3) + 2 * options.padding[1];
  p.kernel_h = options.dilation[0] * (weight.dim(2) - 1) + 1;
  p.kernel_w = options.dilation[1] * (weight.dim(3) - 1) + 1;
  p.dense_h = p.padded_h - p.kernel_h + 1;
  p.dense_w = p.padded_w - p.kernel_w + 1;
  const auto big_n = static_cast<int64_t>(n_ring);
  SOTTO_ENFORCE(p.kernel_h * p.kernel_w <= big_n, "HeConv2d: ", layerName(input, weight, options),
                " does not fit N = ", big_n, ": one dilated kernel window of ", p.kernel_h, "x",
                p.kernel_w, " needs more coefficients");
  size_t best_bytes = std::numeric_limits<size_t>::max();
  int64_t best_products = 0;
  for (int64_t hw = p.kernel_h; hw <= p.padded_h; ++hw) {
    for (int64_t ww = p.kernel_w; ww <= p.padded_w && hw * ww <= big_n; ++ww) {
      const int64_t s =
          ceilDiv(p.dense_h, hw - p.kernel_h + 1) * ceilDiv(p.dense_w, ww - p.kernel_w + 1);
      for (int64_t cw = 1; cw <= std::min(c, big_n / (hw * ww)); ++cw) {
        const int64_t ow = std::min(o, big_n / (hw * ww * cw));
        const int64_t cb = ceilDiv(c, cw), ob = ceilDiv(o, ow);
        const size_t bytes =
            static_cast<size_t>(cb * s) * up_bytes + static_cast<size_t>(ob * s) * down_bytes;
        const int64_t products = cb * s * ob;
        if (bytes < best_bytes || (bytes == best_bytes && products < best_products)) {
          best_bytes = bytes;
          best_products = products;
          p.c_w = cw;
          p.o_w = ow;
          p.h_w = hw;
          p.w_w = ww;
        }
      }
    }
  }
  p.c_blocks = ceilDiv(c, p.c_w);
  p.o_blocks = ceilDiv(o, p.o_w);
  p.h_blocks = ceilDiv(p.dense_h, p.denseRowsPerBlock());
  p.w_blocks = ceilDiv(p.dense_w, p.denseColsPerBlock());
  for (int64_t ob = 0; ob < p.o_blocks; ++ob)
    p.terms = std::max(p.terms, static_cast<int64_t>(channelBlocksOf(p, ob).size()));
  return p;
}

// Party 0's kernel in the products' form: per output block, its (channel block, multiplier in
// NTT form) pairs, with a copy of the kernel they encode (compared at each call). It depends on
// the per-image packing only, so layers that differ in the batch alone may share one.
struct HeConv2d::KernelEncoding {
  RingTensor kernel;
  std::vector<std::vector<std::pair<int64_t, he::PlainMultiplier>>> polys;
};

struct HeConv2d::State {
  std::shared_ptr<HeSession> session;
  detail::HeLinearCore* core = nullptr;
  HeConv2dPlan plan;
  int flood_bits = 0;
  // Per returned ciphertext, in the order (o, image, h block, w block): the coefficients read
  // and the output elements they hold.
  std::vector<std::vector<size_t>> reads, outputs;
  // Party 0: the kernel's encoding, made at prepare or the first forward and again only for a
  // different kernel; shared with the layer at another batch size (shareKernel).
  std::shared_ptr<const KernelEncoding> encoded;
};

HeConv2d::HeConv2d(Communicator& comm, const Shape& input, const Shape& weight,
                   const Conv2dOptions& options, bool trim_download, const HeRingOptions& ring)
    : st_(std::make_unique<State>()) {
  st_->session.reset(new HeSession(comm, trim_download, ring, HeSession::Deferred{}));
  st_->core = &st_->session->core();
  init(input, weight, options);  // every check before the first message
  st_->core->setup();
}

HeConv2d::HeConv2d(std::shared_ptr<HeSession> session, const Shape& input, const Shape& weight,
                   const Conv2dOptions& options)
    : st_(std::make_unique<State>()) {
  SOTTO_ENFORCE(session != nullptr, "HeConv2d: no session");
  st_->session = std::move(session);
  st_->core = &st_->session->core();
  init(input, weight, options);
}

void HeConv2d::init(const Shape& input, const Shape& weight, const Conv2dOptions& options) {
  detail::HeLinearCore& core = *st_->core;
  core.setName("HeConv2d");
  HeConv2dPlan& p = st_->plan;
  p = planHeConv2d(input, weight, options, core.ringDegree(), core.uploadBytes(),
                   core.returnedBytes(0));
  st_->flood_bits = core.floodBits(static_cast<size_t>(p.terms), layerName(input, weight, options));
  // Dense output (y, x) of filter k of a block sits at coefficient O + k·C_w·H_w·W_w + y·W_w + x;
  // only the strided ones are read.
  const int64_t block = p.c_w * p.h_w * p.w_w;
  const int64_t pos0 = (p.c_w - 1) * p.h_w * p.w_w + (p.kernel_h - 1) * p.w_w + p.kernel_w - 1;
  const int64_t o = p.weight.dim(0), oh = p.output.dim(2), ow = p.output.dim(3),
                sh = options.stride[0], sw = options.stride[1];
  for (int64_t ob = 0; ob < p.o_blocks; ++ob)
    for (int64_t img = 0; img < p.input.dim(0); ++img)
      for (int64_t hb = 0; hb < p.h_blocks; ++hb)
        for (int64_t wb = 0; wb < p.w_blocks; ++wb) {
          std::vector<size_t>& r = st_->reads.emplace_back();
          std::vector<size_t>& out = st_->outputs.emplace_back();
          for (int64_t k = 0; k < p.o_w && ob * p.o_w + k < o; ++k)
            for (int64_t y = 0; y < p.denseRowsPerBlock(); ++y) {
              const int64_t dy = hb * p.denseRowsPerBlock() + y;
              if (dy >= p.dense_h || dy % sh != 0 || dy / sh >= oh) continue;
              for (int64_t x = 0; x < p.denseColsPerBlock(); ++x) {
                const int64_t dx = wb * p.denseColsPerBlock() + x;
                if (dx >= p.dense_w || dx % sw != 0 || dx / sw >= ow) continue;
                r.push_back(static_cast<size_t>(pos0 + k * block + y * p.w_w + x));
                out.push_back(static_cast<size_t>(((img * o + ob * p.o_w + k) * oh + dy / sh) * ow +
                                                  dx / sw));
              }
            }
        }
}

HeConv2d::~HeConv2d() = default;

const HeConv2dPlan& HeConv2d::plan() const { return st_->plan; }
size_t HeConv2d::uploadCiphertextBytes() const { return st_->core->uploadBytes(); }
size_t HeConv2d::returnedCiphertextBytes(size_t outputs) const {
  return st_->core->returnedBytes(outputs);
}
void HeConv2d::keepView(bool on) { st_->core->keepView(on); }
const std::vector<std::vector<uint64_t>>& HeConv2d::lastDecryptions() const {
  return st_->core->lastDecryptions();
}
const std::vector<double>& HeConv2d::lastNoiseBudgets() const {
  return st_->core->lastNoiseBudgets();
}
const std::vector<size_t>& HeConv2d::readPositions(size_t i) const {
  SOTTO_ENFORCE(i < st_->reads.size(), "HeConv2d: returned ciphertext ", i, " of ",
                st_->reads.size());
  return st_->reads[i];
}

bool HeConv2d::isModelOwner() const { return st_->core->owner(); }

namespace {

// Party 0's kernel polynomials in NTT form, per output block ob: k̂_{ob,cb} holds K[o, c, i, j]
// of filter k = o − ob·O_w at coefficient O + k·C_w·H_w·W_w − c·H_w·W_w − i·d_h·W_w − j·d_w, for
// the channels of o's group in channel block cb.
std::vector<std::vector<std::pair<int64_t, he::PlainMultiplier>>> kernelPolynomials(
    const HeConv2dPlan& p, detail::HeLinearCore& core, const RingTensor& kernel) {
  const int64_t o = p.weight.dim(0), cg = p.weight.dim(1), og = o / p.options.groups,
                kh = p.weight.dim(2), kw = p.weight.dim(3), ww = p.w_w, block = p.h_w * p.w_w;
  const int64_t pos0 = (p.c_w - 1) * block + (p.kernel_h - 1) * ww + p.kernel_w - 1;
  std::vector<uint64_t> poly(core.ringDegree());
  std::vector<std::vector<std::pair<int64_t, he::PlainMultiplier>>> out(
      static_cast<size_t>(p.o_blocks));
  for (int64_t ob = 0; ob < p.o_blocks; ++ob) {
    for (int64_t cb : channelBlocksOf(p, ob)) {
      std::fill(poly.begin(), poly.end(), 0);
      for (int64_t k = 0; k < p.o_w && ob * p.o_w + k < o; ++k) {
        const int64_t oc = ob * p.o_w + k, first = (oc / og) * cg;
        for (int64_t ch = 0; ch < p.c_w; ++ch) {
          const int64_t in_group = cb * p.c_w + ch - first;
          if (in_group < 0 || in_group >= cg) continue;
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j)
              poly[static_cast<size_t>(
                  pos0 + k * p.c_w * block - ch * block - i * p.options.dilation[0] * ww -
                  j * p.options.dilation[1])] = kernel[((oc * cg + in_group) * kh + i) * kw + j];
        }
      }
      out[static_cast<size_t>(ob)].emplace_back(cb, core.encodeWeight(poly));
    }
  }
  return out;
}

}  // namespace

void HeConv2d::checkKernel(const RingTensor& kernel) const {
  const HeConv2dPlan& p = st_->plan;
  SOTTO_ENFORCE(kernel.shape() == p.weight, "HeConv2d: the kernel is ", kernel.shape(),
                ", the layer was made for ", p.weight);
  st_->core->checkWeightBound(kernel.data(),
                              "HeConv2d " + layerName(p.input, p.weight, p.options) + " kernel");
}

void HeConv2d::prepare(const RingTensor& kernel) {
  if (!st_->core->owner()) return;
  checkKernel(kernel);
  if (st_->encoded && std::ranges::equal(st_->encoded->kernel.data(), kernel.data())) return;
  auto encoded = std::make_shared<KernelEncoding>();
  encoded->kernel = kernel;
  encoded->polys = kernelPolynomials(st_->plan, *st_->core, kernel);
  st_->encoded = std::move(encoded);
}

void HeConv2d::shareKernel(const HeConv2d& other) {
  const HeConv2dPlan &a = st_->plan, &b = other.st_->plan;
  const Conv2dOptions &ao = a.options, &bo = b.options;
  bool same = st_->session == other.st_->session && a.weight == b.weight &&
              ao.stride == bo.stride && ao.padding == bo.padding && ao.dilation == bo.dilation &&
              ao.groups == bo.groups && a.c_w == b.c_w && a.h_w == b.h_w && a.w_w == b.w_w &&
              a.o_w == b.o_w;
  for (int64_t d = 1; same && d < 4; ++d) same = a.input.dim(d) == b.input.dim(d);
  SOTTO_ENFORCE(same, "HeConv2d: ", layerName(a.input, a.weight, ao),
                " cannot share the kernel encoding of ", layerName(b.input, b.weight, bo),
                ": only a layer on the same session that differs in the batch alone can");
  if (other.st_->encoded) st_->encoded = other.st_->encoded;
}

uint64_t HeConv2d::weightEncodings() const { return st_->core->weightEncodings(); }

RingTensor HeConv2d::forward(const RingTensor& x_share, const RingTensor& kernel) {
  detail::HeLinearCore& core = *st_->core;
  core.setName("HeConv2d");
  const HeConv2dPlan& p = st_->plan;
  SOTTO_ENFORCE(x_share.shape() == p.input, "HeConv2d: the input share is ", x_share.shape(),
                ", the layer was made for ", p.input);
  const size_t big_n = core.ringDegree();
  const int64_t nimg = p.input.dim(0), c = p.input.dim(1), h = p.input.dim(2), w = p.input.dim(3);
  const int64_t hw = p.h_w, ww = p.w_w, block = p.h_w * p.w_w;
  RingTensor y(p.output);

  if (!core.owner()) {
    // Party 1: block (img, cb, hb, wb) holds x1[img, cb·C_w + c, hb·rows − pad_h + i,
    // wb·cols − pad_w + j] at coefficient c·H_w·W_w + i·W_w + j (0 in the padding).
    std::vector<std::vector<uint64_t>> polys;
    polys.reserve(static_cast<size_t>(p.inputCiphertexts()));
    for (int64_t img = 0; img < nimg; ++img)
      for (int64_t cb = 0; cb < p.c_blocks; ++cb)
        for (int64_t hb = 0; hb < p.h_blocks; ++hb)
          for (int64_t wb = 0; wb < p.w_blocks; ++wb) {
            std::vector<uint64_t>& poly = polys.emplace_back(big_n, 0);
            const int64_t r0 = hb * p.denseRowsPerBlock() - p.options.padding[0];
            const int64_t c0 = wb * p.denseColsPerBlock() - p.options.padding[1];
            for (int64_t ch = 0; ch < p.c_w && cb * p.c_w + ch < c; ++ch)
              for (int64_t i = std::max<int64_t>(0, -r0); i < hw && r0 + i < h; ++i)
                for (int64_t j = std::max<int64_t>(0, -c0); j < ww && c0 + j < w; ++j)
                  poly[static_cast<size_t>(ch * block + i * ww + j)] =
                      x_share[((img * c + cb * p.c_w + ch) * h + r0 + i) * w + c0 + j];
          }
    core.sendInputs(polys);
    const std::vector<std::vector<uint64_t>> got = core.receiveOutputs(st_->reads);
    for (size_t idx = 0; idx < got.size(); ++idx)
      for (size_t j = 0; j < got[idx].size(); ++j)
        y[static_cast<int64_t>(st_->outputs[idx][j])] = got[idx][j];
    return y;
  }

  // Party 0.  // y0 = conv(X0, K) − R
  checkKernel(kernel);
  const std::vector<he::Ciphertext> in =
      core.receiveInputs(static_cast<size_t>(p.inputCiphertexts()));
  y = conv2d(x_share, kernel, p.options);
  prepare(kernel);
  std::vector<std::byte> download;
  size_t idx = 0;
  for (int64_t ob = 0; ob < p.o_blocks; ++ob) {
    const auto& kpoly = st_->encoded->polys[static_cast<size_t>(ob)];
    for (int64_t img = 0; img < nimg; ++img)
      for (int64_t s = 0; s < p.spatialBlocks(); ++s, ++idx) {
        he::Ciphertext acc;
        for (const auto& [cb, kp] : kpoly)
          he::multiplyPlainAccumulate(
              core.ctx(), acc,
              in[static_cast<size_t>((img * p.c_blocks + cb) * p.spatialBlocks() + s)], kp);
        const std::vector<uint64_t> r =
            core.respond(std::move(acc), st_->reads[idx], st_->flood_bits, download);
        for (size_t j = 0; j < r.size(); ++j) y[static_cast<int64_t>(st_->outputs[idx][j])] -= r[j];
      }
  }
  core.sendOutputs(download);
  for (uint64_t& v : y.data()) v &= core.plainMask();  // party 1's Dec is already mod 2^ℓ
  return y;
}

}  // namespace sotto
