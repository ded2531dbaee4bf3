// The protocol seam's default kernels that every family may inherit (protocol.h).
#include "sotto/mpc/protocol.h"

#include "sotto/error.h"

namespace sotto {

RingTensor Protocol::mulNarrow(const Party& party, const RingTensor& x, int x_bits,
                               const RingTensor& y) {
  SOTTO_ENFORCE(x_bits >= 1 && x_bits <= 64, "mulNarrow: x_bits = ", x_bits, " not in [1, 64]");
  return mul(party, x, y);  // exact for every x: the width only lets a family save
}

}  // namespace sotto
