#include "sotto/model/plain_eval.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "sotto/error.h"

namespace sotto::nn {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Dims = std::vector<int64_t>;

std::string dimsStr(const Dims& d) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < d.size(); ++i) os << (i ? ", " : "") << d[i];
  os << "]";
  return os.str();
}

template <typename... Args>
[[noreturn]] void fail(const Node& node, Args&&... args) {
  throw InvalidArgument(
      detail::concat("node '", node.name, "' (", node.op, "): ", std::forward<Args>(args)...));
}

int64_t product(const Dims& d, int64_t from = 0, int64_t to = -1) {
  const auto end = to < 0 || to > static_cast<int64_t>(d.size()) ? d.end() : d.begin() + to;
  int64_t n = 1;
  for (auto it = d.begin() + std::min<int64_t>(from, static_cast<int64_t>(d.size())); it < end;
       ++it) {
    n *= *it;
  }
  return n;
}

Dims stridesOf(const Dims& d) {
  Dims s(d.size(), 1);
  for (size_t i = d.size(); i-- > 1;) s[i - 1] = s[i] * d[i];
  return s;
}

PlainTensor make(Dims dims) {
  PlainTensor t;
  t.dims = std::move(dims);
  t.values.assign(static_cast<size_t>(product(t.dims)), 0.0);
  return t;
}

// An axis in [-rank, rank) made non-negative.
int64_t normAxis(const Node& node, int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank) {
    fail(node, what, " ", axis, " is out of range for rank ", rank);
  }
  return axis < 0 ? axis + rank : axis;
}

const PlainTensor& need(const Node& node, const std::vector<const PlainTensor*>& in, size_t i) {
  if (i >= in.size() || in[i] == nullptr) fail(node, "input ", i, " is missing");
  return *in[i];
}

// ---- elementwise ------------------------------------------------------------------------------

PlainTensor unary(const PlainTensor& x, const std::function<double(double)>& f) {
  PlainTensor y;
  y.dims = x.dims;
  y.values.resize(x.values.size());
  std::transform(x.values.begin(), x.values.end(), y.values.begin(), f);
  return y;
}

Dims broadcastDims(const Node& node, const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + a.size() >= r ? a[i + a.size() - r] : 1;
    const int64_t db = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (da != db && da != 1 && db != 1) {
      fail(node, "shapes ", dimsStr(a), " and ", dimsStr(b), " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Strides of `d` seen from an output of dims `out` (0 along broadcast axes).
Dims broadcastStrides(const Dims& d, const Dims& out) {
  Dims s(out.size(), 0);
  const Dims own = stridesOf(d);
  const size_t off = out.size() - d.size();
  for (size_t i = 0; i < d.size(); ++i) s[i + off] = d[i] == 1 ? 0 : own[i];
  return s;
}

template <typename F>
PlainTensor binary(const Node& node, const PlainTensor& a, const PlainTensor& b, F f) {
  if (a.dims == b.dims) {
    PlainTensor y = make(a.dims);
    for (size_t i = 0; i < y.values.size(); ++i) y.values[i] = f(a.values[i], b.values[i]);
    return y;
  }
  PlainTensor y = make(broadcastDims(node, a.dims, b.dims));
  if (y.values.empty()) return y;
  const Dims sa = broadcastStrides(a.dims, y.dims), sb = broadcastStrides(b.dims, y.dims);
  const size_t r = y.dims.size();
  if (r == 0) {
    y.values[0] = f(a.values[0], b.values[0]);
    return y;
  }
  Dims idx(r, 0);
  const int64_t inner = y.dims[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  int64_t oa = 0, ob = 0;
  for (size_t o = 0; o < y.values.size(); o += static_cast<size_t>(inner)) {
    for (int64_t j = 0; j < inner; ++j)
      y.values[o + j] = f(a.values[oa + j * ia], b.values[ob + j * ib]);
    // Advance the multi-index over the outer dimensions.
    for (size_t k = r - 1; k-- > 0;) {
      ++idx[k];
      oa += sa[k];
      ob += sb[k];
      if (idx[k] < y.dims[k]) break;
      oa -= sa[k] * idx[k];
      ob -= sb[k] * idx[k];
      idx[k] = 0;
    }
  }
  return y;
}

PlainTensor broadcastTo(const Node& node, const PlainTensor& c, const Dims& dims) {
  PlainTensor zero = make(dims);
  PlainTensor y = binary(node, zero, c, [](double, double v) { return v; });
  if (y.dims != dims) fail(node, "cannot broadcast ", dimsStr(c.dims), " to ", dimsStr(dims));
  return y;
}

// ---- linear -----------------------------------------------------------------------------------

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

// ---- pooling and normalisation ----------------------------------------------------------------

PlainTensor pool(const Node& node, const PlainTensor& x, bool is_max) {
  if (x.dims.size() != 4) fail(node, "expects input [N, C, H, W], got ", dimsStr(x.dims));
  const Dims k = node.attrInts("kernel_shape", {});
  const Dims s = node.attrInts("strides", {1, 1});
  const Dims p = node.attrInts("pads", {0, 0, 0, 0});
  if (k.size() != 2 || s.size() != 2 || p.size() != 4 || k[0] < 1 || k[1] < 1 || s[0] < 1 ||
      s[1] < 1) {
    fail(node, "bad kernel_shape ", dimsStr(k), ", strides ", dimsStr(s), " or pads ", dimsStr(p));
  }
  const bool include_pad = node.attrInt("count_include_pad", 0) != 0;
  const int64_t nc = x.dims[0] * x.dims[1], h = x.dims[2], w = x.dims[3];
  const int64_t oh = (h + p[0] + p[2] - k[0]) / s[0] + 1;
  const int64_t ow = (w + p[1] + p[3] - k[1]) / s[1] + 1;
  if (oh < 1 || ow < 1) fail(node, "kernel ", dimsStr(k), " does not fit input ", dimsStr(x.dims));
  PlainTensor y = make({x.dims[0], x.dims[1], oh, ow});
  for (int64_t plane = 0; plane < nc; ++plane) {
    const double* src = x.values.data() + plane * h * w;
    double* dst = y.values.data() + plane * oh * ow;
    for (int64_t r = 0; r < oh; ++r) {
      for (int64_t q = 0; q < ow; ++q) {
        const int64_t y0 = r * s[0] - p[0], x0 = q * s[1] - p[1];
        const int64_t y1 = std::min(y0 + k[0], h + p[2]), x1 = std::min(x0 + k[1], w + p[3]);
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t yy = std::max<int64_t>(y0, 0); yy < std::min(y1, h); ++yy) {
          for (int64_t xx = std::max<int64_t>(x0, 0); xx < std::min(x1, w); ++xx) {
            const double v = src[yy * w + xx];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (!is_max) acc /= static_cast<double>(include_pad ? (y1 - y0) * (x1 - x0) : count);
        dst[r * ow + q] = acc;
      }
    }
  }
  return y;
}

PlainTensor globalAveragePool(const Node& node, const PlainTensor& x) {
  if (x.dims.size() < 3) fail(node, "expects input [N, C, spatial...], got ", dimsStr(x.dims));
  const int64_t nc = x.dims[0] * x.dims[1], area = product(x.dims, 2);
  Dims out(x.dims.size(), 1);
  out[0] = x.dims[0];
  out[1] = x.dims[1];
  PlainTensor y = make(out);
  for (int64_t i = 0; i < nc; ++i) {
    double acc = 0;
    for (int64_t j = 0; j < area; ++j) acc += x.values[i * area + j];
    y.values[i] = acc / static_cast<double>(area);
  }
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

PlainTensor softmax(const Node& node, const PlainTensor& x, bool take_log) {
  const int64_t r = static_cast<int64_t>(x.dims.size());
  if (r == 0) fail(node, "scalar input");
  const int64_t axis = normAxis(node, node.attrInt("axis", -1), r, "axis");
  const int64_t len = x.dims[axis], inner = product(x.dims, axis + 1),
                outer = product(x.dims, 0, axis);
  PlainTensor y = make(x.dims);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const size_t base = static_cast<size_t>(o * len * inner + in);
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < len; ++i) mx = std::max(mx, x.values[base + i * inner]);
      double sum = 0;
      for (int64_t i = 0; i < len; ++i) sum += std::exp(x.values[base + i * inner] - mx);
      for (int64_t i = 0; i < len; ++i) {
        const double z = x.values[base + i * inner] - mx;
        y.values[base + i * inner] = take_log ? z - std::log(sum) : std::exp(z) / sum;
      }
    }
  }
  return y;
}

// ---- shape ops --------------------------------------------------------------------------------

PlainTensor reshaped(PlainTensor x, Dims dims) {
  x.dims = std::move(dims);
  return x;
}

PlainTensor flatten(const Node& node, const PlainTensor& x) {
  const int64_t r = static_cast<int64_t>(x.dims.size());
  int64_t axis = node.attrInt("axis", 1);
  if (axis < -r || axis > r) fail(node, "axis ", axis, " is out of range for rank ", r);
  if (axis < 0) axis += r;
  return reshaped(x, {product(x.dims, 0, axis), product(x.dims, axis)});
}

PlainTensor reshape(const Node& node, const PlainTensor& x, const PlainTensor& shape) {
  Dims out;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < shape.values.size(); ++i) {
    const auto v = static_cast<int64_t>(shape.values[i]);
    if (v == 0) {
      if (i >= x.dims.size())
        fail(node, "shape ", i, " is 0 but the input has rank ", x.dims.size());
      out.push_back(x.dims[i]);
    } else if (v == -1) {
      if (infer >= 0) fail(node, "more than one -1 in the target shape");
      infer = static_cast<int64_t>(i);
      out.push_back(1);
      continue;
    } else if (v < 0) {
      fail(node, "negative dimension ", v, " in the target shape");
    } else {
      out.push_back(v);
    }
    known *= out.back();
  }
  const int64_t total = x.numel();
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      fail(node, "cannot reshape ", dimsStr(x.dims), " with a -1 into ", dimsStr(out));
    }
    out[infer] = total / known;
  }
  if (product(out) != total) fail(node, "cannot reshape ", dimsStr(x.dims), " into ", dimsStr(out));
  return reshaped(x, out);
}

PlainTensor transpose(const Node& node, const PlainTensor& x) {
  const size_t r = x.dims.size();
  Dims perm = node.attrInts("perm", {});
  if (perm.empty()) {
    for (size_t i = 0; i < r; ++i) perm.push_back(static_cast<int64_t>(r - 1 - i));
  }
  Dims sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted.size() != r || sorted[i] != static_cast<int64_t>(i)) {
      fail(node, "perm ", dimsStr(perm), " is not a permutation of the input's ", r, " axes");
    }
  }
  Dims out(r);
  for (size_t i = 0; i < r; ++i) out[i] = x.dims[perm[i]];
  PlainTensor y = make(out);
  const Dims xs = stridesOf(x.dims);
  Dims src_stride(r);
  for (size_t i = 0; i < r; ++i) src_stride[i] = xs[perm[i]];
  Dims idx(r, 0);
  int64_t off = 0;
  for (size_t o = 0; o < y.values.size(); ++o) {
    y.values[o] = x.values[off];
    for (size_t k = r; k-- > 0;) {
      ++idx[k];
      off += src_stride[k];
      if (idx[k] < out[k]) break;
      off -= src_stride[k] * idx[k];
      idx[k] = 0;
    }
  }
  return y;
}

Dims axesOf(const Node& node, const std::vector<const PlainTensor*>& in) {
  if (in.size() > 1 && in[1] != nullptr) {
    Dims axes;
    for (double v : in[1]->values) axes.push_back(static_cast<int64_t>(v));
    return axes;
  }
  return node.attrInts("axes", {});
}

PlainTensor squeeze(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& x = need(node, in, 0);
  const int64_t r = static_cast<int64_t>(x.dims.size());
  Dims axes = axesOf(node, in);
  std::set<int64_t> drop;
  if (axes.empty()) {
    for (int64_t i = 0; i < r; ++i) {
      if (x.dims[i] == 1) drop.insert(i);
    }
  }
  for (int64_t a : axes) {
    const int64_t ax = normAxis(node, a, r, "axis");
    if (x.dims[ax] != 1) fail(node, "axis ", a, " of ", dimsStr(x.dims), " is not 1");
    drop.insert(ax);
  }
  Dims out;
  for (int64_t i = 0; i < r; ++i) {
    if (!drop.count(i)) out.push_back(x.dims[i]);
  }
  return reshaped(x, out);
}

PlainTensor unsqueeze(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& x = need(node, in, 0);
  const Dims axes = axesOf(node, in);
  const int64_t r = static_cast<int64_t>(x.dims.size() + axes.size());
  std::set<int64_t> add;
  for (int64_t a : axes) {
    if (!add.insert(normAxis(node, a, r, "axis")).second) fail(node, "repeated axis ", a);
  }
  Dims out;
  size_t j = 0;
  for (int64_t i = 0; i < r; ++i) out.push_back(add.count(i) ? 1 : x.dims[j++]);
  return reshaped(x, out);
}

}  // namespace

std::vector<PlainTensor> evaluateNode(const Node& node, const std::vector<const PlainTensor*>& in) {
  const std::string& op = node.op;
  auto x = [&]() -> const PlainTensor& { return need(node, in, 0); };
  PlainTensor y;
  if (op == "Conv") {
    y = conv(node, in);
  } else if (op == "Gemm") {
    y = gemm(node, in);
  } else if (op == "MatMul") {
    y = matmul(node, x(), need(node, in, 1));
  } else if (op == "Add") {
    y = binary(node, x(), need(node, in, 1), std::plus<double>());
  } else if (op == "Sub") {
    y = binary(node, x(), need(node, in, 1), std::minus<double>());
  } else if (op == "Mul") {
    y = binary(node, x(), need(node, in, 1), std::multiplies<double>());
  } else if (op == "Div") {
    y = binary(node, x(), need(node, in, 1), std::divides<double>());
  } else if (op == "Relu") {
    y = unary(x(), [](double v) { return v > 0 ? v : 0.0; });
  } else if (op == "Sigmoid") {
    y = unary(x(), [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
  } else if (op == "Tanh") {
    y = unary(x(), [](double v) { return std::tanh(v); });
  } else if (op == "Exp") {
    y = unary(x(), [](double v) { return std::exp(v); });
  } else if (op == "Log") {
    y = unary(x(), [](double v) { return std::log(v); });
  } else if (op == "Sqrt") {
    y = unary(x(), [](double v) { return std::sqrt(v); });
  } else if (op == "Reciprocal") {
    y = unary(x(), [](double v) { return 1.0 / v; });
  } else if (op == "Neg") {
    y = unary(x(), [](double v) { return -v; });
  } else if (op == "MaxPool" || op == "AveragePool") {
    y = pool(node, x(), op == "MaxPool");
  } else if (op == "GlobalAveragePool") {
    y = globalAveragePool(node, x());
  } else if (op == "BatchNormalization") {
    y = batchNorm(node, in);
  } else if (op == "Flatten") {
    y = flatten(node, x());
  } else if (op == "Reshape") {
    y = reshape(node, x(), need(node, in, 1));
  } else if (op == "Softmax" || op == "LogSoftmax") {
    y = softmax(node, x(), op == "LogSoftmax");
  } else if (op == "Transpose") {
    y = transpose(node, x());
  } else if (op == "Squeeze") {
    y = squeeze(node, in);
  } else if (op == "Unsqueeze") {
    y = unsqueeze(node, in);
  } else {
    std::string list;
    for (const auto& s : supportedOps()) list += (list.empty() ? "" : ", ") + s;
    fail(node, "op '", op, "' is not supported; supported ops: ", list);
  }
  std::vector<PlainTensor> out;
  out.push_back(std::move(y));
  return out;
}

TensorMap evaluate(const Graph& graph, const TensorMap& inputs) {
  std::map<std::string, const PlainTensor*> env;
  for (const auto& [name, w] : graph.weights) {
    SOTTO_ENFORCE(static_cast<int64_t>(w.values.size()) == w.numel(), "evaluate: weight '", name,
                  "' has ", w.values.size(), " values for shape ", dimsStr(w.dims),
                  w.values.empty() ? " (an architecture-only graph cannot be evaluated)" : "");
    env[name] = &w;
  }
  for (const auto& [name, t] : inputs) {
    const bool declared = std::any_of(graph.inputs.begin(), graph.inputs.end(),
                                      [&](const ValueInfo& v) { return v.name == name; });
    SOTTO_ENFORCE(declared, "evaluate: '", name, "' is not an input of the graph");
  }
  for (const auto& in : graph.inputs) {
    auto it = inputs.find(in.name);
    SOTTO_ENFORCE(it != inputs.end(), "evaluate: input '", in.name, "' is missing");
    const PlainTensor& t = it->second;
    bool ok = t.dims.size() == in.dims.size() && static_cast<int64_t>(t.values.size()) == t.numel();
    for (size_t i = 0; ok && i < in.dims.size(); ++i)
      ok = in.dims[i] < 0 || in.dims[i] == t.dims[i];
    SOTTO_ENFORCE(ok, "evaluate: input '", in.name, "' has shape ", dimsStr(t.dims), " and ",
                  t.values.size(), " values; the graph declares ", dimsStr(in.dims),
                  " (-1: any size)");
    env[in.name] = &t;
  }
  // Free each computed value after its last use.
  std::map<std::string, size_t> last_use;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& v : graph.nodes[i].inputs) last_use[v] = i;
  }
  const std::set<std::string> keep(graph.outputs.begin(), graph.outputs.end());
  std::map<std::string, PlainTensor> owned;
  std::vector<const PlainTensor*> args;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    args.clear();
    for (const auto& v : node.inputs) {
      if (v.empty()) {
        args.push_back(nullptr);
        continue;
      }
      auto it = env.find(v);
      if (it == env.end()) fail(node, "input '", v, "' is not defined before this node");
      args.push_back(it->second);
    }
    std::vector<PlainTensor> outs = evaluateNode(node, args);
    for (size_t j = 0; j < node.outputs.size() && j < outs.size(); ++j) {
      if (node.outputs[j].empty()) continue;
      PlainTensor& slot = owned[node.outputs[j]];
      slot = std::move(outs[j]);
      env[node.outputs[j]] = &slot;
    }
    for (const auto& v : node.inputs) {
      if (!v.empty() && last_use[v] == i && !keep.count(v) && owned.count(v)) {
        env.erase(v);
        owned.erase(v);
      }
    }
  }
  TensorMap result;
  for (const auto& o : graph.outputs) {
    auto it = env.find(o);
    SOTTO_ENFORCE(it != env.end(), "evaluate: graph output '", o, "' is never computed");
    result[o] = *it->second;
  }
  return result;
}

PlainTensor evaluateFirst(const Graph& graph, const TensorMap& inputs) {
  SOTTO_ENFORCE(!graph.outputs.empty(), "evaluate: the graph has no outputs");
  TensorMap all = evaluate(graph, inputs);
  return std::move(all.at(graph.outputs.front()));
}

PlainTensor evaluate(const Graph& graph, const PlainTensor& input) {
  SOTTO_ENFORCE(graph.inputs.size() == 1, "evaluate: the graph has ", graph.inputs.size(),
                " inputs; pass them by name");
  return evaluateFirst(graph, {{graph.inputs[0].name, input}});
}

}  // namespace sotto::nn
