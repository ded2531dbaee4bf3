#include "ntt_avx512.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

namespace sotto::he::detail {

#if defined(__AVX512F__) && defined(__AVX512DQ__)

namespace {

// High 64 bits of the 64×64 products, lane by lane (four 32×32 products).
inline __m512i mulHi64(__m512i a, __m512i b) {
  const __m512i lo_mask = _mm512_set1_epi64(0xffffffff);
  const __m512i a_hi = _mm512_srli_epi64(a, 32), b_hi = _mm512_srli_epi64(b, 32);
  const __m512i ll = _mm512_mul_epu32(a, b);
  const __m512i lh = _mm512_mul_epu32(a, b_hi);
  const __m512i hl = _mm512_mul_epu32(a_hi, b);
  const __m512i hh = _mm512_mul_epu32(a_hi, b_hi);
  const __m512i mid = _mm512_add_epi64(
      _mm512_srli_epi64(ll, 32),
      _mm512_add_epi64(_mm512_and_si512(lh, lo_mask), _mm512_and_si512(hl, lo_mask)));
  return _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(mid, 32)),
                          _mm512_add_epi64(_mm512_srli_epi64(lh, 32), _mm512_srli_epi64(hl, 32)));
}

// x·w mod q up to one q, in [0, 2q) (Shoup, as mulShoupLazy).
inline __m512i mulShoupLazy8(__m512i x, __m512i w, __m512i w_shoup, __m512i q) {
  const __m512i hi = mulHi64(x, w_shoup);
  return _mm512_sub_epi64(_mm512_mullo_epi64(x, w), _mm512_mullo_epi64(hi, q));
}

// x − bound if x ≥ bound (unsigned): min(x, x − bound) since x − bound wraps when x < bound.
inline __m512i reduceOnce(__m512i x, __m512i bound) {
  return _mm512_min_epu64(x, _mm512_sub_epi64(x, bound));
}

}  // namespace

bool nttAvx512Compiled() { return true; }

size_t nttForwardAvx512(uint64_t* a, size_t n, uint64_t q, const uint64_t* w, const uint64_t* ws) {
  const __m512i vq = _mm512_set1_epi64(static_cast<long long>(q));
  const __m512i two_q = _mm512_set1_epi64(static_cast<long long>(2 * q));
  size_t t = n, m = 1;
  for (; m < n; m <<= 1) {
    if ((t >> 1) < 8) break;
    t >>= 1;
    for (size_t i = 0; i < m; ++i) {
      const __m512i vw = _mm512_set1_epi64(static_cast<long long>(w[m + i]));
      const __m512i vws = _mm512_set1_epi64(static_cast<long long>(ws[m + i]));
      uint64_t* lo = a + 2 * i * t;
      uint64_t* hi = lo + t;
      for (size_t j = 0; j < t; j += 8) {
        const __m512i u = reduceOnce(_mm512_loadu_si512(lo + j), two_q);
        const __m512i v = mulShoupLazy8(_mm512_loadu_si512(hi + j), vw, vws, vq);
        _mm512_storeu_si512(lo + j, _mm512_add_epi64(u, v));
        _mm512_storeu_si512(hi + j, _mm512_add_epi64(_mm512_sub_epi64(u, v), two_q));
      }
    }
  }
  return m;
}

void nttInverseAvx512(uint64_t* a, size_t n, uint64_t q, const uint64_t* w, const uint64_t* ws) {
  const __m512i vq = _mm512_set1_epi64(static_cast<long long>(q));
  const __m512i two_q = _mm512_set1_epi64(static_cast<long long>(2 * q));
  size_t t = 8;
  for (size_t m = n / 8; m > 1; m >>= 1) {
    const size_t h = m >> 1;
    for (size_t i = 0; i < h; ++i) {
      const __m512i vw = _mm512_set1_epi64(static_cast<long long>(w[h + i]));
      const __m512i vws = _mm512_set1_epi64(static_cast<long long>(ws[h + i]));
      uint64_t* lo = a + 2 * i * t;
      uint64_t* hi = lo + t;
      for (size_t j = 0; j < t; j += 8) {
        const __m512i u = _mm512_loadu_si512(lo + j);
        const __m512i v = _mm512_loadu_si512(hi + j);
        _mm512_storeu_si512(lo + j, reduceOnce(_mm512_add_epi64(u, v), two_q));
        const __m512i d = _mm512_add_epi64(_mm512_sub_epi64(u, v), two_q);
        _mm512_storeu_si512(hi + j, mulShoupLazy8(d, vw, vws, vq));
      }
    }
    t <<= 1;
  }
}

#else

bool nttAvx512Compiled() { return false; }
size_t nttForwardAvx512(uint64_t*, size_t, uint64_t, const uint64_t*, const uint64_t*) { return 1; }
void nttInverseAvx512(uint64_t*, size_t, uint64_t, const uint64_t*, const uint64_t*) {}

#endif

}  // namespace sotto::he::detail
