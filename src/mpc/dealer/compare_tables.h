#pragma once
// Generation of the fast comparison's dealer material (CompareTables, dealer.h): one place for
// every dealer (generateCorrelation calls it).

#include <vector>

#include "sotto/crypto/prg.h"
#include "sotto/mpc/dealer/dealer.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto::detail {

/// The output shapes of a kCompareTables request for `shapes` = {elements, selected values}.
/// @throws InvalidArgument if the values are not a whole number per element.
/// @throws InvalidArgument if the digits are not 2..8 bits wide.
std::vector<Shape> compareTablesShapes(const std::vector<Shape>& shapes, CompareDigits digits);

/// The plaintext values of every output (randoms from `prg`) for the output shapes `out` (as
/// compareTablesShapes() returns them); with `given`, the masks r and a are (*given)[0] and
/// (*given)[4] (moved out; CorrelationRequest::freeOutputs()).
std::vector<RingTensor> generateCompareTables(const std::vector<Shape>& out, CompareDigits digits,
                                              Prg& prg, std::vector<RingTensor>* given = nullptr);

}  // namespace sotto::detail
