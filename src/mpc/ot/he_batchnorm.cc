// BatchNorm as a depthwise 1x1 HeConv2d plus party 0's bias (sotto/mpc/ot/he_batchnorm.h).
#include "sotto/mpc/ot/he_batchnorm.h"

#include <utility>

#include "sotto/error.h"

namespace sotto {

namespace {

Shape checkedInput(const Shape& input) {
  SOTTO_ENFORCE(input.rank() == 4, "HeBatchNorm: the input is ", input, ", expected [N, C, H, W]");
  return input;
}

Conv2dOptions depthwise(int64_t channels) {
  Conv2dOptions o;
  o.groups = channels;
  return o;
}

}  // namespace

HeBatchNorm::HeBatchNorm(Communicator& comm, const Shape& input, bool trim_download)
    : channels_(checkedInput(input).dim(1)),
      conv_(comm, input, Shape{channels_, 1, 1, 1}, depthwise(channels_), trim_download) {}

HeBatchNorm::HeBatchNorm(std::shared_ptr<HeSession> session, const Shape& input)
    : channels_(checkedInput(input).dim(1)),
      conv_(std::move(session), input, Shape{channels_, 1, 1, 1}, depthwise(channels_)) {}

RingTensor HeBatchNorm::forward(const RingTensor& x_share, const RingTensor& scale,
                                const RingTensor& bias) {
  if (!conv_.isModelOwner()) return conv_.forward(x_share, RingTensor());
  const Shape per_channel{channels_};
  SOTTO_ENFORCE(scale.shape() == per_channel && bias.shape() == per_channel, "HeBatchNorm: scale ",
                scale.shape(), " and bias ", bias.shape(), " must both be ", per_channel);
  const RingTensor kernel(Shape{channels_, 1, 1, 1},
                          std::vector<uint64_t>(scale.data().begin(), scale.data().end()));
  RingTensor y = conv_.forward(x_share, kernel);
  const int64_t plane = y.dim(2) * y.dim(3);
  for (int64_t i = 0; i < y.numel(); ++i) y[i] += bias[(i / plane) % channels_];
  return y;
}

}  // namespace sotto
