#pragma once
/// @file lut.h
/// Lookup tables on secret-shared indices (one-time truth tables, dealer-assisted).
///
/// For a shared k-bit index x the dealer masks it with a random r and gives shares of the table
/// rotated by r, S[j] = T[(j - r) mod 2^k]. The parties open u = x + r mod 2^k (one round,
/// 2 bytes per element each way for k <= 16 with 2 parties) and read their shares of S[u] = T[x]:
/// any function of a small shared integer in one round, several outputs per entry at no extra
/// round. Parties i >= 1 hold their table shares as a PRF and evaluate one word per element and
/// output; with the seeded dealer party 0 computes only the entry read. With the TTP dealer,
/// party 0 receives its full share of each rotated table (2^k · columns words per element).

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
/// encoded at it). Cost: 1 round; 2 parties: 2 bytes (k <= 16) sent per element each way;
/// N > 2 parties: an allReduce of one word per element.
std::vector<ArithTensor> lookup(const ArithTensor& index, const LookupTable& table,
                                int out_frac_bits);

}  // namespace sotto
