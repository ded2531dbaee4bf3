#pragma once
/// @file prf.h
/// A random-access pseudo-random function: word(i, j) = the first 8 bytes of AES-128_key(i || j).
/// Lets a party evaluate just the entries of a large random table that it needs (lookup tables).

#include <cstdint>
#include <memory>
#include <span>

#include "sotto/crypto/prg.h"

namespace sotto {

class Prf {
 public:
  explicit Prf(const Prg::Seed& key);
  ~Prf();
  Prf(Prf&&) noexcept;
  Prf& operator=(Prf&&) noexcept;

  /// out[t] = F(hi[t], lo[t]) for every t (batched AES-ECB, ~1 ns per word with AES-NI).
  void eval(std::span<const uint64_t> hi, std::span<const uint64_t> lo, std::span<uint64_t> out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sotto
