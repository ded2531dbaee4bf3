#pragma once
// Private: functions of shared fixed-point values evaluated from one masked opening and function
// tables (sotto/mpc/function_tables.h). Builds the public spec of a function from its Taylor
// coefficients, and runs the online protocol:
//
//   round 1  open c = x + r (64 bits per element)
//            local: digit tables give each window's in-window index and the weighted sign index;
//            coefficient tables give V_w = Σ_j τ_w^j·B_j (τ_w the public low bits of c)
//   round 2  open the in-window indices (3 to 7 bits each) and the sign index (8 bits), masked
//            local: in_w, pos = [x >= 0] and their products with the truncation masks
//   round 3  truncate every V'_w = V_w - pos·ΔF (top bits only: ≤ 1.5 ULP for 2 parties; ΔF = 0
//            in the windows if delta_outside, which opens in_top + a mod 2 here, one bit)
//            local: out = Σ_w (in_w - in_{w-1})·T'_w + (1 - in_top)·F_lo + pos·ΔF
//            (delta_outside: - pos·in_top·ΔF, pos·in_top = pos·a + f·(pos - 2·pos·a))
//   round 4  (exact functions) open out + r_E in full and round it exactly by e bits.
//
// Selecting a window, saturating and rounding need no multiplication: the lookups return the
// selection bits already multiplied by the dealer's truncation masks.

#include <functional>
#include <memory>
#include <vector>

#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/function_tables.h"

namespace sotto::math_detail {

/// f^(k)(x)/k! for k = 0..degree at the real x, in real output units.
using TaylorFn = std::function<void(double x, int degree, double* out)>;

/// One window: bits [low_bits, low_bits + mid_bits) of y = x + offset index the coefficient table.
struct WindowPlan {
  int low_bits;
  int mid_bits;
  int64_t offset;     // ring units of the input
  int degree = 2;     // of the polynomial in the low bits
  int drop_bits = 0;  // low bits of c left out of the polynomial's variable (wide windows)
  int out_shift = 0;  // the window's value is truncated to 2^-(out_frac - out_shift), then shifted
                      // back: for windows whose values need only relative precision
  TaylorFn f = {};    // this window's function (the builder's if empty)
  bool chain_end = false;  // the last window of its chain (sotto/mpc/function_tables.h)
  // Where the ring cannot hold the top columns' rounding (values spanning most of it), hold them
  // finer (PolyWindow::fine_bits) instead of dropping low bits: for functions whose higher
  // Taylor terms are small beside the value (exp: |B_j / B_0| = 2^-(in·j)/j!), as the public
  // round(τ^j·2^h_j) then adds |B_j|·2^(-h_j - 1).
  bool fine_columns = false;
};

struct TableFunctionOptions {
  int in_frac = 16;
  int out_frac = 16;
  int exact_shift =
      0;  // 0: truncation within 1.5 ULP (2 parties); e > 0: exact rounding, 1 more round
  double f_below = 0;  // value for x < 0 outside the windows
  double f_above = 0;  // value for x >= 0 outside the windows
  int parties = 2;
  // The jump f_above - f_below applies outside the windows only (FunctionTableSpec::
  // delta_outside): windows keep their values for x >= 0 (one more opened bit per element).
  bool delta_outside = false;
};

/// Spec plus the online constants.
struct TableFunction {
  FunctionTableSpec spec;
  int out_frac = 16;
  std::vector<int64_t> trunc_offset;  // K_w: added (·2^s) before each truncation
  std::vector<int> out_shift;         // e_w: window w's truncated value is at 2^(comb - e_w)
  std::vector<int64_t> window_delta;  // ΔF >> e_w (ΔF mod 2^e_w is lost inside window w)
  int64_t f_below = 0;                // at the combined scale 2^(out_frac + exact_shift)
  int64_t delta_f = 0;                // f_above - f_below at the combined scale
  int64_t exact_offset = 0;           // K_E
};

/// @throws InvalidArgument if the function does not fit (values too large for the ring).
TableFunction buildTableFunction(const TaylorFn& f, const std::vector<WindowPlan>& windows,
                                 const TableFunctionOptions& options);

/// f(x) elementwise (x's scale must be the spec's input scale). 3 rounds (4 if exact).
ArithTensor evaluate(const ArithTensor& x, const TableFunction& f);

/// Elementwise max(a, b) = b + [a - b >= 0]·(a - b), 2 rounds (for |a|, |b| < 2^62 ring units).
ArithTensor tableMaximum(const ArithTensor& a, const ArithTensor& b);

/// Opens groups of values modulo 2^bits (each party gives its share mod 2^bits) in one round;
/// 2 parties exchange the bits packed. Returns the sums mod 2^bits.
std::vector<std::vector<uint64_t>> openBits(
    const Party& party, std::vector<std::pair<std::vector<uint64_t>, int>> groups);

}  // namespace sotto::math_detail
