#pragma once
/// @file rns_poly.h
/// A polynomial of Z_Q[X]/(X^N + 1) held as its residues mod each prime of one level
/// (Q = q_level · … · q_{k−1}; sotto/he/context.h), row by row. Whether the rows are
/// coefficients or NTT evaluations is the owner's business (ciphertexts and keys: NTT form).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sotto::he {

class HeContext;

struct RnsPoly {
  uint64_t n = 0;
  size_t level = 0;            ///< index of the first prime in the context's list
  size_t rows = 0;             ///< number of primes: primeCount() − level
  std::vector<uint64_t> data;  ///< rows × n residues, row r mod prime level + r

  /// The zero polynomial of a level. @throws InvalidArgument if level ≥ primeCount().
  static RnsPoly zero(const HeContext& ctx, size_t level = 0);

  std::span<uint64_t> row(size_t r) { return std::span(data).subspan(r * n, n); }
  std::span<const uint64_t> row(size_t r) const { return std::span(data).subspan(r * n, n); }
  bool operator==(const RnsPoly&) const = default;
};

/// In place, every row: coefficients → NTT evaluations.
void toNtt(const HeContext& ctx, RnsPoly& p);
/// In place, every row: NTT evaluations → coefficients.
void fromNtt(const HeContext& ctx, RnsPoly& p);
/// a += b (same level). @throws InvalidArgument on a level or size mismatch.
void addInplace(const HeContext& ctx, RnsPoly& a, const RnsPoly& b);
/// a −= b (same level). @throws InvalidArgument on a level or size mismatch.
void subInplace(const HeContext& ctx, RnsPoly& a, const RnsPoly& b);
/// a ⊙= b, pointwise (both in NTT form; b's level ≤ a's level: b's rows for a's primes are used).
/// @throws InvalidArgument if b does not cover a's primes.
void mulInplace(const HeContext& ctx, RnsPoly& a, const RnsPoly& b);
/// The rows of p for the primes of `level` ≥ p.level (dropping the first ones, no rounding).
RnsPoly dropToLevel(const RnsPoly& p, size_t level);

}  // namespace sotto::he
