#pragma once
/// @file function_tables.h
/// Dealer material to evaluate a function of a shared fixed-point value x from ONE masked opening
/// c = x + r (all 64 bits) and per-element digit tables: the engine under sotto/math/functions.h.
///
/// The dealer draws r and, per element, tables indexed by PUBLIC digits of c whose entries are any
/// function of the row and of r (not only rotations of a public table). So a party reads its share
/// of the entry at the digit it sees, with no further opening. The tables of one element are:
///
///  - 7 digit tables (digit d = bits [9d, 9d + 9) of c, 512 rows; the last is bits [54, 64),
///    1024 rows). Column w < W_d (the windows whose top is below the digit's end): the
///    contribution of digit d to window w's in-window index (equality of c's bits above the window
///    with the window mask's, or with it plus one); column W_d: 2^d·sign(c_d - r_d) on bits 0..62
///    (digit 0: +1 for c_0 >= r_0, else -1, so the sum is never 0), the weighted digit comparison
///    whose sign is [c mod 2^63 < r mod 2^63] (with c's and r's top bits: the sign of x, also at
///    x = -2^63).
///  - one coefficient table per window w (2^mid_bits rows, indexed by c's bits [P, P + a)): the
///    coefficients B_0..B_D of a polynomial in the PUBLIC low bits of c, exact for the row's piece
///    of the function (the row and r fix the piece; the low bits of r fix where in it the public
///    low bits of c fall). B_0 is a multiple of 2^7 plus the borrow of the row digit, weighted for
///    the in-window index (read mod 2^7).
///  - one in-window lookup per window (2^3 to 128 rows, inWindowBits; rotated by a mask r_A): 1
///    where the window holds x, times the truncation masks of windows w and its chain's next (so
///    that selecting a window is local).
///  - one sign lookup (256 rows, rotated by r_B): [x >= 0] (and [x >= 0]·r if sign_select, and
///    [x >= 0]·a for the dealer's random bit a if delta_outside).
///  - optionally a carry table (2^exact_shift rows) for an exact final rounding.
///
/// With y = x + offset (per window), P = low_bits, a = mid_bits and the low bits taken as a SIGNED
/// difference (c mod 2^P) - (r_y mod 2^P), y = Z·2^P + (c mod 2^P - r_y mod 2^P) where
/// Z = (c >> P) - (r_y >> P): no borrow crosses the low digit, so the function is a polynomial in
/// the public c mod 2^P whose coefficients depend on the row Z mod 2^a only. The window holds y
/// when Z >> a == 0, i.e. (c >> (P + a)) == (r_y >> (P + a)) + [row digit of c < row digit of r_y]:
/// an equality with one of two dealer values selected by a borrow the row table knows.
///
/// Parties i >= 1 hold every table as a PRF key (Sharing::kPrfPairs: two table words per AES
/// block); the seeded dealer's party 0 computes just the entries it reads; the TTP dealer sends
/// party 0 its whole share of every table, each entry in the low bits the protocol reads
/// (functionTableBytes() per element). Collective like every dealer call.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sotto/tensor/ring_tensor.h"

namespace sotto {

/// One window of a piecewise polynomial in y = x + offset (ring units), y in [0, 2^(P + a)),
/// P + a <= 63; at most 8 windows.
struct PolyWindow {
  int low_bits = 0;     ///< P: bits of c below the row digit (the polynomial's public variable)
  int mid_bits = 0;     ///< a: row digit bits (coefficient table rows), 1..12
  uint64_t offset = 0;  ///< y = x + offset mod 2^64
  int degree = 0;       ///< D: 0..3
  /// Taylor coefficients of the function on a grid of y: point i is y = grid_start + i·2^grid_step
  /// and holds c_0..c_D with f(y + u) ≈ Σ_k c_k·u^k (u in ring units, f in real output units).
  int grid_step = 0;
  int64_t grid_start = 0;
  std::vector<double> coefficients;  ///< [points][D + 1]
  /// The coefficient table holds round(2^scale_bits · polynomial coefficients) (ring words).
  int scale_bits = 0;
  /// Truncation of the window's value from scale_bits by trunc_shift bits in a 2^trunc_width ring.
  int trunc_width = 0;
  int trunc_shift = 0;
  /// g: the polynomial's variable is (c mod 2^P - 2^(P-1)) >> g, the low g bits of c dropped
  /// (for wide windows whose low bits hardly move the value: keeps the coefficients in the ring).
  int drop_bits = 0;
  /// t: columns j >= 1 may be held up to 2^t finer than their shift would put them (h_j down to
  /// -t, coefficientShift), the protocol multiplying such a column by the public round(τ^j·2^h_j)
  /// (τ the variable above): for windows whose values span so much of the ring that the top
  /// columns' rounding would otherwise need dropped bits. 0: every h_j >= 0 (needs (P - g - 1)·D
  /// <= 62 otherwise, as τ^j is then used as an integer, not mod 2^64).
  int fine_bits = 0;
  /// The last window of its chain: window w + 1 (if any) starts a new chain. Windows of one chain
  /// are nested (each contains the one before); chains are disjoint (say, one for x < 0 and one
  /// for x >= 0), and the innermost window of a chain that holds x is selected.
  bool chain_end = false;

  bool operator==(const PolyWindow&) const = default;
};

/// Everything the dealer needs (public): the windows, innermost first, in chains (window w + 1
/// contains window w unless w ends its chain; tops never decrease), and an optional exact final
/// rounding by exact_shift bits in a 2^exact_width ring.
struct FunctionTableSpec {
  std::vector<PolyWindow> windows;
  int exact_shift = 0;
  int exact_width = 0;
  /// The sign lookup also returns [x >= 0]·r (to select x by its sign: max(x, 0) = pos·(c - r)).
  bool sign_select = false;
  /// The jump F_above - F_below at x = 0 applies outside every window only (the windows' values
  /// are not shifted by it): the material adds a random bit a (one word) and the sign lookup's
  /// column [x >= 0]·a, so that [x >= 0]·in_top is local after one more opened bit,
  /// in_top + a mod 2, in the truncation round. For functions whose windows hold small values
  /// for x >= 0 while the value beyond them is large (exp saturating at the largest value).
  bool delta_outside = false;

  /// Words of the wire form, and back. @throws InvalidArgument (decode: ProtocolError) when the
  /// spec is malformed (the message names the field).
  std::vector<uint64_t> encode() const;
  static FunctionTableSpec decode(std::span<const uint64_t> words);
  /// @throws InvalidArgument naming the first bad field.
  void validate() const;

  bool operator==(const FunctionTableSpec&) const = default;
};

/// Layout of the material (shared by the dealer and the online protocol).
namespace function_tables {
inline constexpr int kMaxWindows = 8;    ///< windows of a spec, at most
inline constexpr int kDigits = 7;        ///< digits of c: six of 9 bits, then bits 54..63
inline constexpr int kInWindowBits = 7;  ///< in-window lookup index bits, at most
inline constexpr int kSignBits = 8;      ///< sign lookup index bits
/// Digit d is bits [digitStart(d), digitStart(d) + digitBits(d)) of c.
inline constexpr int digitStart(int d) { return 9 * d; }
inline constexpr int digitBits(int d) { return d == kDigits - 1 ? 10 : 9; }
/// Additive words per element: r, r_A[w] (w < W), r_B, then (r_T, r_T >> s, r_T's top bit) per
/// window, then (r_E, r_E >> e, r_E's top bit) if exact, then the bit a if delta_outside.
inline int wordR() { return 0; }
inline int wordInWindowMask(int w) { return 1 + w; }
inline int wordSignMask(int windows) { return 1 + windows; }
inline int wordTrunc(int windows, int w) { return 2 + windows + 3 * w; }
inline int wordExact(int windows) { return 2 + 4 * windows; }
inline int wordProductBit(int windows, bool exact) { return 2 + 4 * windows + (exact ? 3 : 0); }
/// Columns of the sign lookup: [x >= 0], then [x >= 0]·r (sign_select), then [x >= 0]·a
/// (delta_outside).
inline int signColumns(bool sign_select, bool delta_outside) {
  return 1 + (sign_select ? 1 : 0) + (delta_outside ? 1 : 0);
}
/// Digits of c ending above bit `top` (the in-window index of a window of that top counts their
/// equalities).
inline int digitsAbove(int top) {
  int k = 0;
  for (int d = 0; d < kDigits; ++d) k += digitStart(d) + digitBits(d) > top ? 1 : 0;
  return k;
}
/// Bits of window w's in-window index n0 + (D + 1)·n1 + (D + 1)^2·borrow (D = digitsAbove(top)):
/// those of 2·(D + 1)^2 - 1, at most kInWindowBits (7 below bit 27, 3 from bit 54 on).
int inWindowBits(const FunctionTableSpec& spec, int w);
/// Windows whose in-window index digit d contributes to (the first ones: tops increase); digit
/// table d has that many columns plus the sign column.
int digitWindows(const FunctionTableSpec& spec, int d);
/// h_j: the coefficient table of a window holds round(2^(scale_bits - h_j)·B_j) in column j and
/// the protocol multiplies it by 2^h_j. The rounding then errs by at most 2^(trunc_shift - 8)
/// ring units per column over the window's low bits (1/256 of the value's last bit), and the
/// column is read mod 2^(trunc_width - max(h_j, 0)) only: h_0 = trunc_shift - 15 (B_0's low 7
/// bits carry the borrow), h_j = trunc_shift - 7 - (P - g - 1)·j, each at least 0 unless the
/// window holds columns finer (fine_bits > 0): a negative h_j is then max(-fine_bits, min(0, h_j
/// + 3)), the column's rounding within 2^-5 of the value's last bit (more where -fine_bits
/// limits it: 2^(-fine_bits - 1)·|τ|^j at 2^scale_bits), and the protocol multiplies it by the
/// public round(τ^j·2^h_j), which adds at most |B_j|·2^(-h_j - 1) (B_j in the window's ring
/// units).
int coefficientShift(const PolyWindow& window, int j);
/// The low bits of column `col` of table `table` that the protocol reads (every use is mod
/// 2^bits): the TTP dealer sends party 0 only those. Digit tables: inWindowBits of the window
/// (kSignBits for the sign column); coefficient tables: trunc_width - max(h_j, 0) (at least
/// kInWindowBits for B_0); the lookups: 64.
int columnBits(const FunctionTableSpec& spec, int table, int col);
/// Whether window w has a successor in its chain (its in-window lookup has 5 columns, else 3).
inline bool hasNext(const FunctionTableSpec& spec, int w) {
  return w + 1 < static_cast<int>(spec.windows.size()) && !spec.windows[w].chain_end;
}
/// Tables: digits 0..7, coefficient tables, in-window lookups, the sign lookup, the carry table.
inline int tableDigit(int d) { return d; }
inline int tableCoefficients(int w) { return kDigits + w; }
inline int tableInWindow(int windows, int w) { return kDigits + windows + w; }
inline int tableSign(int windows) { return kDigits + 2 * windows; }
inline int tableCarry(int windows) { return kDigits + 2 * windows + 1; }
}  // namespace function_tables

/// This party's part of the material for n elements: additive shares of the per-element words,
/// and its shares of any table entry.
class FunctionTableMaterial {
 public:
  virtual ~FunctionTableMaterial() = default;
  /// [n, words] additive shares (layout: function_tables::word*).
  RingTensor words;
  /// This party's shares of table `table` at row rows[i] for elements first + i (i < rows.size()),
  /// written to out[i·columns + col] (overwritten).
  /// @throws InvalidArgument for a table that does not exist or elements past the material.
  virtual void sharesAt(int table, int64_t first, std::span<const uint64_t> rows,
                        uint64_t* out) const = 0;
  /// The same for every element (rows.size() == n): [n, columns].
  RingTensor sharesAt(int table, std::span<const uint64_t> rows) const;
  /// Columns of `table`.
  virtual int64_t columns(int table) const = 0;
};

/// Words of every table of one element plus its additive words (the seeded dealer's party 0
/// derives the entries it reads from them). @throws InvalidArgument for a bad spec.
int64_t functionTableWords(const FunctionTableSpec& spec);
/// Bytes the TTP dealer sends party 0 per element: the additive words in full, every table entry
/// in its columnBits (the digit tables in 1/8 of their words). @throws InvalidArgument for a bad
/// spec.
double functionTableBytes(const FunctionTableSpec& spec);

}  // namespace sotto
