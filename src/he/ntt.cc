#include "sotto/he/ntt.h"

#include <bit>

#include "ntt_kernels.h"
#include "sotto/error.h"

namespace sotto::he {
namespace {

uint64_t bitReverse(uint64_t x, int bits) {
  uint64_t r = 0;
  for (int i = 0; i < bits; ++i) r |= ((x >> i) & 1) << (bits - 1 - i);
  return r;
}

// The smallest g^((q−1)/2n), g = 2, 3, …, that is a primitive 2n-th root: its n-th power is −1.
uint64_t findPsi(const Modulus& mod, uint64_t n) {
  const uint64_t q = mod.value();
  for (uint64_t g = 2; g < q; ++g) {
    const uint64_t psi = mod.pow(g, (q - 1) / (2 * n));
    if (mod.pow(psi, n) == q - 1) return psi;
  }
  SOTTO_ENFORCE(false, "NttTables: no primitive 2N-th root mod ", q);
  return 0;
}

// Harvey's lazy butterflies in plain C++, the same stages as ntt_simd.h.
void forwardPortable(uint64_t* x, size_t n, uint64_t q, const detail::NttTwiddles& tw) {
  const uint64_t two_q = 2 * q;
  for (size_t m = 1, t = n / 2; m < n; m <<= 1, t >>= 1) {
    for (size_t i = 0; i < m; ++i) {
      const uint64_t w = tw.w[m + i], ws = tw.w_shoup[m + i];
      uint64_t* lo = x + 2 * i * t;
      uint64_t* hi = lo + t;
      for (size_t j = 0; j < t; ++j) {
        // (X, Y) → (X + W·Y, X − W·Y); X, Y ∈ [0, 4q) in, out.
        uint64_t u = lo[j];
        if (u >= two_q) u -= two_q;
        const uint64_t v = mulShoupLazy(hi[j], w, ws, q);
        lo[j] = u + v;
        hi[j] = u - v + two_q;
      }
    }
  }
  for (size_t j = 0; j < n; ++j) {
    uint64_t u = x[j];
    if (u >= two_q) u -= two_q;
    if (u >= q) u -= q;
    x[j] = u;
  }
}

void inversePortable(uint64_t* x, size_t n, uint64_t q, const detail::NttTwiddles& tw) {
  const uint64_t two_q = 2 * q;
  for (size_t h = n / 2, t = 1; h >= 1; h >>= 1, t <<= 1) {
    for (size_t i = 0; i < h; ++i) {
      const uint64_t w = tw.w[h + i], ws = tw.w_shoup[h + i];
      uint64_t* lo = x + 2 * i * t;
      uint64_t* hi = lo + t;
      for (size_t j = 0; j < t; ++j) {
        // (U, V) → (U + V, (U − V)·W); U, V ∈ [0, 2q) in, out.
        const uint64_t u = lo[j], v = hi[j];
        uint64_t s = u + v;
        if (s >= two_q) s -= two_q;
        lo[j] = s;
        hi[j] = mulShoupLazy(u - v + two_q, w, ws, q);
      }
    }
  }
  for (size_t j = 0; j < n; ++j) {
    const uint64_t u = mulShoupLazy(x[j], tw.n_inv, tw.n_inv_shoup, q);
    x[j] = u >= q ? u - q : u;
  }
}

const detail::NttKernel* kernelOf(NttImpl impl) {
  switch (impl) {
    case NttImpl::kAvx2:
      return detail::nttKernelAvx2();
    case NttImpl::kAvx512:
      return detail::nttKernelAvx512();
    case NttImpl::kIfma:
      return detail::nttKernelIfma();
    default:
      return nullptr;
  }
}

struct CpuFeatures {
  bool avx2 = false, avx512 = false, ifma = false;
};

const CpuFeatures& cpu() {
  static const CpuFeatures features = [] {
    CpuFeatures f;
#if defined(__x86_64__)
    // libgcc's cpuid check also requires the OS to save the ymm/zmm/opmask state (XGETBV).
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    f.ifma = f.avx512 && __builtin_cpu_supports("avx512ifma");
#endif
    return f;
  }();
  return features;
}

// The implementation that runs: kBest resolved (by measurement, bench/he_bench.cc: IFMA for
// q < 2^50, then AVX-512, then AVX2), a forced one checked.
NttImpl resolve(NttImpl impl, uint64_t n, uint64_t q) {
  const bool ifma_fits = q < kNttIfmaModulusBound;
  if (impl == NttImpl::kBest) {
    if (n < detail::kNttKernelMinN) return NttImpl::kPortable;
    if (ifma_fits && nttIfmaAvailable()) return NttImpl::kIfma;
    if (nttAvx512Available()) return NttImpl::kAvx512;
    if (nttAvx2Available()) return NttImpl::kAvx2;
    return NttImpl::kPortable;
  }
  if (impl == NttImpl::kPortable) return impl;
  SOTTO_ENFORCE_AS(NotImplemented, impl != NttImpl::kAvx2 || nttAvx2Available(),
                   "NTT: AVX2 is not available here");
  SOTTO_ENFORCE_AS(NotImplemented, impl != NttImpl::kAvx512 || nttAvx512Available(),
                   "NTT: AVX-512 F + DQ is not available here");
  SOTTO_ENFORCE_AS(NotImplemented, impl != NttImpl::kIfma || nttIfmaAvailable(),
                   "NTT: AVX-512 IFMA is not available here");
  SOTTO_ENFORCE(n >= detail::kNttKernelMinN, "NTT: the vector paths need N ≥ ",
                detail::kNttKernelMinN, ", got ", n);
  SOTTO_ENFORCE(impl != NttImpl::kIfma || ifma_fits,
                "NTT: the IFMA path needs q < 2^50, got q = ", q);
  return impl;
}

}  // namespace

bool nttAvx2Available() { return cpu().avx2 && detail::nttKernelAvx2() != nullptr; }
bool nttAvx512Available() { return cpu().avx512 && detail::nttKernelAvx512() != nullptr; }
bool nttIfmaAvailable() { return cpu().ifma && detail::nttKernelIfma() != nullptr; }

NttImpl NttTables::bestImpl() const { return resolve(NttImpl::kBest, n_, mod_.value()); }

NttTables::NttTables(uint64_t n, uint64_t q) : n_(n), mod_(q) {
  SOTTO_ENFORCE(n >= 2 && std::has_single_bit(n), "NttTables: N must be a power of two, got ", n);
  SOTTO_ENFORCE(isPrime64(q), "NttTables: q = ", q, " is not prime");
  SOTTO_ENFORCE(q % (2 * n) == 1, "NttTables: q = ", q, " is not 1 mod 2N (N = ", n, ")");
  psi_ = findPsi(mod_, n);
  const int log_n = std::countr_zero(n);
  const uint64_t psi_inv = mod_.inv(psi_);
  fwd_.resize(n);
  inv_.resize(n);
  fwd_shoup_.resize(n);
  inv_shoup_.resize(n);
  uint64_t p = 1, pi = 1;
  for (uint64_t k = 0; k < n; ++k) {
    const uint64_t r = bitReverse(k, log_n);
    fwd_[r] = p;
    inv_[r] = pi;
    p = mod_.mul(p, psi_);
    pi = mod_.mul(pi, psi_inv);
  }
  for (uint64_t k = 0; k < n; ++k) {
    fwd_shoup_[k] = shoupPrecompute(fwd_[k], q);
    inv_shoup_[k] = shoupPrecompute(inv_[k], q);
  }
  n_inv_ = mod_.inv(n % q);
  n_inv_shoup_ = shoupPrecompute(n_inv_, q);
  last_w_ = mod_.mul(inv_[1], n_inv_);  // n ≥ 2
  last_w_shoup_ = shoupPrecompute(last_w_, q);
  if (q < kNttIfmaModulusBound) {  // the IFMA path's companions ⌊w·2^52/q⌋
    const auto shoup52 = [q](uint64_t w) { return static_cast<uint64_t>((u128{w} << 52) / q); };
    fwd_shoup52_.resize(n);
    inv_shoup52_.resize(n);
    for (uint64_t k = 0; k < n; ++k) {
      fwd_shoup52_[k] = shoup52(fwd_[k]);
      inv_shoup52_[k] = shoup52(inv_[k]);
    }
    n_inv_shoup52_ = shoup52(n_inv_);
    last_w_shoup52_ = shoup52(last_w_);
  }
}

void NttTables::forward(std::span<uint64_t> a, NttImpl impl) const {
  SOTTO_ENFORCE(a.size() == n_, "NttTables::forward: size ", a.size(), " != N = ", n_);
  const NttImpl use = resolve(impl, n_, mod_.value());
  const bool shoup52 = use == NttImpl::kIfma;
  const detail::NttTwiddles tw{fwd_.data(), (shoup52 ? fwd_shoup52_ : fwd_shoup_).data()};
  if (use == NttImpl::kPortable) {
    forwardPortable(a.data(), n_, mod_.value(), tw);
  } else {
    kernelOf(use)->forward(a.data(), n_, mod_.value(), tw);
  }
}

void NttTables::inverse(std::span<uint64_t> a, NttImpl impl) const {
  SOTTO_ENFORCE(a.size() == n_, "NttTables::inverse: size ", a.size(), " != N = ", n_);
  const NttImpl use = resolve(impl, n_, mod_.value());
  const bool shoup52 = use == NttImpl::kIfma;
  const detail::NttTwiddles tw{inv_.data(), (shoup52 ? inv_shoup52_ : inv_shoup_).data(),
                               n_inv_,      shoup52 ? n_inv_shoup52_ : n_inv_shoup_,
                               last_w_,     shoup52 ? last_w_shoup52_ : last_w_shoup_};
  if (use == NttImpl::kPortable) {
    inversePortable(a.data(), n_, mod_.value(), tw);
  } else {
    kernelOf(use)->inverse(a.data(), n_, mod_.value(), tw);
  }
}

}  // namespace sotto::he
