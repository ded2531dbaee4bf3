#pragma once
// The winners of rows of candidates as XOR-shared bits, for a family that keeps comparison bits
// as XOR shares (Protocol::hasSignBits: the OT family): every pair compared at once, then each
// candidate's wins ANDed. The all-pairs argmax and the ReLU of a maximum build on it (compare.h).

#include "sotto/mpc/party.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto::detail {

/// v: [rows, k] additive shares at one scale, k >= 1. Returns XOR shares of w[r·k + i] = [i is
/// the first maximum of row r], packed 64 per word (Protocol::signBits' layout), rows·k bits: b_ij
/// = [v_i − v_j >= 0] for i < j, w_i = Π_{j>i} b_ij · Π_{j<i} ¬b_ji, so exactly one winner per row
/// (ties go to the lowest index). With `with_zero`, 0 is one more candidate, after the others:
/// w_i also needs [v_i >= 0], and no w_i is set when every v_i < 0 (the row's maximum is then 0).
/// Needs |v_i − v_j| < 2^62 (and |v_i| < 2^62) as ring integers; the differences are recorded for
/// the range check (RangeCheckLog::recordBeyond62, under `what`).
/// Cost: one signBits of rows·(k(k−1)/2 + k·with_zero) elements (OT: 6 rounds), then
/// ceil(log2(k − 1 + with_zero)) andWords levels (OT: 1 round each).
/// @throws NotImplemented if the family has no sign bits.
RingTensor winnerBits(const Party& p, const RingTensor& v, bool with_zero, const char* what);

}  // namespace sotto::detail
