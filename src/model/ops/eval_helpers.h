#pragma once
// Helpers shared by the plaintext evaluation of the op families (src/model/ops/*.cc): errors
// naming the node, dense tensor construction, NumPy broadcasting.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/model/graph.h"

namespace sotto::nn::ops {

using Dims = std::vector<int64_t>;
using Inputs = std::vector<const PlainTensor*>;

std::string dimsStr(const Dims& d);

template <typename... Args>
[[noreturn]] void fail(const Node& node, Args&&... args) {
  throw InvalidArgument(
      detail::concat("node '", node.name, "' (", node.op, "): ", std::forward<Args>(args)...));
}

// The product of d[from, to) (to < 0: to the end).
int64_t product(const Dims& d, int64_t from = 0, int64_t to = -1);
Dims stridesOf(const Dims& d);
// A zero tensor of the given dims.
PlainTensor make(Dims dims);
// An axis in [-rank, rank) made non-negative.
int64_t normAxis(const Node& node, int64_t axis, int64_t rank, const char* what);
// Input i, which must be present.
const PlainTensor& need(const Node& node, const Inputs& in, size_t i);

PlainTensor unary(const PlainTensor& x, const std::function<double(double)>& f);
Dims broadcastDims(const Node& node, const Dims& a, const Dims& b);
// Strides of `d` seen from an output of dims `out` (0 along broadcast axes).
Dims broadcastStrides(const Dims& d, const Dims& out);

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

PlainTensor broadcastTo(const Node& node, const PlainTensor& c, const Dims& dims);

// One output.
inline std::vector<PlainTensor> one(PlainTensor t) {
  std::vector<PlainTensor> out;
  out.push_back(std::move(t));
  return out;
}

}  // namespace sotto::nn::ops
