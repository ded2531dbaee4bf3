// The slicing family: Concat, Split, Slice and Pad. Their constant inputs (split sizes, slice
// bounds, pads) become attributes at import, in the form of the newest opset; each output
// element is an element of an input (or Pad's constant), so the private plans are local but for
// a non-zero constant pad.
#include <algorithm>
#include <limits>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

using Index = std::vector<std::vector<int64_t>>;

// y[o_0, ..., o_k] = x[src[0][o_0], ..., src[k][o_k]], or `fill` where any source index is -1.
PlainTensor remap(const PlainTensor& x, const Index& src, double fill) {
  Dims out;
  for (const auto& s : src) out.push_back(static_cast<int64_t>(s.size()));
  PlainTensor y = make(out);
  const Dims xs = stridesOf(x.dims);
  Dims idx(out.size(), 0);
  for (double& v : y.values) {
    int64_t off = 0;
    for (size_t k = 0; k < idx.size() && off >= 0; ++k) {
      const int64_t s = src[k][static_cast<size_t>(idx[k])];
      off = s < 0 ? -1 : off + s * xs[k];
    }
    v = off < 0 ? fill : x.values[static_cast<size_t>(off)];
    for (size_t k = idx.size(); k-- > 0;) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return y;
}

Index identity(const Dims& d) {
  Index ix(d.size());
  for (size_t k = 0; k < d.size(); ++k) {
    for (int64_t i = 0; i < d[k]; ++i) ix[k].push_back(i);
  }
  return ix;
}

// A constant integer input; values past the int64 range (INT64_MAX held as a double, as an
// exporter writes "to the end") saturate.
Dims constInts(ImportContext& ctx, const Node& n, size_t i, const char* what) {
  constexpr double kLimit = 9.2e18;
  Dims v;
  for (double x : ctx.constInput(n, i, what).values) {
    v.push_back(x >= kLimit    ? std::numeric_limits<int64_t>::max()
                : x <= -kLimit ? std::numeric_limits<int64_t>::min()
                               : static_cast<int64_t>(x));
  }
  return v;
}

// ---- Concat ---------------------------------------------------------------------------------

PlainTensor concat(const Node& n, const Inputs& in) {
  const PlainTensor& x0 = need(n, in, 0);
  const int64_t axis =
      normAxis(n, n.attrInt("axis", 0), static_cast<int64_t>(x0.dims.size()), "axis");
  Dims out = x0.dims;
  out[axis] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const PlainTensor& x = need(n, in, i);
    Dims a = x.dims, b = x0.dims;
    if (a.size() != b.size()) fail(n, "input ", i, " is ", dimsStr(a), ", input 0 ", dimsStr(b));
    a[axis] = b[axis] = 0;
    if (a != b) fail(n, "input ", i, " is ", dimsStr(x.dims), ", input 0 ", dimsStr(x0.dims));
    out[axis] += x.dims[axis];
  }
  PlainTensor y = make(out);
  const int64_t outer = product(out, 0, axis);
  auto dst = y.values.begin();
  for (int64_t o = 0; o < outer; ++o) {
    for (const PlainTensor* x : in) {
      const int64_t block = product(x->dims, axis);
      dst = std::copy_n(x->values.begin() + o * block, block, dst);
    }
  }
  return y;
}

std::vector<MaybeDims> inferConcat(ImportContext& ctx, const Node& n,
                                   const std::vector<MaybeDims>& in) {
  Dims out = *in[0];
  const int64_t r = static_cast<int64_t>(out.size()), a = n.attrInt("axis", 0);
  if (a < -r || a >= r) ctx.failNode(n, "axis ", a, " for inputs of rank ", r);
  const size_t axis = static_cast<size_t>(a < 0 ? a + r : a);
  for (size_t i = 1; i < in.size(); ++i) {
    if (!in[i] || in[i]->size() != out.size()) return {std::nullopt};
    const int64_t d = (*in[i])[axis];
    out[axis] = isSymbolicDim(d) || isSymbolicDim(out[axis]) ? ctx.freshDim() : out[axis] + d;
  }
  return {out};
}

// ---- Split ----------------------------------------------------------------------------------

// The sizes of `outputs` parts of a dimension of `len`: `split` if given, else equal parts (the
// last one smaller when they do not divide, as opset 18 allows).
Dims splitSizes(const Node& n, int64_t len, size_t outputs) {
  Dims split = n.attrInts("split", {});
  if (split.empty()) {
    const int64_t k = static_cast<int64_t>(outputs), part = (len + k - 1) / k;
    for (int64_t i = 0; i < k; ++i) split.push_back(std::clamp<int64_t>(len - i * part, 0, part));
  }
  int64_t total = 0;
  for (int64_t s : split) {
    if (s < 0) fail(n, "negative split size ", s);
    total += s;
  }
  if (split.size() != outputs || total != len) {
    fail(n, "split ", dimsStr(split), " for ", outputs, " outputs of a dimension of ", len);
  }
  return split;
}

std::vector<Node> normalizeSplit(ImportContext& ctx, Node n) {
  attributesBefore(ctx, n, 13, "the split sizes");
  allowAttrs(ctx, n, {"axis", "split", "num_outputs"});
  if (n.inputs.size() > 1) n.attrs["split"] = constInts(ctx, n, 1, "the split input");
  if (n.attrs.count("num_outputs") &&
      n.attrInt("num_outputs", 0) != static_cast<int64_t>(n.outputs.size())) {
    ctx.failNode(n, "num_outputs ", n.attrInt("num_outputs", 0), " for ", n.outputs.size(),
                 " outputs");
  }
  n.inputs.resize(1);
  n.attrs = {{"axis", n.attrInt("axis", 0)}, {"split", n.attrInts("split", {})}};
  return keep(std::move(n));
}

std::vector<MaybeDims> inferSplit(ImportContext& ctx, const Node& n,
                                  const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  const int64_t r = static_cast<int64_t>(x.size()), a = n.attrInt("axis", 0);
  if (a < -r || a >= r) ctx.failNode(n, "axis ", a, " for an input of rank ", r);
  const size_t axis = static_cast<size_t>(a < 0 ? a + r : a);
  if (isSymbolicDim(x[axis])) ctx.failNode(n, "splits a dimension unknown at import");
  std::vector<MaybeDims> out;
  try {
    for (int64_t s : splitSizes(n, x[axis], n.outputs.size())) {
      out.push_back(x);
      out.back()->at(axis) = s;
    }
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(ctx.source() + ": " + e.what());
  }
  return out;
}

std::vector<PlainTensor> split(const Node& n, const PlainTensor& x) {
  const int64_t axis =
      normAxis(n, n.attrInt("axis", 0), static_cast<int64_t>(x.dims.size()), "axis");
  std::vector<PlainTensor> out;
  int64_t start = 0;
  for (int64_t s : splitSizes(n, x.dims[axis], n.outputs.size())) {
    Index ix = identity(x.dims);
    ix[axis].assign(ix[axis].begin() + start, ix[axis].begin() + start + s);
    out.push_back(remap(x, ix, 0.0));
    start += s;
  }
  return out;
}

// ---- Slice ----------------------------------------------------------------------------------

// Slice bounds clamped as the specification says: for step > 0, 0 <= start <= end <= len; for
// step < 0, -1 <= end <= start <= len - 1. Returns the source indices.
std::vector<int64_t> sliceIndices(int64_t len, int64_t start, int64_t end, int64_t step) {
  std::vector<int64_t> ix;
  if (len <= 0) return ix;
  if (start < 0) start += len;
  if (end < 0 && end > std::numeric_limits<int64_t>::min() + len) end += len;
  start = std::clamp<int64_t>(start, 0, step > 0 ? len : len - 1);
  end = std::clamp<int64_t>(end, step > 0 ? 0 : -1, step > 0 ? len : len - 1);
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step) ix.push_back(i);
  return ix;
}

std::vector<Node> normalizeSlice(ImportContext& ctx, Node n) {
  Dims starts, ends, axes, steps;
  attributesBefore(ctx, n, 10, "starts, ends and axes");
  if (ctx.opset() < 10) {
    allowAttrs(ctx, n, {"starts", "ends", "axes"});
    starts = n.attrInts("starts", {});
    ends = n.attrInts("ends", {});
    axes = n.attrInts("axes", {});
  } else {
    allowAttrs(ctx, n, {});
    starts = constInts(ctx, n, 1, "the starts input");
    ends = constInts(ctx, n, 2, "the ends input");
    if (n.inputs.size() > 3 && !n.inputs[3].empty()) axes = constInts(ctx, n, 3, "the axes input");
    if (n.inputs.size() > 4 && !n.inputs[4].empty())
      steps = constInts(ctx, n, 4, "the steps input");
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    ctx.failNode(n, "starts, ends, axes and steps of different lengths");
  }
  for (int64_t s : steps) {
    if (s == 0) ctx.failNode(n, "a step of 0");
  }
  const auto x = ctx.shapeOf(n.inputs[0]);
  if (!x) ctx.failNode(n, "the input's shape is unknown");
  const int64_t r = static_cast<int64_t>(x->size());
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < -r || axes[i] >= r) ctx.failNode(n, "axis ", axes[i], " for rank ", r);
    if (axes[i] < 0) axes[i] += r;
    const int64_t len = (*x)[static_cast<size_t>(axes[i])];
    if (isSymbolicDim(len)) {
      // Only "everything" is possible on a dimension unknown at import.
      if (starts[i] != 0 || steps[i] != 1 || ends[i] < std::numeric_limits<int32_t>::max())
        ctx.failNode(n, "slices axis ", axes[i], ", whose size is unknown at import");
      starts[i] = 0;
      ends[i] = std::numeric_limits<int64_t>::max();
      continue;
    }
    const auto ix = sliceIndices(len, starts[i], ends[i], steps[i]);
    starts[i] = ix.empty() ? 0 : ix.front();
    // The end past the last index; "before 0" (a negative step to the start) as the lowest int,
    // which no later clamping reads as counted from the end.
    const int64_t end = ix.empty() ? 0 : ix.back() + (steps[i] > 0 ? 1 : -1);
    ends[i] = end < 0 ? std::numeric_limits<int64_t>::min() : end;
  }
  n.inputs.resize(1);
  n.attrs = {{"starts", starts}, {"ends", ends}, {"axes", axes}, {"steps", steps}};
  return keep(std::move(n));
}

Index sliceIndex(const Node& n, const Dims& x) {
  Index ix = identity(x);
  const Dims starts = n.attrInts("starts", {}), ends = n.attrInts("ends", {}),
             axes = n.attrInts("axes", {}), steps = n.attrInts("steps", {});
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normAxis(n, axes[i], static_cast<int64_t>(x.size()), "axis");
    ix[a] = sliceIndices(x[a], starts[i], ends[i], steps[i]);
  }
  return ix;
}

std::vector<MaybeDims> inferSlice(ImportContext&, const Node& n, const std::vector<MaybeDims>& in) {
  Dims out = *in[0];
  const Dims starts = n.attrInts("starts", {}), ends = n.attrInts("ends", {}),
             axes = n.attrInts("axes", {}), steps = n.attrInts("steps", {});
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t& d = out[static_cast<size_t>(axes[i])];
    if (!isSymbolicDim(d))  // a symbolic axis is kept whole (normalizeSlice)
      d = static_cast<int64_t>(sliceIndices(d, starts[i], ends[i], steps[i]).size());
  }
  return {out};
}

// ---- Pad ------------------------------------------------------------------------------------

std::vector<Node> normalizePad(ImportContext& ctx, Node n) {
  Dims pads;
  double value = 0;
  attributesBefore(ctx, n, 11, "pads and value");
  if (ctx.opset() < 11) {
    allowAttrs(ctx, n, {"mode", "pads", "value"});
    pads = n.attrInts("pads", {});
    value = n.attrFloat("value", 0.0);
  } else {
    allowAttrs(ctx, n, {"mode"});
    pads = constInts(ctx, n, 1, "the pads input");
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const PlainTensor& v = ctx.constInput(n, 2, "the constant_value input");
      if (v.values.size() != 1) ctx.failNode(n, "constant_value must be a scalar");
      value = v.values[0];
    }
  }
  const std::string mode = n.attrString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge") {
    ctx.failNode(n, "mode '", mode, "' is not supported (constant, reflect, edge)");
  }
  const auto x = ctx.shapeOf(n.inputs[0]);
  if (!x) ctx.failNode(n, "the input's shape is unknown");
  const size_t r = x->size();
  if (n.inputs.size() > 3 && !n.inputs[3].empty()) {
    const Dims axes = constInts(ctx, n, 3, "the axes input");
    if (pads.size() != 2 * axes.size()) ctx.failNode(n, "pads ", dimsStr(pads), " for axes");
    Dims full(2 * r, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = axes[i] < 0 ? axes[i] + static_cast<int64_t>(r) : axes[i];
      if (a < 0 || a >= static_cast<int64_t>(r)) ctx.failNode(n, "axis ", axes[i]);
      full[a] = pads[i];
      full[a + r] = pads[i + axes.size()];
    }
    pads = full;
  }
  if (pads.size() != 2 * r) ctx.failNode(n, "pads ", dimsStr(pads), " for an input of rank ", r);
  for (size_t k = 0; k < r; ++k) {
    if ((pads[k] != 0 || pads[k + r] != 0) && isSymbolicDim((*x)[k]))
      ctx.failNode(n, "pads axis ", k, ", whose size is unknown at import");
    if (mode == "reflect" && std::max(pads[k], pads[k + r]) >= (*x)[k] && (*x)[k] > 0)
      ctx.failNode(n, "reflect pads of ", std::max(pads[k], pads[k + r]), " on axis ", k,
                   " of size ", (*x)[k]);
  }
  n.inputs.resize(1);
  n.attrs = {{"mode", mode}, {"pads", pads}, {"value", value}};
  return keep(std::move(n));
}

// Source index of output position o of an axis of `len` padded by `before`.
int64_t padSource(const std::string& mode, int64_t o, int64_t before, int64_t len) {
  const int64_t s = o - before;
  if (s >= 0 && s < len) return s;
  if (mode == "edge") return std::clamp<int64_t>(s, 0, len - 1);
  if (mode == "reflect") return s < 0 ? -s : 2 * (len - 1) - s;
  return -1;
}

Index padIndex(const Node& n, const Dims& x) {
  const Dims pads = n.attrInts("pads", {});
  const std::string mode = n.attrString("mode", "constant");
  const size_t r = x.size();
  if (pads.size() != 2 * r) fail(n, "pads ", dimsStr(pads), " for an input of rank ", r);
  Index ix(r);
  for (size_t k = 0; k < r; ++k) {
    const int64_t len = x[k] + pads[k] + pads[k + r];
    if (len < 0) fail(n, "pads ", dimsStr(pads), " remove more than axis ", k, "'s ", x[k]);
    for (int64_t o = 0; o < len; ++o) ix[k].push_back(padSource(mode, o, pads[k], x[k]));
  }
  return ix;
}

std::vector<MaybeDims> inferPad(ImportContext&, const Node& n, const std::vector<MaybeDims>& in) {
  Dims out = *in[0];
  const Dims pads = n.attrInts("pads", {});
  for (size_t k = 0; k < out.size(); ++k) {
    if (!isSymbolicDim(out[k])) out[k] += pads[k] + pads[k + out.size()];
  }
  return {out};
}

}  // namespace

void addSlicingOps(OpRegistry& r) {
  r.add({.type = "Concat",
         .max_inputs = std::numeric_limits<size_t>::max(),
         .normalize =
             [](ImportContext& ctx, Node n) {
               allowAttrs(ctx, n, {"axis"});
               if (!n.attrs.count("axis")) ctx.failNode(n, "has no axis");
               return keep(std::move(n));
             },
         .infer = inferConcat,
         .evaluate = [](const Node& n, const Inputs& in) { return one(concat(n, in)); }});
  r.add({.type = "Split",
         .max_inputs = 2,
         .num_outputs = std::numeric_limits<size_t>::max(),
         .normalize = normalizeSplit,
         .infer = inferSplit,
         .evaluate = [](const Node& n, const Inputs& in) { return split(n, need(n, in, 0)); }});
  r.add({.type = "Slice",
         .max_inputs = 5,
         .normalize = normalizeSlice,
         .infer = inferSlice,
         .evaluate = [](const Node& n, const Inputs& in) {
           const PlainTensor& x = need(n, in, 0);
           return one(remap(x, sliceIndex(n, x.dims), 0.0));
         }});
  r.add({.type = "Pad",
         .max_inputs = 4,
         .normalize = normalizePad,
         .infer = inferPad,
         .evaluate = [](const Node& n, const Inputs& in) {
           const PlainTensor& x = need(n, in, 0);
           return one(remap(x, padIndex(n, x.dims), n.attrFloat("value", 0.0)));
         }});
}

}  // namespace sotto::nn::ops
