#pragma once
// Private: the 512-bit lane operations shared by the AVX-512 and IFMA kernels (ntt_avx512.cc,
// ntt_ifma.cc), which add their own mulLazy. Include only from a file compiled with at least
// -mavx512f; internal linkage, as ntt_simd.h.

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "ntt_kernels.h"

namespace sotto::he::detail {
namespace {

// Lane indices for the spans t < 8 in a block of 16 values: x holds values 0..7, y values 8..15
// (an index ≥ 8 of _mm512_permutex2var_epi64 picks from its second operand). The g-th
// butterfly group of span t covers values [2tg, 2tg + 2t); lanes [tg, tg + t) of lo and hi hold
// its lower and upper halves.
template <size_t t>
struct BlockIndex {
  // Lane l of lo (offset 0) or hi (offset t): value (l/t)·2t + l%t + offset.
  static constexpr std::array<uint64_t, 8> halves(uint64_t offset) {
    std::array<uint64_t, 8> idx{};
    for (uint64_t l = 0; l < 8; ++l) idx[l] = (l / t) * 2 * t + l % t + offset;
    return idx;
  }
  // Lane l of x (first = 0) or y (first = 8): where value first + l sits in (lo, hi).
  static constexpr std::array<uint64_t, 8> back(uint64_t first) {
    std::array<uint64_t, 8> idx{};
    for (uint64_t l = 0; l < 8; ++l) {
      const uint64_t g = (first + l) / (2 * t), r = (first + l) % (2 * t);
      idx[l] = r < t ? g * t + r : 8 + g * t + r - t;
    }
    return idx;
  }
  // Lane l belongs to group l/t.
  static constexpr std::array<uint64_t, 8> groups() {
    std::array<uint64_t, 8> idx{};
    for (uint64_t l = 0; l < 8; ++l) idx[l] = l / t;
    return idx;
  }
  static constexpr std::array<uint64_t, 8> kLo = halves(0), kHi = halves(t), kX = back(0),
                                           kY = back(8), kTwiddle = groups();
};

inline __m512i loadIndex(const std::array<uint64_t, 8>& idx) {
  return _mm512_loadu_si512(idx.data());
}

struct Simd512 {
  using Vec = __m512i;
  static constexpr size_t kLanes = 8;
  static constexpr bool kPairStages = true;

  Simd512(uint64_t modulus, const NttTwiddles& tw)
      : q(set1(modulus)),
        two_q(set1(2 * modulus)),
        n_inv(set1(tw.n_inv)),
        n_inv_shoup(set1(tw.n_inv_shoup)) {}

  static Vec load(const uint64_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint64_t* p, Vec v) { _mm512_storeu_si512(p, v); }
  static Vec set1(uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
  static Vec add(Vec a, Vec b) { return _mm512_add_epi64(a, b); }
  static Vec sub(Vec a, Vec b) { return _mm512_sub_epi64(a, b); }
  static Vec mul32(Vec a, Vec b) { return _mm512_mul_epu32(a, b); }
  static Vec shr32(Vec a) { return _mm512_srli_epi64(a, 32); }
  static Vec low32(Vec a) { return _mm512_and_si512(a, set1(0xffffffff)); }
  // x − bound if x ≥ bound: min(x, x − bound), since x − bound wraps when x < bound.
  static Vec reduceOnce(Vec x, Vec bound) {
    return _mm512_min_epu64(x, _mm512_sub_epi64(x, bound));
  }

  template <size_t t>
  static void split(Vec x, Vec y, Vec& lo, Vec& hi) {
    lo = _mm512_permutex2var_epi64(x, loadIndex(BlockIndex<t>::kLo), y);
    hi = _mm512_permutex2var_epi64(x, loadIndex(BlockIndex<t>::kHi), y);
  }
  template <size_t t>
  static void join(Vec lo, Vec hi, Vec& x, Vec& y) {
    x = _mm512_permutex2var_epi64(lo, loadIndex(BlockIndex<t>::kX), hi);
    y = _mm512_permutex2var_epi64(lo, loadIndex(BlockIndex<t>::kY), hi);
  }
  // p[0, 8/t) (a masked load: no read past the group's twiddles), p[g] on the lanes of group g.
  template <size_t t>
  static Vec twiddles(const uint64_t* p) {
    const Vec w = _mm512_maskz_loadu_epi64(static_cast<__mmask8>((1u << (8 / t)) - 1), p);
    return _mm512_permutexvar_epi64(loadIndex(BlockIndex<t>::kTwiddle), w);
  }

  Vec q, two_q, n_inv, n_inv_shoup;
};

}  // namespace
}  // namespace sotto::he::detail
