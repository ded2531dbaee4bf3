#pragma once
// Private: the composed engine's pieces and degree per function and scale, as searchPieces
// (composed_functions.h: the fewest bits per element in the OT family's cost, 2^3..2^9 pieces of
// degree 2..4, within 0.45 ULP at every input of the grid) chose them, recorded so that the
// runtime only fits the chosen pieces (composedFunction); composed_math_test re-runs the search
// and asserts this table equals it. The errors in ULP of 2^-frac_bits (exp2_mantissa's of
// 2^-(kMantissaBits + 8), exp_sum's of 2^-(frac_bits + 4)). The search for all of them took 20 s
// on the development machine (exp_sum at 20 bits: 4.7 s); fitting them takes milliseconds.

#include "composed_functions.h"
#include "normalization.h"

namespace sotto::math_detail {

struct PiecesChoice {
  Composed which;
  int frac_bits;
  int index_bits;  ///< 2^index_bits pieces
  int degree;
  double max_error_ulp;  ///< the polynomials' largest error on the grid (searchPieces's, to 1e-3)
};

inline constexpr PiecesChoice kPiecesChoices[] = {
    {Composed::kSigmoid, 12, 4, 3, 0.148},
    {Composed::kSigmoid, 13, 4, 3, 0.297},
    {Composed::kSigmoid, 14, 4, 4, 0.043},
    {Composed::kSigmoid, 15, 4, 4, 0.087},
    {Composed::kSigmoid, 16, 4, 4, 0.173},
    {Composed::kSigmoid, 17, 4, 4, 0.346},
    {Composed::kSigmoid, 18, 5, 4, 0.030},
    {Composed::kSigmoid, 19, 5, 4, 0.060},
    {Composed::kSigmoid, 20, 5, 4, 0.120},
    {Composed::kTanh, 12, 4, 3, 0.294},
    {Composed::kTanh, 13, 4, 4, 0.043},
    {Composed::kTanh, 14, 4, 4, 0.087},
    {Composed::kTanh, 15, 4, 4, 0.173},
    {Composed::kTanh, 16, 4, 4, 0.346},
    {Composed::kTanh, 17, 5, 4, 0.030},
    {Composed::kTanh, 18, 5, 4, 0.060},
    {Composed::kTanh, 19, 5, 4, 0.120},
    {Composed::kTanh, 20, 5, 4, 0.240},
    {Composed::kSigmoidTwoSided, 12, 4, 4, 0.146},
    {Composed::kSigmoidTwoSided, 13, 4, 4, 0.293},
    {Composed::kSigmoidTwoSided, 14, 5, 4, 0.044},
    {Composed::kSigmoidTwoSided, 15, 5, 4, 0.087},
    {Composed::kSigmoidTwoSided, 16, 5, 4, 0.173},
    {Composed::kSigmoidTwoSided, 17, 5, 4, 0.346},
    {Composed::kSigmoidTwoSided, 18, 6, 4, 0.031},
    {Composed::kSigmoidTwoSided, 19, 6, 4, 0.061},
    {Composed::kSigmoidTwoSided, 20, 6, 4, 0.121},
    {Composed::kTanhTwoSided, 12, 4, 4, 0.293},
    {Composed::kTanhTwoSided, 13, 5, 4, 0.043},
    {Composed::kTanhTwoSided, 14, 5, 4, 0.087},
    {Composed::kTanhTwoSided, 15, 5, 4, 0.173},
    {Composed::kTanhTwoSided, 16, 5, 4, 0.346},
    {Composed::kTanhTwoSided, 17, 6, 4, 0.031},
    {Composed::kTanhTwoSided, 18, 6, 4, 0.061},
    {Composed::kTanhTwoSided, 19, 6, 4, 0.121},
    {Composed::kTanhTwoSided, 20, 6, 4, 0.241},
    {Composed::kErf, 12, 3, 3, 0.320},
    {Composed::kErf, 13, 4, 3, 0.045},
    {Composed::kErf, 14, 4, 3, 0.089},
    {Composed::kErf, 15, 4, 3, 0.178},
    {Composed::kErf, 16, 4, 3, 0.357},
    {Composed::kErf, 17, 4, 4, 0.027},
    {Composed::kErf, 18, 4, 4, 0.053},
    {Composed::kErf, 19, 4, 4, 0.106},
    {Composed::kErf, 20, 4, 4, 0.212},
    {Composed::kGelu, 12, 4, 3, 0.120},
    {Composed::kGelu, 13, 4, 3, 0.240},
    {Composed::kGelu, 14, 4, 4, 0.023},
    {Composed::kGelu, 15, 4, 4, 0.046},
    {Composed::kGelu, 16, 4, 4, 0.092},
    {Composed::kGelu, 17, 4, 4, 0.184},
    {Composed::kGelu, 18, 4, 4, 0.368},
    {Composed::kGelu, 19, 5, 4, 0.024},
    {Composed::kGelu, 20, 5, 4, 0.048},
    {Composed::kGeluTanh, 12, 4, 3, 0.120},
    {Composed::kGeluTanh, 13, 4, 3, 0.240},
    {Composed::kGeluTanh, 14, 4, 4, 0.023},
    {Composed::kGeluTanh, 15, 4, 4, 0.046},
    {Composed::kGeluTanh, 16, 4, 4, 0.092},
    {Composed::kGeluTanh, 17, 4, 4, 0.185},
    {Composed::kGeluTanh, 18, 4, 4, 0.370},
    {Composed::kGeluTanh, 19, 5, 4, 0.024},
    {Composed::kGeluTanh, 20, 5, 4, 0.048},
    {Composed::kExp, 12, 5, 3, 0.075},
    {Composed::kExp, 13, 5, 3, 0.145},
    {Composed::kExp, 14, 5, 3, 0.280},
    {Composed::kExp, 15, 5, 4, 0.023},
    {Composed::kExp, 16, 6, 3, 0.086},
    {Composed::kExp, 17, 6, 3, 0.163},
    {Composed::kExp, 18, 6, 3, 0.313},
    {Composed::kExp, 19, 5, 4, 0.228},
    {Composed::kExp, 20, 5, 4, 0.448},
    {Composed::kReciprocalMantissa, kMantissaBits, 4, 3, 0.111},
    {Composed::kRsqrtMantissa, kMantissaBits, 4, 3, 0.441},
    {Composed::kSqrtMantissa, kMantissaBits, 4, 3, 0.093},
    {Composed::kLogMantissa, kMantissaBits, 3, 3, 0.413},
    {Composed::kExp2Mantissa, kMantissaBits, 3, 4, 0.042},
    {Composed::kExpSum, 12, 5, 4, 0.036},
    {Composed::kExpSum, 13, 5, 4, 0.062},
    {Composed::kExpSum, 14, 5, 4, 0.115},
    {Composed::kExpSum, 15, 5, 4, 0.223},
    {Composed::kExpSum, 16, 5, 4, 0.447},
    {Composed::kExpSum, 17, 6, 4, 0.060},
    {Composed::kExpSum, 18, 6, 4, 0.113},
    {Composed::kExpSum, 19, 6, 4, 0.232},
    {Composed::kExpSum, 20, 7, 4, 0.279},
};

}  // namespace sotto::math_detail
