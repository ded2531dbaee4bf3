// The NTT on AVX-512 F + DQ: eight 64-bit butterflies per instruction, Shoup products with the
// 64-bit companions (the high half from four 32×32 multiplies, the low halves from vpmullq).
#include "ntt_kernels.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include "ntt_simd.h"
#include "ntt_simd512.h"

namespace sotto::he::detail {
namespace {

struct Avx512Ops : Simd512 {
  using Simd512::Simd512;
  // x·w − ⌊x·w'/2^64⌋·q mod 2^64 ∈ [0, 2q) for any 64-bit x (w' = ⌊w·2^64/q⌋).
  Vec mulLazy(Vec x, Vec w, Vec w_shoup) const {
    const Vec hi = mulHi64<Avx512Ops>(x, w_shoup);
    return _mm512_sub_epi64(_mm512_mullo_epi64(x, w), _mm512_mullo_epi64(hi, q));
  }
};

}  // namespace

const NttKernel* nttKernelAvx512() { return &kKernelOf<Avx512Ops>; }

}  // namespace sotto::he::detail

#else

const sotto::he::detail::NttKernel* sotto::he::detail::nttKernelAvx512() { return nullptr; }

#endif
