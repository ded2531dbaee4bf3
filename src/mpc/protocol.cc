// The protocol seam's default kernels that every family may inherit (protocol.h).
#include "sotto/mpc/protocol.h"

#include <utility>

#include "sotto/error.h"

namespace sotto {
namespace {

// Each product a mulNarrow of its own.
class EachNarrow final : public NarrowOperand {
 public:
  EachNarrow(Protocol& protocol, RingTensor x, int x_bits)
      : protocol_(protocol), x_(std::move(x)), x_bits_(x_bits) {}
  RingTensor mul(const Party& party, const RingTensor& y) override {
    return protocol_.mulNarrow(party, x_, x_bits_, y);
  }

 private:
  Protocol& protocol_;
  RingTensor x_;
  int x_bits_;
};

}  // namespace

NarrowOperand::~NarrowOperand() = default;

void WeightKernel::prepareMatmul(const Party&, const Shape&) const {}
void WeightKernel::prepareConv2d(const Party&, const Shape&, const Conv2dOptions&) const {}

std::unique_ptr<NarrowOperand> Protocol::narrowOperand(const Party&, const RingTensor& x,
                                                       int x_bits) {
  SOTTO_ENFORCE(x_bits >= 1 && x_bits <= 64, "narrowOperand: x_bits = ", x_bits, " not in [1, 64]");
  return std::make_unique<EachNarrow>(*this, x, x_bits);
}

RingTensor Protocol::mulNarrow(const Party& party, const RingTensor& x, int x_bits,
                               const RingTensor& y) {
  SOTTO_ENFORCE(x_bits >= 1 && x_bits <= 64, "mulNarrow: x_bits = ", x_bits, " not in [1, 64]");
  return mul(party, x, y);  // exact for every x: the width only lets a family save
}

}  // namespace sotto
