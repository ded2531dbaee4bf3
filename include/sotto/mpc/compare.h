#pragma once
/// @file compare.h
/// Comparisons, ReLU and max by masked opening and digit lookup tables (dealer-assisted).
///
/// sign: open c = x + 2^32 + r once (r a dealer mask); then x < 0 iff bit 32 of (c - r) is 0,
/// which is c_32 ^ r_32 ^ [c mod 2^32 < r mod 2^32]. The dealer gives, per element, XOR-shared
/// 256-entry bit tables of the comparison of each 8-bit digit of r with any public digit; the
/// parties read the entries at c's digits (no communication) and combine the four digits' (lt, eq)
/// bits with 4 AND gates in 2 rounds. The result is a XOR-shared bit, which then either converts to
/// additive shares or selects x (ReLU) by opening one masked bit.
///
/// Range: these functions assume |x| < 2^32 in ring units, i.e. |value| < 2^(32-f) (65536 at the
/// default 16 fractional bits). Outside it the answer is wrong: keep inputs in range (the
/// fixed-point products of a network are; saturate first otherwise).
///
/// Costs for 2 parties, per element, online (sent by each party; received alike):
///   ltz / lt / gt / le / ge: 4 rounds, 64 + 8 + 1 bits (c, the AND openings, the final bit)
///   relu, max(x, y):         4 rounds, 64 + 8 + 64 + 1 bits (also opens x - a for the select)
///   eq:                      as lt on twice the elements (lt and gt at once)
/// Dealer material per element: 1 + 3 words, 7·256 + 8 + 1 bits. With N > 2 parties the last
/// round opens additive and XOR parts with two collectives (counted as two rounds).

#include <array>
#include <functional>
#include <utility>

#include "sotto/mpc/arith_tensor.h"

namespace sotto {

/// [x < 0] as a fixed-point 0/1 value at x's scale. 4 rounds. Exact.
ArithTensor ltz(const ArithTensor& x);
/// [x < y], [x > y], [x <= y], [x >= y], [x == y] as fixed-point 0/1. Exact for inputs in range.
/// @throws InvalidArgument on mismatched shapes or scales.
ArithTensor lt(const ArithTensor& x, const ArithTensor& y);
ArithTensor gt(const ArithTensor& x, const ArithTensor& y);
ArithTensor le(const ArithTensor& x, const ArithTensor& y);
ArithTensor ge(const ArithTensor& x, const ArithTensor& y);
ArithTensor eq(const ArithTensor& x, const ArithTensor& y);
/// -1 for x < 0, +1 otherwise, at x's scale. 4 rounds.
ArithTensor sign(const ArithTensor& x);

/// max(x, 0), exact (a selection, no truncation). 4 rounds.
ArithTensor relu(const ArithTensor& x);
/// |x| = 2·relu(x) - x. 4 rounds.
ArithTensor abs(const ArithTensor& x);
/// Elementwise maximum: y + relu(x - y). 4 rounds.
ArithTensor maximum(const ArithTensor& x, const ArithTensor& y);

/// Maximum along `dim` by a tree of pairwise maxima: 4·ceil(log2(size of dim)) rounds.
/// @throws InvalidArgument if the dim is empty.
ArithTensor max(const ArithTensor& x, int64_t dim, bool keepdim = false);

/// Reduces along `dim` by a tree of an elementwise pairwise op (each level pairs the first half
/// with the second; an odd last slice passes through): ceil(log2(size of dim)) levels, each one
/// call of `pairwise` on half the remaining slices. `what` names the caller in errors. max() is
/// this with maximum(); other exact pairwise maxima (the math functions' table maximum) reuse it.
/// @throws InvalidArgument on a scalar, a dim out of range or an empty dim.
ArithTensor reduceTree(
    const ArithTensor& x, int64_t dim, bool keepdim, const char* what,
    const std::function<ArithTensor(const ArithTensor&, const ArithTensor&)>& pairwise);

/// The maximum along `dim` and a one-hot tensor of x's shape marking its position (the first
/// of equal maxima wins... of the tree's pairing: ties pick one of them). Same rounds as max.
std::pair<ArithTensor, ArithTensor> argmax(const ArithTensor& x, int64_t dim);

/// Max pooling over [N, C, H, W] with a kernel, stride and zero padding (padding positions take
/// part as -2^31 ring units, never winning). 4·ceil(log2(kh·kw)) rounds.
ArithTensor maxPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding = {0, 0});

/// Average pooling: local window sums, then one public division and one truncation (1 round,
/// n words; 0 rounds local); within 1 ULP. With count_include_pad (PyTorch's default) every window
/// is divided by kh·kw (ArithTensor::divPublicCount: an exact shift when kh·kw is a power of two,
/// else 1/(kh·kw) at 28 bits); without it, by the number of its positions inside the input (28
/// bits of 1/count per output position).
ArithTensor avgPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding = {0, 0},
                      bool count_include_pad = true);

}  // namespace sotto
