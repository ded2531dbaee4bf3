#include "sotto/mpc/compare.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "winner_bits.h"

namespace sotto {
namespace {

void checkPair(const ArithTensor& x, const ArithTensor& y, const char* op) {
  SOTTO_ENFORCE(&x.party() == &y.party(), op, ": the operands belong to different parties");
  SOTTO_ENFORCE(x.fracBits() == y.fracBits(), op, ": mixing fixed-point scales 2^", x.fracBits(),
                " and 2^", y.fracBits());
  SOTTO_ENFORCE(x.shape() == y.shape(), op, ": shapes ", x.shape().toString(), " and ",
                y.shape().toString(), " differ");
}

// Public constant k at x's scale (party 0 holds it).
ArithTensor constantLike(const ArithTensor& x, double k) {
  RingTensor t(x.shape());
  if (x.party().id() == 0) std::fill(t.data().begin(), t.data().end(), encode(k, x.fracBits()));
  return ArithTensor(x.party(), std::move(t), x.fracBits());
}

}  // namespace

ArithTensor ltz(const ArithTensor& x) {
  RangeCheckLog::OpScope check(x.party(), "ltz");
  RangeCheckLog::recordBeyond62(x, "ltz");
  auto scope = x.party().comm().tag("compare");
  RingTensor bit = x.party().protocol().sign(x.party(), x.share(), /*nonneg=*/false, nullptr).bit;
  return ArithTensor(x.party(), std::move(bit).shiftLeft(x.fracBits()), x.fracBits());
}

ArithTensor lt(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "lt");
  RangeCheckLog::OpScope check(x.party(), "lt");
  return ltz(x - y);
}
ArithTensor gt(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "gt");
  RangeCheckLog::OpScope check(x.party(), "gt");
  return ltz(y - x);
}
ArithTensor le(const ArithTensor& x, const ArithTensor& y) {
  RangeCheckLog::OpScope check(x.party(), "le");
  return constantLike(x, 1.0) - gt(x, y);
}
ArithTensor ge(const ArithTensor& x, const ArithTensor& y) {
  RangeCheckLog::OpScope check(x.party(), "ge");
  return constantLike(x, 1.0) - lt(x, y);
}

ArithTensor eq(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "eq");
  // lt and gt in one pass over [x - y, y - x]; eq = 1 - lt - gt (they never hold together).
  const ArithTensor d = x - y;
  RangeCheckLog::OpScope check(x.party(), "eq");  // ltz checks d and -d
  const std::vector<int64_t> flat{d.numel()};
  RingTensor both = concat({d.share().reshape(flat), (-d).share().reshape(flat)}, 0);
  const ArithTensor l = ltz(ArithTensor(x.party(), std::move(both), x.fracBits()));
  const int64_t n = d.numel();
  RingTensor lts = l.share().slice(0, 0, n).reshape(x.shape().dims());
  RingTensor gts = l.share().slice(0, n, 2 * n).reshape(x.shape().dims());
  return constantLike(x, 1.0) - ArithTensor(x.party(), std::move(lts), x.fracBits()) -
         ArithTensor(x.party(), std::move(gts), x.fracBits());
}

ArithTensor sign(const ArithTensor& x) {
  RangeCheckLog::OpScope check(x.party(), "sign");
  return constantLike(x, 1.0) - ltz(x).mulPublicInt(2);
}

ArithTensor relu(const ArithTensor& x) {
  RangeCheckLog::OpScope check(x.party(), "relu");
  RangeCheckLog::recordBeyond62(x, "relu");
  auto scope = x.party().comm().tag("relu");
  RingTensor y =
      x.party().protocol().sign(x.party(), x.share(), /*nonneg=*/true, &x.share()).selected;
  return ArithTensor(x.party(), std::move(y), x.fracBits());
}

ArithTensor abs(const ArithTensor& x) {
  RangeCheckLog::OpScope check(x.party(), "abs");
  return relu(x).mulPublicInt(2) - x;
}

ArithTensor maximum(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "maximum");
  RangeCheckLog::OpScope check(x.party(), "maximum");  // relu checks x - y
  return y + relu(x - y);
}

namespace {

// x with `dim` moved last, as [rows, k], and the permutation that undoes it.
std::pair<RingTensor, std::vector<int64_t>> toRows(const RingTensor& x, int64_t dim) {
  const int64_t r = x.shape().rank();
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < r; ++d) {
    if (d != dim) perm.push_back(d);
  }
  perm.push_back(dim);
  RingTensor moved = x.transpose(perm);
  const int64_t k = x.dim(dim);
  return {moved.reshape({k == 0 ? 0 : moved.numel() / k, k}), perm};
}

// x·y for additive shares of integers (no fixed point, so no truncation): the protocol's product.
RingTensor mulIntegers(const Party& p, const RingTensor& x, const RingTensor& y) {
  return p.protocol().mul(p, x, y);
}

// [rows, k] -> [rows, k] one-hot of each row's first maximum, as additive shares of 0/1 integers,
// by comparing all pairs at once: b_ij = [v_i >= v_j] for i < j (4 rounds), then row i wins iff
// it beats every j: w_i = Π_{j>i} b_ij · Π_{j<i} (1 - b_ji), a tree of products (ceil(log2(k-1))
// rounds). Exactly one winner per row: ties go to the lowest index.
RingTensor oneHotAllPairs(const Party& p, const RingTensor& v) {
  const int64_t rows = v.dim(0), k = v.dim(1), pairs = k * (k - 1) / 2;
  const uint64_t one = p.id() == 0 ? 1 : 0;
  RingTensor diff(Shape{rows, pairs});
  for (int64_t r = 0, at = 0; r < rows; ++r) {
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t j = i + 1; j < k; ++j) diff[at++] = v[r * k + i] - v[r * k + j];
    }
  }
  const ArithTensor d(p, std::move(diff), 0);
  RangeCheckLog::recordBeyond62(d, "argmax");
  const RingTensor b = p.protocol().sign(p, d.share(), /*nonneg=*/true, nullptr).bit;
  // Factors [rows·k, k - 1]: position i's win (or loss complement) against every other j.
  RingTensor f(Shape{rows * k, k - 1});
  for (int64_t r = 0; r < rows; ++r) {
    const uint64_t* br = b.data().data() + r * pairs;
    for (int64_t i = 0; i < k; ++i) {
      uint64_t* out = f.data().data() + (r * k + i) * (k - 1);
      for (int64_t j = 0, col = 0; j < k; ++j) {
        if (j == i) continue;
        // index of pair (min, max) in the row-major upper triangle
        const int64_t a = std::min(i, j), c = std::max(i, j);
        const uint64_t bit = br[a * (2 * k - a - 1) / 2 + (c - a - 1)];
        out[col++] = i < j ? bit : one - bit;
      }
    }
  }
  while (f.dim(1) > 1) {
    const int64_t m = f.dim(1), h = m / 2;
    RingTensor prod = mulIntegers(p, f.slice(1, 0, h), f.slice(1, h, 2 * h));
    f = m % 2 == 1 ? concat({prod, f.slice(1, m - 1, m)}, 1) : std::move(prod);
  }
  if (k == 1) {  // a single position always wins
    f = RingTensor(Shape{rows, 1});
    if (p.id() == 0) std::fill(f.data().begin(), f.data().end(), 1);
  }
  return f.reshape({rows, k});
}

// Back to x's layout: [rows, k] (dim moved last) to x's shape.
RingTensor fromRows(const RingTensor& t, const Shape& shape, const std::vector<int64_t>& perm) {
  const int64_t r = shape.rank();
  std::vector<int64_t> moved_dims;
  for (int64_t d = 0; d < r; ++d) moved_dims.push_back(shape[perm[d]]);
  std::vector<int64_t> inverse(r);
  for (int64_t d = 0; d < r; ++d) inverse[perm[d]] = d;
  return t.reshape(moved_dims).transpose(inverse);
}

int64_t checkedDim(const ArithTensor& x, int64_t dim, const char* what) {
  const int64_t r = x.shape().rank();
  SOTTO_ENFORCE(r >= 1, what, " of a scalar");
  if (dim < 0) dim += r;
  SOTTO_ENFORCE(dim >= 0 && dim < r, what, ": dim ", dim, " is outside rank ", r);
  SOTTO_ENFORCE(x.shape()[dim] > 0, what, " over an empty dim of ", x.shape().toString());
  return dim;
}

}  // namespace

ArithTensor argmaxOneHot(const ArithTensor& x, int64_t dim) {
  dim = checkedDim(x, dim, "argmaxOneHot");
  RangeCheckLog::OpScope check(x.party(), "argmaxOneHot");
  if (x.shape()[dim] > kAllPairsArgmax) return argmax(x, dim).second;
  const Party& p = x.party();
  auto scope = p.comm().tag("max");
  auto [v, perm] = toRows(x.share(), dim);
  // With sign bits kept as XOR shares, the wins are ANDed (1 round a level) and converted once.
  const RingTensor onehot =
      p.protocol().hasSignBits()
          ? p.protocol().b2a(p, detail::winnerBits(p, v, false, "argmax"), v.shape())
          : oneHotAllPairs(p, v);
  return ArithTensor(p, fromRows(onehot, x.shape(), perm).shiftLeft(x.fracBits()), x.fracBits());
}

std::pair<ArithTensor, ArithTensor> argmax(const ArithTensor& x, int64_t dim) {
  const Party& p = x.party();
  const int64_t r = x.shape().rank();
  dim = checkedDim(x, dim, "argmax");
  RangeCheckLog::OpScope check(x.party(), "argmax");
  const int64_t k0 = x.shape()[dim];
  auto scope = p.comm().tag("max");
  auto [v, perm] = toRows(x.share(), dim);
  if (k0 <= kAllPairsArgmax) {
    // One-hot from all pairs, then max = Σ_j onehot_j·v_j (one more round, no truncation).
    const RingTensor onehot = oneHotAllPairs(p, v);
    const RingTensor maxv = mulIntegers(p, onehot, v).sum(1);
    std::vector<int64_t> out_dims;
    for (int64_t d = 0; d < r; ++d) {
      if (d != dim) out_dims.push_back(x.shape()[d]);
    }
    return {
        ArithTensor(p, maxv.reshape(out_dims), x.fracBits()),
        ArithTensor(p, fromRows(onehot, x.shape(), perm).shiftLeft(x.fracBits()), x.fracBits())};
  }
  const int64_t rows = v.dim(0);
  // One-hot candidates: oh[row, j, :] marks original position j (public, at x's scale).
  RingTensor oh(Shape{rows, k0, k0});
  if (p.id() == 0) {
    const uint64_t one = encode(1.0, x.fracBits());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < k0; ++j) oh[(i * k0 + j) * k0 + j] = one;
  }
  int64_t k = k0;
  while (k > 1) {
    const int64_t h = k / 2;
    RingTensor va = v.slice(1, 0, h), vb = v.slice(1, h, 2 * h);
    RingTensor oa = oh.slice(1, 0, h), ob = oh.slice(1, h, 2 * h);
    // bit = [a >= b]; new value = b + (a - b)·bit; new one-hot = ob + (oa - ob)·bit: one
    // selection of [a - b, oa - ob] per pair.
    const RingTensor diff = va - vb, d_oh = oa - ob;
    const int64_t m = diff.numel(), w = k0 + 1;
    RingTensor both(Shape{m, w});
    for (int64_t i = 0; i < m; ++i) {
      both[i * w] = diff[i];
      std::copy_n(d_oh.data().begin() + i * k0, k0, both.data().begin() + i * w + 1);
    }
    const ArithTensor dv(p, diff, x.fracBits());
    RangeCheckLog::recordBeyond62(dv, "argmax");
    const RingTensor sel = p.protocol().sign(p, diff, /*nonneg=*/true, &both).selected;
    RingTensor nv = vb, no = ob;
    for (int64_t i = 0; i < m; ++i) {
      nv[i] += sel[i * w];
      for (int64_t u = 0; u < k0; ++u) no[i * k0 + u] += sel[i * w + 1 + u];
    }
    if (k % 2 == 1) {  // the odd one out goes on to the next level
      nv = concat({nv, v.slice(1, k - 1, k)}, 1);
      no = concat({no, oh.slice(1, k - 1, k)}, 1);
    }
    v = std::move(nv);
    oh = std::move(no);
    k = v.dim(1);
  }
  // Back to x's layout: values without `dim`, one-hot with `dim` where it was.
  std::vector<int64_t> out_dims;
  for (int64_t d = 0; d < r; ++d) {
    if (d != dim) out_dims.push_back(x.shape()[d]);
  }
  std::vector<int64_t> moved_dims = out_dims;
  moved_dims.push_back(k0);
  std::vector<int64_t> inverse(r);
  for (int64_t d = 0; d < r; ++d) inverse[perm[d]] = d;
  RingTensor onehot = oh.reshape(moved_dims).transpose(inverse);
  return {ArithTensor(p, v.reshape(out_dims), x.fracBits()),
          ArithTensor(p, std::move(onehot), x.fracBits())};
}

ArithTensor reduceTree(
    const ArithTensor& x, int64_t dim, bool keepdim, const char* what,
    const std::function<ArithTensor(const ArithTensor&, const ArithTensor&)>& pairwise) {
  const Party& p = x.party();
  const int64_t r = x.shape().rank();
  SOTTO_ENFORCE(r >= 1, what, " of a scalar");
  if (dim < 0) dim += r;
  SOTTO_ENFORCE(dim >= 0 && dim < r, what, ": dim ", dim, " is outside rank ", r);
  SOTTO_ENFORCE(x.shape()[dim] > 0, what, " over an empty dim of ", x.shape().toString());
  RingTensor v = toRows(x.share(), dim).first;
  while (v.dim(1) > 1) {
    const int64_t k = v.dim(1), h = k / 2;
    const ArithTensor a(p, v.slice(1, 0, h), x.fracBits()),
        b(p, v.slice(1, h, 2 * h), x.fracBits());
    RingTensor m = pairwise(a, b).share();
    if (k % 2 == 1) m = concat({m, v.slice(1, k - 1, k)}, 1);
    v = std::move(m);
  }
  // v is [rows, 1] with the other dims in order: x's row-major layout without dim.
  std::vector<int64_t> out_dims;
  for (int64_t d = 0; d < r; ++d) {
    if (d != dim) {
      out_dims.push_back(x.shape()[d]);
    } else if (keepdim) {
      out_dims.push_back(1);
    }
  }
  return ArithTensor(p, v.reshape(out_dims), x.fracBits());
}

ArithTensor max(const ArithTensor& x, int64_t dim, bool keepdim) {
  RangeCheckLog::OpScope check(x.party(), "max");  // maximum checks each level's differences
  auto scope = x.party().comm().tag("max");
  return reduceTree(x, dim, keepdim, "max", maximum);
}

namespace {

// The kh·kw windows of [N, C, H, W] as [N, C, OH, OW, kh·kw]. Padding positions hold *pad (on
// party 0; 0 elsewhere) or, if pad is null, a copy of the window's in-bounds element nearest to
// them (clamped coordinates: it lies in the same window), which can never change its maximum.
RingTensor windows(const RingTensor& x, std::array<int64_t, 2> kernel,
                   std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                   const uint64_t* pad) {
  SOTTO_ENFORCE(x.rank() == 4, "pooling needs [N, C, H, W], got ", x.shape().toString());
  SOTTO_ENFORCE(kernel[0] > 0 && kernel[1] > 0 && stride[0] > 0 && stride[1] > 0 &&
                    padding[0] >= 0 && padding[1] >= 0,
                "pooling: bad kernel, stride or padding");
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t oh = (h + 2 * padding[0] - kernel[0]) / stride[0] + 1;
  const int64_t ow = (w + 2 * padding[1] - kernel[1]) / stride[1] + 1;
  SOTTO_ENFORCE(oh > 0 && ow > 0, "pooling: kernel larger than the padded input ",
                x.shape().toString());
  // Without a pad value every window needs an in-bounds element (padding <= kernel - 1 ensures it).
  SOTTO_ENFORCE(pad != nullptr || (padding[0] < kernel[0] && padding[1] < kernel[1] &&
                                   (oh - 1) * stride[0] - padding[0] < h &&
                                   (ow - 1) * stride[1] - padding[1] < w),
                "max pooling: padding ", padding[0], "x", padding[1], " leaves a window of kernel ",
                kernel[0], "x", kernel[1], " with no input position");
  const int64_t kk = kernel[0] * kernel[1];
  RingTensor out(Shape{n, c, oh, ow, kk});
  int64_t at = 0;
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t u = 0; u < kernel[0]; ++u)
          for (int64_t v = 0; v < kernel[1]; ++v) {
            const int64_t y = i * stride[0] - padding[0] + u, z = j * stride[1] - padding[1] + v;
            const bool inside = y >= 0 && y < h && z >= 0 && z < w;
            if (inside || pad == nullptr) {
              out[at++] = x[(b * h + std::clamp<int64_t>(y, 0, h - 1)) * w +
                            std::clamp<int64_t>(z, 0, w - 1)];
            } else {
              out[at++] = *pad;
            }
          }
  return out;
}

}  // namespace

ArithTensor maxPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding) {
  const Party& p = x.party();
  RangeCheckLog::OpScope check(p, "maxPool2d");  // max checks each level's differences
  RingTensor win = windows(x.share(), kernel, stride, padding, nullptr);
  return max(ArithTensor(p, std::move(win), x.fracBits()), 4);
}

ArithTensor reluTruncatePositive(const ArithTensor& x, int bits) {
  const Party& p = x.party();
  if (!p.protocol().hasSignBits() || bits <= 0) {
    const ArithTensor y = relu(x);
    return bits > 0 ? y.truncatePositive(bits) : y;
  }
  RangeCheckLog::OpScope check(p, "relu");
  RangeCheckLog::recordBeyond62(x, "relu");
  auto scope = p.comm().tag("relu");
  const RingTensor b = p.protocol().signBits(p, x.share(), /*nonneg=*/true);
  return ArithTensor(p, p.protocol().selectBits(p, b, x.numel(), x.share(), bits), x.fracBits());
}

ArithTensor maxPool2dRelu(const ArithTensor& x, std::array<int64_t, 2> kernel,
                          std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                          int truncate_bits) {
  const Party& p = x.party();
  if (!p.protocol().hasSignBits()) {
    const ArithTensor y = relu(maxPool2d(x, kernel, stride, padding));
    return truncate_bits > 0 ? y.truncatePositive(truncate_bits) : y;
  }
  RangeCheckLog::OpScope check(p, "maxPool2dRelu");
  RingTensor t = windows(x.share(), kernel, stride, padding, nullptr);
  const int fb = x.fracBits();
  {
    auto scope = p.comm().tag("max");
    while (t.dim(4) > 2) {  // pairwise maxima down to two candidates per window
      const int64_t k = t.dim(4), h = k / 2;
      RingTensor m =
          maximum(ArithTensor(p, t.slice(4, 0, h), fb), ArithTensor(p, t.slice(4, h, 2 * h), fb))
              .share();
      t = k % 2 == 1 ? concat({m, t.slice(4, k - 1, k)}, 4) : std::move(m);
    }
  }
  // max(a, b, 0): [a >= b], [a >= 0], [b >= 0] at once, one AND, one selection.
  auto scope = p.comm().tag("relu");
  const int64_t k = t.dim(4);
  const RingTensor rows = t.reshape({t.numel() / k, k});
  const RingTensor w = detail::winnerBits(p, rows, true, "relu");
  const RingTensor sel = p.protocol().selectBits(p, w, rows.numel(), rows, truncate_bits);
  std::vector<int64_t> dims = t.shape().dims();
  dims.pop_back();
  return ArithTensor(p, sel.sum(1).reshape(dims), fb);
}

ArithTensor avgPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                      bool count_include_pad, std::optional<Truncation> division) {
  const Party& p = x.party();
  const uint64_t zero = 0;
  RingTensor win = windows(x.share(), kernel, stride, padding, &zero);
  RingTensor sums = win.sum(4);
  if (count_include_pad || (padding[0] == 0 && padding[1] == 0)) {
    // The window sums divided by kh·kw (a shift for 2x2, else 28 bits of 1/(kh·kw)).
    const ArithTensor sum(p, std::move(sums), x.fracBits());
    const int64_t n = kernel[0] * kernel[1];
    return division ? sum.divPublicCount(n, *division) : sum.divPublicCount(n);
  }
  // Each window divided by its number of positions inside the input: a public factor
  // round(2^28 / count) per output position, then one 28-bit truncation.
  const int64_t h = x.shape()[2], w = x.shape()[3], oh = sums.dim(2), ow = sums.dim(3);
  std::vector<uint64_t> factor(static_cast<size_t>(oh * ow));
  for (int64_t i = 0; i < oh; ++i)
    for (int64_t j = 0; j < ow; ++j) {
      const int64_t y0 = i * stride[0] - padding[0], z0 = j * stride[1] - padding[1];
      const int64_t rows = std::min(y0 + kernel[0], h) - std::max<int64_t>(y0, 0);
      const int64_t cols = std::min(z0 + kernel[1], w) - std::max<int64_t>(z0, 0);
      factor[static_cast<size_t>(i * ow + j)] = static_cast<uint64_t>(std::llround(
          std::ldexp(1.0, 28) / static_cast<double>(std::max<int64_t>(rows * cols, 1))));
    }
  for (int64_t e = 0; e < sums.numel(); ++e) sums[e] *= factor[static_cast<size_t>(e % (oh * ow))];
  return ArithTensor(p, std::move(sums), x.fracBits())
      .truncate(28, division.value_or(Truncation::kDealer));
}

}  // namespace sotto
