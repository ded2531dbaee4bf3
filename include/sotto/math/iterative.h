#pragma once
/// @file iterative.h
/// CrypTen's iterative approximations, as the in-library baseline for the table-based math
/// (same inputs, same library, same dealer). Namespace sotto::crypten_style. Each function states
/// CrypTen's method and parameters; rounds are for 2 parties with the default exact truncation
/// (each product: 2 rounds).

#include "sotto/mpc/arith_tensor.h"

namespace sotto::crypten_style {

/// exp(x) = (1 + x / 2^8)^(2^8): 8 squarings. 16 rounds. Poor for x < -8 or x > 4 (CrypTen's
/// measured max error 1.87 on [-8, 4]).
ArithTensor exp(const ArithTensor& x);

/// 1 / x for x > 0 by Newton-Raphson, y <- 2y - x·y², 10 iterations from CrypTen's seed
/// y0 = 3·exp(0.5 - x) + 0.003. 16 + 10·4 rounds.
ArithTensor reciprocal(const ArithTensor& x);

/// 1 / sqrt(x) for x > 0: Newton, y <- y·(3 - x·y²) / 2, 3 iterations from
/// y0 = 2.2·exp(-(x/2 + 0.2)) + 0.2 - x/1024.
ArithTensor rsqrt(const ArithTensor& x);

/// sqrt(x) = x · rsqrt(x).
ArithTensor sqrt(const ArithTensor& x);

/// log(x) for x > 0: 2 Householder iterations of order 8 on h = 1 - x·exp(-y), from
/// y0 = x/120 - 20·exp(-2x - 1) + 3.
ArithTensor log(const ArithTensor& x);

/// sigmoid(x) = 1 / (1 + exp(-|x|)) for x >= 0, its complement for x < 0 (one comparison, one
/// reciprocal with CrypTen's initial value 0.75 on (1, 2]).
ArithTensor sigmoid(const ArithTensor& x);

/// tanh(x) = 2·sigmoid(2x) - 1.
ArithTensor tanh(const ArithTensor& x);

/// softmax along `dim`: exp(x - max) / sum, with the iterative exp and reciprocal.
ArithTensor softmax(const ArithTensor& x, int64_t dim);

}  // namespace sotto::crypten_style
