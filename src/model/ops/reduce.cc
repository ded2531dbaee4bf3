// The reductions ReduceSum and ReduceMean. Their axes (an attribute before ReduceSum's opset 13
// and ReduceMean's opset 18, a constant input since) become a sorted, non-negative `axes`
// attribute; no axes means every axis (or none with noop_with_empty_axes).
#include <algorithm>
#include <set>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

std::vector<Node> normalizeReduce(ImportContext& ctx, Node n, int64_t axes_input_opset) {
  attributesBefore(ctx, n, axes_input_opset, "the axes");
  const bool as_input = ctx.opset() >= axes_input_opset;
  if (as_input) {
    allowAttrs(ctx, n, {"keepdims", "noop_with_empty_axes"});
  } else {
    allowAttrs(ctx, n, {"keepdims", "axes"});
  }
  Dims axes = n.attrInts("axes", {});
  if (as_input && n.inputs.size() > 1 && !n.inputs[1].empty()) {
    for (double v : ctx.constInput(n, 1, "the axes input").values)
      axes.push_back(static_cast<int64_t>(v));
  }
  const auto x = ctx.shapeOf(n.inputs[0]);
  if (!x) ctx.failNode(n, "the input's rank is unknown");
  const int64_t r = static_cast<int64_t>(x->size());
  std::set<int64_t> set;
  for (int64_t a : axes) {
    if (a < -r || a >= r) ctx.failNode(n, "axis ", a, " for an input of rank ", r);
    if (!set.insert(a < 0 ? a + r : a).second) ctx.failNode(n, "repeated axis ", a);
  }
  if (set.empty() && !n.attrInt("noop_with_empty_axes", 0)) {
    for (int64_t i = 0; i < r; ++i) set.insert(i);
  }
  n.inputs.resize(1);
  n.attrs = {{"axes", Dims(set.begin(), set.end())}, {"keepdims", n.attrInt("keepdims", 1)}};
  return keep(std::move(n));
}

std::vector<MaybeDims> inferReduce(ImportContext&, const Node& n,
                                   const std::vector<MaybeDims>& in) {
  const Dims axes = n.attrInts("axes", {});
  Dims out;
  for (size_t i = 0; i < in[0]->size(); ++i) {
    if (std::count(axes.begin(), axes.end(), static_cast<int64_t>(i)) == 0) {
      out.push_back((*in[0])[i]);
    } else if (n.attrInt("keepdims", 1)) {
      out.push_back(1);
    }
  }
  return {out};
}

PlainTensor reduce(const Node& n, const PlainTensor& x, bool mean) {
  const Dims axes = n.attrInts("axes", {});
  const int64_t r = static_cast<int64_t>(x.dims.size());
  Dims kept = x.dims;
  int64_t count = 1;
  for (int64_t a : axes) {
    const int64_t k = normAxis(n, a, r, "axis");
    count *= x.dims[k];
    kept[k] = 1;
  }
  PlainTensor y = make(kept);
  const Dims xs = stridesOf(x.dims), ys = stridesOf(kept);
  for (size_t i = 0; i < x.values.size(); ++i) {
    int64_t rest = static_cast<int64_t>(i), off = 0;
    for (int64_t k = 0; k < r; ++k) {
      const int64_t c = rest / xs[k];
      rest %= xs[k];
      off += (kept[k] == 1 ? 0 : c) * ys[k];
    }
    y.values[static_cast<size_t>(off)] += x.values[i];
  }
  if (mean && count > 0) {
    for (double& v : y.values) v /= static_cast<double>(count);
  }
  if (!n.attrInt("keepdims", 1)) {
    Dims out;
    for (int64_t k = 0; k < r; ++k) {
      if (std::count(axes.begin(), axes.end(), k) == 0) out.push_back(x.dims[k]);
    }
    y.dims = out;
  }
  return y;
}

void addReduce(OpRegistry& r, const std::string& type, int64_t axes_input_opset, bool mean) {
  r.add({.type = type,
         .max_inputs = 2,
         .normalize = [axes_input_opset](
                          ImportContext& ctx,
                          Node n) { return normalizeReduce(ctx, std::move(n), axes_input_opset); },
         .infer = inferReduce,
         .evaluate = [mean](const Node& n,
                            const Inputs& in) { return one(reduce(n, need(n, in, 0), mean)); }});
}

}  // namespace

void addReduceOps(OpRegistry& r) {
  addReduce(r, "ReduceSum", 13, false);
  addReduce(r, "ReduceMean", 18, true);
}

}  // namespace sotto::nn::ops
