// RingTensor: construction, element access, elementwise arithmetic, shifts and reductions.
// Layout operations (reshape, transpose, slice, pad, concat, ...) are in layout.cc.

#include "sotto/tensor/ring_tensor.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <sstream>

#include "sotto/error.h"
#include "tensor/strided.h"

namespace sotto {
namespace {

struct Add {
  uint64_t operator()(uint64_t x, uint64_t y) const { return x + y; }
};
struct Sub {
  uint64_t operator()(uint64_t x, uint64_t y) const { return x - y; }
};
struct Mul {
  uint64_t operator()(uint64_t x, uint64_t y) const { return x * y; }
};
struct Xor {
  uint64_t operator()(uint64_t x, uint64_t y) const { return x ^ y; }
};
struct And {
  uint64_t operator()(uint64_t x, uint64_t y) const { return x & y; }
};
struct Or {
  uint64_t operator()(uint64_t x, uint64_t y) const { return x | y; }
};

/// out = op(a, b) over out_shape, with a and b broadcast to it. out may be a's own storage when
/// a.shape() == out_shape (elementwise, same offsets: reading before writing is safe).
template <typename Op>
void broadcastApply(const Shape& out_shape, uint64_t* out, const RingTensor& a, const RingTensor& b,
                    Op op) {
  const std::vector<int64_t> so = out_shape.strides();
  const std::vector<int64_t> sa = detail::broadcastStrides(a.shape(), out_shape);
  const std::vector<int64_t> sb = detail::broadcastStrides(b.shape(), out_shape);
  const uint64_t* pa = a.data().data();
  const uint64_t* pb = b.data().data();
  detail::StridedLoop<3> loop(out_shape.dims(), {so, sa, sb});
  loop.forEachRow([&](const detail::StridedLoop<3>::Offsets& off, int64_t n,
                      const detail::StridedLoop<3>::Offsets& st) {
    uint64_t* o = out + off[0];
    const uint64_t* x = pa + off[1];
    const uint64_t* y = pb + off[2];
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
      for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], y[i]);
    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
      const uint64_t v = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = op(x[i], v);
    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
      const uint64_t v = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = op(v, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = op(x[i * st[1]], y[i * st[2]]);
    }
  });
}

template <typename Op>
void applyInPlace(RingTensor& a, const RingTensor& b, Op op, const char* name) {
  const Shape out = broadcastShapes(a.shape(), b.shape());
  SOTTO_ENFORCE(out == a.shape(), "in-place ", name, ": operand of shape ", b.shape(),
                " does not broadcast to ", a.shape(), " (the result would be ", out, ")");
  broadcastApply(out, a.data().data(), a, b, op);
}

template <typename Op>
void applyScalar(std::span<uint64_t> values, uint64_t v, Op op) {
  for (uint64_t& x : values) x = op(x, v);
}

template <typename Op>
RingTensor binary(RingTensor a, const RingTensor& b, Op op) {
  Shape out = broadcastShapes(a.shape(), b.shape());
  if (out == a.shape()) {  // reuse a's storage (a is ours: copied or moved in)
    broadcastApply(out, a.data().data(), a, b, op);
    return a;
  }
  RingTensor result(std::move(out));
  broadcastApply(result.shape(), result.data().data(), a, b, op);
  return result;
}

void checkShift(int bits) {
  SOTTO_ENFORCE(bits >= 0 && bits <= 63, "shift amount ", bits, " outside [0, 63]");
}

}  // namespace

// ---- Construction ---------------------------------------------------------------------------

RingTensor::RingTensor() : shape_{0} {}

RingTensor::RingTensor(Shape shape)
    : shape_(std::move(shape)), values_(static_cast<size_t>(shape_.numel()), 0) {}

RingTensor RingTensor::full(Shape shape, uint64_t value) {
  const auto n = static_cast<size_t>(shape.numel());
  return RingTensor(StorageTag{}, std::move(shape), Storage(n, value));
}

RingTensor RingTensor::uninitialized(Shape shape) {
  const auto n = static_cast<size_t>(shape.numel());
  return RingTensor(StorageTag{}, std::move(shape), Storage(n));
}

RingTensor::RingTensor(StorageTag, Shape shape, Storage values)
    : shape_(std::move(shape)), values_(std::move(values)) {}

RingTensor::RingTensor(Shape shape, std::vector<uint64_t> values)
    : shape_(std::move(shape)), values_(values.begin(), values.end()) {
  SOTTO_ENFORCE(static_cast<int64_t>(values_.size()) == shape_.numel(),
                "RingTensor: ", values_.size(), " values for shape ", shape_, " (", shape_.numel(),
                " elements)");
}

RingTensor RingTensor::encode(std::span<const double> values, Shape shape, int frac_bits) {
  SOTTO_ENFORCE(static_cast<int64_t>(values.size()) == shape.numel(),
                "RingTensor::encode: ", values.size(), " values for shape ", shape, " (",
                shape.numel(), " elements)");
  std::vector<uint64_t> encoded(values.size());
  for (size_t i = 0; i < values.size(); ++i) encoded[i] = sotto::encode(values[i], frac_bits);
  return RingTensor(std::move(shape), std::move(encoded));
}

std::vector<double> RingTensor::decode(int frac_bits) const {
  SOTTO_ENFORCE(frac_bits >= 0 && frac_bits <= kMaxFracBits, "decode: frac_bits ", frac_bits,
                " outside [0, ", kMaxFracBits, "]");
  // Multiplying by 2^-f is exact (a power of two), so this equals (double)(int64_t)v / 2^f.
  const double scale = std::ldexp(1.0, -frac_bits);
  std::vector<double> out(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    out[i] = static_cast<double>(static_cast<int64_t>(values_[i])) * scale;
  }
  return out;
}

// ---- Element access -------------------------------------------------------------------------

namespace {
int64_t flatIndex(const Shape& shape, std::span<const int64_t> index) {
  SOTTO_ENFORCE(static_cast<int64_t>(index.size()) == shape.rank(), "index of length ",
                index.size(), " for a tensor of shape ", shape);
  int64_t flat = 0;
  for (size_t d = 0; d < index.size(); ++d) {
    const int64_t size = shape[static_cast<int64_t>(d)];
    SOTTO_ENFORCE(index[d] >= 0 && index[d] < size, "index ", index[d], " out of range [0, ", size,
                  ") in dimension ", d, " of shape ", shape);
    flat = flat * size + index[d];
  }
  return flat;
}
}  // namespace

uint64_t& RingTensor::at(std::span<const int64_t> index) {
  return values_[static_cast<size_t>(flatIndex(shape_, index))];
}

uint64_t RingTensor::at(std::span<const int64_t> index) const {
  return values_[static_cast<size_t>(flatIndex(shape_, index))];
}

uint64_t RingTensor::item() const {
  SOTTO_ENFORCE(numel() == 1, "item() on a tensor of shape ", shape_, " (", numel(),
                " elements, expected 1)");
  return values_[0];
}

// ---- Elementwise ----------------------------------------------------------------------------

RingTensor& RingTensor::operator+=(const RingTensor& other) {
  applyInPlace(*this, other, Add{}, "+=");
  return *this;
}
RingTensor& RingTensor::operator-=(const RingTensor& other) {
  applyInPlace(*this, other, Sub{}, "-=");
  return *this;
}
RingTensor& RingTensor::operator*=(const RingTensor& other) {
  applyInPlace(*this, other, Mul{}, "*=");
  return *this;
}
RingTensor& RingTensor::operator^=(const RingTensor& other) {
  applyInPlace(*this, other, Xor{}, "^=");
  return *this;
}
RingTensor& RingTensor::operator&=(const RingTensor& other) {
  applyInPlace(*this, other, And{}, "&=");
  return *this;
}
RingTensor& RingTensor::operator|=(const RingTensor& other) {
  applyInPlace(*this, other, Or{}, "|=");
  return *this;
}

RingTensor& RingTensor::operator+=(uint64_t value) {
  applyScalar(values_, value, Add{});
  return *this;
}
RingTensor& RingTensor::operator-=(uint64_t value) {
  applyScalar(values_, value, Sub{});
  return *this;
}
RingTensor& RingTensor::operator*=(uint64_t value) {
  applyScalar(values_, value, Mul{});
  return *this;
}
RingTensor& RingTensor::operator^=(uint64_t value) {
  applyScalar(values_, value, Xor{});
  return *this;
}
RingTensor& RingTensor::operator&=(uint64_t value) {
  applyScalar(values_, value, And{});
  return *this;
}
RingTensor& RingTensor::operator|=(uint64_t value) {
  applyScalar(values_, value, Or{});
  return *this;
}

RingTensor operator+(RingTensor a, const RingTensor& b) { return binary(std::move(a), b, Add{}); }
RingTensor operator-(RingTensor a, const RingTensor& b) { return binary(std::move(a), b, Sub{}); }
RingTensor operator*(RingTensor a, const RingTensor& b) { return binary(std::move(a), b, Mul{}); }
RingTensor operator^(RingTensor a, const RingTensor& b) { return binary(std::move(a), b, Xor{}); }
RingTensor operator&(RingTensor a, const RingTensor& b) { return binary(std::move(a), b, And{}); }
RingTensor operator|(RingTensor a, const RingTensor& b) { return binary(std::move(a), b, Or{}); }

RingTensor operator-(uint64_t v, RingTensor a) {
  for (uint64_t& x : a.data()) x = v - x;
  return a;
}

RingTensor operator-(RingTensor a) {
  for (uint64_t& x : a.data()) x = 0 - x;
  return a;
}

RingTensor operator~(RingTensor a) {
  for (uint64_t& x : a.data()) x = ~x;
  return a;
}

// ---- Shifts ---------------------------------------------------------------------------------

RingTensor RingTensor::shiftLeft(int bits) const& { return RingTensor(*this).shiftLeft(bits); }
RingTensor RingTensor::shiftLeft(int bits) && {
  checkShift(bits);
  for (uint64_t& x : values_) x <<= bits;
  return std::move(*this);
}

RingTensor RingTensor::shiftRightLogical(int bits) const& {
  return RingTensor(*this).shiftRightLogical(bits);
}
RingTensor RingTensor::shiftRightLogical(int bits) && {
  checkShift(bits);
  for (uint64_t& x : values_) x >>= bits;
  return std::move(*this);
}

RingTensor RingTensor::shiftRightArithmetic(int bits) const& {
  return RingTensor(*this).shiftRightArithmetic(bits);
}
RingTensor RingTensor::shiftRightArithmetic(int bits) && {
  checkShift(bits);
  // C++20: uint64 -> int64 is modular and >> on a negative int64 is arithmetic (sign fill).
  for (uint64_t& x : values_) x = static_cast<uint64_t>(static_cast<int64_t>(x) >> bits);
  return std::move(*this);
}

// ---- Reductions -----------------------------------------------------------------------------

RingTensor RingTensor::sum(int64_t dim, bool keepdim) const {
  const int64_t d = normalizeDim(dim, rank());
  const std::vector<int64_t>& dims = shape_.dims();
  int64_t outer = 1;
  int64_t inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= dims[static_cast<size_t>(i)];
  for (int64_t i = d + 1; i < rank(); ++i) inner *= dims[static_cast<size_t>(i)];
  const int64_t n = dims[static_cast<size_t>(d)];

  std::vector<int64_t> out_dims = dims;
  if (keepdim) {
    out_dims[static_cast<size_t>(d)] = 1;
  } else {
    out_dims.erase(out_dims.begin() + d);
  }
  RingTensor out{Shape(std::move(out_dims))};
  uint64_t* o = out.values_.data();
  const uint64_t* x = values_.data();
  // out[o, i] = sum_j x[o, j, i]; the innermost loop runs over contiguous i.
  for (int64_t a = 0; a < outer; ++a) {
    uint64_t* orow = o + a * inner;
    for (int64_t j = 0; j < n; ++j) {
      const uint64_t* xrow = x + (a * n + j) * inner;
      for (int64_t i = 0; i < inner; ++i) orow[i] += xrow[i];
    }
  }
  return out;
}

uint64_t RingTensor::sum() const {
  return std::accumulate(values_.begin(), values_.end(), uint64_t{0});
}

// ---- Printing -------------------------------------------------------------------------------

std::string RingTensor::toString() const {
  constexpr size_t kMaxShown = 16;
  std::ostringstream os;
  os << "RingTensor" << shape_ << '{';
  for (size_t i = 0; i < values_.size() && i < kMaxShown; ++i) os << (i ? ", " : "") << values_[i];
  if (values_.size() > kMaxShown) os << ", ...";
  os << '}';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const RingTensor& t) { return os << t.toString(); }

}  // namespace sotto
