// The NTT on AVX2: four 64-bit butterflies per instruction, for x86-64 without AVX-512. AVX2 has
// no 64×64 multiply, so each Shoup product is built from 32×32 ones (vpmuludq): four for the
// high half of x·w', six for the low 64 bits of x·w − Q·q.
#include "ntt_kernels.h"

#if defined(__AVX2__)
#include <immintrin.h>

#include "ntt_simd.h"

namespace sotto::he::detail {
namespace {

struct Avx2Ops {
  using Vec = __m256i;
  static constexpr size_t kLanes = 4;
  static constexpr bool kPairStages = false;  // 16 ymm registers: measured slower

  Avx2Ops(uint64_t modulus, const NttTwiddles& tw)
      : q(set1(modulus)),
        two_q(set1(2 * modulus)),
        q_hi(set1(modulus >> 32)),
        n_inv(set1(tw.n_inv)),
        n_inv_shoup(set1(tw.n_inv_shoup)) {}

  static Vec load(const uint64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const Vec*>(p)); }
  static void store(uint64_t* p, Vec v) { _mm256_storeu_si256(reinterpret_cast<Vec*>(p), v); }
  static Vec set1(uint64_t v) { return _mm256_set1_epi64x(static_cast<long long>(v)); }
  static Vec add(Vec a, Vec b) { return _mm256_add_epi64(a, b); }
  static Vec sub(Vec a, Vec b) { return _mm256_sub_epi64(a, b); }
  static Vec mul32(Vec a, Vec b) { return _mm256_mul_epu32(a, b); }
  static Vec shr32(Vec a) { return _mm256_srli_epi64(a, 32); }
  static Vec low32(Vec a) { return _mm256_and_si256(a, set1(0xffffffff)); }
  // x − bound if x ≥ bound. Every value stays below 4q < 2^63, so the signed compare is exact.
  static Vec reduceOnce(Vec x, Vec bound) {
    return _mm256_sub_epi64(x, _mm256_andnot_si256(_mm256_cmpgt_epi64(bound, x), bound));
  }

  // x·w − Q·q mod 2^64 with Q = ⌊x·w'/2^64⌋: in [0, 2q) for any 64-bit x (Harvey 2014, Alg. 2).
  // Modulo 2^64 only ll + (lh + hl)·2^32 of each product counts.
  Vec mulLazy(Vec x, Vec w, Vec w_shoup) const {
    const Vec quot = mulHi64<Avx2Ops>(x, w_shoup);
    const Vec x_hi = shr32(x), w_hi = shr32(w), quot_hi = shr32(quot);
    const Vec low = _mm256_sub_epi64(_mm256_mul_epu32(x, w), _mm256_mul_epu32(quot, q));
    const Vec cross = _mm256_sub_epi64(
        _mm256_add_epi64(_mm256_mul_epu32(x_hi, w), _mm256_mul_epu32(x, w_hi)),
        _mm256_add_epi64(_mm256_mul_epu32(quot_hi, q), _mm256_mul_epu32(quot, q_hi)));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
  }

  // Spans 2 and 1 in a block of 8 values (x = values 0..3, y = 4..7). Span 2: the groups are x
  // and y, lo = (x0, x1, y0, y1). Span 1: the groups are (x0, x1), (x2, x3), (y0, y1), (y2, y3),
  // lo = (x0, y0, x2, y2), so the lanes hold groups 0, 2, 1, 3.
  template <size_t t>
  static void split(Vec x, Vec y, Vec& lo, Vec& hi) {
    if constexpr (t == 2) {
      lo = _mm256_permute2x128_si256(x, y, 0x20);
      hi = _mm256_permute2x128_si256(x, y, 0x31);
    } else {
      lo = _mm256_unpacklo_epi64(x, y);
      hi = _mm256_unpackhi_epi64(x, y);
    }
  }
  template <size_t t>
  static void join(Vec lo, Vec hi, Vec& x, Vec& y) {
    split<t>(lo, hi, x, y);  // each of these permutations is its own inverse on the pair
  }
  template <size_t t>
  static Vec twiddles(const uint64_t* p) {
    if constexpr (t == 2) {  // (p0, p0, p1, p1)
      const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      return _mm256_permute4x64_epi64(_mm256_castsi128_si256(w), 0x50);
    } else {  // (p0, p2, p1, p3)
      return _mm256_permute4x64_epi64(load(p), 0xd8);
    }
  }

  Vec q, two_q, q_hi, n_inv, n_inv_shoup;
};

}  // namespace

const NttKernel* nttKernelAvx2() { return &kKernelOf<Avx2Ops>; }

}  // namespace sotto::he::detail

#else

const sotto::he::detail::NttKernel* sotto::he::detail::nttKernelAvx2() { return nullptr; }

#endif
