#pragma once
/// @file lut.h
/// Lookup tables on secret-shared indices: any function of a small shared integer, several
/// outputs per entry. The lookup itself is the protocol seam's kernel (Protocol::lookup), so its
/// cost is the family's:
///  - the dealer family (one-time truth tables): the dealer masks the index with a random r and
///    gives shares of the table rotated by r, S[j] = T[(j - r) mod 2^k]; the parties open
///    u = x + r mod 2^k (one round, k bits per element each way, packed, with 2 parties; an
///    allReduce of one word per element with N > 2) and read their shares of S[u] = T[x].
///    Parties i >= 1 hold their table shares as a PRF and evaluate one word per element and
///    output; with the seeded dealer party 0 computes only the entry read. With the TTP dealer,
///    party 0 receives its full share of each rotated table (2^k · columns words per element).
///  - the OT family (SiRnn's lookup, ot_kernels.h): one 1-of-2^k OT per element, 1 round trip;
///    party 0 sends 2^k · columns · out_bits bits per element, party 1 k bits, k random OTs.

#include <cstdint>
#include <functional>
#include <vector>

#include "sotto/mpc/arith_tensor.h"

namespace sotto {

/// A public table: 2^index_bits rows of `columns` entries in Z_2^64, row-major.
class LookupTable {
 public:
  /// @throws InvalidArgument unless 1 <= index_bits <= 16, columns >= 1 and
  ///         entries.size() == 2^index_bits · columns (the message names the sizes).
  LookupTable(int index_bits, int columns, std::vector<uint64_t> entries);
  /// Entry (row, col) = fn(row, col).
  static LookupTable fromFunction(int index_bits, int columns,
                                  const std::function<uint64_t(uint64_t row, int col)>& fn);

  int indexBits() const { return index_bits_; }
  int columns() const { return columns_; }
  uint64_t rows() const { return uint64_t{1} << index_bits_; }
  uint64_t at(uint64_t row, int col) const { return entries_[row * columns_ + col]; }
  const std::vector<uint64_t>& entries() const { return entries_; }

 private:
  int index_bits_;
  int columns_;
  std::vector<uint64_t> entries_;
};

/// T[x mod 2^k] for every element of `index` (its shares are read as integers: the index's
/// fixed-point scale is ignored, only the low k bits of the shared value count). Returns one
/// tensor per column, of index's shape, with the given scale (entries are taken as already
/// encoded at it). With out_bits < 64 only the low out_bits bits of each entry are computed: the
/// shares sum to T[x] modulo 2^out_bits (the OT family then sends fewer bits; the dealer family
/// is exact anyway). Cost: the family's Protocol::lookup (see above), counted under "lookup".
/// @throws InvalidArgument out_bits ∉ [1, 64]; NotImplemented if the family has no lookup;
///   CommError / Timeout.
std::vector<ArithTensor> lookup(const ArithTensor& index, const LookupTable& table,
                                int out_frac_bits, int out_bits = 64);

}  // namespace sotto
