#include "sotto/he/ntt.h"

#include <bit>

#include "ntt_avx512.h"
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

// Resolves kBest and checks kAvx512: true to run the AVX-512 stages.
bool useAvx512(NttImpl impl, uint64_t n) {
  if (impl == NttImpl::kPortable) return false;
  const bool available = nttAvx512Available();
  if (impl == NttImpl::kAvx512) {
    SOTTO_ENFORCE_AS(NotImplemented, available, "NTT: AVX-512 F + DQ is not available here");
    SOTTO_ENFORCE(n >= 16, "NTT: the AVX-512 path needs N ≥ 16, got ", n);
  }
  return available && n >= 16;
}

}  // namespace

bool nttAvx512Available() {
#if defined(__x86_64__)
  static const bool available = [] {
    __builtin_cpu_init();
    // libgcc's cpuid check also requires the OS to save the zmm/opmask state (XGETBV).
    return detail::nttAvx512Compiled() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512dq");
  }();
  return available;
#else
  return false;
#endif
}

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
}

void NttTables::forward(std::span<uint64_t> a, NttImpl impl) const {
  SOTTO_ENFORCE(a.size() == n_, "NttTables::forward: size ", a.size(), " != N = ", n_);
  const uint64_t q = mod_.value(), two_q = 2 * q;
  uint64_t* x = a.data();
  size_t m = 1;
  if (useAvx512(impl, n_)) m = detail::nttForwardAvx512(x, n_, q, fwd_.data(), fwd_shoup_.data());
  size_t t = n_ / m;
  for (; m < n_; m <<= 1) {
    t >>= 1;
    for (size_t i = 0; i < m; ++i) {
      const uint64_t w = fwd_[m + i], ws = fwd_shoup_[m + i];
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
  for (size_t j = 0; j < n_; ++j) {
    uint64_t u = x[j];
    if (u >= two_q) u -= two_q;
    if (u >= q) u -= q;
    x[j] = u;
  }
}

void NttTables::inverse(std::span<uint64_t> a, NttImpl impl) const {
  SOTTO_ENFORCE(a.size() == n_, "NttTables::inverse: size ", a.size(), " != N = ", n_);
  const uint64_t q = mod_.value(), two_q = 2 * q;
  uint64_t* x = a.data();
  const bool avx = useAvx512(impl, n_);
  size_t t = 1;
  // With AVX-512 the scalar loop does the spans 1, 2, 4 and the vector code the rest.
  for (size_t m = n_; m > (avx ? n_ / 8 : 1); m >>= 1) {
    const size_t h = m >> 1;
    for (size_t i = 0; i < h; ++i) {
      const uint64_t w = inv_[h + i], ws = inv_shoup_[h + i];
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
    t <<= 1;
  }
  if (avx) detail::nttInverseAvx512(x, n_, q, inv_.data(), inv_shoup_.data());
  for (size_t j = 0; j < n_; ++j) {
    const uint64_t u = mulShoupLazy(x[j], n_inv_, n_inv_shoup_, q);
    x[j] = u >= q ? u - q : u;
  }
}

}  // namespace sotto::he
