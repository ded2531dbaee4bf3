#include "sotto/mpc/compare.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace sotto {
namespace {

// XOR-shared bits, 64 per word: a RingTensor of shape [ceil(n / 64)].
using Bits = RingTensor;

int64_t wordsFor(int64_t n) { return (n + 63) / 64; }

bool bitAt(const RingTensor& bits, int64_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

// Opens additive tensors (sums) and XOR-shared tensors (xors) in one round: with 2 parties one
// exchange carries both; with more, one allReduce per kind.
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

// x_j & y_j for XOR-shared packed bits, every pair in one round with one AND triple:
// z = c ^ (d & b) ^ (e & a) (^ d & e on party 0), d = x ^ a and e = y ^ b opened.
std::vector<Bits> andAll(const Party& p, const std::vector<std::pair<Bits, Bits>>& pairs) {
  const int64_t w = pairs.front().first.numel();
  const int64_t k = static_cast<int64_t>(pairs.size());
  const BinaryTriple t = p.dealer().binaryTriple(k * w);
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

// The XOR-shared bit [x < 0] for every element, packed. 3 rounds (open c, two AND levels).
Bits signBits(const ArithTensor& x) {
  const Party& p = x.party();
  const int64_t n = x.numel();
  const int64_t w = wordsFor(n);
  const CompareTables tab = p.dealer().compareTables(x.shape());
  // Round 1: c = x + 2^32 + r (x + 2^32 lies in [0, 2^33) for |x| < 2^32).
  RingTensor masked = x.share() + tab.r;
  if (p.id() == 0) masked += uint64_t{1} << 32;
  const RingTensor c = std::move(openTogether(p, {std::move(masked)})[0]);

  // Table lookups at c's digits (local): lt0, lt1, eq1, lt2, eq2, A = r_32 ^ lt3, E = eq3.
  std::vector<Bits> bits(7, Bits(Shape{w}));
  Bits not_c32(Shape{w});
  const auto t = tab.tables.data();
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t v = c[i];
    const uint64_t digit[4] = {v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >> 24) & 255};
    constexpr int kDigitOf[7] = {0, 1, 1, 2, 2, 3, 3};
    for (int k = 0; k < 7; ++k) {
      const uint64_t d = digit[kDigitOf[k]];
      const uint64_t bit = (t[((k * n) + i) * 4 + d / 64] >> (d % 64)) & 1;
      bits[k][i / 64] |= bit << (i % 64);
    }
    not_c32[i / 64] |= (((v >> 32) & 1) ^ 1) << (i % 64);
  }
  // s = 1 ^ c_32 ^ A ^ (E & L), L = lt2 ^ (eq2 & (lt1 ^ (eq1 & lt0))), in two AND levels:
  // P = lt1 ^ (eq1 & lt0), H = A ^ (E & lt2), G = E & eq2; then s = H ^ (G & P) ^ 1 ^ c_32.
  auto level1 = andAll(p, {{bits[2], bits[0]}, {bits[6], bits[3]}, {bits[6], bits[4]}});
  Bits pp = bits[1] ^ level1[0];
  Bits h = bits[5] ^ level1[1];
  auto level2 = andAll(p, {{level1[2], pp}});
  Bits s = h ^ level2[0];
  if (p.id() == 0) s ^= not_c32;
  return s;
}

// Party 0 flips the first n bits (NOT of a XOR-shared bit vector).
Bits notBits(const Party& p, Bits b, int64_t n) {
  if (p.id() != 0) return b;
  for (int64_t i = 0; i < n; ++i) b[i / 64] ^= uint64_t{1} << (i % 64);
  return b;
}

// x_k · b for every target x_k (w_k consecutive values per bit of b), one round for all:
// open t = b ^ rho and e = x - a; x·b = x·rho = e·rho + a·rho if t = 0, x - x·rho if t = 1.
std::vector<RingTensor> selectByBits(const Party& p, const Bits& b, const Shape& bit_shape,
                                     const std::vector<const RingTensor*>& xs) {
  std::vector<BitSelect> m;
  std::vector<RingTensor> add, xr;
  for (const RingTensor* x : xs) {
    m.push_back(p.dealer().bitSelect(bit_shape, x->shape()));
    add.push_back(*x - m.back().a);
    xr.push_back(b ^ m.back().rho_bits);
  }
  auto [e, tb] = openMixed(p, std::move(add), std::move(xr));
  std::vector<RingTensor> out;
  const int64_t n = bit_shape.numel();
  for (size_t k = 0; k < xs.size(); ++k) {
    const RingTensor& x = *xs[k];
    RingTensor z(x.shape());
    const int64_t w = n == 0 ? 0 : x.numel() / n;
    for (int64_t j = 0; j < x.numel(); ++j) {
      const int64_t i = j / w;
      const uint64_t x_rho = e[k][j] * m[k].rho[i] + m[k].a_rho[j];
      z[j] = bitAt(tb[k], i) ? x[j] - x_rho : x_rho;
    }
    out.push_back(std::move(z));
  }
  return out;
}

// Additive shares of the 0/1 bits (as integers): t = b ^ rho opened; b = t ? 1 - rho : rho.
RingTensor bitsToArith(const Party& p, const Bits& b, const Shape& shape) {
  const BitSelect m = p.dealer().bitSelect(shape);
  const RingTensor t = std::move(openMixed(p, {}, {b ^ m.rho_bits}).second[0]);
  RingTensor out(shape);
  for (int64_t i = 0; i < out.numel(); ++i) {
    out[i] = bitAt(t, i) ? (p.id() == 0 ? 1 : 0) - m.rho[i] : m.rho[i];
  }
  return out;
}

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
  auto scope = x.party().comm().tag("compare");
  const Bits s = signBits(x);
  RingTensor bit = bitsToArith(x.party(), s, x.shape());
  return ArithTensor(x.party(), bit.shiftLeft(x.fracBits()), x.fracBits());
}

ArithTensor lt(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "lt");
  return ltz(x - y);
}
ArithTensor gt(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "gt");
  return ltz(y - x);
}
ArithTensor le(const ArithTensor& x, const ArithTensor& y) {
  return constantLike(x, 1.0) - gt(x, y);
}
ArithTensor ge(const ArithTensor& x, const ArithTensor& y) {
  return constantLike(x, 1.0) - lt(x, y);
}

ArithTensor eq(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "eq");
  // lt and gt in one pass over [x - y, y - x]; eq = 1 - lt - gt (they never hold together).
  const ArithTensor d = x - y;
  const std::vector<int64_t> flat{d.numel()};
  RingTensor both = concat({d.share().reshape(flat), (-d).share().reshape(flat)}, 0);
  const ArithTensor l = ltz(ArithTensor(x.party(), std::move(both), x.fracBits()));
  const int64_t n = d.numel();
  RingTensor lts = l.share().slice(0, 0, n).reshape(x.shape().dims());
  RingTensor gts = l.share().slice(0, n, 2 * n).reshape(x.shape().dims());
  return constantLike(x, 1.0) - ArithTensor(x.party(), std::move(lts), x.fracBits()) -
         ArithTensor(x.party(), std::move(gts), x.fracBits());
}

ArithTensor sign(const ArithTensor& x) { return constantLike(x, 1.0) - ltz(x).mulPublicInt(2); }

ArithTensor relu(const ArithTensor& x) {
  const Party& p = x.party();
  auto scope = p.comm().tag("relu");
  const Bits nonneg = notBits(p, signBits(x), x.numel());
  auto out = selectByBits(p, nonneg, x.shape(), {&x.share()});
  return ArithTensor(p, std::move(out[0]), x.fracBits());
}

ArithTensor abs(const ArithTensor& x) { return relu(x).mulPublicInt(2) - x; }

ArithTensor maximum(const ArithTensor& x, const ArithTensor& y) {
  checkPair(x, y, "maximum");
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

}  // namespace

std::pair<ArithTensor, ArithTensor> argmax(const ArithTensor& x, int64_t dim) {
  const Party& p = x.party();
  const int64_t r = x.shape().rank();
  SOTTO_ENFORCE(r >= 1, "argmax of a scalar");
  if (dim < 0) dim += r;
  SOTTO_ENFORCE(dim >= 0 && dim < r, "argmax: dim ", dim, " is outside rank ", r);
  const int64_t k0 = x.shape()[dim];
  SOTTO_ENFORCE(k0 > 0, "argmax over an empty dim of ", x.shape().toString());
  auto scope = p.comm().tag("max");
  auto [v, perm] = toRows(x.share(), dim);
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
    // bit = [a >= b]; new value = b + (a - b)·bit; new one-hot = ob + (oa - ob)·bit.
    const ArithTensor diff(p, va - vb, x.fracBits());
    const Bits ge_bits = notBits(p, signBits(diff), diff.numel());
    RingTensor d_oh = oa - ob;
    auto sel = selectByBits(p, ge_bits, diff.shape(), {&diff.share(), &d_oh});
    RingTensor nv = vb + sel[0];
    RingTensor no = ob + sel[1];
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
  auto scope = x.party().comm().tag("max");
  return reduceTree(x, dim, keepdim, "max", maximum);
}

namespace {

// The kh·kw windows of [N, C, H, W] as [N, C, OH, OW, kh·kw]; padding positions hold `pad`
// (on party 0; 0 elsewhere).
RingTensor windows(const RingTensor& x, std::array<int64_t, 2> kernel,
                   std::array<int64_t, 2> stride, std::array<int64_t, 2> padding, uint64_t pad) {
  SOTTO_ENFORCE(x.rank() == 4, "pooling needs [N, C, H, W], got ", x.shape().toString());
  SOTTO_ENFORCE(kernel[0] > 0 && kernel[1] > 0 && stride[0] > 0 && stride[1] > 0 &&
                    padding[0] >= 0 && padding[1] >= 0,
                "pooling: bad kernel, stride or padding");
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t oh = (h + 2 * padding[0] - kernel[0]) / stride[0] + 1;
  const int64_t ow = (w + 2 * padding[1] - kernel[1]) / stride[1] + 1;
  SOTTO_ENFORCE(oh > 0 && ow > 0, "pooling: kernel larger than the padded input ",
                x.shape().toString());
  const int64_t kk = kernel[0] * kernel[1];
  RingTensor out(Shape{n, c, oh, ow, kk});
  int64_t at = 0;
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t u = 0; u < kernel[0]; ++u)
          for (int64_t v = 0; v < kernel[1]; ++v) {
            const int64_t y = i * stride[0] - padding[0] + u, z = j * stride[1] - padding[1] + v;
            out[at++] = (y < 0 || y >= h || z < 0 || z >= w) ? pad : x[(b * h + y) * w + z];
          }
  return out;
}

}  // namespace

ArithTensor maxPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding) {
  const Party& p = x.party();
  const uint64_t very_negative = p.id() == 0 ? ~uint64_t{0} << 31 : 0;  // -2^31 ring units
  RingTensor win = windows(x.share(), kernel, stride, padding, very_negative);
  return max(ArithTensor(p, std::move(win), x.fracBits()), 4);
}

ArithTensor avgPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                      bool count_include_pad) {
  const Party& p = x.party();
  RingTensor win = windows(x.share(), kernel, stride, padding, 0);
  RingTensor sums = win.sum(4);
  if (count_include_pad || (padding[0] == 0 && padding[1] == 0)) {
    // The window sums divided by kh·kw (a shift for 2x2, else 28 bits of 1/(kh·kw)).
    return ArithTensor(p, std::move(sums), x.fracBits()).divPublicCount(kernel[0] * kernel[1]);
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
  return ArithTensor(p, std::move(sums), x.fracBits()).truncate(28);
}

}  // namespace sotto
