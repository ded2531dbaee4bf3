#pragma once
/// @file compare.h
/// Comparisons, ReLU and max by masked opening and digit lookup tables (dealer-assisted).
///
/// sign: open c = x + r once over the whole ring (r a dealer mask); then, with c' = c mod 2^63 and
/// r' = r mod 2^63, MSB(x) = c_63 ^ r_63 ^ [c' < r']. The 63 low bits are eight digits (seven of 8
/// bits, a top one of 7: eight digits keep the AND tree at depth 3 and the tables at 256 bits).
/// Per element and digit the dealer gives an XOR-shared bit table L_d[v] = [v < r_d] (dealer.h,
/// CompareTables); the parties read T_d = L_d[c_d] and E_d = [c_d == r_d] = L_d[c_d - 1] ^ L_d[c_d]
/// (no communication) and combine them by a log-depth tree (T, E) = (T_hi ^ E_hi·T_lo, E_hi·E_lo):
/// 7 AND gates in one round, 3 in the next, and the last one, L = H ^ G·P with H·G = 0, merged
/// with the opening that converts the bit to additive shares or selects x with it: H, G and P are
/// opened under the dealer's random bits alpha, beta, gamma, so that the bit r_63 ^ L, and its
/// product with a value v opened as v - a, are linear in shares of r_63 and sigma·alpha,
/// sigma·beta, sigma·gamma, sigma·beta·gamma (sigma = 1 - 2·r_63), and of a times each.
/// Exact for every x in Z_2^64 read as two's complement; lt(x, y) and the others compare x - y,
/// exact whenever |x - y| < 2^63.
///
/// The digits are 8 bits wide where the dealer's tables cost nothing on the wire (the seeded
/// dealer) and 4 bits wide where the TTP sends them (dealer.h's CompareDigits): one AND level more,
/// an eighth of the table bits.
/// Costs for 2 parties, per element, online (sent by each party; received alike):
///   ltz / lt / gt / le / ge: 8-bit digits: 4 rounds, 64 + 14 + 6 + 3 = 87 bits (c, the two AND
///                            levels' openings, the last level's three masked bits); 4-bit
///                            digits (TTP): 5 rounds, 64 + 30 + 14 + 6 + 3 = 117 bits
///   relu, max(x, y):         one more word: 151 bits (8-bit digits), 181 (4-bit)
///   eq:                      as lt on twice the elements (lt and gt at once)
/// (The range-limited version before it: 4 rounds, 73 and 137 bits.) Dealer material per element:
/// r and the 5 monomials (6 words), the tables (8-bit digits: 7·256 + 128 bits = 30 words; 4-bit:
/// 15·16 + 8 bits, 4 words), 3 mask bits and the AND triples (10 or 25 gates, 3 bits each):
/// 2337 bits with 8-bit digits, 716 with 4-bit; plus 6 words (a and a times each monomial) per
/// selected value (relu: 2721 and 1100 bits). The TTP sends neither r nor a: each party draws its
/// share of those from its stream (CorrelationRequest::freeOutputs(); 652 and 972 bits). With N > 2 parties the last round opens additive
/// and XOR parts with two collectives (counted as two rounds).

/// With PartyOptions::check_ranges every call also records, locally, one word per compared value
/// (|d| < 2^62; eq: two) for the range check (range_check.h: about 11 bytes each way per word and
/// 9 rounds for all of them at checkRanges(), 11 with the TTP); results, rounds and bytes here are
/// unchanged.

#include <array>
#include <functional>
#include <optional>
#include <utility>

#include "sotto/mpc/arith_tensor.h"

namespace sotto {

/// [x < 0] as a fixed-point 0/1 value at x's scale. 4 rounds. Exact.
ArithTensor ltz(const ArithTensor& x);
/// [x < y], [x > y], [x <= y], [x >= y], [x == y] as fixed-point 0/1. Exact when |x - y| < 2^63.
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

/// Dims up to this size take argmax's all-pairs path (k(k-1)/2 comparisons per row in one go).
inline constexpr int64_t kAllPairsArgmax = 16;

/// The maximum along `dim` and a one-hot tensor of x's shape (at x's scale) marking its position.
/// For a dim of size k <= kAllPairsArgmax: every pair compared at once (k(k-1)/2 comparisons per
/// row, 4 rounds), each position's k - 1 outcomes multiplied (ceil(log2(k-1)) rounds), the
/// maximum as Σ onehot·x (1 round): 5 + ceil(log2(k-1)) rounds (9 for k = 10), the first of equal
/// maxima wins. Larger dims: a tree of pairwise selections, 4·ceil(log2 k) rounds, ties pick one
/// of them. @throws InvalidArgument on a scalar, a dim out of range or an empty dim.
std::pair<ArithTensor, ArithTensor> argmax(const ArithTensor& x, int64_t dim);

/// argmax's one-hot alone (x's shape and scale): one round fewer on the all-pairs path,
/// 4 + ceil(log2(k-1)) rounds (8 for the 10 classes of a classifier). With a family that keeps
/// comparison bits as XOR shares (Protocol::hasSignBits, the OT family) the wins are ANDed as
/// bits and converted once: signBits, ceil(log2(k-1)) andWords levels, one b2a (OT: 6 + 4 + 2 =
/// 12 rounds for 10 classes, against 8 + 8 with products). @throws as argmax.
ArithTensor argmaxOneHot(const ArithTensor& x, int64_t dim);

/// Max pooling over [N, C, H, W] with a kernel, stride and padding: a padding position takes part
/// as a copy of the nearest in-bounds element of its own window (edge replication), so it never
/// changes a window's maximum, whatever the values. 4·ceil(log2(kh·kw)) rounds.
/// @throws InvalidArgument if some window holds no input position (padding >= kernel).
ArithTensor maxPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding = {0, 0});

/// relu(maxPool2d(x)), exact, then with truncate_bits > 0 divided by 2^truncate_bits with the
/// positive truncation (ArithTensor::truncatePositive). With a family that keeps comparison bits
/// as XOR shares (Protocol::hasSignBits, the OT family) the last level of the tree, the ReLU and
/// the truncation are one step: max(a, b, 0) from the three comparisons at once, one AND and one
/// selection that also truncates (OT: 6 + 1 + 2 = 9 rounds against 8 + 8 + 2; a 2x2 window: 17
/// rounds against 26); otherwise relu(maxPool2d(x)), then truncatePositive. @throws as maxPool2d.
ArithTensor maxPool2dRelu(const ArithTensor& x, std::array<int64_t, 2> kernel,
                          std::array<int64_t, 2> stride, std::array<int64_t, 2> padding = {0, 0},
                          int truncate_bits = 0);

/// relu(x).truncatePositive(bits) (bits = 0: relu(x)). With a family that keeps comparison bits as
/// XOR shares (the OT family) the selection and the truncation share their exchanges: 6 + 2 = 8
/// rounds against 6 + 2 + 2. Result as truncatePositive's (OT: ⌊relu(x) / 2^bits⌋ or one less).
ArithTensor reluTruncatePositive(const ArithTensor& x, int bits);

/// Average pooling: local window sums, then one public division and one truncation, within 1 ULP.
/// With count_include_pad (PyTorch's default) every window is divided by kh·kw
/// (ArithTensor::divPublicCount: an exact shift when kh·kw is a power of two, else 1/(kh·kw) at 28
/// bits); without it, by the number of its positions inside the input (28 bits of 1/count per
/// output position). `division` picks the truncation; by default (nullopt) a shift uses the
/// party's default method and the 28-bit path the dealer-assisted one (1 round, n words, never a
/// large error) whatever the party's default, as a local 28-bit truncation is garbage with
/// probability up to |mean| · 2^(f + 28 - 63) per element (about 2^-19 near 1 at f = 16).
/// kLocal, only when asked for here: 0 rounds. @throws InvalidArgument if kLocal is asked for
/// with N != 2.
ArithTensor avgPool2d(const ArithTensor& x, std::array<int64_t, 2> kernel,
                      std::array<int64_t, 2> stride, std::array<int64_t, 2> padding = {0, 0},
                      bool count_include_pad = true,
                      std::optional<Truncation> division = std::nullopt);

}  // namespace sotto
