#pragma once
/// @file ot_protocol.h
/// The OT family of the protocol seam (protocol.h): two parties and no third, every kernel on
/// oblivious transfer (OtKernels, ot_kernels.h: SCI's millionaires', Gilboa's products, Cheetah's
/// and SiRnn's truncations) and products with the model owner's weights on RLWE (HeMatmul,
/// HeConv2d on one HeSession). Semi-honest; κ = 128, σ = 40 as the OT engine and the RLWE
/// parameters.
///
/// Kernels and their costs (n elements, both parties; the OT extension's refills apart, see
/// ot_kernels.h's table, which these are built from):
///   mul                   Gilboa: 2 rounds, 268 B per element each way (64 COTs each way)
///   matmul, conv2d        of two shared operands: m·k·n Gilboa products (conv: im2col first,
///                         one product per group, each round trip after the last); for tests
///                         and small layers
///   loadWeight            the owner must be party 0. matmul: HeMatmul (1 round trip, he_matmul.h);
///                         conv2d: HeConv2d (1 round trip, he_conv2d.h; any groups, so depthwise
///                         and an unfolded BatchNorm's 1x1 per-channel scale too, which the
///                         executor puts here: preferWeightKernels). Every layer
///                         runs on one HeSession, whose key is set up at the first load
///                         (217,113 B from party 1 to 0, 1 message; counted under the
///                         "load weight" tag, apart from the inferences)
///   truncate              exact (SiRnn): 9 rounds, 572 bits + 128 COTs per element at f = 16
///   truncatePositive      Cheetah: 2 rounds, f + 1 bits + 1 COT per element; result may be 1 ULP
///                         low; garbage if x < 0
///   sign                  millionaires' on 63 bits (6 rounds, 625 bits + 93 COTs per element),
///                         then b2a (2 rounds) for the bit or a multiplexer (2 rounds, 8.125 B per
///                         value each way) for the selected values
///   andWords              64 bit triples per word (1 round, 2 COTs per bit)
///   b2a                   one COT per bit (2 rounds)
///   lookup                SiRnn's: one 1-of-2^k OT of rows per element (1 round trip, k COTs;
///                         party 0 sends 2^k·columns·out_bits bits per element, party 1 k)
/// Failure probability 0 in every kernel except truncatePositive as stated (and 2^-40 statistical
/// in HeMatmul's circuit privacy). functionTables is not offered (hasFunctionTables() is false):
/// the table math composes exp, sigmoid, tanh, erf and GELU from the kernels above instead
/// (src/math/piecewise_engine.h; costs in sotto/math/functions.h).
///   mulNarrow(x_bits)     SiRnn's mixed-width product mulMixed(x, x_bits, y, 64): x_bits COTs each
///                         way, then the wrap of x's shares (lessThan(x_bits) and a multiplexer)
///   narrowOperand(x_bits) the wrap of x's shares once (OtKernels::narrowWrap: lessThan(x_bits)),
///                         then per product OtKernels::mulMixedByWrap: Gilboa, a multiplexer
///   truncate is exact (exactTruncation() is true).

#include <memory>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/ot/he_session.h"
#include "sotto/mpc/protocol.h"
#include "sotto/ot/session.h"

namespace sotto {

/// How the OT family multiplies by the model owner's plaintext weights.
enum class WeightProducts {
  kHe,  ///< RLWE (HeMatmul, HeConv2d): the default
  kOt,  ///< OT alone, for comparison: W shared (party 0's share W, party 1's 0) and multiplied by
        ///< the family's shared products (Gilboa: 64 COTs and 268 B each way per scalar product)
};

/// Sets up the OT family for this party over comm (rank 0: the model owner; rank 1: the data
/// owner). Collective: both OT directions (makeOtPair: 4 messages, 8,256 bytes); the RLWE key
/// follows at the first loadWeight.
/// With `session` (an HeSession over the same comm, already set up), the weights' layers run on
/// it and no key is made at the first loadWeight: a caller that shares the key or reads its
/// counters (HeSession::weightEncodings) passes it. Without it, the key made at the first
/// loadWeight has the ring and weight bound `he` (he_ring.h; default ℓ = 64 with |w| ≤ 2^20). With
/// ℓ < 64 every product with a weight is extended exactly to Z_2^64 (OtKernels::extendSigned: 8
/// more rounds and ~486 bits per output) and is right while |W·x| < 2^(ℓ−1) at the product's scale
/// (2^(2f)).
/// @throws InvalidArgument if comm.worldSize() != 2 (naming the world's size); CommError / Timeout.
std::unique_ptr<Protocol> makeOtProtocol(Communicator& comm, const ot::OtOptions& options = {},
                                         std::shared_ptr<HeSession> session = nullptr,
                                         const HeRingOptions& he = kDealerFreeHeRing,
                                         WeightProducts products = WeightProducts::kHe);

}  // namespace sotto
