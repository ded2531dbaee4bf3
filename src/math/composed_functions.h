#pragma once
// Private: the table functions as the composed engine (piecewise_engine.h) evaluates them, for a
// family without function tables (Protocol::hasFunctionTables() false): each function's domain,
// pieces and degree (recorded in composed_choices.h), fitted once per process and scale, then
// cached.

#include "piecewise_engine.h"

namespace sotto::math_detail {

enum class Composed {
  kSigmoid,  ///< on |x| < 16 (sigmoid(-x) = 1 - sigmoid(x))
  kTanh,     ///< on |x| < 8 (odd)
  /// sigmoid and tanh tabulated on [-16, 16) and [-8, 8) (Symmetry::kTwoSided): 6 rounds fewer
  /// under the dealers, for twice the table and comparisons on 4n values instead of 3n (the
  /// public functions take these for calls of at most kTwoSidedMaxElements elements).
  kSigmoidTwoSided,
  kTanhTwoSided,
  kErf,
  kGelu,
  kGeluTanh,
  kExp,
  kReciprocalMantissa,  ///< 1 / (1 + τ) on τ in [0, 1) (normalization.h's μ - 1)
  kRsqrtMantissa,       ///< 1/sqrt(1 + τ) on [0, 1), then 1/sqrt(2τ) on [1, 2) (e odd: μ + 1)
  kSqrtMantissa,        ///< sqrt(1 + τ) on [0, 1), then sqrt(2τ) on [1, 2)
  kLogMantissa,         ///< ln(1 + τ) on [0, 1)
  kExp2Mantissa,        ///< 2^τ on [0, 1), within 0.45 ULP of 2^-(B + 8) (exp's 2^φ)
  kExpSum,  ///< kExp with the result at 4 more fractional bits than x (softmax's row sum)
};

/// The function's name, for messages and composed_choices.h ("sigmoid", "exp2_mantissa").
const char* composedName(Composed which);

/// The function's public tables at `frac_bits` fractional bits (12..20; the mantissas' at
/// kMantissaBits), with the pieces and degree that composed_choices.h records, fitted once per
/// process and scale (milliseconds), then cached; max_error_ulp is not measured (0).
/// @throws InvalidArgument if composed_choices.h has no entry for the function at frac_bits.
const PiecewiseFunction& composedFunction(Composed which, int frac_bits);

/// The tables composedFunction caches, fitted anew (no cache): composed_choices.h's pieces and
/// degree for (which, frac_bits), max_error_ulp as recorded there. @throws as composedFunction.
PiecewiseFunction fitRecorded(Composed which, int frac_bits);

/// The search behind composed_choices.h: the fewest bits per element (index bits 3..9, degree
/// 2..4, in the OT family's cost) whose polynomials stay within 0.45 ULP at every input of the
/// grid, max_error_ulp measured (seconds per function and scale: composed_math_test re-runs it).
/// @throws InvalidArgument if no candidate reaches 0.45 ULP.
PiecewiseFunction searchPieces(Composed which, int frac_bits);

/// e^x over the whole ring under a family without function tables: y = x·log2(e) + f + 1 at
/// 2^-54 (a public constant, local), y's top bits q by a positive truncation (one ULP either way
/// taken up by the rest ρ), i = ⌊q / 2^B⌋ and φ = q mod 2^B by an exact floor, 2^φ by the pieces
/// of kExp2Mantissa times 1 + ln 2·(ρ's top 12 bits), 2^(i - f - 1)
/// by a lookup of 2^(i mod 8) (a product of 8 bits) and the byte group of i as one-hot bits (one
/// lookup of 1-bit entries) applied by applyGroups; 0 below -(f + 1)·ln 2 and the largest value
/// M = 2^63 - 1 ring units from ln(M) + ln(1 - 2^-14) on (sign bits of x, x + lo and x - hi in
/// one call, one selection of both constants, one by x's sign). Within 1.65 ULP for x <= 4 and
/// 2^-27 relative plus 1.5 ULP everywhere below the saturation (sotto/math/functions.h has the
/// figures). Cost: signBits on 3n, truncatePositive by 34 bits, the exact floor by 20 bits,
/// evaluatePieces, two truncatePositive and a mulNarrow of 12 bits (ρ's product),
/// lookup(3 index bits, 1 column, 8 bits), mulNarrow of 8 bits, lookup(6 index bits, 8 columns,
/// 1 bit), one selectBitsShifted on 8n (the byte groups), selectBits on 2n and on n.
/// @throws InvalidArgument if x has fewer than 12 or more than 20 fractional bits.
ArithTensor composedExp(const ArithTensor& x);

/// 1 / x under a family without function tables: |x| normalised (normalization.h), 1/μ by the
/// pieces of kReciprocalMantissa at kMantissaBits, 2^-e applied by the byte groups, the sign
/// restored; 1/0 = 0. Within max(4 ULP, 2^-12 relative) for every x != 0 with |x| < 2^63 ring
/// units (sotto/math/functions.h has the figures). Cost: signBits on n (x's sign) and on 7n,
/// selectBits on 8n + 2n, selectBitsShifted on up to 8n (the byte groups kept), two exact floors,
/// the leading-bit lookup, two mulNarrow of 8 bits, evaluatePieces (its exact floor, lookup,
/// Horner).
/// @throws InvalidArgument if x has fewer than 12 or more than 20 fractional bits.
ArithTensor composedReciprocal(const ArithTensor& x);

/// 1/sqrt(x) (inverse) or sqrt(x) under a family without function tables: x normalised as
/// reciprocal (x <= 0 taken as 1 ring unit for rsqrt, 0 for sqrt), e's parity and a power of two
/// from the leading-bit lookup's extra columns, sqrt(μ) or sqrt(2μ) (by e's parity) by the pieces
/// of kRsqrtMantissa / kSqrtMantissa on [0, 2) at kMantissaBits, 2^(∓e/2) by the byte groups.
/// Within max(4 ULP, 2^-12 relative) for every x > 0; rsqrt(x <= 0) = 2^(f/2) (its value at one
/// ULP), sqrt(x <= 0) = 0. Cost: signBits on n and 7n, selectBits on n + 8n, selectBitsShifted on
/// n per byte group kept, two exact floors, lookup(8 index bits, 3 columns, 8 bits), mulNarrow of 8
/// and 5 bits, evaluatePieces. @throws InvalidArgument if x has fewer than 12 or more than 20
/// fractional bits.
ArithTensor composedRoot(const ArithTensor& x, bool inverse);

/// ln x under a family without function tables: x normalised as reciprocal (x <= 0 taken as one
/// ring unit), ln μ by the pieces of kLogMantissa at kMantissaBits, plus m·ln 2 (m = e mod 8 from
/// the leading-bit lookup, a product of 3 bits with ln 2) and (8g - f)·ln 2 (one selection of the
/// byte groups' constants), one rounding. Within max(4 ULP, 2^-12 relative) for every x > 0;
/// ln(x <= 0) = ln(2^-f). Cost: signBits on n and 7n, selectBits on n + 8n + 8n, two exact
/// floors, lookup(8 index bits, 2 columns, 8 bits), mulNarrow of 8 and 3 bits, evaluatePieces,
/// one truncatePositive. @throws InvalidArgument if x has fewer than 12 or more than 20
/// fractional bits.
ArithTensor composedLog(const ArithTensor& x);

/// composedLog at up to max_frac fractional bits (softmax's row sum: 24). Past 20 bits ln μ keeps
/// its 20: within 0.45·2^-20 plus the rounding. @throws InvalidArgument if x has fewer than 12 or
/// more than max_frac fractional bits.
ArithTensor composedLogUpTo(const ArithTensor& x, int max_frac);

/// softmax (or, with log, log-softmax) along dim (0 <= dim < rank) under a family without
/// function tables: the seam's max, z = x - max (<= 0), exp(z) by the engine's kExpSum (its
/// result at f + 4 fractional bits), the composed log of the row sum there (composedLogUpTo),
/// rounded to f by one exact floor per row, then z - log Σ and (softmax) its composed exp. Within
/// 3 ULP at 12..20 fractional bits; figures: sotto/math/functions.h. Cost: max's comparisons,
/// the engine's exp on every element (twice for softmax), the composed log and one exact floor
/// (composed_kernels.h) on every row. @throws InvalidArgument as composedLog.
ArithTensor composedSoftmax(const ArithTensor& x, int64_t dim, bool log);

}  // namespace sotto::math_detail
