#pragma once
/// @file range_check.h
/// Range checks for model developers (PartyOptions::check_ranges): each checked op also records,
/// as secret shares, whether any of its elements left the op's safe domain; checkRanges() later
/// computes one secret bit per op name ("did any element of any call leave the domain") and opens
/// only those bits. Nothing else is revealed: not which element, not how many, not by how much.
///
/// What is checked (x in ring units, the op's input unless said otherwise):
///   ltz, lt, gt, le, ge, eq, sign, relu, abs, maximum, max, maxPool2d, argmax, argmaxOneHot:
///     the compared value or difference d has |d| < 2^62 (compare.h is exact to 2^63; 2^62 is the
///     range the rest of the library assumes, e.g. the dealer truncation). A true difference of
///     3·2^62 or more wraps into the checked range and is not seen (it needs an operand beyond
///     2^62, which the op that produced it is checked for, if it is a checked op).
///   reciprocal: x != 0 and |x| < 2^62 (2^46 at 16 fractional bits; the function itself holds up
///     to 2^47: see RangeCheckLog::recordNonZero for why the check cannot reach further).
///   sqrt, rsqrt, log: x > 0, and for sqrt x <= sqrtSafeMax (math/domain.h).
///   exp: x <= expSafeMax (math/domain.h: ln of the largest value, 32.58 at 16 fractional bits;
///     above it e^x is not representable and exp saturates).
///   softmax, logSoftmax: |x_i - x_0| < 2^61 along the dim (so every difference the maximum
///     compares is below 2^62; conservative by one bit). sigmoid and tanh: every input is fine.
///   Local truncation (Truncation::kLocal): the truncated result y has |y| <= 2^(kAssumedValueBits
///     + f), the bound its reported failure probability assumes; a failed element (off by about
///     2^(64 - bits)) fails it too whenever bits < 48 - f (every product and division at f <= 20).
/// The iterative math (MathMethod::kIterative) is checked at the same entry points.
///
/// Cost. Recording is local (0 rounds): the op's own result is unchanged. Each element adds one
/// to four words whose sign checkRanges() computes (compare.h's ltz): comparisons 1 (the sign of
/// d + 2^62; eq 2: d and -d), exp 1, rsqrt, log, sqrt 2, reciprocal 4, softmax 2, local
/// truncation 2. A maxPool2d or max records each level's differences (one word per pairwise
/// maximum).
///
/// checkRanges() with m pending words and k op names with something pending: 9 rounds (ltz of the
/// m words: 4; ltz of the k per-name counts: 4; opening the k bits: 1; with the TTP's 4-bit
/// comparison digits 5 + 5 + 1 = 11), measured alike with 2 and 3 parties; 0 rounds when nothing is
/// pending. Received per party: ltz's bytes for m elements,
/// ltz's for k, and the k opened words (8·k bytes with 2 parties: one word per name). ltz is 87
/// bits per element sent by each party (compare.h; 117 with the TTP), plus rounding: measured
/// 32,648 bytes received for m = 3000 with 2 parties (twice that with 3), 200 for k = 2
/// (tests/unit/range_check_test.cc asserts the sum). Dealer: ltz's material for m + k elements.
/// More than kRangeCheckFlushWords pending words are first reduced to per-name counts (ltz of the
/// pending words: 4 rounds, 5 with the TTP), so memory stays bounded on long runs.
///
/// Security: semi-honest, as the ops themselves; the only values opened are the k per-name bits
/// (as additive shares of 0/1 words), which is exactly what the developer asks to learn.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sotto {

class ArithTensor;
class Party;

/// Pending words above which recording first reduces them to per-name counts (one ltz).
inline constexpr uint64_t kRangeCheckFlushWords = uint64_t{1} << 22;

/// One op name's record: calls, elements checked, checks made (checkRanges() calls that had
/// something of it pending) and how many of those found it out of its domain.
struct RangeCheckRow {
  std::string name;  ///< "<node> (<ONNX op>): <op>" inside a PrivateModel, else "<op>"
  uint64_t calls = 0;
  uint64_t elements = 0;
  uint64_t checks = 0;
  uint64_t violations = 0;
};

/// The per-party log (Party::rangeChecks()). Recording does nothing unless the party's
/// options().check_ranges is set.
class RangeCheckLog {
 public:
  /// Names the op being run while alive (nested scopes keep the outermost op's name, so a
  /// maxPool2d's inner maxima are recorded as maxPool2d). Counts one call per outermost scope.
  class OpScope {
   public:
    OpScope(const Party& party, std::string_view op);
    ~OpScope();
    OpScope(const OpScope&) = delete;
    OpScope& operator=(const OpScope&) = delete;

   private:
    RangeCheckLog* log_ = nullptr;
  };
  /// Prefixes the names recorded while alive with a model node's label (PrivateModel::forward).
  class LabelScope {
   public:
    LabelScope(const Party& party, std::string label);
    ~LabelScope();
    LabelScope(const LabelScope&) = delete;
    LabelScope& operator=(const LabelScope&) = delete;

   private:
    RangeCheckLog* log_ = nullptr;
    std::string previous_;
  };

  /// Records "x outside [lo, hi]" per element under `op` (or the enclosing scope's name). Needs
  /// lo <= 0 <= hi and hi - lo < 2^63: then ltz(x - lo) + ltz(hi - x) is 0 inside and 1 or 2
  /// outside, for every x in the ring. @throws InvalidArgument otherwise.
  static void recordOutside(const ArithTensor& x, int64_t lo, int64_t hi, std::string_view op);
  /// Records "|x| >= 2^62", i.e. x outside [-2^62, 2^62): ltz(x + 2^62), one word per element.
  static void recordBeyond62(const ArithTensor& x, std::string_view op);
  /// Records "x > hi": 1 - ltz(x - hi - 1), one word; also flags x in [-2^63, hi - 2^63] (the
  /// half ring above hi reaches there). @throws InvalidArgument if hi < 0.
  static void recordAbove(const ArithTensor& x, int64_t hi, std::string_view op);
  /// Records "x <= 0": ltz(x - 1) + ltz(x) (1 or 2 for x <= 0, including -2^63; 0 above).
  static void recordNonPositive(const ArithTensor& x, std::string_view op);
  /// Records "x == 0 or x outside [-2^62, 2^62)": 1 - ltz(x) - ltz(-x) (the zero test: 1 at 0,
  /// 0 elsewhere except -1 at -2^63) plus the outside test, which is 2 at -2^63. A sum of signs
  /// cannot test x == 0 alone without that one point going negative (each sign term steps up
  /// and down half a ring apart), hence the outer bound.
  static void recordNonZero(const ArithTensor& x, std::string_view op);
  /// Records "|y| > bound" for a locally truncated result y (see the file comment).
  static void recordLocalTruncation(const ArithTensor& y);

  /// Every name recorded so far, in first-seen order.
  std::vector<RangeCheckRow> rows() const;
  /// Inside checkRanges() (its own comparisons are not recorded).
  bool busy() const { return busy_; }
  /// Pending words above which recording reduces them to per-name counts first (default
  /// kRangeCheckFlushWords; collective: set it alike on every party). @throws InvalidArgument on 0.
  void setFlushWords(uint64_t words);
  /// Words waiting for the next checkRanges().
  uint64_t pendingWords() const { return words_.size(); }
  /// Forgets the rows (the pending words must have been checked). @throws ProtocolError if
  /// words are pending (the parties would fall out of step).
  void clearRows();

 private:
  friend std::vector<RangeCheckRow> checkRanges(const Party& party);

  struct Entry {
    RangeCheckRow row;
    uint64_t count_share = 0;  ///< shares of this name's pending violation count
    bool pending = false;
    uint64_t last_serial = 0;  ///< the OpScope call last counted
  };
  struct Term {
    bool negate;  // the word is add - x instead of x + add
    uint64_t add;
    int8_t coef;  // +1 or -1
  };
  // Records count += constant + Σ_terms coef·ltz(±x + add) per element of x.
  static void record(const ArithTensor& x, std::string_view op, uint64_t constant,
                     std::initializer_list<Term> terms);
  size_t entryFor(std::string_view op);
  void reduceWords(const Party& party);  // words_ -> per-entry counts (one ltz)

  std::vector<Entry> entries_;
  std::map<std::string, size_t, std::less<>> index_;
  std::vector<std::string> scopes_;
  std::string label_;
  std::vector<uint64_t> words_;       ///< shares of the values whose sign is taken
  std::vector<uint32_t> word_entry_;  ///< the entry each word counts for
  std::vector<int8_t> word_coef_;     ///< +1 or -1: how its sign bit adds to the count
  bool busy_ = false;                 ///< inside checkRanges(): its own signs are not recorded
  uint64_t flush_words_ = kRangeCheckFlushWords;
  uint64_t scope_serial_ = 0;  ///< counts outermost OpScopes (a call of that op)
};

/// Collective (every party, same order): checks everything recorded since the last call and
/// returns the rows of the names whose bit opened to 1 in this check (each row's totals so far).
/// Cost: see the file comment (9 rounds, 0 if nothing is pending).
std::vector<RangeCheckRow> checkRanges(const Party& party);

/// A tidy text table of rows (name, calls, elements, checks, result).
std::string formatRangeChecks(const std::vector<RangeCheckRow>& rows);

}  // namespace sotto
