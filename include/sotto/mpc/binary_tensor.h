#pragma once
/// @file binary_tensor.h
/// BinaryTensor: a tensor of 64-bit words XOR-shared among all parties (x = ⊕_i x_i, every bit of
/// every word shared independently). XOR, NOT, shifts and AND with a public mask are local; AND of
/// two shared tensors takes one round with a dealer binary triple (protocols.md, "Shares").
///
/// Every operation is collective: all parties call it in the same order with the same shapes.
/// Costs are per party; n is the number of elements (words), N the number of parties. "Sent" is
/// what one party sends (the direct-algorithm count of its Communicator's statistics): with 2
/// parties an opening is an exchange of n words each way; with N parties an allReduce(Xor) that
/// counts (N-1)·n words sent and received.
///
/// Arithmetic <-> binary conversions are in sotto/mpc/conversions.h.

#include <cstdint>
#include <vector>

#include "sotto/mpc/party.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto {

class BinaryTensor {
 public:
  /// Shares `words` (read on `owner` only) of `shape`: the owner sends every other party a fresh
  /// uniform tensor from its PRG and keeps x ^ (their XOR). Cost: 1 round; the owner sends
  /// (N-1)·n words, the others receive n.
  /// @throws InvalidArgument if owner does not exist or the owner's tensor does not have `shape`.
  static BinaryTensor shareEncoded(const Party& party, int owner, const RingTensor& words,
                                   const Shape& shape);
  /// A public value known to every party (party 0 holds it, the others 0). No communication.
  static BinaryTensor fromPublic(const Party& party, const RingTensor& words);
  /// A value known to `holder` alone, shared trivially: the holder's share is `words`, every other
  /// party's is 0 of `shape`. No communication; hides nothing by itself (used as the input of a
  /// protocol whose openings are masked, as a2b's adder). `words` is read on `holder` only.
  /// @throws InvalidArgument if holder does not exist or the holder's tensor does not have `shape`.
  static BinaryTensor fromHolder(const Party& party, int holder, const RingTensor& words,
                                 const Shape& shape);
  /// Wraps this party's share (no communication).
  BinaryTensor(const Party& party, RingTensor share);

  /// Opens the value to every party. 1 round; 2 parties: exchange, n words each way;
  /// N parties: allReduce(Xor).
  RingTensor reveal() const;

  const RingTensor& share() const { return share_; }
  const Shape& shape() const { return share_.shape(); }
  int64_t numel() const { return share_.numel(); }
  const Party& party() const { return *party_; }

  // ---- Local operations (no communication) ------------------------------------------------

  /// x ^ y. @throws InvalidArgument if the shapes differ or the operands belong to different
  /// parties' contexts.
  BinaryTensor operator^(const BinaryTensor& o) const;
  /// x ^ v for a public word (party 0 flips).
  BinaryTensor operator^(uint64_t v) const;
  /// x ^ v for a public tensor broadcastable to x's shape (party 0 applies it).
  /// @throws InvalidArgument if v does not broadcast to exactly x's shape.
  BinaryTensor xorPublic(const RingTensor& v) const;
  /// x & m for a public word (every party masks its share).
  BinaryTensor operator&(uint64_t m) const;
  /// x & m for a public tensor broadcastable to x's shape.
  /// @throws InvalidArgument if m does not broadcast to exactly x's shape.
  BinaryTensor andPublic(const RingTensor& m) const;
  /// ~x (party 0 complements its share).
  BinaryTensor operator~() const;
  /// Logical shifts of every word (zero fill). @throws InvalidArgument unless 0 <= bits <= 63.
  BinaryTensor shiftLeft(int bits) const;
  BinaryTensor shiftRightLogical(int bits) const;
  BinaryTensor operator<<(int bits) const { return shiftLeft(bits); }
  BinaryTensor operator>>(int bits) const { return shiftRightLogical(bits); }
  /// Bit k of every word as a 0/1 word: (x >> k) & 1. @throws InvalidArgument unless 0 <= k <= 63.
  BinaryTensor bit(int k) const;
  /// Bit 63 (the sign bit of the two's-complement view) as a 0/1 word.
  BinaryTensor msb() const { return bit(63); }
  /// Same words, new shape (one entry may be -1). @throws InvalidArgument as RingTensor::reshape.
  BinaryTensor reshape(const std::vector<int64_t>& dims) const;

  // ---- Gates that communicate -------------------------------------------------------------

  /// x & y with one binary triple of n words: opens d = x ^ a and e = y ^ b together.
  /// Cost: 1 round; 2 parties: 2n words sent (and received) per party; N parties: one
  /// allReduce(Xor) of 2n words. Counted under the tag "and".
  /// @throws InvalidArgument if the shapes differ or the contexts differ.
  BinaryTensor operator&(const BinaryTensor& o) const;
  /// x | y = x ^ y ^ (x & y). Cost of one AND.
  BinaryTensor operator|(const BinaryTensor& o) const;

 private:
  void checkCompatible(const BinaryTensor& o, const char* op) const;
  BinaryTensor withShare(RingTensor share) const { return BinaryTensor(*party_, std::move(share)); }

  const Party* party_;
  RingTensor share_;
};

/// xs[k] & ys[k] for every k in one round, with one binary triple over all their words (the
/// building block of the adders and AND trees). Cost: 1 round; 2 parties: 2·W words sent per party,
/// W = Σ_k xs[k].numel(); N parties: one allReduce(Xor) of 2·W words. Counted under the caller's
/// tag. An empty list costs nothing.
/// @throws InvalidArgument if the lists differ in length, a pair's shapes differ, or the tensors
///         belong to different parties' contexts.
std::vector<BinaryTensor> andTogether(const std::vector<BinaryTensor>& xs,
                                      const std::vector<BinaryTensor>& ys);

/// Opens several XOR-shared ring tensors at once (one round, their words concatenated): every party
/// gets the XORs. 2 parties: one exchange; N parties: one allReduce(Xor).
std::vector<RingTensor> openXorTogether(const Party& party, std::vector<RingTensor> shares);

}  // namespace sotto
