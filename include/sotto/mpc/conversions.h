#pragma once
/// @file conversions.h
/// Conversions between additive (ArithTensor) and XOR (BinaryTensor) sharing, and the binary adder
/// they are built on. Collective; costs are per party, n elements, N parties, "sent" as in
/// binary_tensor.h (2 parties: each party sends the stated amount and receives the same).

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/binary_tensor.h"

namespace sotto {

/// x + y mod 2^64 on XOR-shared words, by a Kogge-Stone parallel-prefix (carry-lookahead) adder:
/// p = x ^ y, g = x & y (1 round), then for k = 1, 2, 4, 8, 16, 32 one round each of
/// g ^= p & (g << k) and p &= p << k (both ANDs batched; the last level needs only the first),
/// and x + y = x ^ y ^ (g << 1).
/// Cost: 7 rounds; ANDs over 12n words in all (n + 5·2n + n), so 24n words opened: 2 parties:
/// 192n bytes sent per party; N parties: allReduces(Xor) counting (N-1)·192n bytes sent.
/// @throws InvalidArgument if the shapes or the contexts differ.
BinaryTensor addBinary(const BinaryTensor& x, const BinaryTensor& y);

/// Arithmetic to binary sharing (CrypTen's A2B): each party's additive share becomes a 64-bit
/// number XOR-shared by that party alone (the others hold 0), and the N numbers are summed with
/// addBinary, pairwise in a tree (as CrypTen's BinarySharedTensor.sum); the additions of one tree
/// level run batched in one adder. The words of the result are the two's-complement ring elements
/// x (the fixed-point scale is not part of a BinaryTensor).
/// Cost: 7·ceil(log2 N) rounds (7 for 2 parties); N - 1 additions of 12n AND words each, i.e.
/// (N-1)^2·192n bytes sent per party (2 parties: 192n; n = 65536: 12,582,912 bytes in 7 rounds;
/// 3 parties: 14 rounds, 768n bytes).
/// Counted under the tag "a2b".
BinaryTensor a2b(const ArithTensor& x);

/// A XOR-shared bit (bit 0 of every word; the other bits are ignored) to additive shares of b·2^f,
/// f = frac_bits, i.e. the fixed-point value 1.0 or 0.0 at scale 2^f (f = 0: the integer 0/1).
/// With BitSelect material (additive rho_A and XOR rho_B of one random bit rho): open
/// t = b ^ rho, packed 64 elements per word, then b_A = rho_A + t·(1 - 2·rho_A) (party 0 adds t).
/// Cost: 1 round; 2 parties: ceil(n/64) words = 8·ceil(n/64) bytes sent per party; N parties:
/// one allReduce(Xor) of ceil(n/64) words. Counted under the tag "b2a".
/// @throws InvalidArgument if frac_bits is outside [0, 62].
ArithTensor b2aBit(const BinaryTensor& bit, int frac_bits = 0);

/// Whole XOR-shared words to additive shares: all 64·n bits converted as in b2aBit in one round,
/// then x_A = Σ_k 2^k·bit_k (local). The result carries scale 2^frac_bits (a label only: the words
/// are taken as ring elements, so b2a(a2b(x), x.fracBits()) is x).
/// Cost: 1 round; 2 parties: n words = 8n bytes sent per party; N parties: one allReduce(Xor) of
/// n words. Counted under the tag "b2a".
/// @throws InvalidArgument if frac_bits is outside [0, 62].
ArithTensor b2a(const BinaryTensor& x, int frac_bits = 0);

}  // namespace sotto
