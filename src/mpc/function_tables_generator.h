#pragma once
// Private: how a dealer computes function-table material (function_tables.h), and this party's
// material objects. Used by dealer.cc (seeded dealer, generic fetch) and by the TTP dealer through
// generateCorrelation().

#include <memory>
#include <span>
#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/mpc/dealer/dealer.h"
#include "sotto/mpc/function_tables.h"

namespace sotto::detail {

class FunctionTableGenerator {
 public:
  /// @throws InvalidArgument for a bad spec.
  explicit FunctionTableGenerator(FunctionTableSpec spec);

  const FunctionTableSpec& spec() const { return spec_; }
  int windows() const { return static_cast<int>(spec_.windows.size()); }
  bool exact() const { return spec_.exact_shift > 0; }
  /// Random words per element (r, r_A[w], r_B, r_T[w], r_E, a), then derived ones (per window
  /// q0 = r_y >> top and q0 + 1).
  int numDrawn() const {
    return 2 + 2 * windows() + (exact() ? 1 : 0) + (spec_.delta_outside ? 1 : 0);
  }
  int numSecrets() const { return numDrawn() + 2 * windows(); }
  int numWords() const {
    return 2 + 4 * windows() + (exact() ? 3 : 0) + (spec_.delta_outside ? 1 : 0);
  }
  int numTables() const { return function_tables::kDigits + 2 * windows() + 1 + (exact() ? 1 : 0); }
  int64_t rows(int table) const;
  int64_t cols(int table) const;
  /// Words per element: the additive words and every table entry (functionTableWords()).
  int64_t totalWords() const;

  /// numSecrets()·n secrets, kind-major ([kind][element]): r, r_A[w], r_B, r_T[w], r_E fresh
  /// from prg, then the derived ones.
  std::vector<uint64_t> drawSecrets(Prg& prg, int64_t n) const;
  /// The additive words of element e (secrets as drawSecrets returns them for n elements).
  void words(const uint64_t* secrets, int64_t n, int64_t e, uint64_t* out) const;
  /// For i < count: the cols(table) values of entry rows[i] of `table` for element first + i,
  /// written at out + i·cols(table).
  void entries(int table, int64_t count, const uint64_t* rows, const uint64_t* secrets, int64_t n,
               int64_t first, uint64_t* out) const;
  /// Every row of `table` for element e: rows(table)·cols(table) values.
  void allEntries(int table, const uint64_t* secrets, int64_t n, int64_t e, uint64_t* out) const;
  /// Every output of the correlation (as generateCorrelation returns them): words [n, numWords],
  /// then each table [n, rows·cols].
  std::vector<RingTensor> generate(int64_t n, Prg& prg) const;
  std::vector<Shape> outputShapes(int64_t n) const;

 private:
  template <typename RowOf, typename SecretOf>
  void entriesImpl(int table, int64_t count, RowOf row_of, SecretOf secret, uint64_t* out) const;
  int digitsAbove(int w) const;  // digits of c meeting bits [P + a, 64) of window w
  FunctionTableSpec spec_;
  std::vector<std::vector<uint8_t>> in_window_;  // per window: [J] = 1 if index J means inside
};

/// spec.encode(), kept for the few most recent specs (a spec of thousands of coefficients is
/// encoded once per process, not at every call). Thread-safe. @throws InvalidArgument for a bad
/// spec.
std::shared_ptr<const std::vector<uint64_t>> encodedOf(const FunctionTableSpec& spec);

/// The generator of an encoded spec (FunctionTableSpec::encode's words), decoded once per
/// process: the few most recent specs stay cached (a request's shapes, bits and material all
/// need it, and a program uses a handful of functions). Thread-safe.
/// @throws ProtocolError for malformed words (FunctionTableSpec::decode).
std::shared_ptr<const FunctionTableGenerator> generatorOf(std::span<const uint64_t> words);

/// Material from a fetched correlation: full tables (a correction sent by a TTP dealer) or PRF keys
/// (parties i >= 1).
std::unique_ptr<FunctionTableMaterial> makeFetchedFunctionTables(
    std::shared_ptr<const FunctionTableGenerator> generator, std::vector<RingTensor> outputs);

/// The seeded dealer's party 0: knows every secret, computes the entries it reads minus the other
/// parties' PRF words there. keys[t] holds every other party's key of table t.
std::unique_ptr<FunctionTableMaterial> makeLazyFunctionTables(
    std::shared_ptr<const FunctionTableGenerator> generator, RingTensor words_share,
    std::vector<uint64_t> secrets, std::vector<std::vector<RingTensor>> keys);

/// The [n, m] table of kPrfPairs words of a 2-word key: entry (e, t) is word t mod 2 of
/// AES_key(lo = t / 2, hi = e).
RingTensor prfPairsTable(const RingTensor& key, int64_t n, int64_t m);

/// Several materials for consecutive element ranges, read as one.
std::unique_ptr<FunctionTableMaterial> joinFunctionTables(
    std::vector<std::unique_ptr<FunctionTableMaterial>> parts, std::vector<int64_t> sizes);

}  // namespace sotto::detail
