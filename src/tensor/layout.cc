// RingTensor layout operations: reshape, flatten, transpose, slice, pad, broadcastTo, concat.

#include <algorithm>
#include <cstring>
#include <string>

#include "sotto/error.h"
#include "sotto/tensor/ring_tensor.h"
#include "tensor/strided.h"

namespace sotto {
namespace {

std::string dimsToString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

Shape inferReshape(const Shape& from, const std::vector<int64_t>& dims) {
  int64_t known = 1;
  int64_t infer_at = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      SOTTO_ENFORCE(infer_at < 0, "reshape ", from, " to ", dimsToString(dims),
                    ": more than one -1");
      infer_at = static_cast<int64_t>(i);
    } else {
      SOTTO_ENFORCE(dims[i] >= 0, "reshape ", from, " to ", dimsToString(dims),
                    ": invalid target dimension ", dims[i]);
      known *= dims[i];
    }
  }
  std::vector<int64_t> out = dims;
  if (infer_at >= 0) {
    SOTTO_ENFORCE(known != 0, "reshape ", from, " to ", dimsToString(dims),
                  ": the -1 dimension is ambiguous when the others multiply to 0");
    SOTTO_ENFORCE(from.numel() % known == 0, "cannot reshape ", from, " (", from.numel(),
                  " elements) to ", dimsToString(dims));
    out[static_cast<size_t>(infer_at)] = from.numel() / known;
  }
  Shape to(std::move(out));
  SOTTO_ENFORCE(to.numel() == from.numel(), "cannot reshape ", from, " (", from.numel(),
                " elements) to ", to, " (", to.numel(), " elements)");
  return to;
}

Shape flattenShape(const Shape& from, int64_t start_dim, int64_t end_dim) {
  if (from.rank() == 0) {
    // A scalar behaves as rank 1 here (as torch.flatten).
    SOTTO_ENFORCE((start_dim == 0 || start_dim == -1) && (end_dim == 0 || end_dim == -1),
                  "flatten of a rank-0 tensor: dims must be 0 or -1");
    return Shape{1};
  }
  const int64_t s = normalizeDim(start_dim, from.rank());
  const int64_t e = normalizeDim(end_dim, from.rank());
  SOTTO_ENFORCE(s <= e, "flatten ", from, ": start_dim ", start_dim, " is after end_dim ", end_dim);
  std::vector<int64_t> dims(from.dims().begin(), from.dims().begin() + s);
  int64_t merged = 1;
  for (int64_t i = s; i <= e; ++i) merged *= from[i];
  dims.push_back(merged);
  dims.insert(dims.end(), from.dims().begin() + e + 1, from.dims().end());
  return Shape(std::move(dims));
}

}  // namespace

RingTensor RingTensor::reshape(const std::vector<int64_t>& dims) const& {
  return RingTensor(StorageTag{}, inferReshape(shape_, dims), values_);
}

RingTensor RingTensor::reshape(const std::vector<int64_t>& dims) && {
  Shape to = inferReshape(shape_, dims);
  return RingTensor(StorageTag{}, std::move(to), std::move(values_));
}

RingTensor RingTensor::flatten(int64_t start_dim, int64_t end_dim) const& {
  return RingTensor(StorageTag{}, flattenShape(shape_, start_dim, end_dim), values_);
}

RingTensor RingTensor::flatten(int64_t start_dim, int64_t end_dim) && {
  Shape to = flattenShape(shape_, start_dim, end_dim);
  return RingTensor(StorageTag{}, std::move(to), std::move(values_));
}

RingTensor RingTensor::transpose(const std::vector<int64_t>& perm) const {
  SOTTO_ENFORCE(static_cast<int64_t>(perm.size()) == rank(), "transpose of ", shape_,
                ": permutation has ", perm.size(), " entries, expected ", rank());
  std::vector<bool> seen(perm.size(), false);
  const std::vector<int64_t> in_strides = shape_.strides();
  std::vector<int64_t> out_dims(perm.size());
  std::vector<int64_t> src_strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    const int64_t p = perm[i];
    SOTTO_ENFORCE(p >= 0 && p < rank() && !seen[static_cast<size_t>(p)], "transpose of ", shape_,
                  ": not a permutation of [0, ", rank(), ") (entry ", i, " is ", p, ")");
    seen[static_cast<size_t>(p)] = true;
    out_dims[i] = shape_[p];
    src_strides[i] = in_strides[static_cast<size_t>(p)];
  }
  RingTensor out{Shape(std::move(out_dims))};
  detail::stridedCopy(out.values_.data(), out.shape_.strides(), values_.data(), src_strides,
                      out.shape_.dims());
  return out;
}

RingTensor RingTensor::transpose2d() const {
  SOTTO_ENFORCE(rank() == 2, "transpose2d needs a rank-2 tensor, got shape ", shape_);
  const int64_t m = shape_[0];
  const int64_t n = shape_[1];
  RingTensor out{Shape{n, m}};
  // 32 x 32 tiles: one tile of source rows and of destination rows stays in L1.
  constexpr int64_t kTile = 32;
  const uint64_t* src = values_.data();
  uint64_t* dst = out.values_.data();
  for (int64_t i0 = 0; i0 < m; i0 += kTile) {
    const int64_t i1 = std::min(m, i0 + kTile);
    for (int64_t j0 = 0; j0 < n; j0 += kTile) {
      const int64_t j1 = std::min(n, j0 + kTile);
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t j = j0; j < j1; ++j) dst[j * m + i] = src[i * n + j];
      }
    }
  }
  return out;
}

RingTensor RingTensor::slice(int64_t dim, int64_t start, int64_t stop, int64_t step) const {
  const int64_t d = normalizeDim(dim, rank());
  SOTTO_ENFORCE(step >= 1, "slice of ", shape_, ": step ", step, " must be >= 1");
  const int64_t size = shape_[d];
  auto clamp = [size](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size); };
  const int64_t lo = clamp(start);
  const int64_t hi = clamp(stop);
  const int64_t len = hi > lo ? (hi - lo + step - 1) / step : 0;

  std::vector<int64_t> out_dims = shape_.dims();
  out_dims[static_cast<size_t>(d)] = len;
  RingTensor out{Shape(std::move(out_dims))};
  if (out.numel() == 0) return out;
  std::vector<int64_t> src_strides = shape_.strides();
  const int64_t offset = lo * src_strides[static_cast<size_t>(d)];
  src_strides[static_cast<size_t>(d)] *= step;
  detail::stridedCopy(out.values_.data(), out.shape_.strides(), values_.data() + offset,
                      src_strides, out.shape_.dims());
  return out;
}

RingTensor RingTensor::pad(const std::vector<std::pair<int64_t, int64_t>>& pads) const {
  SOTTO_ENFORCE(static_cast<int64_t>(pads.size()) == rank(), "pad of ", shape_, ": ", pads.size(),
                " (before, after) pairs, expected ", rank());
  std::vector<int64_t> out_dims = shape_.dims();
  for (size_t i = 0; i < pads.size(); ++i) {
    SOTTO_ENFORCE(pads[i].first >= 0 && pads[i].second >= 0, "pad of ", shape_,
                  ": negative padding (", pads[i].first, ", ", pads[i].second, ") in dimension ",
                  i);
    out_dims[i] += pads[i].first + pads[i].second;
  }
  RingTensor out{Shape(std::move(out_dims))};
  if (numel() == 0) return out;
  const std::vector<int64_t> out_strides = out.shape_.strides();
  int64_t offset = 0;
  for (size_t i = 0; i < pads.size(); ++i) offset += pads[i].first * out_strides[i];
  detail::stridedCopy(out.values_.data() + offset, out_strides, values_.data(), shape_.strides(),
                      shape_.dims());
  return out;
}

RingTensor RingTensor::broadcastTo(const Shape& shape) const {
  SOTTO_ENFORCE(broadcastShapes(shape_, shape) == shape, "cannot broadcast shape ", shape_, " to ",
                shape);
  RingTensor out{shape};
  detail::stridedCopy(out.values_.data(), shape.strides(), values_.data(),
                      detail::broadcastStrides(shape_, shape), shape.dims());
  return out;
}

RingTensor concat(std::span<const RingTensor> tensors, int64_t dim) {
  SOTTO_ENFORCE(!tensors.empty(), "concat of an empty list of tensors");
  const Shape& first = tensors[0].shape();
  SOTTO_ENFORCE(first.rank() > 0, "concat of rank-0 tensors (shape ", first, ")");
  const int64_t d = normalizeDim(dim, first.rank());
  std::vector<int64_t> out_dims = first.dims();
  out_dims[static_cast<size_t>(d)] = 0;
  for (const RingTensor& t : tensors) {
    bool same = t.rank() == first.rank();
    for (int64_t i = 0; same && i < first.rank(); ++i) same = i == d || t.shape()[i] == first[i];
    SOTTO_ENFORCE(same, "concat along dimension ", d, ": shape ", t.shape(),
                  " does not match shape ", first, " outside that dimension");
    out_dims[static_cast<size_t>(d)] += t.shape()[d];
  }
  RingTensor out{Shape(std::move(out_dims))};
  if (out.numel() == 0) return out;
  int64_t outer = 1;
  int64_t inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= first[i];
  for (int64_t i = d + 1; i < first.rank(); ++i) inner *= first[i];
  const int64_t out_row = out.shape()[d] * inner;
  uint64_t* dst = out.data().data();
  int64_t column = 0;  // offset of the current tensor's block within an output row
  for (const RingTensor& t : tensors) {
    const int64_t chunk = t.shape()[d] * inner;
    const uint64_t* src = t.data().data();
    for (int64_t o = 0; o < outer && chunk > 0; ++o) {
      std::memcpy(dst + o * out_row + column, src + o * chunk,
                  static_cast<size_t>(chunk) * sizeof(uint64_t));
    }
    column += chunk;
  }
  return out;
}

}  // namespace sotto
