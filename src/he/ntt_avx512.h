#pragma once
// Private: the AVX-512 (F + DQ) stages of the NTT of ntt.h, eight butterflies per instruction.
// Only ntt_avx512.cc gets the instruction-set flags; ntt.cc calls it after a cpuid check, so the
// default build runs on any x86-64. Without the flags (or off x86) nttAvx512Compiled() is false.

#include <cstddef>
#include <cstdint>

namespace sotto::he::detail {

/// The file was compiled with AVX-512 F + DQ.
bool nttAvx512Compiled();

/// Forward stages while the butterfly span t ≥ 8 (m = 1, 2, … with t = n/(2m)); values in [0, 4q).
/// Returns the first m not processed.
size_t nttForwardAvx512(uint64_t* a, size_t n, uint64_t q, const uint64_t* w, const uint64_t* ws);

/// Inverse stages from span t = 8 up (m = n/8, …, 2); values in [0, 2q).
void nttInverseAvx512(uint64_t* a, size_t n, uint64_t q, const uint64_t* w, const uint64_t* ws);

}  // namespace sotto::he::detail
