// The parameters are compile-time constants (params.h); these checks keep them coherent.
#include "sotto/ot/params.h"

namespace sotto::ot {

static_assert(kComputationalSecurity == 128, "the engine's blocks, AES and base OTs are 128-bit");
static_assert(kBaseOts == static_cast<size_t>(kComputationalSecurity), "IKNP: κ base OTs");
static_assert(kStatisticalSecurity >= 40, "σ below 40 is not an accepted level");

}  // namespace sotto::ot
