// Private plans of the linear family. Conv, Gemm and MatMul by a weight: a FixedWeight product
// (1 round, n_in words one way, + the truncation) plus a shared bias. MatMul of two activations:
// Beaver (1 round + truncation). BatchNormalization (not folded): Beaver with the shared scale, or
// where the protocol prefers weight kernels (Protocol::preferWeightKernels) a depthwise 1x1
// FixedWeight product with the owner's scale.
#include <cmath>

#include "ops/families.h"
#include "ops/linear_plan.h"
#include "ops/plan_helpers.h"
#include "sotto/error.h"
#include "sotto/mpc/fixed_weight.h"

namespace sotto::nn::ops {
namespace {

constexpr const char* kConv = "Conv";
constexpr const char* kGemm = "Gemm";
constexpr const char* kMatMul = "MatMul";

// The scale as the owner's depthwise 1x1 kernel [C, 1, 1, 1] (groups C: HeBatchNorm's packing in
// the OT family) on x seen as [N, C, L, 1], then the shared shift.  // y = scale·x + shift
StepPlan planBatchNormByWeight(PlanContext& ctx, const Node& n,
                               const std::vector<std::string>& acts,
                               const std::vector<double>& scale, const std::vector<double>& shift,
                               int64_t c) {
  const FixedWeight* w = ctx.loadFixed(scale, {c, 1, 1, 1});
  const ArithTensor* wt = ctx.shareWeight(shift, channelDims(c, 4));
  Conv2dOptions co;
  co.groups = c;
  // x [N, C, ...] seen as [N, C, L, 1].
  auto view = [c, label = nodeLabel(n)](const Shape& x) {
    const auto& d = x.dims();
    SOTTO_ENFORCE(d.size() >= 2 && d[1] == c, label, ": the input ", x.toString(),
                  " does not have ", c, " channels in dimension 1");
    int64_t inner = 1;
    for (size_t i = 2; i < d.size(); ++i) inner *= d[i];
    return std::vector<int64_t>{d[0], c, inner, 1};
  };
  StepPlan p = oneOutput(acts, [w, wt, c, co, view](In in) {
    const auto& d = in[0]->shape().dims();
    const ArithTensor y = w->conv2dFrom(in[0]->reshape(view(in[0]->shape())), co).reshape(d);
    return y + (d.size() == 4 ? *wt : wt->reshape(channelDims(c, d.size())));
  });
  p.prepare = [w, co, view](const std::vector<Shape>& in) {
    w->prepareConv2d(Shape(view(in[0])), co);
  };
  return p;
}

StepPlan planBatchNorm(PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                       const std::vector<std::string>& ws) {
  SOTTO_ENFORCE(n.inputs.size() == 5 && ws.size() == 4, nodeLabel(n),
                ": scale, bias, mean and var must be weights");
  const int64_t c = ctx.weight(n.inputs[1]).numel();
  const double eps = n.attrFloat("epsilon", 1e-5);
  std::vector<double> scale, shift;
  if (ctx.isOwner()) {
    const auto gm = ctx.ownerValues(n.inputs[1]);
    const auto bt = ctx.ownerValues(n.inputs[2]);
    const auto mu = ctx.ownerValues(n.inputs[3]);
    const auto var = ctx.ownerValues(n.inputs[4]);
    for (int64_t i = 0; i < c; ++i) {
      const size_t k = static_cast<size_t>(i);
      scale.push_back(gm[k] / std::sqrt(var[k] + eps));
      shift.push_back(bt[k] - mu[k] * scale.back());
    }
  }
  if (ctx.party().protocol().preferWeightKernels())
    return planBatchNormByWeight(ctx, n, acts, scale, shift, c);
  const ArithTensor* ws_ = ctx.shareWeight(scale, channelDims(c, 4));
  const ArithTensor* wt = ctx.shareWeight(shift, channelDims(c, 4));
  return oneOutput(acts, [ws_, wt, c](In in) {
    const auto& d = in[0]->shape().dims();
    const ArithTensor sc = d.size() == 4 ? *ws_ : ws_->reshape(channelDims(c, d.size()));
    const ArithTensor sh = d.size() == 4 ? *wt : wt->reshape(channelDims(c, d.size()));
    return in[0]->mul(sc) + sh;
  });
}

StepPlan planFixedLinear(PlanContext& ctx, const Node& n, const std::vector<std::string>&,
                         const std::vector<std::string>&) {
  return planLinear(ctx, n, nullptr, true);
}

}  // namespace

bool isFixedWeightLinear(const Graph& g, const Node& n) {
  return n.op == kConv || n.op == kGemm ||
         (n.op == kMatMul && n.inputs.size() == 2 && g.isWeight(n.inputs[1]));
}

int64_t linearOutputChannels(const Graph& g, const Node& n) {
  const auto& wd = g.weights.at(n.inputs[1]).dims;
  return n.op == kConv ? wd[0] : (n.op == kGemm && n.attrInt("transB", 0) ? wd[0] : wd[1]);
}

// Conv, Gemm and MatMul by a weight: a FixedWeight product plus a shared bias. With a polynomial
// on the output (`poly`, per output channel or scalar coefficients), the owner stacks a second
// copy of the weight scaled by a (a·(W x + bias) = (a·W) x + a·bias): the same single opening
// yields y and a·y, and the polynomial (a·y + b)·y + c costs one Beaver round.
StepPlan planLinear(PlanContext& ctx, const Node& n, const PolyFusion* poly, bool truncate) {
  SOTTO_ENFORCE(truncate || !poly, "internal: a fused polynomial needs the truncated product");
  const Graph& g = ctx.architecture();
  const bool owner = ctx.isOwner();
  SOTTO_ENFORCE(n.inputs.size() >= 2 && !g.isWeight(n.inputs[0]) && g.isWeight(n.inputs[1]),
                nodeLabel(n), ": supported as activation x weight (a model weight) only");
  const bool conv = n.op == kConv;
  const auto& wd = ctx.weight(n.inputs[1]).dims;
  std::vector<double> wv;  // the owner's weight in the layout FixedWeight wants
  std::vector<int64_t> dims;
  int64_t channels = 0;
  Conv2dOptions co;
  if (conv) {
    SOTTO_ENFORCE(wd.size() == 4, nodeLabel(n), ": the weight must be [O, C/g, kh, kw]");
    co.stride = pair2(n, n.attrInts("strides", {}), "strides", 1);
    co.padding = symmetricPads(n, n.attrInts("pads", {}));
    co.dilation = pair2(n, n.attrInts("dilations", {}), "dilations", 1);
    co.groups = n.attrInt("group", 1);
    SOTTO_ENFORCE(!poly || co.groups == 1, "internal: fused polynomial needs groups = 1");
    dims = wd;
    channels = wd[0];
    if (owner) {
      const auto src = ctx.ownerValues(n.inputs[1]);
      wv.assign(src.begin(), src.end());
    }
  } else {
    SOTTO_ENFORCE(n.attrInt("transA", 0) == 0, nodeLabel(n), ": transA=1 is not supported");
    SOTTO_ENFORCE(wd.size() == 2, nodeLabel(n), ": the weight must be a matrix");
    const bool trans_b = n.op == kGemm && n.attrInt("transB", 0) != 0;
    const double alpha = n.op == kGemm ? n.attrFloat("alpha", 1.0) : 1.0;
    const int64_t k = trans_b ? wd[1] : wd[0], m = trans_b ? wd[0] : wd[1];
    dims = {k, m};
    channels = m;
    if (owner) {
      const auto src = ctx.ownerValues(n.inputs[1]);
      wv.resize(static_cast<size_t>(k * m));
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < m; ++c)
          wv[static_cast<size_t>(r * m + c)] =
              alpha * src[static_cast<size_t>(trans_b ? c * k + r : r * m + c)];
    }
  }
  std::vector<double> bias;  // per output channel (owner), zeros if absent
  const bool has_bias = (conv || n.op == kGemm) && n.inputs.size() >= 3 && !n.inputs[2].empty();
  if (owner) {
    bias.assign(static_cast<size_t>(channels), 0.0);
    if (has_bias) {
      const auto bv = ctx.ownerValues(n.inputs[2]);
      const double beta = n.op == kGemm ? n.attrFloat("beta", 1.0) : 1.0;
      SOTTO_ENFORCE(bv.size() == bias.size() || bv.size() == 1, nodeLabel(n),
                    ": the bias must have one value per output channel");
      for (size_t i = 0; i < bias.size(); ++i) bias[i] = beta * bv[bv.size() == 1 ? 0 : i];
    }
  }
  const int64_t per_channel = conv ? dims[1] * dims[2] * dims[3] : 0;
  if (poly && owner) {
    // Stack a·W after W (conv: along O; matrix: along the columns) and a·bias after bias.
    const auto av = ctx.ownerValues(poly->a);
    auto a_of = [&](int64_t ch) { return av[av.size() == 1 ? 0 : static_cast<size_t>(ch)]; };
    if (conv) {
      const size_t half = wv.size();
      wv.resize(2 * half);
      for (int64_t o = 0; o < channels; ++o)
        for (int64_t j = 0; j < per_channel; ++j)
          wv[half + static_cast<size_t>(o * per_channel + j)] =
              a_of(o) * wv[static_cast<size_t>(o * per_channel + j)];
    } else {
      std::vector<double> stacked(static_cast<size_t>(dims[0] * 2 * channels));
      for (int64_t r = 0; r < dims[0]; ++r)
        for (int64_t c = 0; c < channels; ++c) {
          const double w = wv[static_cast<size_t>(r * channels + c)];
          stacked[static_cast<size_t>(r * 2 * channels + c)] = w;
          stacked[static_cast<size_t>(r * 2 * channels + channels + c)] = a_of(c) * w;
        }
      wv = std::move(stacked);
    }
    for (int64_t ch = 0; ch < channels; ++ch)
      bias.push_back(a_of(ch) * bias[static_cast<size_t>(ch)]);
  }
  const int64_t outs = poly ? 2 * channels : channels;
  if (conv)
    dims[0] = outs;
  else
    dims[1] = outs;
  const FixedWeight* w = ctx.loadFixed(wv, dims);
  const ArithTensor* b =
      (has_bias || poly)
          ? ctx.shareWeight(bias, conv ? channelDims(outs, 4) : std::vector<int64_t>{outs})
          : nullptr;
  auto linear = [w, b, conv, co, truncate](const ArithTensor& x) {
    if (!truncate) {
      // W x + bias at scale 2^(2f): the bias lifted exactly by 2^f.
      ArithTensor y = conv ? w->conv2dUntruncated(x, co) : w->matmulUntruncated(x);
      return b ? y + b->mulPublicInt(int64_t{1} << w->fracBits()) : y;
    }
    ArithTensor y = conv ? w->conv2dFrom(x, co) : w->matmulFrom(x);
    return b ? y + *b : y;
  };
  // The owner's weight encoded for the input's shape before the first product (no message).
  auto prepare = [w, conv, co](const std::vector<Shape>& in) {
    if (conv)
      w->prepareConv2d(in[0], co);
    else
      w->prepareMatmul(in[0]);
  };
  if (!poly) {
    StepPlan p = oneOutput({n.inputs[0]}, [linear](In in) { return linear(*in[0]); });
    p.prepare = prepare;
    return p;
  }
  // The polynomial's b and c, broadcast like the layer's output.
  const ArithTensor* wb = ctx.shareWeight(ctx.ownerValues(poly->b), ctx.weight(poly->b).dims);
  const ArithTensor* wc = ctx.shareWeight(ctx.ownerValues(poly->c), ctx.weight(poly->c).dims);
  const int64_t dim = conv ? 1 : -1;
  StepPlan p = oneOutput({n.inputs[0]}, [linear, wb, wc, dim, channels](In in) {
    const ArithTensor both = linear(*in[0]);
    const int64_t d = dim < 0 ? both.shape().rank() - 1 : dim;
    const ArithTensor y = both.slice(d, 0, channels);
    const ArithTensor ay = both.slice(d, channels, 2 * channels);
    return (ay + *wb).mul(y) + *wc;
  });
  p.prepare = prepare;
  return p;
}

void addLinearPlans(PlanRegistry& r) {
  r.add({.type = kConv, .plan = planFixedLinear});
  r.add({.type = kGemm, .plan = planFixedLinear});
  r.add({.type = kMatMul,
         .plan = [](PlanContext& ctx, const Node& n, const std::vector<std::string>& acts,
                    const std::vector<std::string>& ws) {
           if (ws.size() == 1) return planLinear(ctx, n, nullptr, true);
           SOTTO_ENFORCE(acts.size() == 2, nodeLabel(n), ": needs two inputs");
           return oneOutput(acts, [](In in) { return in[0]->matmul(*in[1]); });
         }});
  r.add({.type = "BatchNormalization", .plan = planBatchNorm});
}

}  // namespace sotto::nn::ops
