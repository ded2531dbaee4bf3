#pragma once
/// @file ferret_params.h
/// Parameter sets of Ferret's silent COT extension (Yang, Weng, Lan, Zhang, Wang, "Ferret: Fast
/// Extension for coRRElated oT with small communication", CCS 2020, ePrint 2020/924): primal LPN
/// with regular noise over F_2, every output row the XOR of d = 10 uniformly chosen inputs.
///
/// One round turns `k + t·log_bin_size` COTs into `n` COTs: k are the LPN secret (the "base"),
/// t·log_bin_size feed the t GGM trees of the multi-point COT (one tree of 2^log_bin_size leaves
/// per bin, so the noise has exactly one 1 in each of the t bins and n = t·2^log_bin_size). The
/// round keeps `reserved()` of its n outputs for the next round and yields the rest.
/// The first round runs on the bootstrap set from IKNP COTs; its n outputs seed the main rounds.
///
/// Source of the numbers: emp-ot (emp-toolkit/emp-ot, emp-ot/ferret/constants.h at commit
/// 18f83b8358ab3c03af539af6656a261eaa9c8bcd, the sets ferret_b13 / ferret_b12 / ferret_b11 with
/// their "pre" sets), the sets emp-ot ships for κ = 128 against the LPN attacks the Ferret paper
/// analyses (section 6 and its parameter table). Copied exactly, never tuned:
/// tests/unit/ot_ferret_params_test.cc asserts every field. emp-ot also reserves 128 COTs per
/// round for the malicious consistency check; Sotto is semi-honest and checks the bound with them
/// anyway (n_pre ≥ k + t·log_bin_size + 128, emp-ot's own check), so a malicious variant fits.
///
/// Security: semi-honest, κ = 128 computational (the LPN sets), σ = 40 does not enter (params.h).
/// Not protected: malicious parties (a sender sending inconsistent GGM level sums makes the
/// receiver's outputs fail selectively on its noise positions; Ferret's consistency check, which
/// would catch it, is not implemented).

#include <cstddef>
#include <cstdint>

namespace sotto::ot {

/// One LPN round: n outputs from k base COTs and t bins of 2^log_bin_size.
struct LpnRound {
  size_t n = 0;          ///< COTs out of the round
  size_t k = 0;          ///< LPN dimension: base COTs XORed into the outputs
  size_t t = 0;          ///< noise weight: one noisy position (one GGM tree) per bin
  int log_bin_size = 0;  ///< log2 of the bin size (the depth of each GGM tree)

  /// COTs one round consumes: the k base COTs and log_bin_size per tree.
  constexpr size_t consumed() const { return k + t * static_cast<size_t>(log_bin_size); }
  /// Size of one bin.
  constexpr size_t binSize() const { return size_t{1} << log_bin_size; }
};

/// LPN noise density: each output is the XOR of this many base COTs (emp-ot's LpnF2<…, 10>).
inline constexpr int kLpnD = 10;

/// COTs emp-ot sets aside per round for the malicious consistency check (counted in the bounds
/// only: the semi-honest engine does not consume them).
inline constexpr size_t kFerretCheckCots = 128;

/// A Ferret parameter set: the main round and the bootstrap ("pre") round before it.
struct FerretParams {
  const char* name = "";
  LpnRound main;
  LpnRound bootstrap;

  /// COTs each main round keeps for the next main round.
  constexpr size_t reserved() const { return main.consumed(); }
  /// COTs each main round yields to the caller.
  constexpr size_t yield() const { return main.n - reserved(); }
};

/// emp-ot ferret_b13: n = 10,485,760 = 1,280 · 2^13, k = 452,000; pre: 918 · 2^9, k = 32,768.
inline constexpr FerretParams kFerretB13{
    "b13", {10485760, 452000, 1280, 13}, {470016, 32768, 918, 9}};
/// emp-ot ferret_b12: n = 10,268,672 = 2,507 · 2^12, k = 238,000; pre: 1,050 · 2^8, k = 17,384.
inline constexpr FerretParams kFerretB12{
    "b12", {10268672, 238000, 2507, 12}, {268800, 17384, 1050, 8}};
/// emp-ot ferret_b11: n = 10,180,608 = 4,971 · 2^11, k = 124,000; pre: 699 · 2^8, k = 17,384.
inline constexpr FerretParams kFerretB11{
    "b11", {10180608, 124000, 4971, 11}, {178944, 17384, 699, 8}};

/// True if the set has the shape the rounds rely on: n = t·2^log_bin_size in both rounds, and the
/// bootstrap's output covers a main round's input plus emp-ot's 128 check COTs.
constexpr bool consistent(const FerretParams& p) {
  return p.main.n == p.main.t * p.main.binSize() &&
         p.bootstrap.n == p.bootstrap.t * p.bootstrap.binSize() &&
         p.bootstrap.n >= p.main.consumed() + kFerretCheckCots && p.main.n > p.reserved() &&
         p.main.k > 0 && p.bootstrap.k > 0;
}

}  // namespace sotto::ot
