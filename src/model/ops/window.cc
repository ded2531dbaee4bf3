#include "ops/window.h"

#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

using Dims = std::vector<int64_t>;

int64_t windowOut(ImportContext& ctx, int64_t in, int64_t k, int64_t s, int64_t pad) {
  if (isSymbolicDim(in)) return ctx.freshDim();
  return (in + 2 * pad - k) / s + 1;
}

}  // namespace

std::vector<Node> normalizeWindow(ImportContext& ctx, Node n, WindowOp kind) {
  const bool is_conv = kind == WindowOp::kConv;
  if (is_conv) {
    allowAttrs(ctx, n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  } else if (kind == WindowOp::kMaxPool) {
    allowAttrs(
        ctx, n,
        {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    requireInt(ctx, n, "storage_order", 0, "only storage_order = 0");
  } else {
    allowAttrs(ctx, n,
               {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  }
  const std::string auto_pad = n.attrString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET") {
    ctx.failNode(n, "attribute 'auto_pad' = ", auto_pad,
                 " is not supported: only NOTSET (explicit "
                 "pads)");
  }
  requireInt(ctx, n, "ceil_mode", 0, "only ceil_mode = 0 (floor)");
  requireInts(ctx, n, "dilations", {1, 1}, "only dilations 1");
  Dims kernel = n.attrInts("kernel_shape", {});
  if (is_conv) {
    const auto ws = ctx.shapeOf(n.inputs[1]);
    if (ws && ws->size() != 4) {
      ctx.failNode(n, "only 2-D convolutions are supported; the weight has shape ",
                   symbolicDimsStr(*ws));
    }
    if (kernel.empty() && ws) kernel = {(*ws)[2], (*ws)[3]};
    if (ws && kernel != Dims{(*ws)[2], (*ws)[3]}) {
      ctx.failNode(n, "kernel_shape ", symbolicDimsStr(kernel), " does not match the weight ",
                   symbolicDimsStr(*ws));
    }
  }
  if (kernel.size() != 2) {
    ctx.failNode(n, "only 2-D windows are supported; kernel_shape is ", symbolicDimsStr(kernel));
  }
  const Dims strides = n.attrInts("strides", {1, 1});
  const Dims pads = n.attrInts("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1) {
    ctx.failNode(n, "attribute 'strides' = ", symbolicDimsStr(strides),
                 " is not supported: two values >= 1");
  }
  if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3] || pads[0] < 0 || pads[1] < 0) {
    ctx.failNode(n, "attribute 'pads' = ", symbolicDimsStr(pads),
                 " is not supported: only symmetric pads [h, w, h, w] >= 0");
  }
  std::map<std::string, AttrValue> attrs = {
      {"kernel_shape", kernel}, {"strides", strides}, {"pads", pads}};
  if (is_conv) attrs["group"] = n.attrInt("group", 1);
  if (kind == WindowOp::kAveragePool) {
    const int64_t cip = n.attrInt("count_include_pad", 0);
    if (cip != 0 && cip != 1) ctx.failNode(n, "attribute 'count_include_pad' = ", cip);
    attrs["count_include_pad"] = cip;
  }
  n.attrs = std::move(attrs);
  return keep(std::move(n));
}

std::vector<MaybeDims> inferWindow(ImportContext& ctx, const Node& n,
                                   const std::vector<MaybeDims>& in, WindowOp kind) {
  const Dims& x = *in[0];
  if (x.size() != 4) ctx.failNode(n, "expects input [N, C, H, W], got ", symbolicDimsStr(x));
  const Dims k = n.attrInts("kernel_shape", {}), s = n.attrInts("strides", {}),
             p = n.attrInts("pads", {});
  int64_t c = x[1];
  if (kind == WindowOp::kConv) {
    if (!in[1]) return {};
    const Dims& w = *in[1];
    const int64_t g = n.attrInt("group", 1);
    if (!isSymbolicDim(x[1]) && x[1] != w[1] * g) {
      ctx.failNode(n, "input ", symbolicDimsStr(x), " has ", x[1], " channels, the weight ",
                   symbolicDimsStr(w), " with group ", g, " expects ", w[1] * g);
    }
    c = w[0];
  }
  const Dims out{x[0], c, windowOut(ctx, x[2], k[0], s[0], p[0]),
                 windowOut(ctx, x[3], k[1], s[1], p[1])};
  if ((!isSymbolicDim(out[2]) && out[2] < 1) || (!isSymbolicDim(out[3]) && out[3] < 1)) {
    ctx.failNode(n, "the window ", symbolicDimsStr(k), " does not fit the input ",
                 symbolicDimsStr(x));
  }
  return {out};
}

}  // namespace sotto::nn::ops
