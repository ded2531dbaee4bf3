#pragma once
/// @file prg.h
/// The pseudo-random generator behind every share and mask: AES-128 in counter mode (OpenSSL EVP,
/// AES-NI where the CPU has it), keyed by a 128-bit seed. Seeds come from the OS (getrandom).
/// Two parties holding the same seed draw the same stream: that is how dealer material is
/// compressed. Never use std::mt19937 or rand() for anything secret.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sotto {

class Prg {
 public:
  using Seed = std::array<uint8_t, 16>;

  /// A fresh seed from the operating system's CSPRNG. @throws Error if the OS refuses.
  static Seed osSeed();

  /// A generator seeded from the OS.
  Prg();
  /// A generator producing the AES-128-CTR keystream of `seed` (counter starting at 0).
  explicit Prg(const Seed& seed);
  ~Prg();
  Prg(Prg&&) noexcept;
  Prg& operator=(Prg&&) noexcept;

  /// Fills `out` with the next bytes of the stream. ~1 cycle/byte with AES-NI.
  void fill(std::span<std::byte> out);
  /// Fills `out` with uniform words of Z_2^64.
  void fill(std::span<uint64_t> out) { fill(std::as_writable_bytes(out)); }
  /// One uniform word.
  uint64_t next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto
