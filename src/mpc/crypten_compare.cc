#include "sotto/mpc/crypten_compare.h"

#include "sotto/mpc/conversions.h"

namespace sotto::crypten_style {

ArithTensor ltz(const ArithTensor& x) {
  // [x < 0] = msb(x) in binary sharing, back to additive at x's scale.
  return b2aBit(a2b(x).msb(), x.fracBits());
}

ArithTensor lt(const ArithTensor& x, const ArithTensor& y) {
  SOTTO_ENFORCE(x.shape() == y.shape(), "lt: shapes ", x.shape().toString(), " and ",
                y.shape().toString(), " differ");
  return ltz(x - y);  // x - y checks the contexts and the scales
}

ArithTensor relu(const ArithTensor& x) {
  SOTTO_ENFORCE(x.fracBits() > 0, "relu: the fixed-point product needs a scale 2^f with f > 0");
  const ArithTensor neg = ltz(x);
  // [x >= 0] = 1 - [x < 0] (party 0 adds the public 1.0)
  const ArithTensor ge = (-neg).addPublic(RingTensor::full(x.shape(), uint64_t{1} << x.fracBits()));
  return x.mul(ge);
}

}  // namespace sotto::crypten_style
