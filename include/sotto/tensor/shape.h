#pragma once
/// @file shape.h
/// The shape of a dense row-major tensor: a list of non-negative dimension sizes.

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

namespace sotto {

/// Dimension sizes of a dense row-major tensor. Rank 0 is a scalar (numel 1); any zero dimension
/// makes an empty tensor (numel 0). Immutable value type, cheap to copy for the small ranks used.
class Shape {
 public:
  /// Rank-0 shape (a scalar, numel 1).
  Shape() = default;

  /// Shape from its dimension sizes, e.g. Shape{2, 3}.
  /// @throws InvalidArgument if a dimension is negative or numel overflows int64.
  Shape(std::initializer_list<int64_t> dims);

  /// Shape from its dimension sizes.
  /// @throws InvalidArgument if a dimension is negative or numel overflows int64.
  explicit Shape(std::vector<int64_t> dims);

  /// Number of dimensions.
  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }

  /// Number of elements (product of the dimensions; 1 for rank 0). O(1).
  int64_t numel() const { return numel_; }

  /// Size of dimension `d`; negative counts from the end (-1 is the last).
  /// @throws InvalidArgument if d is out of [-rank, rank).
  int64_t dim(int64_t d) const;

  /// Size of dimension `i` (0 <= i < rank, not checked). O(1).
  int64_t operator[](int64_t i) const { return dims_[static_cast<size_t>(i)]; }

  /// All dimension sizes.
  const std::vector<int64_t>& dims() const { return dims_; }

  /// Row-major strides in elements (the last dimension has stride 1). O(rank).
  std::vector<int64_t> strides() const;

  /// Printable form, e.g. "[2, 3]" ("[]" for rank 0).
  std::string toString() const;

  friend bool operator==(const Shape& a, const Shape& b) { return a.dims_ == b.dims_; }

 private:
  std::vector<int64_t> dims_;
  int64_t numel_ = 1;
};

/// Writes shape.toString().
std::ostream& operator<<(std::ostream& os, const Shape& shape);

/// NumPy broadcasting of two shapes: align at the trailing dimension; each pair of sizes must be
/// equal or one of them 1 (a missing leading dimension counts as 1). O(rank).
/// @throws InvalidArgument naming both shapes if they are not broadcastable.
Shape broadcastShapes(const Shape& a, const Shape& b);

/// Maps a possibly negative dimension index into [0, rank).
/// @throws InvalidArgument if dim is out of [-rank, rank).
int64_t normalizeDim(int64_t dim, int64_t rank);

}  // namespace sotto
