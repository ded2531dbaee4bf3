#pragma once
/// @file fixed_point.h
/// Fixed-point encoding of reals into the ring Z_2^64 (two's complement, f fractional bits).
///
/// A real x is represented by the ring element round(x * 2^f) mod 2^64; a ring element v decodes
/// to (int64_t)v / 2^f. Products of two encodings carry 2f fractional bits and must be truncated
/// by f (see RingTensor::shiftRightArithmetic, or the MPC layer's truncation protocols).

#include <cstdint>

namespace sotto {

/// Number of fractional bits used when none is given (resolution 2^-16 ≈ 1.5e-5).
inline constexpr int kDefaultFracBits = 16;

/// Largest accepted number of fractional bits (encode/decode accept 0..kMaxFracBits).
inline constexpr int kMaxFracBits = 62;

/// Encodes x as round(x * 2^frac_bits) in two's complement mod 2^64. Rounding is half away from
/// zero (std::round: 2.5 ulp -> 3, -2.5 ulp -> -3), independent of the floating-point rounding
/// mode. Scaling by 2^frac_bits is exact in double, so the only error is this rounding
/// (at most 2^-(frac_bits+1)). O(1).
/// @throws InvalidArgument naming x if x is NaN or infinite, if |x * 2^frac_bits| >= 2^63 (it
///         would not fit the signed range), or if frac_bits is outside [0, kMaxFracBits].
uint64_t encode(double x, int frac_bits = kDefaultFracBits);

/// Decodes v as (double)(int64_t)v / 2^frac_bits: the top bit is the sign, so negative values
/// decode exactly (no 2^f - 1 divisor). Exact whenever |(int64_t)v| < 2^53; otherwise the int64 is
/// rounded to the nearest double first. O(1).
/// @throws InvalidArgument if frac_bits is outside [0, kMaxFracBits].
double decode(uint64_t v, int frac_bits = kDefaultFracBits);

}  // namespace sotto
