#include "sotto/he/params.h"

#include "sotto/error.h"

namespace sotto::he {

RingParams ringParams(ParamSet id) {
  switch (id) {
    case ParamSet::kN4096:
      return {id, "n4096_q109", 4096, detail::kPrimesN4096};
    case ParamSet::kN8192:
      return {id, "n8192_q212", 8192, detail::kPrimesN8192};
    case ParamSet::kN8192Q168:
      return {id, "n8192_q168", 8192, detail::kPrimesN8192Q168};
    case ParamSet::kN8192Q150:
      return {id, "n8192_q150", 8192, detail::kPrimesN8192Q150};
  }
  SOTTO_ENFORCE(false, "he: unknown parameter set id ", static_cast<int>(id));
  return {};
}

std::vector<RingParams> allRingParams() {
  return {ringParams(ParamSet::kN4096), ringParams(ParamSet::kN8192),
          ringParams(ParamSet::kN8192Q168), ringParams(ParamSet::kN8192Q150)};
}

}  // namespace sotto::he
