// Products with the model owner's weight in the OT family (ot_weight.h).
#include "ot_weight.h"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "sotto/error.h"
#include "sotto/mpc/ot/he_conv2d.h"
#include "sotto/mpc/ot/he_matmul.h"

namespace sotto::detail {
namespace {

// What makes two convolutions of one weight the same HeConv2d layer: the input shape and options.
using ConvKey =
    std::tuple<std::vector<int64_t>, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>;

ConvKey convKey(const Shape& input, const Conv2dOptions& o) {
  return {input.dims(), o.stride[0],   o.stride[1],   o.padding[0],
          o.padding[1], o.dilation[0], o.dilation[1], o.groups};
}

// Two keys of one layer at batch sizes that may differ: equal but for the input's first dimension.
bool sameButBatch(ConvKey a, ConvKey b) {
  auto &da = std::get<0>(a), &db = std::get<0>(b);
  if (da.empty() || db.empty()) return false;
  da[0] = db[0] = 0;
  return a == b;
}

class OtWeight final : public WeightKernel {
 public:
  OtWeight(std::shared_ptr<HeSession> session, RingTensor w, Shape shape, ExtendFn extend)
      : session_(std::move(session)),
        w_(std::move(w)),
        shape_(std::move(shape)),
        extend_(std::move(extend)) {}

  // y0 = X0·W − R, y1 = X1·W + R (he_matmul.h)
  RingTensor matmul(const Party&, const RingTensor& x) const override {
    const auto [m, k, n] = matmulDims(x.shape());
    std::vector<int64_t> dims = x.shape().dims();
    dims.back() = shape_[1];
    return toRing(RingTensor(Shape(dims), matmulLayer(m).multiply(x.data(), w_.data(), m, k, n)));
  }

  // y0 = conv(X0, K) − R, y1 = conv(X1, K) + R (he_conv2d.h)
  RingTensor conv2d(const Party&, const RingTensor& x,
                    const Conv2dOptions& options) const override {
    return toRing(convLayer(x.shape(), options).forward(x, w_));
  }

  void prepareMatmul(const Party&, const Shape& x_shape) const override {
    const auto [m, k, n] = matmulDims(x_shape);
    matmulLayer(m).prepare(w_.data(), m, k, n);
  }

  void prepareConv2d(const Party&, const Shape& x_shape,
                     const Conv2dOptions& options) const override {
    convLayer(x_shape, options).prepare(w_);
  }

 private:
  // The layers' shares, mod 2^ℓ, as shares mod 2^64 (unchanged when ℓ = 64).
  RingTensor toRing(RingTensor y) const {
    const int l = session_->ring().plain_bits;
    return l == 64 ? y : extend_(y, l);
  }

  // [m, k] x [k, n] for an x of x_shape ([.., m, k]: the leading dimensions are rows).
  std::tuple<size_t, size_t, size_t> matmulDims(const Shape& x_shape) const {
    SOTTO_ENFORCE(
        shape_.rank() == 2 && x_shape.rank() >= 1 && x_shape.dim(x_shape.rank() - 1) == shape_[0],
        "matmul with a weight: x ", x_shape.toString(), " and W ", shape_.toString(),
        " do not chain");
    const auto k = static_cast<size_t>(shape_[0]), n = static_cast<size_t>(shape_[1]);
    return {static_cast<size_t>(x_shape.numel()) / k, k, n};
  }

  // The layers, made at the first product (or prepare) of a shape: no message, so the parties
  // need not make them in the same order.
  HeMatmul& matmulLayer(size_t m) const {
    auto it = matmuls_.find(m);
    if (it == matmuls_.end()) it = matmuls_.emplace(m, std::make_unique<HeMatmul>(session_)).first;
    return *it->second;
  }

  HeConv2d& convLayer(const Shape& x_shape, const Conv2dOptions& options) const {
    SOTTO_ENFORCE(shape_.rank() == 4, "conv2d with a weight of shape ", shape_.toString(),
                  ": expected [O, C/g, kh, kw]");
    auto key = convKey(x_shape, options);
    auto it = convs_.find(key);
    if (it == convs_.end()) {
      // Checks the shapes (InvalidArgument naming them) before any message; none is sent.
      auto layer = std::make_unique<HeConv2d>(session_, x_shape, shape_, options);
      // The same layer at another batch size lends its kernel encoding (party 0's memory and
      // encoding time once, not once per batch size).
      for (const auto& [other_key, other] : convs_)
        if (sameButBatch(other_key, key)) {
          layer->shareKernel(*other);
          break;
        }
      it = convs_.emplace(std::move(key), std::move(layer)).first;
    }
    return *it->second;
  }

  std::shared_ptr<HeSession> session_;
  RingTensor w_;  // party 0: W; party 1: empty
  Shape shape_;
  ExtendFn extend_;
  // Per row count m (the batch): each keeps W's polynomials for its blocks.
  mutable std::map<size_t, std::unique_ptr<HeMatmul>> matmuls_;
  mutable std::map<ConvKey, std::unique_ptr<HeConv2d>> convs_;
};

}  // namespace

std::unique_ptr<WeightKernel> makeOtWeight(std::shared_ptr<HeSession> session, RingTensor w,
                                           Shape shape, ExtendFn extend) {
  SOTTO_ENFORCE(session != nullptr, "OT weight: no HeSession");
  SOTTO_ENFORCE(session->ring().plain_bits == 64 || extend != nullptr,
                "OT weight: the session's ring 2^", session->ring().plain_bits,
                " needs an extension to 2^64");
  return std::make_unique<OtWeight>(std::move(session), std::move(w), std::move(shape),
                                    std::move(extend));
}

}  // namespace sotto::detail
