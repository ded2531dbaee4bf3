#pragma once
// Private: the NTT's loops written once over a vector "Ops" type, instantiated by each vector file
// (ntt_avx2.cc, ntt_avx512.cc, ntt_ifma.cc) under its own instruction-set flags. Everything here
// has internal linkage (anonymous namespace), so no out-of-line copy compiled with one file's
// flags can be picked by the linker for another's.
//
// Ops provides: Vec; kLanes (L); kPairStages (two wide stages per pass: needs registers for four
// values and three twiddle pairs, a gain measured with 32 zmm, a loss with 16 ymm); load, store,
// set1, add, sub (and for mulHi64 mul32, shr32, low32); reduceOnce(x, bound) = x − bound if x ≥
// bound; members q, two_q, n_inv, n_inv_shoup (broadcast) and mulLazy(x, w, w_shoup) ∈ [0, 2q)
// (Harvey 2014, Alg. 2); and for the spans t < L, which mix lanes inside one block of 2L values
// held as (x, y): split<t>(x, y, lo, hi) gathers each butterfly's lower and upper inputs, join<t>
// undoes it, and twiddles<t>(p) broadcasts p[g] to the lanes of the g-th group of the block.
//
// Same lazy ranges as the portable code (ntt.cc): forward values in [0, 4q), inverse in [0, 2q),
// fully reduced at the end, so every implementation returns the same bits.

#include <cstddef>
#include <cstdint>

#include "ntt_kernels.h"

namespace sotto::he::detail {
namespace {

// High 64 bits of the 64×64 products, lane by lane, from four 32×32 ones (for the vector units
// without a 64-bit high multiply; Ops adds mul32 = vpmuludq, shr32 and low32).
template <class Ops, class Vec>
inline Vec mulHi64(Vec a, Vec b) {
  const Vec a_hi = Ops::shr32(a), b_hi = Ops::shr32(b);
  const Vec ll = Ops::mul32(a, b), lh = Ops::mul32(a, b_hi);
  const Vec hl = Ops::mul32(a_hi, b), hh = Ops::mul32(a_hi, b_hi);
  const Vec mid = Ops::add(Ops::shr32(ll), Ops::add(Ops::low32(lh), Ops::low32(hl)));
  return Ops::add(Ops::add(hh, Ops::shr32(mid)), Ops::add(Ops::shr32(lh), Ops::shr32(hl)));
}

// (X, Y) → (X + W·Y, X − W·Y); X, Y ∈ [0, 4q) in, out.
template <class Ops, class Vec>
inline void forwardButterfly(const Ops& ops, Vec& x, Vec& y, Vec w, Vec w_shoup) {
  const Vec u = Ops::reduceOnce(x, ops.two_q);
  const Vec v = ops.mulLazy(y, w, w_shoup);
  x = Ops::add(u, v);
  y = Ops::add(Ops::sub(u, v), ops.two_q);
}

// (U, V) → (U + V, (U − V)·W); U, V ∈ [0, 2q) in, out.
template <class Ops, class Vec>
inline void inverseButterfly(const Ops& ops, Vec& u, Vec& v, Vec w, Vec w_shoup) {
  const Vec d = Ops::add(Ops::sub(u, v), ops.two_q);
  u = Ops::reduceOnce(Ops::add(u, v), ops.two_q);
  v = ops.mulLazy(d, w, w_shoup);
}

// What a butterfly does: the forward's, the inverse's, or the inverse's in its last stage (span
// n/2), where the factor N^{-1} is folded in and the outputs reduced to [0, q).
enum class Pass { kForward, kInverse, kInverseLast };

// (On Ops, not on Vec: a vector type as a class template argument loses its attributes.)
template <class Ops>
struct Twiddle {
  typename Ops::Vec w, w_shoup;
};

template <Pass kPass, class Ops, class Vec>
inline void butterfly(const Ops& ops, Vec& x, Vec& y, const Twiddle<Ops>& w) {
  if constexpr (kPass == Pass::kForward) {
    forwardButterfly(ops, x, y, w.w, w.w_shoup);
  } else if constexpr (kPass == Pass::kInverse) {
    inverseButterfly(ops, x, y, w.w, w.w_shoup);
  } else {
    // (U, V) → ((U + V)·N^{-1}, (U − V)·(W·N^{-1})): w is W·N^{-1}; products of values < 4q.
    const Vec d = Ops::add(Ops::sub(x, y), ops.two_q);
    x = Ops::reduceOnce(ops.mulLazy(Ops::add(x, y), ops.n_inv, ops.n_inv_shoup), ops.q);
    y = Ops::reduceOnce(ops.mulLazy(d, w.w, w.w_shoup), ops.q);
  }
}

// The twiddle of group k of a stage on whole vectors (the last inverse stage: W·N^{-1}).
template <Pass kPass, class Ops>
inline Twiddle<Ops> wideTwiddle(const NttTwiddles& tw, size_t k) {
  if constexpr (kPass == Pass::kInverseLast)
    return {Ops::set1(tw.last_w), Ops::set1(tw.last_w_shoup)};
  return {Ops::set1(tw.w[k]), Ops::set1(tw.w_shoup[k])};
}

// One stage of span t < L on the block (x, y) that starts at a[b]; its twiddles start at index
// n/(2t) (the stage) + b/(2t) (the block's first group).
template <size_t t, Pass kPass, class Ops, class Vec>
inline void blockStage(const Ops& ops, Vec& x, Vec& y, size_t n, size_t b, const NttTwiddles& tw) {
  const size_t k = (n + b) / (2 * t);
  Vec lo, hi;
  Ops::template split<t>(x, y, lo, hi);
  const Twiddle<Ops> w{Ops::template twiddles<t>(tw.w + k),
                       Ops::template twiddles<t>(tw.w_shoup + k)};
  butterfly<kPass>(ops, lo, hi, w);
  Ops::template join<t>(lo, hi, x, y);
}

// A stage of span t ≥ L: butterflies on whole vectors, one twiddle per group.
template <Pass kPass, class Ops>
inline void wideStage(const Ops& ops, uint64_t* a, size_t n, size_t t, const NttTwiddles& tw) {
  using Vec = typename Ops::Vec;
  const size_t groups = n / (2 * t);
  for (size_t i = 0; i < groups; ++i) {
    const Twiddle<Ops> w = wideTwiddle<kPass, Ops>(tw, groups + i);
    uint64_t* lo = a + 2 * i * t;
    uint64_t* hi = lo + t;
    for (size_t j = 0; j < t; j += Ops::kLanes) {
      Vec x = Ops::load(lo + j), y = Ops::load(hi + j);
      butterfly<kPass>(ops, x, y, w);
      Ops::store(lo + j, x);
      Ops::store(hi + j, y);
    }
  }
}

// The spans t and t/2 (both ≥ L) in one pass over memory: group i of span t holds groups 2i and
// 2i + 1 of span t/2, so the values at offsets j, j + t/2, t + j, t + t/2 + j of the group meet
// in both. The forward runs span t first, the inverse span t/2 first (kPass: span t's butterfly).
template <Pass kPass, class Ops>
inline void wideStagePair(const Ops& ops, uint64_t* a, size_t n, size_t t, const NttTwiddles& tw) {
  using Vec = typename Ops::Vec;
  constexpr Pass kInner = kPass == Pass::kForward ? Pass::kForward : Pass::kInverse;
  const size_t groups = n / (2 * t), h = t / 2;
  for (size_t i = 0; i < groups; ++i) {
    const Twiddle<Ops> w = wideTwiddle<kPass, Ops>(tw, groups + i);
    const Twiddle<Ops> w0 = wideTwiddle<kInner, Ops>(tw, 2 * (groups + i));
    const Twiddle<Ops> w1 = wideTwiddle<kInner, Ops>(tw, 2 * (groups + i) + 1);
    uint64_t* p = a + 2 * i * t;
    for (size_t j = 0; j < h; j += Ops::kLanes) {
      Vec x0 = Ops::load(p + j), x1 = Ops::load(p + h + j);
      Vec x2 = Ops::load(p + t + j), x3 = Ops::load(p + t + h + j);
      if constexpr (kPass == Pass::kForward) {
        butterfly<kPass>(ops, x0, x2, w);
        butterfly<kPass>(ops, x1, x3, w);
      }
      butterfly<kInner>(ops, x0, x1, w0);
      butterfly<kInner>(ops, x2, x3, w1);
      if constexpr (kPass != Pass::kForward) {
        butterfly<kPass>(ops, x0, x2, w);
        butterfly<kPass>(ops, x1, x3, w);
      }
      Ops::store(p + j, x0);
      Ops::store(p + h + j, x1);
      Ops::store(p + t + j, x2);
      Ops::store(p + t + h + j, x3);
    }
  }
}

// Forward (Cooley–Tukey): spans n/2, …, L on whole vectors (two per pass where kPairStages); then
// per block of 2L values the spans L/2, …, 1 in registers and the reduction to [0, q).
template <class Ops>
void forwardTransform(const Ops& ops, uint64_t* a, size_t n, const NttTwiddles& tw) {
  using Vec = typename Ops::Vec;
  constexpr size_t kL = Ops::kLanes;
  static_assert(kL == 4 || kL == 8, "the block stages handle 4 or 8 lanes");
  constexpr Pass kF = Pass::kForward;
  size_t t = n / 2;
  for (; Ops::kPairStages && t / 2 >= kL; t /= 4) wideStagePair<kF>(ops, a, n, t, tw);
  for (; t >= kL; t /= 2) wideStage<kF>(ops, a, n, t, tw);
  for (size_t b = 0; b < n; b += 2 * kL) {
    Vec x = Ops::load(a + b), y = Ops::load(a + b + kL);
    if constexpr (kL >= 8) blockStage<4, kF>(ops, x, y, n, b, tw);
    blockStage<2, kF>(ops, x, y, n, b, tw);
    blockStage<1, kF>(ops, x, y, n, b, tw);
    Ops::store(a + b, Ops::reduceOnce(Ops::reduceOnce(x, ops.two_q), ops.q));
    Ops::store(a + b + kL, Ops::reduceOnce(Ops::reduceOnce(y, ops.two_q), ops.q));
  }
}

// Inverse (Gentleman–Sande): per block of 2L values the spans 1, …, L/2 in registers; then the
// spans L, …, n/2 on whole vectors (two per pass where kPairStages), the last with N^{-1} folded
// in.
template <class Ops>
void inverseTransform(const Ops& ops, uint64_t* a, size_t n, const NttTwiddles& tw) {
  using Vec = typename Ops::Vec;
  constexpr size_t kL = Ops::kLanes;
  constexpr Pass kI = Pass::kInverse, kLast = Pass::kInverseLast;
  for (size_t b = 0; b < n; b += 2 * kL) {
    Vec x = Ops::load(a + b), y = Ops::load(a + b + kL);
    blockStage<1, kI>(ops, x, y, n, b, tw);
    blockStage<2, kI>(ops, x, y, n, b, tw);
    if constexpr (kL >= 8) blockStage<4, kI>(ops, x, y, n, b, tw);
    Ops::store(a + b, x);
    Ops::store(a + b + kL, y);
  }
  size_t t = kL;  // the smallest span left; n ≥ 2L, so t ≤ n/2
  if constexpr (Ops::kPairStages) {
    for (; 4 * t < n; t *= 4) wideStagePair<kI>(ops, a, n, 2 * t, tw);
    if (2 * t < n) {  // spans n/4 and n/2 left
      wideStagePair<kLast>(ops, a, n, n / 2, tw);
      return;
    }
  }
  for (; 2 * t < n; t *= 2) wideStage<kI>(ops, a, n, t, tw);
  wideStage<kLast>(ops, a, n, n / 2, tw);
}

// The kernel of one vector file (a captureless lambda converts to the function pointer).
template <class Ops>
constexpr NttKernel kKernelOf{[](uint64_t* a, size_t n, uint64_t q, const NttTwiddles& tw) {
                                forwardTransform(Ops(q, tw), a, n, tw);
                              },
                              [](uint64_t* a, size_t n, uint64_t q, const NttTwiddles& tw) {
                                inverseTransform(Ops(q, tw), a, n, tw);
                              }};

}  // namespace
}  // namespace sotto::he::detail
