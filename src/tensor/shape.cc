#include "sotto/tensor/shape.h"

#include <algorithm>
#include <limits>
#include <ostream>
#include <sstream>
#include <utility>

#include "sotto/error.h"

namespace sotto {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::vector<int64_t>(dims)) {}

Shape::Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {
  // numel of a shape with a zero dimension is 0 whatever the others are, so check all of them for
  // negativity first and the overflow only on the non-zero product.
  bool any_zero = false;
  for (int64_t d : dims_) {
    SOTTO_ENFORCE(d >= 0, "Shape: negative dimension ", d, " in ", toString());
    any_zero = any_zero || d == 0;
  }
  numel_ = any_zero ? 0 : 1;
  if (any_zero) return;
  for (int64_t d : dims_) {
    SOTTO_ENFORCE(numel_ <= std::numeric_limits<int64_t>::max() / d, "Shape: ", toString(),
                  " has more than 2^63 elements");
    numel_ *= d;
  }
}

int64_t Shape::dim(int64_t d) const { return dims_[static_cast<size_t>(normalizeDim(d, rank()))]; }

std::vector<int64_t> Shape::strides() const {
  std::vector<int64_t> strides(dims_.size());
  int64_t stride = 1;
  for (size_t i = dims_.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(dims_[i], 1);
  }
  return strides;
}

std::string Shape::toString() const {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < dims_.size(); ++i) os << (i ? ", " : "") << dims_[i];
  os << ']';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.toString(); }

Shape broadcastShapes(const Shape& a, const Shape& b) {
  const int64_t rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) {
    // Align at the trailing dimension; a missing leading dimension counts as 1.
    const int64_t ia = i - (rank - a.rank());
    const int64_t ib = i - (rank - b.rank());
    const int64_t da = ia >= 0 ? a[ia] : 1;
    const int64_t db = ib >= 0 ? b[ib] : 1;
    SOTTO_ENFORCE(da == db || da == 1 || db == 1, "shapes ", a, " and ", b,
                  " are not broadcastable (dimension ", i, ": ", da, " vs ", db, ")");
    dims[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  return Shape(std::move(dims));
}

int64_t normalizeDim(int64_t dim, int64_t rank) {
  SOTTO_ENFORCE(dim >= -rank && dim < rank, "dimension ", dim, " out of range for rank ", rank);
  return dim < 0 ? dim + rank : dim;
}

}  // namespace sotto
