#pragma once
// The fast comparison's protocol (compare.h is its public face): the sign of every element of a
// shared tensor over the whole ring, by one masked opening, digit tables and an AND tree, with the
// tree's last level merged into the opening that converts the bit or selects with it.

#include <utility>
#include <vector>

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/dealer/dealer.h"

namespace sotto::detail {

/// Opens additive tensors (sums) and XOR-shared tensors (xors) in one round: with 2 parties one
/// exchange carries both; with more, one allReduce per kind (two rounds when both are present).
std::pair<std::vector<RingTensor>, std::vector<RingTensor>> openMixed(const Party& p,
                                                                      std::vector<RingTensor> add,
                                                                      std::vector<RingTensor> xr);

/// The bit b = [x < 0] (x read as two's complement), or [x >= 0] if `nonneg`, for every element:
/// computes SignResult (protocol.h; here `bit` is filled in every case) for x and, if `values` is
/// not null, the products b·v (values.numel() = w·x.numel(), w consecutive values per element).
/// On 2 parties: open c; the digit groups' AND levels down to two groups (8-bit digits: two
/// levels, 4 rounds in all; the TTP's 4-bit digits: three, 5 rounds); the last AND level with the
/// conversion/selection. See compare.h for the bits.
SignResult signOf(const Party& p, Dealer& dealer, const RingTensor& x, bool nonneg,
                  const RingTensor* values);

}  // namespace sotto::detail
