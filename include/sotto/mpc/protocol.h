#pragma once
/// @file protocol.h
/// The protocol seam: the kernels that ArithTensor, BinaryTensor, the comparisons, FixedWeight,
/// the table math and PrivateModel compute with. Every kernel takes and returns this party's
/// shares; a family implements all of them (semi-honest, as its own header states):
///  - the dealer family (sotto/mpc/dealer/dealer_protocol.h): correlations from a dealer
///    (seeded or TTP), Beaver products, masked openings (any number of parties);
///  - the OT family (sotto/mpc/ot/ot_protocol.h): two parties alone, on oblivious transfer
///    (SCI / Cheetah / SiRnn kernels) and RLWE products with plaintext weights.
/// A program picks one by name with makeProtocol (protocol_factory.h). Nothing above this seam
/// names a dealer or an OT.
///
/// Conventions: additive shares over Z_2^64 (x = Σ x_i), XOR shares of words (x = ⊕ x_i); all
/// parties call the same kernels in the same order with the same shapes (collective). Kernels
/// never truncate unless they say so; scales are the caller's business. The cost of each kernel
/// is the family's: see the family's header (rounds, bytes per element, failure probability).
/// A kernel a family does not have throws NotImplemented naming the kernel and the family.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "sotto/comm/communicator.h"
#include "sotto/tensor/linear.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto {

class Party;
class Dealer;
class FunctionTableMaterial;
struct FunctionTableSpec;

/// The result of Protocol::sign.
struct SignResult {
  RingTensor bit;       ///< additive shares of the bit as 0/1 integers, x's shape (see sign())
  RingTensor selected;  ///< additive shares of bit·v for every value v (if values were given)
};

/// A party's plaintext weight W loaded for repeated products x ⊛ W (FixedWeight).
class WeightKernel {
 public:
  virtual ~WeightKernel();
  /// This party's share of x @ W (x [.., m, k], W [k, n]), not truncated.
  virtual RingTensor matmul(const Party& party, const RingTensor& x) const = 0;
  /// This party's share of conv2d(x, W) (W [O, C/g, kh, kw]), not truncated.
  virtual RingTensor conv2d(const Party& party, const RingTensor& x,
                            const Conv2dOptions& options) const = 0;
  /// The input-independent one-time work of the products above for an x of `x_shape` (and
  /// `options`), done now so that the first such product does not pay it (the model owner's
  /// work, like loading the model). Local: no message, so a party may call it alone and in any
  /// order; the products' results and messages do not change. Default: nothing (the dealer
  /// family has none). The OT family: party 0 encodes W's polynomials for that shape (HeMatmul,
  /// HeConv2d prepare: k forward NTTs each), party 1 plans its layer.
  /// @throws InvalidArgument in a family that does work here (the OT family) if x_shape does not
  ///         chain with W, as the product would.
  virtual void prepareMatmul(const Party& party, const Shape& x_shape) const;
  virtual void prepareConv2d(const Party& party, const Shape& x_shape,
                             const Conv2dOptions& options) const;
};

/// A narrow operand x (every element in [0, 2^x_bits)) prepared for several products x ⊙ y
/// (Protocol::narrowOperand): what depends on x alone is computed once.
class NarrowOperand {
 public:
  virtual ~NarrowOperand();
  /// This party's share of x ⊙ y mod 2^64 (y of x's shape), as Protocol::mulNarrow.
  /// @throws InvalidArgument shapes differ.
  virtual RingTensor mul(const Party& party, const RingTensor& y) = 0;
};

/// True if the parties of `comm` are threads of this process (inproc, possibly decorated): what
/// lets tests use a family that is insecure across processes.
bool inOneProcess(const Communicator& comm);

class Protocol {
 public:
  virtual ~Protocol();

  /// The family's name as makeProtocol knows it, with its trust model, e.g. "ttp".
  virtual std::string name() const = 0;
  /// False when one party can learn the others' inputs (the insecure seeded dealer).
  virtual bool secure() const = 0;

  // ---- Products of two shared operands (no truncation) ---------------------------------------
  /// x ⊙ y elementwise (equal shapes).
  virtual RingTensor mul(const Party& party, const RingTensor& x, const RingTensor& y) = 0;
  /// x @ y ([.., m, k] × [.., k, n]).
  virtual RingTensor matmul(const Party& party, const RingTensor& x, const RingTensor& y) = 0;
  /// conv2d(x, w, options) (x [N, C, H, W], w [O, C/g, kh, kw]).
  virtual RingTensor conv2d(const Party& party, const RingTensor& x, const RingTensor& w,
                            const Conv2dOptions& options) = 0;

  /// x ⊙ y elementwise where every element of x is known to lie in [0, 2^x_bits) as an unsigned
  /// integer (only the low x_bits bits of the shared value count), y any ring element: the
  /// product's shares mod 2^64. A family may take a cheaper path (the OT family: SiRnn's
  /// mixed-width product, x_bits COTs each way instead of 64, OtKernels::mulMixed(x, x_bits, y,
  /// 64)); the default is mul. Garbage where x is outside [0, 2^x_bits) in such a family.
  /// @throws InvalidArgument x_bits ∉ [1, 64] or shapes differ.
  virtual RingTensor mulNarrow(const Party& party, const RingTensor& x, int x_bits,
                               const RingTensor& y);

  /// x prepared for several mulNarrow products with the same x (Horner's steps): the OT family
  /// computes the wrap of x's shares once (OtKernels::narrowWrap: lessThan(x_bits)), then each
  /// product costs Gilboa's x_bits COTs each way and a multiplexer (4 rounds). Default: each
  /// product is mulNarrow. Collective, as the products.
  /// @throws InvalidArgument x_bits ∉ [1, 64].
  virtual std::unique_ptr<NarrowOperand> narrowOperand(const Party& party, const RingTensor& x,
                                                       int x_bits);

  // ---- Products with a party's plaintext weight ------------------------------------------------
  /// Loads W (`encoded`, read on `owner` only) of `shape` at scale 2^frac_bits. Collective.
  virtual std::unique_ptr<WeightKernel> loadWeight(const Party& party, int owner,
                                                   const RingTensor& encoded, const Shape& shape,
                                                   int frac_bits) = 0;

  // ---- Truncation --------------------------------------------------------------------------
  /// Shares of x / 2^bits (arithmetic shift of the shared signed value), within 1 ULP.
  virtual RingTensor truncate(const Party& party, const RingTensor& x, int bits) = 0;
  /// The same when the caller knows x >= 0 (e.g. after a ReLU): a family may take a cheaper path
  /// (the OT family: Cheetah's, within 1 ULP below). Garbage for x < 0 in such a family.
  virtual RingTensor truncatePositive(const Party& party, const RingTensor& x, int bits) = 0;
  /// True if truncate is exact (⌊x / 2^bits⌋ for every x, no 1-ULP error: the OT family's
  /// SiRnn truncation), so that a caller may take its result as an index (the composed table
  /// math's piece); false (the dealer family: ⌊x / 2^bits⌋ or one more) makes such a caller
  /// correct it with a comparison. Default false.
  virtual bool exactTruncation() const { return false; }
  /// True if truncate's error is never downward: ⌊x / 2^bits⌋ or one more, for |x| < 2^62 (the
  /// dealer family's), so that such a caller checks one side only. Default false.
  virtual bool truncationRoundsUp() const { return false; }
  /// True if truncatePositive is much cheaper than truncate (the OT family: 2 rounds and f + 1
  /// bits per element against 9 rounds and 572 bits), so that a caller that knows a ReLU follows
  /// a product truncates after the ReLU instead (the private executor does). False (the dealer
  /// family, where both cost the same) keeps every product truncated at once.
  virtual bool positiveTruncationPays() const { return false; }
  /// The family's one-time work that the first operations would otherwise pay, done now, so that
  /// a caller can report it apart from the per-input figures (the examples' "setup" line).
  /// Collective; call it at most once, before the first operation, with every party. Recurring
  /// work (later OT refills, a dealer's material) stays where it is used. Default: nothing. The
  /// OT family with Ferret: the bootstrap and first Ferret round in each direction (OtKernels::
  /// setup); with IKNP nothing.
  /// @throws CommError / Timeout.
  virtual void setup(const Party& party) { (void)party; }
  /// True if a product with a party's plaintext weight (loadWeight) pays over a product of two
  /// shared operands (the OT family: RLWE against Gilboa's 268 B per element each way), so that
  /// the executor computes an unfolded BatchNorm's per-channel scale as a depthwise 1x1 weight
  /// (HeBatchNorm's packing) rather than as a product with a shared scale. False (the dealer
  /// family) keeps the shared product.
  virtual bool preferWeightKernels() const { return false; }

  // ---- Comparison, selection, conversions ---------------------------------------------------
  /// The bit b = [x < 0] (x as two's complement), or [x >= 0] if nonneg, of every element. If
  /// `values` is null, returns b as additive 0/1 shares in `bit`; otherwise only `selected`:
  /// shares of b·v for each of the values.numel() / x.numel() consecutive values per element
  /// (compare and select at once: ReLU, max, argmax).
  virtual SignResult sign(const Party& party, const RingTensor& x, bool nonneg,
                          const RingTensor* values) = 0;
  /// True if the family offers signBits and selectBits (the OT family), so that callers may keep
  /// comparison bits as XOR shares, combine them with andWords and select with them (argmax's
  /// all-pairs path, relu of a maximum); callers fall back to sign() otherwise. Default false.
  virtual bool hasSignBits() const { return false; }
  /// XOR shares of b = [x < 0], or [x >= 0] if nonneg, packed 64 per word (bit i of the flat x is
  /// bit i % 64 of word i / 64; the unused bits 0), shape {ceil(n / 64)}. The OT family: msb or
  /// drelu (6 rounds, OtKernels). @throws NotImplemented where hasSignBits() is false.
  virtual RingTensor signBits(const Party& party, const RingTensor& x, bool nonneg);
  /// Additive shares of b_i·v for XOR-shared bits b (packed as signBits gives them, bits_count of
  /// them) and values.numel() = w·bits_count values, w consecutive values per bit: the
  /// multiplexer. With shift > 0, b_i·⌊v / 2^shift⌋ instead, for a caller that sets b_i only where
  /// v >= 0 (a ReLU's bit): the positive truncation's fast path in the same exchanges (OT:
  /// OtKernels::selectTruncatePositive, ⌊v / 2^shift⌋ or one less). The OT family: 2 rounds.
  /// No bits and no values: an empty result, no exchange.
  /// @throws NotImplemented where hasSignBits() is false; InvalidArgument if values.numel() is not
  ///   a multiple of bits_count (not 0 for no bits) or shift ∉ [0, 63].
  virtual RingTensor selectBits(const Party& party, const RingTensor& packed, int64_t bits_count,
                                const RingTensor& values, int shift);
  /// As selectBits with a shift per value (shifts.size() == values.numel(), each in [0, 63]):
  /// selections under different truncations in one call (the OT family: 2 rounds; the COTs and
  /// bytes of selectBits with a shift for the values shifted, of selectBits for the others).
  /// @throws as selectBits, and InvalidArgument if shifts.size() differs from values.numel().
  virtual RingTensor selectBitsShifted(const Party& party, const RingTensor& packed,
                                       int64_t bits_count, const RingTensor& values,
                                       std::span<const int> shifts);
  /// XOR shares of x & y, word by word (equal shapes).
  virtual RingTensor andWords(const Party& party, const RingTensor& x, const RingTensor& y) = 0;
  /// Additive 0/1 shares of bits_shape.numel() XOR-shared bits, packed 64 per word of `packed`
  /// (bit i is bit i % 64 of word i / 64). Result: bits_shape.
  virtual RingTensor b2a(const Party& party, const RingTensor& packed, const Shape& bits_shape) = 0;

  // ---- Lookup tables (the table math) ---------------------------------------------------------
  /// Shares of T[x mod 2^index_bits] for every element x of `index` (its shares read as
  /// integers; only the low index_bits bits of the shared value count): [index.numel(), columns].
  /// `table` is public, 2^index_bits rows of `columns` words, row-major (lut.h's LookupTable).
  /// The result's shares sum to each entry modulo 2^out_bits (1..64): a family may send only
  /// out_bits bits per entry (the OT family does), so above bit out_bits the sum is garbage
  /// unless out_bits = 64.
  virtual RingTensor lookup(const Party& party, const RingTensor& index, int index_bits,
                            int columns, std::span<const uint64_t> table, int out_bits) = 0;
  /// True if the family gives functionTables (the dealer families): the table math then runs on
  /// them; false (the OT family) makes it compose its functions from the other kernels (sign,
  /// truncate, lookup, narrowOperand, selections: src/math/piecewise_engine.h). Default true.
  virtual bool hasFunctionTables() const { return true; }
  /// True if the function tables cost their full size on the wire: the TTP dealer sends party 0
  /// every entry of every table (26 KB per element for sigmoid and tanh, up to 412 KB for log),
  /// where the seeded dealer's party 0 computes only the entries it reads. The table math
  /// (MathMethod::kTable) then composes its functions from the other kernels too, as without
  /// function tables: more rounds, 10 to 100 times fewer bytes (sotto/math/functions.h).
  /// Default false.
  virtual bool functionTablesSent() const { return false; }
  /// Function-table material (function_tables.h) for `shape` elements.
  virtual std::unique_ptr<FunctionTableMaterial> functionTables(const Party& party,
                                                                const FunctionTableSpec& spec,
                                                                const Shape& shape) = 0;

  // ---- Accounting --------------------------------------------------------------------------
  /// Bytes of correlated randomness used so far that did not cross the parties' communicator
  /// (a dealer's traffic); 0 for a family whose traffic is all online.
  virtual uint64_t offlineBytes() const = 0;
  /// The dealer behind a dealer family (for its offline phase and its own tests); nullptr else.
  virtual Dealer* dealer() const { return nullptr; }
};

}  // namespace sotto
