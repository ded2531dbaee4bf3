#pragma once
// The OT family's products with the model owner's plaintext weight (ot_protocol.h): matmul on
// HeMatmul, conv2d (any groups) on HeConv2d, every layer on the family's one HeSession.
#include <functional>
#include <memory>

#include "sotto/mpc/ot/he_session.h"
#include "sotto/mpc/protocol.h"

namespace sotto::detail {

// Shares mod 2^64 of the signed values whose shares mod 2^ℓ are given (OtKernels::extendSigned).
using ExtendFn = std::function<RingTensor(const RingTensor& shares_mod_2l, int l)>;

// W (read on party 0, the model owner; party 1 passes an empty tensor) of `shape`, multiplied on
// `session`. Collective and message-free: the layers are made at the first product (or prepare)
// of a shape, one per input shape; the convolutions of one weight at several batch sizes share
// party 0's kernel encoding, the matrix products (whose blocks depend on the rows) do not. With
// the session's ring ℓ < 64 the products' shares (mod 2^ℓ) go through `extend` (required then),
// so that the results are in Z_2^64 like every other kernel's: exact while |W·x| < 2^(ℓ−1) at
// the product's scale (he_ring.h).
std::unique_ptr<WeightKernel> makeOtWeight(std::shared_ptr<HeSession> session, RingTensor w,
                                           Shape shape, ExtendFn extend = nullptr);

}  // namespace sotto::detail
