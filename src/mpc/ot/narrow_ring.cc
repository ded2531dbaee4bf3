// Kernels at the boundary of a narrow ring Z_2^ℓ (the HE layers' output shares) and Z_2^64:
// SCI's signed extension (Rathee et al., CCS 2020; SiRnn, S&P 2021, section 3) and the ReLU of an
// ℓ-bit value with its result in Z_2^64 (DReLU on ℓ bits, then the multiplexer with extension).
#include "bit_stream.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

namespace {

void checkWidth(const char* what, int bits) {
  SOTTO_ENFORCE(bits >= 1 && bits <= 64, "OtKernels::", what, ": bits = ", bits, " not in [1, 64]");
}

}  // namespace

OtKernels::Cots OtKernels::cotsForNarrow(Kernel kernel, size_t n, int bits) {
  checkWidth("cotsForNarrow", bits);
  // lessThan(ℓ − 1) for the sign (nothing if ℓ = 1)
  const Cots sign = bits > 1 ? cotsForLessThan(n, bits - 1) : Cots{};
  switch (kernel) {
    case Kernel::kMsb:
      return sign;
    case Kernel::kExtendSigned: {
      if (bits == 64) return {};
      Cots c = cotsForLessThan(n, bits);  // the wrap
      c += {n, 0};                        // its B2A
      return c;
    }
    case Kernel::kSelectTruncatePositive:
      return {3 * n, n};
    case Kernel::kRelu: {
      Cots c = sign;
      c += bits == 64 ? Cots{n, n} : Cots{3 * n, n};
      return c;
    }
    default:
      break;
  }
  SOTTO_ENFORCE(false, "OtKernels::cotsForNarrow: kernel ", static_cast<int>(kernel),
                " has no narrow-ring form (kMsb, kExtendSigned, kSelectTruncatePositive, kRelu)");
  return {};
}

std::vector<uint64_t> OtKernels::extendSigned(std::span<const uint64_t> x, int bits) {
  checkWidth("extendSigned", bits);
  std::vector<uint64_t> out(x.begin(), x.end());
  if (bits == 64) return out;
  // x' = x + 2^(ℓ−1) ∈ [0, 2^ℓ) unsigned; x' = x'0 + x'1 − 2^ℓ·w (x'_p the low ℓ bits), so
  // x = x'0 + x'1 − 2^ℓ·w − 2^(ℓ−1) in Z_2^64, w needed mod 2^(64−ℓ) only.
  const uint64_t half = uint64_t{1} << (bits - 1);
  for (auto& v : out) v = detail::lowBits(rank() == 0 ? v + half : v, bits);
  const std::vector<uint64_t> w = b2a(narrowWrap(out, bits), 64 - bits);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] -= w[i] << bits;
    if (rank() == 0) out[i] -= half;
  }
  return out;
}

std::vector<uint64_t> OtKernels::reluExtend(std::span<const uint64_t> x, int bits) {
  checkWidth("reluExtend", bits);
  const BitShares d = drelu(x, bits);
  if (bits == 64) return select(d, x);  // relu's
  return selectTruncatePositive(d, x, 0, bits);
}

}  // namespace sotto
