#pragma once
/// @file params.h
/// Security parameters of the oblivious-transfer engine (sotto::ot), in one place, each with its
/// source. tests/unit/ot_params_test.cc asserts them; change them only with the cited reasoning.
///
/// Model: semi-honest (passive) parties. Nothing in sotto::ot protects against a party that
/// deviates from the protocol (a malicious IKNP receiver can learn bits of the sender's Δ; a
/// malicious base-OT party can bias its outputs); the channel's confidentiality and integrity
/// against network attackers is the communicator's job (secure_channel.h), not this layer's.

#include <cstddef>

namespace sotto::ot {

/// κ, the computational security parameter in bits: the adversary's work to break any primitive
/// used here is about 2^κ. It sets
/// - the number of base OTs and the width of every correlation: κ = 128 columns in IKNP
///   (Ishai, Kilian, Nissim, Petrank, "Extending Oblivious Transfers Efficiently", CRYPTO 2003,
///   where the number of base OTs is the security parameter k);
/// - AES-128 for the PRG and the fixed-key hash (Guo, Katz, Wang, Yu, "Efficient and Secure
///   Multiparty Computation from Fixed-Key Block Ciphers", IEEE S&P 2020: 128-bit keys and blocks);
/// - ristretto255 for the base OT (Chou, Orlandi, "The Simplest Protocol for Oblivious Transfer",
///   LATINCRYPT 2015): a prime-order group of order about 2^252, about 2^126 for discrete logs by
///   Pollard rho, the 128-bit level of RFC 7748 / RFC 9496.
/// One bit of Δ is fixed by convention (bit 0 = 1, see iknp.h), so Δ itself has κ − 1 = 127
/// unknown bits, as in emp-ot and Ferret's COT.
inline constexpr int kComputationalSecurity = 128;

/// σ, the statistical security parameter in bits: any event that breaks security without
/// breaking a computational assumption has probability at most 2^-σ. Neither the base OT nor the
/// semi-honest IKNP extension has such an event (they are perfectly correct); σ is the target for
/// the parameter sets still to come (Ferret's LPN sets, consistency checks), as in Ferret (Yang,
/// Weng, Lan, Zhang, Wang, CCS 2020) and KOS (Keller, Orsini, Scholl, CRYPTO 2015), which use 40.
inline constexpr int kStatisticalSecurity = 40;

/// Base OTs per direction of a pair of parties: one per column of the IKNP matrix.
inline constexpr size_t kBaseOts = kComputationalSecurity;

/// Bits in one correlation block (a Block): κ.
inline constexpr int kBlockBits = kComputationalSecurity;

}  // namespace sotto::ot
