#pragma once
/// @file domain.h
/// The safe domains of the table math (functions.h) as the range checks read them
/// (PartyOptions::check_ranges, sotto/mpc/range_check.h): the one place a function's bound lives
/// for them. When a function's domain changes, change it here and its range check follows.

#include <cmath>
#include <cstdint>
#include <limits>

namespace sotto {

/// The largest input exp (table method) evaluates within its error bound, in ring units at
/// `frac_bits`: ln(2^(63-f)) - 2^-13 (32.58 at f = 16; functions.h: from there on it returns a
/// value within 2^-12 below the largest representable one M = 2^(63-f) - 2^-f, and M itself
/// beyond, where e^x is not representable). Below the domain exp returns 0, which is within its
/// bound (e^x under one ULP): not checked.
inline int64_t expSafeMax(int frac_bits) {
  const double ln_max = (63 - frac_bits) * std::log(2.0) - std::ldexp(1.0, -13);
  return static_cast<int64_t>(std::floor(std::ldexp(ln_max, frac_bits)));
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
