#pragma once
/// @file crypten_compare.h
/// CrypTen's comparison, as a baseline in the same library: x < 0 is the top bit of x converted to
/// binary sharing by a carry-lookahead adder (a2b), converted back to an additive 0/1 (b2aBit);
/// ReLU multiplies by 1 - [x < 0] with one Beaver product and a truncation. Exact for every x in
/// the ring (no range limit) but slow: the fast comparison is sotto/mpc/compare.h, measured
/// against this.
///
/// Costs for 2 parties, n elements, sent by each party (received alike), online:
///   ltz, lt: 8 rounds (7 for a2b + 1 for b2aBit); 192n + 8·ceil(n/64) bytes.
///            n = 65536: 12,591,104 bytes sent per party.
///   relu:    ltz + 1 round for the Beaver opening (16n bytes) + the truncation (kDealer: 1 round,
///            8n bytes; kLocal: 0), so 10 rounds and 216n + 8·ceil(n/64) bytes by default.
///            n = 65536: 14,163,968 bytes sent per party.
/// N parties: a2b takes 7·ceil(log2 N) rounds (see conversions.h), the rest as above.

#include "sotto/mpc/arith_tensor.h"

namespace sotto::crypten_style {

/// [x < 0] as the fixed-point 0/1 value at x's scale (2^f for true, 0 for false), exact.
/// Cost: 8 rounds with 2 parties (7·ceil(log2 N) + 1 with N); 192n + 8·ceil(n/64) bytes sent per
/// party with 2 parties.
ArithTensor ltz(const ArithTensor& x);

/// [x < y] = ltz(x - y) as fixed-point 0/1 at the operands' scale, exact while x - y does not
/// wrap (|x - y| < 2^63 ring units). Cost: that of ltz.
/// @throws InvalidArgument if the shapes or scales differ or the contexts differ.
ArithTensor lt(const ArithTensor& x, const ArithTensor& y);

/// max(x, 0) = x · (1 - ltz(x)) with ArithTensor::mul, which truncates: within 1 ULP (dealer
/// truncation; local truncation adds its rare large failure). Cost: ltz + mul: 10 rounds with
/// 2 parties and dealer truncation (9 with local), 216n + 8·ceil(n/64) bytes sent per party.
/// @throws InvalidArgument if x's scale is 0 (mul's truncation needs f > 0).
ArithTensor relu(const ArithTensor& x);

}  // namespace sotto::crypten_style
