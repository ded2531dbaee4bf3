// The shape family: Flatten, Reshape, Transpose, Squeeze and Unsqueeze. They move values
// without computing on them (the private executor runs them locally).
#include <algorithm>
#include <set>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

PlainTensor reshaped(PlainTensor x, Dims dims) {
  x.dims = std::move(dims);
  return x;
}

PlainTensor flatten(const Node& node, const PlainTensor& x) {
  const int64_t r = static_cast<int64_t>(x.dims.size());
  int64_t axis = node.attrInt("axis", 1);
  if (axis < -r || axis > r) fail(node, "axis ", axis, " is out of range for rank ", r);
  if (axis < 0) axis += r;
  return reshaped(x, {product(x.dims, 0, axis), product(x.dims, axis)});
}

PlainTensor reshape(const Node& node, const PlainTensor& x, const PlainTensor& shape) {
  Dims out;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < shape.values.size(); ++i) {
    const auto v = static_cast<int64_t>(shape.values[i]);
    if (v == 0) {
      if (i >= x.dims.size())
        fail(node, "shape ", i, " is 0 but the input has rank ", x.dims.size());
      out.push_back(x.dims[i]);
    } else if (v == -1) {
      if (infer >= 0) fail(node, "more than one -1 in the target shape");
      infer = static_cast<int64_t>(i);
      out.push_back(1);
      continue;
    } else if (v < 0) {
      fail(node, "negative dimension ", v, " in the target shape");
    } else {
      out.push_back(v);
    }
    known *= out.back();
  }
  const int64_t total = x.numel();
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      fail(node, "cannot reshape ", dimsStr(x.dims), " with a -1 into ", dimsStr(out));
    }
    out[infer] = total / known;
  }
  if (product(out) != total) fail(node, "cannot reshape ", dimsStr(x.dims), " into ", dimsStr(out));
  return reshaped(x, out);
}

PlainTensor transpose(const Node& node, const PlainTensor& x) {
  const size_t r = x.dims.size();
  Dims perm = node.attrInts("perm", {});
  if (perm.empty()) {
    for (size_t i = 0; i < r; ++i) perm.push_back(static_cast<int64_t>(r - 1 - i));
  }
  Dims sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted.size() != r || sorted[i] != static_cast<int64_t>(i)) {
      fail(node, "perm ", dimsStr(perm), " is not a permutation of the input's ", r, " axes");
    }
  }
  Dims out(r);
  for (size_t i = 0; i < r; ++i) out[i] = x.dims[perm[i]];
  PlainTensor y = make(out);
  const Dims xs = stridesOf(x.dims);
  Dims src_stride(r);
  for (size_t i = 0; i < r; ++i) src_stride[i] = xs[perm[i]];
  Dims idx(r, 0);
  int64_t off = 0;
  for (size_t o = 0; o < y.values.size(); ++o) {
    y.values[o] = x.values[off];
    for (size_t k = r; k-- > 0;) {
      ++idx[k];
      off += src_stride[k];
      if (idx[k] < out[k]) break;
      off -= src_stride[k] * idx[k];
      idx[k] = 0;
    }
  }
  return y;
}

Dims axesOf(const Node& node, const std::vector<const PlainTensor*>& in) {
  if (in.size() > 1 && in[1] != nullptr) {
    Dims axes;
    for (double v : in[1]->values) axes.push_back(static_cast<int64_t>(v));
    return axes;
  }
  return node.attrInts("axes", {});
}

PlainTensor squeeze(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& x = need(node, in, 0);
  const int64_t r = static_cast<int64_t>(x.dims.size());
  Dims axes = axesOf(node, in);
  std::set<int64_t> drop;
  if (axes.empty()) {
    for (int64_t i = 0; i < r; ++i) {
      if (x.dims[i] == 1) drop.insert(i);
    }
  }
  for (int64_t a : axes) {
    const int64_t ax = normAxis(node, a, r, "axis");
    if (x.dims[ax] != 1) fail(node, "axis ", a, " of ", dimsStr(x.dims), " is not 1");
    drop.insert(ax);
  }
  Dims out;
  for (int64_t i = 0; i < r; ++i) {
    if (!drop.count(i)) out.push_back(x.dims[i]);
  }
  return reshaped(x, out);
}

PlainTensor unsqueeze(const Node& node, const std::vector<const PlainTensor*>& in) {
  const PlainTensor& x = need(node, in, 0);
  const Dims axes = axesOf(node, in);
  const int64_t r = static_cast<int64_t>(x.dims.size() + axes.size());
  std::set<int64_t> add;
  for (int64_t a : axes) {
    if (!add.insert(normAxis(node, a, r, "axis")).second) fail(node, "repeated axis ", a);
  }
  Dims out;
  size_t j = 0;
  for (int64_t i = 0; i < r; ++i) out.push_back(add.count(i) ? 1 : x.dims[j++]);
  return reshaped(x, out);
}

// ---- import -----------------------------------------------------------------------------------

// A Reshape target computed from shapes becomes a weight (0 / -1 where it holds a symbol).
void resolveReshapeTarget(ImportContext& ctx, Node& n) {
  if (ctx.isWeight(n.inputs[1])) return;
  const std::optional<Dims> computed = ctx.symbolicInts(n.inputs[1]);
  if (!computed) {
    ctx.failNode(n, "the target shape '", n.inputs[1],
                 "' is computed from data; it must be a "
                 "constant or a shape computation that can be folded");
  }
  Dims target = *computed;
  const std::optional<Dims> data = ctx.shapeOf(n.inputs[0]);
  std::vector<size_t> unknown;
  for (size_t i = 0; i < target.size(); ++i) {
    if (!isSymbolicDim(target[i])) continue;
    if (data && i < data->size() && (*data)[i] == target[i]) {
      target[i] = 0;  // the data's own dimension: copy it
    } else {
      unknown.push_back(i);
    }
  }
  const bool has_minus_one = std::count(target.begin(), target.end(), -1) > 0;
  if (unknown.size() == 1 && !has_minus_one) {
    target[unknown[0]] = -1;
  } else if (!unknown.empty()) {
    ctx.failNode(n, "cannot fold the target shape ", symbolicDimsStr(*computed),
                 " computed from a symbolic input shape into a constant");
  }
  PlainTensor t;
  t.dims = {static_cast<int64_t>(target.size())};
  for (int64_t v : target) t.values.push_back(static_cast<double>(v));
  n.inputs[1] = ctx.addWeight(n.name + ".shape", std::move(t));
}

std::vector<Node> normalizeReshape(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"allowzero"});
  requireInt(ctx, n, "allowzero", 0, "only allowzero = 0");
  n.attrs.clear();
  resolveReshapeTarget(ctx, n);
  return keep(std::move(n));
}

std::vector<MaybeDims> inferReshape(ImportContext& ctx, const Node& n,
                                    const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  const PlainTensor& t = ctx.constInput(n, 1, "the target shape");
  Dims out;
  int64_t infer = -1;
  SymProduct known, total;
  for (int64_t d : x) total.mul(d);
  for (size_t i = 0; i < t.values.size(); ++i) {
    int64_t d = static_cast<int64_t>(t.values[i]);
    if (d == 0) {
      if (i >= x.size()) ctx.failNode(n, "target ", i, " is 0 but the input has rank ", x.size());
      d = x[i];
    }
    if (d == -1) {
      infer = static_cast<int64_t>(i);
    } else {
      known.mul(d);
    }
    out.push_back(d);
  }
  if (infer >= 0) {
    SymProduct rest;
    bool ok = known.k != 0 && total.k % known.k == 0;
    rest.k = ok ? total.k / known.k : 1;
    rest.syms = total.syms;
    for (int64_t s : known.syms) {
      auto it = rest.syms.find(s);
      if (it == rest.syms.end()) {
        ok = false;
        break;
      }
      rest.syms.erase(it);
    }
    out[infer] = ok ? fromProduct(ctx, rest) : ctx.freshDim();
  }
  return {out};
}

std::vector<MaybeDims> inferFlatten(ImportContext& ctx, const Node& n,
                                    const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  const int64_t r = static_cast<int64_t>(x.size());
  int64_t axis = n.attrInt("axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) ctx.failNode(n, "axis ", n.attrInt("axis", 1), " for rank ", r);
  SymProduct a, b;
  for (int64_t i = 0; i < r; ++i) (i < axis ? a : b).mul(x[i]);
  return {Dims{fromProduct(ctx, a), fromProduct(ctx, b)}};
}

std::vector<Node> normalizeTranspose(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"perm"});
  if (!n.attrs.count("perm")) {
    const auto s = ctx.shapeOf(n.inputs[0]);
    if (!s) ctx.failNode(n, "has no perm and the input's rank is unknown");
    Dims perm;
    for (size_t i = s->size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    n.attrs["perm"] = perm;
  }
  return keep(std::move(n));
}

std::vector<MaybeDims> inferTranspose(ImportContext& ctx, const Node& n,
                                      const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  const Dims perm = n.attrInts("perm", {});
  if (perm.size() != x.size()) {
    ctx.failNode(n, "perm ", symbolicDimsStr(perm), " for input ", symbolicDimsStr(x));
  }
  Dims out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(x.size())) {
      ctx.failNode(n, "bad perm ", symbolicDimsStr(perm));
    }
    out.push_back(x[p]);
  }
  return {out};
}

// Squeeze / Unsqueeze: axes from the attribute (opset < 13) or a constant input, to an attribute.
std::vector<Node> normalizeAxes(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"axes"});
  Dims axes = n.attrInts("axes", {});
  if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
    const PlainTensor& a = ctx.constInput(n, 1, "the axes input");
    axes.clear();
    for (double v : a.values) axes.push_back(static_cast<int64_t>(v));
  }
  n.inputs.resize(1);
  if (axes.empty()) {
    if (n.op == "Unsqueeze") ctx.failNode(n, "has no axes");
    const auto s = ctx.shapeOf(n.inputs[0]);
    if (!s) ctx.failNode(n, "has no axes and the input's shape is unknown");
    for (size_t i = 0; i < s->size(); ++i) {
      if (isSymbolicDim((*s)[i])) {
        ctx.failNode(n, "has no axes and the input's shape ", symbolicDimsStr(*s), " is symbolic");
      }
      if ((*s)[i] == 1) axes.push_back(static_cast<int64_t>(i));
    }
  }
  n.attrs = {{"axes", axes}};
  return keep(std::move(n));
}

std::vector<MaybeDims> inferAxes(ImportContext& ctx, const Node& n,
                                 const std::vector<MaybeDims>& in, bool squeeze) {
  const Dims& x = *in[0];
  const Dims axes = n.attrInts("axes", {});
  const int64_t r = static_cast<int64_t>(x.size() + (squeeze ? 0 : axes.size()));
  std::set<int64_t> set;
  for (int64_t a : axes) {
    // Out of range or repeated axes would index past the input's dims below.
    if (a < -r || a >= r || !set.insert(a < 0 ? a + r : a).second) {
      ctx.failNode(n, "axes ", symbolicDimsStr(axes), " for an input of rank ", x.size());
    }
  }
  Dims out;
  if (squeeze) {
    for (int64_t i = 0; i < r; ++i) {
      if (!set.count(i)) out.push_back(x[i]);
    }
  } else {
    size_t j = 0;
    for (int64_t i = 0; i < r; ++i) out.push_back(set.count(i) ? 1 : x[j++]);
  }
  return {out};
}

// Gather of a data tensor along `axis` by constant indices, made attributes: `indices` (ints,
// negative counted from the end) and `scalar_index` (1: 0-D indices, the axis is removed).
std::vector<Node> normalizeGather(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {"axis"});
  const PlainTensor& idx = ctx.constInput(n, 1, "the indices");
  if (idx.dims.size() > 1)
    ctx.failNode(n, "indices of rank ", idx.dims.size(), " (0-D or 1-D only)");
  Dims indices;
  for (double v : idx.values) indices.push_back(static_cast<int64_t>(v));
  const int64_t axis = n.attrInt("axis", 0);
  n.inputs.resize(1);
  n.attrs = {{"axis", axis}, {"indices", indices}, {"scalar_index", int64_t{idx.dims.empty()}}};
  return keep(std::move(n));
}

std::vector<MaybeDims> inferGather(ImportContext& ctx, const Node& n,
                                   const std::vector<MaybeDims>& in) {
  Dims d = *in[0];
  const int64_t r = static_cast<int64_t>(d.size());
  const int64_t a = n.attrInt("axis", 0);
  if (a < -r || a >= r) ctx.failNode(n, "axis ", a, " for an input of rank ", r);
  const int64_t axis = a < 0 ? a + r : a;
  for (int64_t i : n.attrInts("indices", {})) {
    if (!isSymbolicDim(d[axis]) && (i < -d[axis] || i >= d[axis])) {
      ctx.failNode(n, "index ", i, " outside a dimension of ", d[axis]);
    }
  }
  if (n.attrInt("scalar_index", 0)) {
    d.erase(d.begin() + axis);
  } else {
    d[axis] = static_cast<int64_t>(n.attrInts("indices", {}).size());
  }
  return {d};
}

PlainTensor gather(const Node& n, const PlainTensor& x) {
  const int64_t r = static_cast<int64_t>(x.dims.size());
  const int64_t axis = normAxis(n, n.attrInt("axis", 0), r, "axis");
  const Dims indices = n.attrInts("indices", {});
  const int64_t len = x.dims[axis], inner = product(x.dims, axis + 1),
                outer = product(x.dims, 0, axis);
  Dims out_dims = x.dims;
  out_dims[axis] = static_cast<int64_t>(indices.size());
  PlainTensor y = make(out_dims);
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t k = 0; k < indices.size(); ++k) {
      const int64_t i = indices[k] < 0 ? indices[k] + len : indices[k];
      if (i < 0 || i >= len) fail(n, "index ", indices[k], " outside a dimension of ", len);
      for (int64_t j = 0; j < inner; ++j) {
        y.values[(o * static_cast<int64_t>(indices.size()) + static_cast<int64_t>(k)) * inner + j] =
            x.values[(o * len + i) * inner + j];
      }
    }
  }
  if (n.attrInt("scalar_index", 0)) y.dims.erase(y.dims.begin() + axis);
  return y;
}

// ConstantOfShape of a constant shape (folded into a weight at import; run-time shapes are the
// normaliser's, onnx_normalize.cc).
PlainTensor constantOfShape(const Node& n, const PlainTensor& shape) {
  Dims d;
  for (double v : shape.values) {
    if (v < 0) fail(n, "negative dimension ", v);
    d.push_back(static_cast<int64_t>(v));
  }
  PlainTensor y = make(d);
  std::fill(y.values.begin(), y.values.end(), n.attrFloat("value", 0.0));
  return y;
}

}  // namespace

void addShapeOps(OpRegistry& r) {
  r.add(
      {.type = "Gather",
       .min_inputs = 2,
       .max_inputs = 2,
       .normalize = normalizeGather,
       .infer = inferGather,
       .evaluate = [](const Node& n, const Inputs& in) { return one(gather(n, need(n, in, 0))); }});
  r.add(
      {.type = "ConstantOfShape",
       .min_inputs = 1,
       .max_inputs = 1,
       .normalize =
           [](ImportContext& ctx, Node n) {
             allowAttrs(ctx, n, {"value"});
             return keep(std::move(n));
           },
       .infer = [](ImportContext&, const Node&,
                   const std::vector<MaybeDims>&) { return std::vector<MaybeDims>{std::nullopt}; },
       .evaluate = [](const Node& n,
                      const Inputs& in) { return one(constantOfShape(n, need(n, in, 0))); },
       .has_private_plan = false});
  r.add({.type = "Flatten",
         .normalize =
             [](ImportContext& ctx, Node n) {
               allowAttrs(ctx, n, {"axis"});
               n.attrs = {{"axis", n.attrInt("axis", 1)}};
               return keep(std::move(n));
             },
         .infer = inferFlatten,
         .evaluate = [](const Node& n,
                        const Inputs& in) { return one(flatten(n, need(n, in, 0))); }});
  r.add({.type = "Reshape",
         .min_inputs = 2,
         .max_inputs = 2,
         .normalize = normalizeReshape,
         .infer = inferReshape,
         .evaluate = [](const Node& n, const Inputs& in) {
           return one(reshape(n, need(n, in, 0), need(n, in, 1)));
         }});
  r.add({.type = "Transpose",
         .normalize = normalizeTranspose,
         .infer = inferTranspose,
         .evaluate = [](const Node& n, const Inputs& in) {
           return one(transpose(n, need(n, in, 0)));
         }});
  r.add({.type = "Squeeze",
         .max_inputs = 2,
         .normalize = normalizeAxes,
         .infer = [](ImportContext& ctx, const Node& n,
                     const std::vector<MaybeDims>& in) { return inferAxes(ctx, n, in, true); },
         .evaluate = [](const Node& n, const Inputs& in) { return one(squeeze(n, in)); }});
  r.add({.type = "Unsqueeze",
         .max_inputs = 2,
         .normalize = normalizeAxes,
         .infer = [](ImportContext& ctx, const Node& n,
                     const std::vector<MaybeDims>& in) { return inferAxes(ctx, n, in, false); },
         .evaluate = [](const Node& n, const Inputs& in) { return one(unsqueeze(n, in)); }});
}

}  // namespace sotto::nn::ops
