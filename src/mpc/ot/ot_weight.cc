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

class OtWeight final : public WeightKernel {
 public:
  OtWeight(std::shared_ptr<HeSession> session, RingTensor w, Shape shape)
      : session_(std::move(session)), w_(std::move(w)), shape_(std::move(shape)) {}

  // y0 = X0·W − R, y1 = X1·W + R (he_matmul.h)
  RingTensor matmul(const Party&, const RingTensor& x) const override {
    SOTTO_ENFORCE(shape_.rank() == 2 && x.rank() >= 1 && x.dim(x.rank() - 1) == shape_[0],
                  "matmul with a weight: x ", x.shape().toString(), " and W ", shape_.toString(),
                  " do not chain");
    const auto k = static_cast<size_t>(shape_[0]), n = static_cast<size_t>(shape_[1]);
    const auto m = static_cast<size_t>(x.numel()) / k;
    std::vector<int64_t> dims = x.shape().dims();
    dims.back() = shape_[1];
    if (!matmul_) matmul_ = std::make_unique<HeMatmul>(session_);
    return RingTensor(Shape(dims), matmul_->multiply(x.data(), w_.data(), m, k, n));
  }

  // y0 = conv(X0, K) − R, y1 = conv(X1, K) + R (he_conv2d.h)
  RingTensor conv2d(const Party&, const RingTensor& x,
                    const Conv2dOptions& options) const override {
    SOTTO_ENFORCE(shape_.rank() == 4, "conv2d with a weight of shape ", shape_.toString(),
                  ": expected [O, C/g, kh, kw]");
    auto key = convKey(x.shape(), options);
    auto it = convs_.find(key);
    if (it == convs_.end()) {
      // Checks the shapes (InvalidArgument naming them) before any message; none is sent.
      it = convs_
               .emplace(std::move(key),
                        std::make_unique<HeConv2d>(session_, x.shape(), shape_, options))
               .first;
    }
    return it->second->forward(x, w_);
  }

 private:
  std::shared_ptr<HeSession> session_;
  RingTensor w_;  // party 0: W; party 1: empty
  Shape shape_;
  // The layers, made at the first product of a shape (both parties in the same order).
  mutable std::unique_ptr<HeMatmul> matmul_;
  mutable std::map<ConvKey, std::unique_ptr<HeConv2d>> convs_;
};

}  // namespace

std::unique_ptr<WeightKernel> makeOtWeight(std::shared_ptr<HeSession> session, RingTensor w,
                                           Shape shape) {
  SOTTO_ENFORCE(session != nullptr, "OT weight: no HeSession");
  return std::make_unique<OtWeight>(std::move(session), std::move(w), std::move(shape));
}

}  // namespace sotto::detail
