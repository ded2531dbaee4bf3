// The pooling family: MaxPool and AveragePool (2-D windows, window.h) and GlobalAveragePool.
#include <algorithm>
#include <limits>

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"
#include "ops/window.h"

namespace sotto::nn::ops {
namespace {

PlainTensor pool(const Node& node, const PlainTensor& x, bool is_max) {
  if (x.dims.size() != 4) fail(node, "expects input [N, C, H, W], got ", dimsStr(x.dims));
  const Dims k = node.attrInts("kernel_shape", {});
  const Dims s = node.attrInts("strides", {1, 1});
  const Dims p = node.attrInts("pads", {0, 0, 0, 0});
  if (k.size() != 2 || s.size() != 2 || p.size() != 4 || k[0] < 1 || k[1] < 1 || s[0] < 1 ||
      s[1] < 1) {
    fail(node, "bad kernel_shape ", dimsStr(k), ", strides ", dimsStr(s), " or pads ", dimsStr(p));
  }
  const bool include_pad = node.attrInt("count_include_pad", 0) != 0;
  const int64_t nc = x.dims[0] * x.dims[1], h = x.dims[2], w = x.dims[3];
  const int64_t oh = (h + p[0] + p[2] - k[0]) / s[0] + 1;
  const int64_t ow = (w + p[1] + p[3] - k[1]) / s[1] + 1;
  if (oh < 1 || ow < 1) fail(node, "kernel ", dimsStr(k), " does not fit input ", dimsStr(x.dims));
  PlainTensor y = make({x.dims[0], x.dims[1], oh, ow});
  for (int64_t plane = 0; plane < nc; ++plane) {
    const double* src = x.values.data() + plane * h * w;
    double* dst = y.values.data() + plane * oh * ow;
    for (int64_t r = 0; r < oh; ++r) {
      for (int64_t q = 0; q < ow; ++q) {
        const int64_t y0 = r * s[0] - p[0], x0 = q * s[1] - p[1];
        const int64_t y1 = std::min(y0 + k[0], h + p[2]), x1 = std::min(x0 + k[1], w + p[3]);
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t yy = std::max<int64_t>(y0, 0); yy < std::min(y1, h); ++yy) {
          for (int64_t xx = std::max<int64_t>(x0, 0); xx < std::min(x1, w); ++xx) {
            const double v = src[yy * w + xx];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (!is_max) acc /= static_cast<double>(include_pad ? (y1 - y0) * (x1 - x0) : count);
        dst[r * ow + q] = acc;
      }
    }
  }
  return y;
}

PlainTensor globalAveragePool(const Node& node, const PlainTensor& x) {
  if (x.dims.size() < 3) fail(node, "expects input [N, C, spatial...], got ", dimsStr(x.dims));
  const int64_t nc = x.dims[0] * x.dims[1], area = product(x.dims, 2);
  Dims out(x.dims.size(), 1);
  out[0] = x.dims[0];
  out[1] = x.dims[1];
  PlainTensor y = make(out);
  for (int64_t i = 0; i < nc; ++i) {
    double acc = 0;
    for (int64_t j = 0; j < area; ++j) acc += x.values[i * area + j];
    y.values[i] = acc / static_cast<double>(area);
  }
  return y;
}

std::vector<MaybeDims> inferGlobalPool(ImportContext&, const Node&,
                                       const std::vector<MaybeDims>& in) {
  const Dims& x = *in[0];
  if (x.size() < 3) return {};
  Dims out(x.size(), 1);
  out[0] = x[0];
  out[1] = x[1];
  return {out};
}

OpSchema windowPool(std::string type, WindowOp kind) {
  return {.type = std::move(type),
          .normalize = [kind](ImportContext& c,
                              Node n) { return normalizeWindow(c, std::move(n), kind); },
          .infer = [kind](ImportContext& c, const Node& n,
                          const std::vector<MaybeDims>& in) { return inferWindow(c, n, in, kind); },
          .evaluate =
              [kind](const Node& n, const Inputs& in) {
                return one(pool(n, need(n, in, 0), kind == WindowOp::kMaxPool));
              }};
}

}  // namespace

void addPoolingOps(OpRegistry& r) {
  r.add(windowPool("MaxPool", WindowOp::kMaxPool));
  r.add(windowPool("AveragePool", WindowOp::kAveragePool));
  r.add({.type = "GlobalAveragePool",
         .normalize = noAttrs,
         .infer = inferGlobalPool,
         .evaluate = [](const Node& n, const Inputs& in) {
           return one(globalAveragePool(n, need(n, in, 0)));
         }});
}

}  // namespace sotto::nn::ops
