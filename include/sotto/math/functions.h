#pragma once
/// @file functions.h
/// Elementwise math on secret-shared fixed-point tensors: exp, sigmoid, tanh, reciprocal, sqrt,
/// rsqrt, log, and softmax / log-softmax along a dim. Two methods, chosen per call:
///
/// - MathMethod::kTable (default), SiRnn-style on dealer tables: ONE masked opening c = x + r of
///   all 64 bits of x; per-element tables indexed by public digits of c give the coefficients of
///   the function's polynomial piece in the public low bits of c (no multiplication), an
///   "inside the window" index and a sign index; the next round opens those two small indices
///   (7 and 8 bits) into lookups that return the window and sign bits already multiplied by the
///   masks of the final truncation, so selecting, saturating and rounding are local after the
///   third round (sotto/mpc/function_tables.h has the material).
/// - MathMethod::kIterative: CrypTen's iterations (sotto/math/iterative.h), the baseline.
///
/// Every function is collective (all parties call it in the same order with the same shapes) and
/// returns a tensor of x's shape and scale. The table method supports 12..20 fractional bits and
/// any number of parties; every representable input gives a documented value (nothing wraps):
/// inputs beyond a function's range saturate as stated below, including the largest and smallest
/// representable values.
///
/// Figures below: 16 fractional bits, 2 parties, 65536 elements (bench/math_bench), measured on
/// the 2-core development machine (time: seeded dealer, both parties and the dealer's work
/// included). "Bytes" are online bytes per element sent + received by one party; "dealer" is
/// what the TTP dealer sends party 0 per element (the other parties receive nothing: their
/// tables are PRF keys). Error bounds: the last truncation errs by at most N/2 + 1/2 ULP for N
/// parties, the tables by under 0.15 ULP; max errors measured against double precision on the
/// benchmark inputs (CrypTen's ranges).
///
/// | function (range)       | rounds | bytes | dealer  | max error (measured) | time   |
/// |------------------------|--------|-------|---------|----------------------|--------|
/// | exp [-8, 4]            | 3      | 25.5  | 87 KB   | 1.65 ULP             | 7.5 ms |
/// | sigmoid [-8, 8]        | 3      | 24.3  | 87 KB   | 1.48 ULP             | 7.3 ms |
/// | tanh [-8, 8]           | 3      | 24.5  | 87 KB   | 1.47 ULP             | 7.4 ms |
/// | reciprocal [0.1, 100]  | 4      | 45.5  | 219 KB  | 0.55 ULP, 0.076 %    | 15 ms  |
/// | sqrt [0.1, 100]        | 3      | 32.5  | 211 KB  | 1.47 ULP             | 13 ms  |
/// | rsqrt [0.1, 100]       | 3      | 31.5  | 211 KB  | 1.47 ULP             | 13 ms  |
/// | log [0.1, 100]         | 3      | 32.0  | 211 KB  | 1.48 ULP             | 13 ms  |
/// | softmax, rows of 10    | 17     | 70.8  | 219 KB  | 2.02 ULP             | 19 ms  |
/// (CrypTen 0.4, same inputs: exp 8.4 MB = 128 bytes/element, 8 rounds, 38 ms; softmax 94 rounds,
/// 109 MB, 453 ms; notes/anchors.md.)

#include <cstdint>

#include "sotto/mpc/arith_tensor.h"

namespace sotto {

/// Which algorithm a math function uses.
enum class MathMethod {
  kTable,      ///< lookup tables on digits of one masked opening (default)
  kIterative,  ///< CrypTen-style iterations (sotto::crypten_style), the baseline
};

/// e^x. Table: within 2 ULP (2 parties; 2.5 for 3) for x <= 4 + 2^-6. Saturates: 0 for
/// x < -11.97 (where e^x < 0.42 ULP), e^(4 + 2^-5) ≈ 56.35 for x >= 4 + 2^-5; between 4 + 2^-6 and
/// 4 + 2^-5 either e^x or that value. 3 rounds, 102 bits sent per element.
/// @throws InvalidArgument (table) if x has fewer than 12 or more than 20 fractional bits.
ArithTensor exp(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// 1 / (1 + e^-x). Table: within 2 ULP (2.5 for 3 parties) everywhere; the pieces cover
/// (-16, 16) and beyond it the result is 0 below and 1 above (sigmoid(±16) is within 1.2e-7 of
/// those). 3 rounds, 97 bits sent per element. @throws as exp.
ArithTensor sigmoid(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// tanh(x). Table: within 2 ULP (2.5 for 3 parties) everywhere; the pieces cover (-8, 8), beyond
/// it -1 and 1 (tanh(±8) is within 2.3e-7 of those). 3 rounds, 98 bits sent. @throws as exp.
ArithTensor tanh(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// 1 / x. Table: exactly rounded up to 0.15 ULP (within 0.65 ULP, and 0.1 % relative) on
/// [1/16, 256); saturates to 16 = 1/(1/16) for x <= 1/16, which includes zero and every negative
/// input, and to 1/256 from x = 256 on (between 256 - 2^-3 and 256: 1/x or 1/256; within 2^-9 of
/// 1/16: 1/x or 16). 4 rounds, 182 bits sent per element. @throws as exp.
ArithTensor reciprocal(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// sqrt(x). Table: within 2 ULP (2.5 for 3 parties) on [1/16, 256); 4x below 1/16 (the line to
/// (1/16, 1/4)), 0 for x <= 0 (within 0.008 of max(4x, 0) for |x| < 2^-9), 16 from 256 on.
/// 3 rounds, 130 bits sent per element. @throws as exp.
ArithTensor sqrt(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// 1 / sqrt(x). Table: within 2 ULP (2.5 for 3 parties) on [1/16, 256); 4 for x <= 1/16 (zero and
/// negatives included), 1/16 from 256 on (near 1/16 and 256 as reciprocal). 3 rounds, 126 bits
/// sent per element. @throws as exp.
ArithTensor rsqrt(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// Natural log. Table: within 2 ULP (2.5 for 3 parties) on [1/16, 256); log(1/16) ≈ -2.773 for
/// x <= 1/16 (zero and negatives included), log(256) ≈ 5.545 from 256 on (near 1/16 and 256 as
/// reciprocal). 3 rounds, 128 bits sent per element. @throws as exp.
ArithTensor log(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// softmax along `dim` (negative counts from the end): exp(x - max - log Σ exp(x - max)), the
/// sum and its log at 4 more fractional bits. Table: within 3 ULP (4 for 3 parties); the max is a
/// tree of table comparisons (2 rounds per level), then exp, log, exp: 2·ceil(log2 n) + 9 rounds
/// (17 for rows of 10). Inputs must differ by less than 2^62 ring units (2^46 at 16 bits): the
/// max compares differences. @throws InvalidArgument for a rank-0 input, a dim out of range, an
/// empty dim, or (table) a scale outside 12..20 fractional bits.
ArithTensor softmax(const ArithTensor& x, int64_t dim, MathMethod method = MathMethod::kTable);

/// log-softmax along `dim`: x - max - log Σ exp(x - max). Table: within 3 ULP (4 for 3 parties),
/// 2·ceil(log2 n) + 6 rounds (14 for rows of 10). Same limits and @throws as softmax.
ArithTensor logSoftmax(const ArithTensor& x, int64_t dim, MathMethod method = MathMethod::kTable);

}  // namespace sotto
