#pragma once
/// @file domain.h
/// The safe domains of the table math (functions.h) as the range checks read them
/// (PartyOptions::check_ranges, sotto/mpc/range_check.h): the one place a function's bound lives
/// for them. When a function's domain grows (exp over the whole ring, issue 14), change it here
/// and its range check follows.

#include <cmath>
#include <cstdint>
#include <limits>

namespace sotto {

/// The largest input exp (table method) evaluates within its error bound, in real units:
/// 4 + 2^-6 (functions.h: above it, up to 4 + 2^-5, the result is e^x or the saturation value,
/// and from there on the saturation value). Set to infinity once exp holds the whole domain:
/// then exp is not checked at all.
inline constexpr double kExpSafeMax = 4 + 1.0 / 64;

/// kExpSafeMax in ring units at `frac_bits` (INT64_MAX when it is infinite or beyond the ring).
inline int64_t expSafeMax(int frac_bits) {
  const double v = std::floor(std::ldexp(kExpSafeMax, frac_bits));
  return v >= 0x1p63 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v);
}

/// The largest input sqrt (table method) holds, in ring units at any scale: the last window's last
/// row (2^63 - 2^52, i.e. 2^47 - 2^36 at 16 fractional bits) is not held (functions.h).
inline constexpr int64_t kSqrtSafeMax =
    (int64_t{1} << 62) - (int64_t{1} << 52) + (int64_t{1} << 62) - 1;

/// reciprocal's check: x != 0, and |x| < 2^62 ring units (range_check.h: a sum of signs cannot test
/// x != 0 alone). rsqrt and log: x > 0 (every positive x is held). sigmoid, tanh: every input.
/// softmax, logSoftmax: inputs along the dim within 2^61 ring units of the first one (their
/// maximum compares differences below 2^62).
inline constexpr int64_t kSoftmaxSpread = int64_t{1} << 61;

}  // namespace sotto
