#pragma once
/// @file dealer_protocol.h
/// The dealer family of the protocol seam (protocol.h): every kernel on correlated randomness from
/// a Dealer (dealer.h: the seeded dealer or the TTP), any number of parties, semi-honest.
///
/// Kernels and their costs per party (n elements, 2 parties; N parties open by allReduce):
///   mul, matmul, conv2d   Beaver: open x - a and y - b together, 1 round, 2n words sent
///                         (n: the operands' elements); z = c + e⊛b + a⊛f (+ e⊛f on party 0)
///   loadWeight            a fixed dealer mask B: 2 rounds once (fixed_weight.h); each product
///                         1 round, the others send x.numel words to the owner
///   truncate              1 round, n words, within 1 ULP for |x| < 2^62 (never a large error);
///                         truncatePositive is the same
///   sign                  4 rounds, 87 bits sent per element (+ 64 per selected value); the
///                         TTP: 5 rounds, 117 bits, a third of the dealer's bytes (4-bit digits,
///                         compare.h); exact over the whole ring
///   andWords              1 round, 2n words; b2a 1 round, ⌈n/64⌉ words
///   lookup                the dealer's rotated table (lut.h; the TTP's for 2 or more columns: a
///                         one-hot of the mask): open u = x + r mod 2^k, 1 round, k bits per
///                         element each way (2 parties; N > 2: an allReduce of n words), exact on
///                         all 64 bits whatever out_bits
///   functionTables        the dealer's tables (function_tables.h)
/// Failure probability 0 in every kernel (the truncation's 1-ULP error apart). Papers: Beaver,
/// CRYPTO 1991; CrypTen (Knott et al., NeurIPS 2021) for the dealer-assisted truncation; the
/// comparison's digit tables: compare.h.

#include <memory>

#include "sotto/mpc/dealer/dealer.h"
#include "sotto/mpc/protocol.h"

namespace sotto {

/// The dealer family over `dealer`, which must outlive the result. Its name() and secure() are the
/// dealer's.
std::unique_ptr<Protocol> makeDealerProtocol(Dealer& dealer);

}  // namespace sotto
