#pragma once
// Private: the table functions as the composed engine (piecewise_engine.h) evaluates them, for a
// family without function tables (Protocol::hasFunctionTables() false): each function's domain,
// pieces and degree, built once per process and scale, then cached.

#include "piecewise_engine.h"

namespace sotto::math_detail {

enum class Composed { kSigmoid, kTanh, kErf, kGelu, kGeluTanh, kExp };

/// The function's public tables at `frac_bits` (12..20) fractional bits.
/// @throws InvalidArgument as buildPiecewise.
const PiecewiseFunction& composedFunction(Composed which, int frac_bits);

}  // namespace sotto::math_detail
