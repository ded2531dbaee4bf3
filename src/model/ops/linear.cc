// The linear family: Conv, Gemm, MatMul and (not folded into a Conv) BatchNormalization.
// Plaintext evaluation: Conv is im2col + an Eigen GEMM per image and group, Gemm and MatMul are
// Eigen products, BatchNormalization a per-channel affine map.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"
#include "ops/window.h"

namespace sotto::nn::ops {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr const char* kConv = "Conv";
constexpr const char* kBatchNorm = "BatchNormalization";

std::map<std::string, int> useCounts(const Graph& g) {
  std::map<std::string, int> uses;
  for (const Node& n : g.nodes) {
    for (const auto& in : n.inputs) ++uses[in];
  }
  return uses;
}

PlainTensor conv(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& x = need(node, in, 0);
  const PlainTensor& w = need(node, in, 1);
  const PlainTensor* b = in.size() > 2 ? in[2] : nullptr;
  if (x.dims.size() != 4 || w.dims.size() != 4) {
    fail(node, "expects input [N, C, H, W] and weight [O, C/group, kh, kw], got ", dimsStr(x.dims),
         " and ", dimsStr(w.dims));
  }
  const int64_t n = x.dims[0], c = x.dims[1], h = x.dims[2], wd = x.dims[3];
  const int64_t o = w.dims[0], kh = w.dims[2], kw = w.dims[3];
  const int64_t g = node.attrInt("group", 1);
  const Dims s = node.attrInts("strides", {1, 1});
  const Dims p = node.attrInts("pads", {0, 0, 0, 0});
  const Dims d = node.attrInts("dilations", {1, 1});
  if (s.size() != 2 || p.size() != 4 || d.size() != 2 || s[0] < 1 || s[1] < 1 || d[0] < 1 ||
      d[1] < 1) {
    fail(node, "bad strides ", dimsStr(s), ", pads ", dimsStr(p), " or dilations ", dimsStr(d));
  }
  if (g < 1 || c % g != 0 || o % g != 0 || w.dims[1] != c / g) {
    fail(node, "input ", dimsStr(x.dims), " and weight ", dimsStr(w.dims), " do not match group ",
         g);
  }
  const Dims ks = node.attrInts("kernel_shape", {kh, kw});
  if (ks != Dims{kh, kw}) fail(node, "kernel_shape ", dimsStr(ks), " but weight ", dimsStr(w.dims));
  const int64_t oh = (h + p[0] + p[2] - d[0] * (kh - 1) - 1) / s[0] + 1;
  const int64_t ow = (wd + p[1] + p[3] - d[1] * (kw - 1) - 1) / s[1] + 1;
  if (oh < 1 || ow < 1) fail(node, "kernel does not fit input ", dimsStr(x.dims));
  if (b != nullptr && b->numel() != o)
    fail(node, "bias ", dimsStr(b->dims), " for ", o, " outputs");
  PlainTensor y = make({n, o, oh, ow});
  const int64_t cg = c / g, og = o / g, k = cg * kh * kw, cols = oh * ow;
  RowMat col(k, cols);
  for (int64_t img = 0; img < n; ++img) {
    for (int64_t grp = 0; grp < g; ++grp) {
      // im2col: row (ci, i, j), column (r, q) = x[img, grp*cg + ci, r*sh - pt + i*dh, ...].
      for (int64_t ci = 0; ci < cg; ++ci) {
        const double* src = x.values.data() + ((img * c) + grp * cg + ci) * h * wd;
        for (int64_t i = 0; i < kh; ++i) {
          for (int64_t j = 0; j < kw; ++j) {
            double* dst = col.data() + ((ci * kh + i) * kw + j) * cols;
            for (int64_t r = 0; r < oh; ++r) {
              const int64_t yy = r * s[0] - p[0] + i * d[0];
              for (int64_t q = 0; q < ow; ++q) {
                const int64_t xx = q * s[1] - p[1] + j * d[1];
                dst[r * ow + q] = (yy >= 0 && yy < h && xx >= 0 && xx < wd) ? src[yy * wd + xx] : 0;
              }
            }
          }
        }
      }
      Eigen::Map<const RowMat> wm(w.values.data() + grp * og * k, og, k);
      Eigen::Map<RowMat> out(y.values.data() + (img * o + grp * og) * cols, og, cols);
      out.noalias() = wm * col;
    }
    if (b != nullptr) {
      for (int64_t oc = 0; oc < o; ++oc) {
        double* dst = y.values.data() + (img * o + oc) * cols;
        for (int64_t i = 0; i < cols; ++i) dst[i] += b->values[oc];
      }
    }
  }
  return y;
}

PlainTensor gemm(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& a = need(node, in, 0);
  const PlainTensor& b = need(node, in, 1);
  const PlainTensor* c = in.size() > 2 ? in[2] : nullptr;
  if (a.dims.size() != 2 || b.dims.size() != 2) {
    fail(node, "expects 2-D A and B, got ", dimsStr(a.dims), " and ", dimsStr(b.dims));
  }
  const bool ta = node.attrInt("transA", 0) != 0, tb = node.attrInt("transB", 0) != 0;
  const double alpha = node.attrFloat("alpha", 1.0), beta = node.attrFloat("beta", 1.0);
  const int64_t m = ta ? a.dims[1] : a.dims[0], k = ta ? a.dims[0] : a.dims[1];
  const int64_t kb = tb ? b.dims[1] : b.dims[0], nn = tb ? b.dims[0] : b.dims[1];
  if (k != kb) {
    fail(node, "A ", dimsStr(a.dims), (ta ? " (transposed)" : ""), " and B ", dimsStr(b.dims),
         (tb ? " (transposed)" : ""), " have different inner dimensions");
  }
  Eigen::Map<const RowMat> am(a.values.data(), a.dims[0], a.dims[1]);
  Eigen::Map<const RowMat> bm(b.values.data(), b.dims[0], b.dims[1]);
  PlainTensor y = make({m, nn});
  Eigen::Map<RowMat> ym(y.values.data(), m, nn);
  if (ta && tb) {
    ym.noalias() = alpha * (am.transpose() * bm.transpose());
  } else if (ta) {
    ym.noalias() = alpha * (am.transpose() * bm);
  } else if (tb) {
    ym.noalias() = alpha * (am * bm.transpose());
  } else {
    ym.noalias() = alpha * (am * bm);
  }
  if (c != nullptr && beta != 0.0) {
    const PlainTensor cb = broadcastTo(node, *c, y.dims);
    for (size_t i = 0; i < y.values.size(); ++i) y.values[i] += beta * cb.values[i];
  }
  return y;
}

PlainTensor matmul(const Node& node, const PlainTensor& a0, const PlainTensor& b0) {
  if (a0.dims.empty() || b0.dims.empty()) fail(node, "scalar operand");
  Dims ad = a0.dims, bd = b0.dims;
  const bool a_vec = ad.size() == 1, b_vec = bd.size() == 1;
  if (a_vec) ad.insert(ad.begin(), 1);
  if (b_vec) bd.push_back(1);
  const int64_t m = ad[ad.size() - 2], k = ad.back(), kb = bd[bd.size() - 2], n = bd.back();
  if (k != kb) {
    fail(node, "shapes ", dimsStr(a0.dims), " and ", dimsStr(b0.dims),
         " have different inner dimensions");
  }
  const Dims abatch(ad.begin(), ad.end() - 2), bbatch(bd.begin(), bd.end() - 2);
  const Dims batch = broadcastDims(node, abatch, bbatch);
  const Dims sa = broadcastStrides(abatch, batch), sb = broadcastStrides(bbatch, batch);
  Dims out = batch;
  out.push_back(m);
  out.push_back(n);
  PlainTensor y = make(out);
  const int64_t nb = product(batch);
  Dims idx(batch.size(), 0);
  for (int64_t bi = 0; bi < nb; ++bi) {
    int64_t oa = 0, ob = 0, rem = bi;
    for (size_t i = batch.size(); i-- > 0;) {
      idx[i] = rem % batch[i];
      rem /= batch[i];
      oa += idx[i] * sa[i];
      ob += idx[i] * sb[i];
    }
    Eigen::Map<const RowMat> am(a0.values.data() + oa * m * k, m, k);
    Eigen::Map<const RowMat> bm(b0.values.data() + ob * k * n, k, n);
    Eigen::Map<RowMat> ym(y.values.data() + bi * m * n, m, n);
    ym.noalias() = am * bm;
  }
  if (a_vec) y.dims.erase(y.dims.end() - 2);
  if (b_vec) y.dims.pop_back();
  return y;
}

PlainTensor batchNorm(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& x = need(node, in, 0);
  if (x.dims.size() < 2) fail(node, "expects input [N, C, ...], got ", dimsStr(x.dims));
  const int64_t c = x.dims[1];
  for (size_t i = 1; i <= 4; ++i) {
    if (need(node, in, i).numel() != c) {
      fail(node, "parameter ", i, " has shape ", dimsStr(in[i]->dims), ", expected [", c, "]");
    }
  }
  const double eps = node.attrFloat("epsilon", 1e-5);
  const int64_t inner = product(x.dims, 2);
  PlainTensor y = make(x.dims);
  for (int64_t n = 0; n < x.dims[0]; ++n) {
    for (int64_t ch = 0; ch < c; ++ch) {
      const double a = in[1]->values[ch] / std::sqrt(in[4]->values[ch] + eps);
      const double b = in[2]->values[ch] - a * in[3]->values[ch];
      const size_t off = static_cast<size_t>((n * c + ch) * inner);
      for (int64_t i = 0; i < inner; ++i) y.values[off + i] = a * x.values[off + i] + b;
    }
  }
  return y;
}

// ---- import -----------------------------------------------------------------------------------

std::vector<Node> normalizeGemm(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"alpha", "beta", "transA", "transB"});
  requireInt(ctx, n, "transA", 0, "only transA = 0");
  const double alpha = n.attrFloat("alpha", 1.0), beta = n.attrFloat("beta", 1.0);
  const int64_t tb = n.attrInt("transB", 0);
  n.attrs = {{"alpha", alpha}, {"beta", beta}, {"transB", tb != 0 ? int64_t{1} : int64_t{0}}};
  return keep(std::move(n));
}

std::vector<MaybeDims> inferGemm(ImportContext& ctx, const Node& n,
                                 const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  if (!in[1] || x.size() != 2 || in[1]->size() != 2) return {};
  const Dims& b = *in[1];
  const bool tb = n.attrInt("transB", 0) != 0;
  const int64_t k = tb ? b[1] : b[0];
  if (!isSymbolicDim(x[1]) && !isSymbolicDim(k) && x[1] != k) {
    ctx.failNode(n, "A ", symbolicDimsStr(x), " and B ", symbolicDimsStr(b),
                 (tb ? " (transposed)" : ""), " have different inner dimensions");
  }
  return {Dims{x[0], tb ? b[0] : b[1]}};
}

std::vector<MaybeDims> inferMatMul(ImportContext& ctx, const Node& n,
                                   const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  if (!in[1] || x.size() < 2 || in[1]->size() < 2) return {};
  const Dims& b = *in[1];
  Dims out = broadcastShape(ctx, n, Dims(x.begin(), x.end() - 2), Dims(b.begin(), b.end() - 2));
  out.push_back(x[x.size() - 2]);
  out.push_back(b.back());
  return {out};
}

std::vector<Node> normalizeBatchNorm(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"epsilon", "momentum", "spatial", "training_mode"});
  requireInt(ctx, n, "training_mode", 0, "export the model in eval mode");
  requireInt(ctx, n, "spatial", 1, "only spatial = 1 (opsets 7 and 8: per-channel statistics)");
  for (size_t i = 1; i < 5; ++i) ctx.constInput(n, i, "the scale, bias, mean and variance");
  n.attrs = {{"epsilon", n.attrFloat("epsilon", 1e-5)}};
  return keep(std::move(n));
}

}  // namespace

// Conv -> BatchNormalization where the conv's output feeds only the BN: scale the conv's
// weights and bias per output channel, W' = W·a, b' = (b - mean)·a + beta, a =
// gamma/sqrt(var+eps).
void foldBatchNormsIntoConvs(ImportContext& ctx, Graph& g,
                             const std::set<std::string>& graph_outputs) {
  for (size_t j = 0; j < g.nodes.size(); ++j) {
    const Node& bn = g.nodes[j];
    if (bn.op != kBatchNorm) continue;
    const auto uses = useCounts(g);
    const std::string& x = bn.inputs[0];
    if (uses.at(x) != 1 || graph_outputs.count(x)) continue;
    auto conv = std::find_if(g.nodes.begin(), g.nodes.begin() + j,
                             [&](const Node& c) { return c.outputs[0] == x; });
    if (conv == g.nodes.begin() + j || conv->op != kConv || !g.isWeight(conv->inputs[1]) ||
        (conv->inputs.size() > 2 && !g.isWeight(conv->inputs[2]))) {
      continue;
    }
    PlainTensor w = g.weights.at(conv->inputs[1]);
    const int64_t o = w.dims[0], per = w.numel() / o;
    PlainTensor b;
    b.dims = {o};
    b.values.assign(o, 0.0);
    if (conv->inputs.size() > 2) b = g.weights.at(conv->inputs[2]);
    const auto& gamma = g.weights.at(bn.inputs[1]).values;
    const auto& beta = g.weights.at(bn.inputs[2]).values;
    const auto& mean = g.weights.at(bn.inputs[3]).values;
    const auto& var = g.weights.at(bn.inputs[4]).values;
    if (static_cast<int64_t>(gamma.size()) != o || static_cast<int64_t>(beta.size()) != o ||
        static_cast<int64_t>(mean.size()) != o || static_cast<int64_t>(var.size()) != o ||
        b.numel() != o) {
      ctx.failNode(bn, "parameters do not match the ", o, " channels of conv '", conv->name, "'");
    }
    const double eps = bn.attrFloat("epsilon", 1e-5);
    for (int64_t c = 0; c < o; ++c) {
      const double a = gamma[c] / std::sqrt(var[c] + eps);
      for (int64_t i = 0; i < per; ++i) w.values[c * per + i] *= a;
      b.values[c] = (b.values[c] - mean[c]) * a + beta[c];
    }
    // Keep the conv's weight names where nothing else uses them.
    auto store = [&](const std::string& old, const std::string& base, PlainTensor t) {
      const std::string name =
          (!old.empty() && uses.count(old) && uses.at(old) == 1) ? old : ctx.uniqueName(base);
      g.weights[name] = std::move(t);
      return name;
    };
    Node& c = *conv;
    const std::string old_b = c.inputs.size() > 2 ? c.inputs[2] : std::string();
    c.inputs[1] = store(c.inputs[1], c.inputs[1] + "_bn_folded", std::move(w));
    c.inputs.resize(3);
    c.inputs[2] =
        store(old_b, old_b.empty() ? c.name + ".bias" : old_b + "_bn_folded", std::move(b));
    c.outputs[0] = bn.outputs[0];
    g.nodes.erase(g.nodes.begin() + j);
    --j;
  }
}

void addLinearOps(OpRegistry& r) {
  r.add({.type = kConv,
         .min_inputs = 2,
         .max_inputs = 3,
         .normalize = [](ImportContext& c,
                         Node n) { return normalizeWindow(c, std::move(n), WindowOp::kConv); },
         .infer =
             [](ImportContext& c, const Node& n, const std::vector<MaybeDims>& in) {
               return inferWindow(c, n, in, WindowOp::kConv);
             },
         .evaluate = [](const Node& n, const Inputs& in) { return one(conv(n, in)); }});
  r.add({.type = "Gemm",
         .min_inputs = 2,
         .max_inputs = 3,
         .normalize = normalizeGemm,
         .infer = inferGemm,
         .evaluate = [](const Node& n, const Inputs& in) { return one(gemm(n, in)); }});
  r.add({.type = "MatMul",
         .min_inputs = 2,
         .max_inputs = 2,
         .normalize = noAttrs,
         .infer = inferMatMul,
         .evaluate = [](const Node& n, const Inputs& in) {
           return one(matmul(n, need(n, in, 0), need(n, in, 1)));
         }});
  r.add({.type = kBatchNorm,
         .min_inputs = 5,
         .max_inputs = 5,
         .normalize = normalizeBatchNorm,
         .infer = sameShape,
         .evaluate = [](const Node& n, const Inputs& in) { return one(batchNorm(n, in)); }});
}

}  // namespace sotto::nn::ops
