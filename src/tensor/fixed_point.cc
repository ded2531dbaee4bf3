#include "sotto/tensor/fixed_point.h"

#include <charconv>
#include <cmath>
#include <string>

#include "sotto/error.h"

namespace sotto {
namespace {

void checkFracBits(int frac_bits) {
  SOTTO_ENFORCE(frac_bits >= 0 && frac_bits <= kMaxFracBits, "fixed point: frac_bits ", frac_bits,
                " outside [0, ", kMaxFracBits, "]");
}

/// Shortest decimal form that reads back as x (e.g. "1.5e+300").
std::string formatDouble(double x) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), x);
  return std::string(buf, result.ptr);
}

}  // namespace

uint64_t encode(double x, int frac_bits) {
  checkFracBits(frac_bits);
  SOTTO_ENFORCE(std::isfinite(x), "fixed point encode: value ", formatDouble(x), " is not finite");
  // Scaling by a power of two is exact (barring underflow to subnormals, which round to 0 anyway).
  const double scaled = std::ldexp(x, frac_bits);
  constexpr double kLimit = 9223372036854775808.0;  // 2^63
  SOTTO_ENFORCE(std::fabs(scaled) < kLimit, "fixed point encode: value ", formatDouble(x),
                " times 2^", frac_bits, " is outside the signed 64-bit range (|x * 2^f| >= 2^63)");
  // |scaled| < 2^63 and doubles that large are integers, so the rounded value still fits int64.
  // round(x * 2^f), halves away from zero; then two's complement mod 2^64.
  return static_cast<uint64_t>(static_cast<int64_t>(std::round(scaled)));
}

double decode(uint64_t v, int frac_bits) {
  checkFracBits(frac_bits);
  // (int64_t)v: the signed view (modular conversion in C++20); 2^-f scaling is exact.
  return std::ldexp(static_cast<double>(static_cast<int64_t>(v)), -frac_bits);
}

}  // namespace sotto
