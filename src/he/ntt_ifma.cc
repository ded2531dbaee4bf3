// The NTT on AVX-512 IFMA (vpmadd52luq / vpmadd52huq): eight butterflies per instruction with
// Shoup products at 52 bits, for q < 2^50 (the bound and its argument: sotto/he/ntt.h).
#include "ntt_kernels.h"

#if defined(__AVX512F__) && defined(__AVX512IFMA__)
#include "ntt_simd.h"
#include "ntt_simd512.h"

namespace sotto::he::detail {
namespace {

struct IfmaOps : Simd512 {
  IfmaOps(uint64_t modulus, const NttTwiddles& tw)
      : Simd512(modulus, tw),
        neg_q(set1((uint64_t{1} << 52) - modulus)),
        mask52(set1((uint64_t{1} << 52) - 1)) {}

  // For x, w, w' < 2^52 with w' = ⌊w·2^52/q⌋: Q = ⌊x·w'/2^52⌋ and r = x·w − Q·q ∈ [0, 2q) (Harvey
  // 2014, Alg. 2, word 2^52). As r < 2^52 it is the low 52 bits of x·w + Q·(2^52 − q).
  Vec mulLazy(Vec x, Vec w, Vec w_shoup) const {
    const Vec zero = _mm512_setzero_si512();
    const Vec quot = _mm512_madd52hi_epu64(zero, x, w_shoup);
    const Vec r = _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(zero, x, w), quot, neg_q);
    return _mm512_and_si512(r, mask52);
  }

  Vec neg_q, mask52;
};

}  // namespace

const NttKernel* nttKernelIfma() { return &kKernelOf<IfmaOps>; }

}  // namespace sotto::he::detail

#else

const sotto::he::detail::NttKernel* sotto::he::detail::nttKernelIfma() { return nullptr; }

#endif
