#pragma once
/// @file ring_tensor.h
/// RingTensor: a dense, row-major tensor of elements of the ring Z_2^64, with value semantics.
///
/// Every arithmetic operation wraps modulo 2^64 (uint64_t arithmetic: never signed-overflow UB).
/// The signed view used by arithmetic shifts and fixed-point decoding is two's complement.
/// Binary elementwise operations follow NumPy broadcasting (see broadcastShapes). Zero-size
/// tensors (numel 0) are accepted everywhere. All operations are single-threaded and allocate
/// their result unless noted; operations on an rvalue (std::move(t).op(...)) reuse its storage.
///
/// Linear algebra (matmul, conv2d, im2col) is in sotto/tensor/linear.h; the raw uint64 GEMM in
/// sotto/tensor/gemm.h; scalar fixed-point encoding in sotto/tensor/fixed_point.h.

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sotto/tensor/fixed_point.h"
#include "sotto/tensor/heap.h"
#include "sotto/tensor/shape.h"

namespace sotto {

/// Dense row-major tensor over Z_2^64.
class RingTensor {
 public:
  /// Empty 1-D tensor, shape [0].
  RingTensor();

  /// Zero-filled tensor of the given shape. O(numel).
  explicit RingTensor(Shape shape);

  /// Tensor of the given shape holding `values` in row-major order. O(numel) (copied).
  /// (There is deliberately no (shape, value) constructor: RingTensor(Shape{2}, {5}) would then
  /// fill instead of holding {5}. Use full() to fill.)
  /// @throws InvalidArgument if values.size() != shape.numel().
  RingTensor(Shape shape, std::vector<uint64_t> values);

  /// Zero-filled tensor. O(numel).
  static RingTensor zeros(Shape shape) { return RingTensor(std::move(shape)); }

  /// Tensor of the given shape whose elements are indeterminate: no O(numel) zero-fill, for
  /// buffers the caller writes in full before reading (a PRG draw, a received message, a kernel's
  /// output). Reading an element before writing it is a bug.
  static RingTensor uninitialized(Shape shape);

  /// Tensor of the given shape with every element equal to `value`. O(numel).
  static RingTensor full(Shape shape, uint64_t value);

  /// Rank-0 tensor holding one value (broadcasts against anything).
  static RingTensor scalar(uint64_t value) { return full(Shape{}, value); }

  /// Fixed-point encoding of `values` (row-major) with `frac_bits` fractional bits, element by
  /// element as sotto::encode. O(numel).
  /// @throws InvalidArgument if values.size() != shape.numel(), or for a value encode rejects
  ///         (NaN, infinite, |x * 2^frac_bits| >= 2^63; the message names the value).
  static RingTensor encode(std::span<const double> values, Shape shape,
                           int frac_bits = kDefaultFracBits);
  /// @copydoc encode(std::span<const double>, Shape, int)
  static RingTensor encode(const std::vector<double>& values, Shape shape,
                           int frac_bits = kDefaultFracBits) {
    return encode(std::span<const double>(values), std::move(shape), frac_bits);
  }

  /// Fixed-point decoding of every element, as sotto::decode, in row-major order. O(numel).
  /// @throws InvalidArgument if frac_bits is outside [0, kMaxFracBits].
  std::vector<double> decode(int frac_bits = kDefaultFracBits) const;

  // ---- Shape and element access -----------------------------------------------------------

  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_.numel(); }
  int64_t rank() const { return shape_.rank(); }
  /// Size of dimension `d` (negative counts from the end). @throws InvalidArgument if out of range.
  int64_t dim(int64_t d) const { return shape_.dim(d); }

  /// The elements in row-major order.
  std::span<uint64_t> data() { return values_; }
  std::span<const uint64_t> data() const { return values_; }

  /// Element at row-major flat index i. Not bounds-checked (like std::vector::operator[]).
  uint64_t& operator[](int64_t i) { return values_[static_cast<size_t>(i)]; }
  uint64_t operator[](int64_t i) const { return values_[static_cast<size_t>(i)]; }

  /// Element at a multi-index (one entry per dimension, each in [0, size)). O(rank).
  /// @throws InvalidArgument if the index has the wrong length or is out of bounds.
  uint64_t& at(std::span<const int64_t> index);
  uint64_t at(std::span<const int64_t> index) const;
  uint64_t& at(std::initializer_list<int64_t> index) {
    return at(std::span<const int64_t>(index.begin(), index.size()));
  }
  uint64_t at(std::initializer_list<int64_t> index) const {
    return at(std::span<const int64_t>(index.begin(), index.size()));
  }

  /// The single element of a tensor with numel 1. @throws InvalidArgument otherwise.
  uint64_t item() const;

  // ---- Elementwise arithmetic and bitwise operations (mod 2^64) ----------------------------
  // In-place forms need the broadcast shape of (this, other) to equal this->shape(), as NumPy.
  // Each is one pass over the result, O(numel). @throws InvalidArgument naming both shapes if
  // they are not broadcastable (or the result would not have this tensor's shape, in place).

  RingTensor& operator+=(const RingTensor& other);
  RingTensor& operator-=(const RingTensor& other);
  RingTensor& operator*=(const RingTensor& other);
  RingTensor& operator^=(const RingTensor& other);
  RingTensor& operator&=(const RingTensor& other);
  RingTensor& operator|=(const RingTensor& other);
  RingTensor& operator+=(uint64_t value);
  RingTensor& operator-=(uint64_t value);
  RingTensor& operator*=(uint64_t value);
  RingTensor& operator^=(uint64_t value);
  RingTensor& operator&=(uint64_t value);
  RingTensor& operator|=(uint64_t value);

  /// x << bits (mod 2^64). O(numel). @throws InvalidArgument unless 0 <= bits <= 63.
  RingTensor shiftLeft(int bits) const&;
  RingTensor shiftLeft(int bits) &&;
  /// Logical right shift of the unsigned value (zero fill). O(numel).
  /// @throws InvalidArgument unless 0 <= bits <= 63.
  RingTensor shiftRightLogical(int bits) const&;
  RingTensor shiftRightLogical(int bits) &&;
  /// Arithmetic right shift of the two's-complement signed view (sign fill): the fixed-point
  /// truncation of a plaintext, floor(x / 2^bits). O(numel).
  /// @throws InvalidArgument unless 0 <= bits <= 63.
  RingTensor shiftRightArithmetic(int bits) const&;
  RingTensor shiftRightArithmetic(int bits) &&;

  // ---- Reductions ---------------------------------------------------------------------------

  /// Sum (mod 2^64) over dimension `dim` (negative counts from the end); the dimension is removed,
  /// or kept with size 1 if keepdim. A zero-size reduced dimension gives zeros. O(numel).
  /// @throws InvalidArgument if dim is out of range.
  RingTensor sum(int64_t dim, bool keepdim = false) const;

  /// Sum (mod 2^64) of all elements (0 for an empty tensor). O(numel).
  uint64_t sum() const;

  // ---- Layout (each returns a new dense row-major tensor) ----------------------------------

  /// Same elements, new shape; one entry may be -1 (inferred). O(numel) copy, O(1) on an rvalue.
  /// @throws InvalidArgument naming both shapes if the element counts differ, for more than one
  ///         -1, for a dimension < -1, or for -1 with an ambiguous (zero-size) inference.
  RingTensor reshape(const std::vector<int64_t>& dims) const&;
  RingTensor reshape(const std::vector<int64_t>& dims) &&;

  /// Collapses dimensions [start_dim, end_dim] (negative counts from the end) into one. A rank-0
  /// tensor flattens to shape [1]. O(numel) copy, O(1) on an rvalue.
  /// @throws InvalidArgument if the dims are out of range or start_dim > end_dim.
  RingTensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const&;
  RingTensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) &&;

  /// Permutes the dimensions: result dim i is this tensor's dim perm[i] (as numpy.transpose).
  /// O(numel). @throws InvalidArgument if perm is not a permutation of [0, rank).
  RingTensor transpose(const std::vector<int64_t>& perm) const;

  /// Matrix transpose of a rank-2 tensor ([m, n] -> [n, m]); cache-blocked. O(numel).
  /// @throws InvalidArgument if rank != 2.
  RingTensor transpose2d() const;

  /// Elements start, start+step, ... < stop along `dim`, as Python's slice: negative start/stop
  /// count from the end, both are clamped to [0, size]; an empty range gives size 0. O(result).
  /// @throws InvalidArgument if dim is out of range or step < 1.
  RingTensor slice(int64_t dim, int64_t start, int64_t stop, int64_t step = 1) const;

  /// Zero padding: pads[d] = {before, after} elements added to dimension d; pads.size() must be
  /// rank. O(result). @throws InvalidArgument if pads has the wrong length or a pad is negative.
  RingTensor pad(const std::vector<std::pair<int64_t, int64_t>>& pads) const;

  /// Materialises the broadcast of this tensor to `shape` (NumPy rules, this tensor's shape must
  /// broadcast to exactly `shape`). O(result).
  /// @throws InvalidArgument naming both shapes otherwise.
  RingTensor broadcastTo(const Shape& shape) const;

  /// Shape, then the first few values, e.g. "RingTensor[2, 2]{1, 2, 3, 4}".
  std::string toString() const;

  /// Equal shapes and equal elements.
  friend bool operator==(const RingTensor& a, const RingTensor& b) {
    return a.shape_ == b.shape_ && a.values_ == b.values_;
  }

 private:
  using Storage = std::vector<uint64_t, detail::DefaultInitAllocator<uint64_t>>;
  struct StorageTag {};
  RingTensor(StorageTag, Shape shape, Storage values);

  Shape shape_;
  Storage values_;
};

// ---- Binary elementwise operators (NumPy broadcasting, result shape broadcastShapes) ---------
// O(numel of the result). @throws InvalidArgument naming both shapes if not broadcastable.
// The left operand is taken by value so that a temporary's storage is reused when it already has
// the result's shape.

RingTensor operator+(RingTensor a, const RingTensor& b);
RingTensor operator-(RingTensor a, const RingTensor& b);
RingTensor operator*(RingTensor a, const RingTensor& b);
RingTensor operator^(RingTensor a, const RingTensor& b);
RingTensor operator&(RingTensor a, const RingTensor& b);
RingTensor operator|(RingTensor a, const RingTensor& b);

inline RingTensor operator+(RingTensor a, uint64_t v) {
  a += v;
  return a;
}
inline RingTensor operator-(RingTensor a, uint64_t v) {
  a -= v;
  return a;
}
inline RingTensor operator*(RingTensor a, uint64_t v) {
  a *= v;
  return a;
}
inline RingTensor operator^(RingTensor a, uint64_t v) {
  a ^= v;
  return a;
}
inline RingTensor operator&(RingTensor a, uint64_t v) {
  a &= v;
  return a;
}
inline RingTensor operator|(RingTensor a, uint64_t v) {
  a |= v;
  return a;
}
inline RingTensor operator+(uint64_t v, RingTensor a) {
  a += v;
  return a;
}
inline RingTensor operator*(uint64_t v, RingTensor a) {
  a *= v;
  return a;
}
inline RingTensor operator^(uint64_t v, RingTensor a) {
  a ^= v;
  return a;
}
inline RingTensor operator&(uint64_t v, RingTensor a) {
  a &= v;
  return a;
}
inline RingTensor operator|(uint64_t v, RingTensor a) {
  a |= v;
  return a;
}
/// v - a elementwise (mod 2^64).
RingTensor operator-(uint64_t v, RingTensor a);

/// Additive inverse, -x mod 2^64. O(numel).
RingTensor operator-(RingTensor a);
/// Bitwise complement, ~x. O(numel).
RingTensor operator~(RingTensor a);

/// Concatenation along `dim` (negative counts from the end). All tensors must have the same rank
/// and equal sizes in every other dimension; zero-size inputs are allowed. O(result).
/// @throws InvalidArgument if the list is empty, dim is out of range, or shapes disagree (the
///         message names the offending shapes).
RingTensor concat(std::span<const RingTensor> tensors, int64_t dim);
/// @copydoc concat(std::span<const RingTensor>, int64_t)
inline RingTensor concat(const std::vector<RingTensor>& tensors, int64_t dim) {
  return concat(std::span<const RingTensor>(tensors), dim);
}

/// Writes t.toString().
std::ostream& operator<<(std::ostream& os, const RingTensor& t);

}  // namespace sotto
