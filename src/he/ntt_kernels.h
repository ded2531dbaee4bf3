#pragma once
// Private: the vector implementations of the NTT of ntt.h (AVX2, AVX-512 F + DQ, AVX-512 IFMA).
// Each lives in its own file compiled with its own instruction-set flags (src/he/CMakeLists.txt);
// ntt.cc takes one only after a cpuid check, so the default build runs on any x86-64. A file
// compiled without its flags (or off x86) returns nullptr from its nttKernel… function.

#include <cstddef>
#include <cstdint>

namespace sotto::he::detail {

/// One direction's tables: twiddles ψ^{±bitrev(k)} and their Shoup companions (⌊w·2^64/q⌋, or
/// ⌊w·2^52/q⌋ for IFMA); for the inverse also N^{-1} and w[1]·N^{-1} (the last stage's twiddle
/// with the factor folded in), with their companions.
struct NttTwiddles {
  const uint64_t* w;
  const uint64_t* w_shoup;
  uint64_t n_inv = 0, n_inv_shoup = 0;
  uint64_t last_w = 0, last_w_shoup = 0;
};

/// A whole transform, in place, on a[0, n) with n a power of two ≥ 16: the same contract as
/// NttTables::forward / inverse (inputs < q, resp. < 2q; outputs < q).
struct NttKernel {
  void (*forward)(uint64_t* a, size_t n, uint64_t q, const NttTwiddles& tw);
  void (*inverse)(uint64_t* a, size_t n, uint64_t q, const NttTwiddles& tw);
};

/// The smallest N the vector kernels take (two vectors of eight lanes).
inline constexpr size_t kNttKernelMinN = 16;

const NttKernel* nttKernelAvx2();    // 4 lanes, 64-bit Shoup products from 32×32 multiplies
const NttKernel* nttKernelAvx512();  // 8 lanes, 64-bit Shoup products (vpmullq)
const NttKernel* nttKernelIfma();    // 8 lanes, 52-bit Shoup products (vpmadd52luq/huq); q < 2^50

}  // namespace sotto::he::detail
