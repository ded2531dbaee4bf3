#pragma once
// The OT family's products with the model owner's plaintext weight (ot_protocol.h): matmul on
// HeMatmul, conv2d (any groups) on HeConv2d, every layer on the family's one HeSession.
#include <memory>

#include "sotto/mpc/ot/he_session.h"
#include "sotto/mpc/protocol.h"

namespace sotto::detail {

// W (read on party 0, the model owner; party 1 passes an empty tensor) of `shape`, multiplied on
// `session`. Collective and message-free: the layers are made at the first product (or prepare)
// of a shape, one per input shape; the convolutions of one weight at several batch sizes share
// party 0's kernel encoding, the matrix products (whose blocks depend on the rows) do not.
std::unique_ptr<WeightKernel> makeOtWeight(std::shared_ptr<HeSession> session, RingTensor w,
                                           Shape shape);

}  // namespace sotto::detail
