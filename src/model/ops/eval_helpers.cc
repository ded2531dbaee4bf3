#include "ops/eval_helpers.h"

#include <algorithm>
#include <sstream>

namespace sotto::nn::ops {

std::string dimsStr(const Dims& d) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < d.size(); ++i) os << (i ? ", " : "") << d[i];
  os << "]";
  return os.str();
}

int64_t product(const Dims& d, int64_t from, int64_t to) {
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

int64_t normAxis(const Node& node, int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank) {
    fail(node, what, " ", axis, " is out of range for rank ", rank);
  }
  return axis < 0 ? axis + rank : axis;
}

const PlainTensor& need(const Node& node, const Inputs& in, size_t i) {
  if (i >= in.size() || in[i] == nullptr) fail(node, "input ", i, " is missing");
  return *in[i];
}

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

Dims broadcastStrides(const Dims& d, const Dims& out) {
  Dims s(out.size(), 0);
  const Dims own = stridesOf(d);
  const size_t off = out.size() - d.size();
  for (size_t i = 0; i < d.size(); ++i) s[i + off] = d[i] == 1 ? 0 : own[i];
  return s;
}

PlainTensor broadcastTo(const Node& node, const PlainTensor& c, const Dims& dims) {
  PlainTensor zero = make(dims);
  PlainTensor y = binary(node, zero, c, [](double, double v) { return v; });
  if (y.dims != dims) fail(node, "cannot broadcast ", dimsStr(c.dims), " to ", dimsStr(dims));
  return y;
}

}  // namespace sotto::nn::ops
