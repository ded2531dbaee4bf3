#pragma once
// The engine's correlation-robust hash: Guo, Katz, Wang, Yu, "Efficient and Secure Multiparty
// Computation from Fixed-Key Block Ciphers" (IEEE S&P 2020), the tweakable circular-correlation-
// robust construction of their section 7:
//   H(x, i) = π(π(x) ⊕ i) ⊕ π(x)
// with π = AES-128 under a fixed public key (OpenSSL EVP, AES-NI) and i a 128-bit tweak. Secure
// (TCCR) as long as no (x, i) pair is hashed twice in a role where it must look random: the OT
// front end uses the COT's global index as the tweak, so every COT is hashed under its own tweak.
// Two AES calls per hash, batched.
#include <cstdint>
#include <memory>
#include <span>

#include "sotto/ot/block.h"

namespace sotto::ot::detail {

class CrHash {
 public:
  CrHash();
  ~CrHash();
  CrHash(CrHash&&) noexcept;
  CrHash& operator=(CrHash&&) noexcept;

  /// out[i] = H(in[i], tweak[i]). All three of the same size; out may alias in (each pass reads
  /// its inputs before writing its outputs).
  void hash(std::span<const Block> in, std::span<const Block> tweak, std::span<Block> out);
  /// out[i] = H(in[i], (first + i, domain)): consecutive indices in one domain.
  void hashSeq(std::span<const Block> in, uint64_t first, uint64_t domain, std::span<Block> out);
  /// out[i] = H(in[i], tweak): one tweak for the whole batch (a GGM level, ggm.h).
  void hashFixed(std::span<const Block> in, Block tweak, std::span<Block> out);

 private:
  void permute(std::span<const Block> in, std::span<Block> out);  // π, batched
  template <typename Tweak>
  void run(std::span<const Block> in, std::span<Block> out, Tweak&& tweak);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto::ot::detail
