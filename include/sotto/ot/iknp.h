#pragma once
/// @file iknp.h
/// IKNP OT extension producing correlated OTs with a global Δ (random COT). Ishai, Kilian, Nissim,
/// Petrank, "Extending Oblivious Transfers Efficiently" (CRYPTO 2003), in the correlated-OT form of
/// Asharov, Lindell, Schneider, Zohner, "More Efficient Oblivious Transfer and Extensions for
/// Faster Secure Computation" (CCS 2013) with one Δ for every COT, as in Ferret and emp-ot:
///
///   COT sender (holds Δ):           q_i
///   COT receiver (holds choice b_i): t_i = q_i ⊕ b_i·Δ
///
/// Setup: κ = 128 base OTs (base_ot.h) run the other way: the COT receiver is the base-OT sender
/// with seed pairs (k0_j, k1_j); the COT sender chooses bit j of Δ and gets k_{Δ_j, j}.
/// Extension of n COTs (choices r ∈ {0,1}^n): with G the AES-128-CTR PRG (sotto::Prg) continuing
/// each seed's stream, the receiver sends the columns u_j = G(k0_j) ⊕ G(k1_j) ⊕ r; the sender sets
/// column j of Q to G(k_{Δ_j, j}) ⊕ Δ_j·u_j = G(k0_j) ⊕ Δ_j·r; row i of Q is q_i, row i of
/// T = (G(k0_j))_j is t_i, and t_i = q_i ⊕ r_i·Δ. The 128 × n bit matrices are transposed in
/// 128 × 128 tiles (src/ot/transpose.h).
///
/// Convention: Δ's bit 0 is 1 (so Δ ≠ 0, and a COT's two blocks differ in bit 0, the pointer bit of
/// garbling); the other 127 bits are uniform. Choice bits are returned apart from the blocks (q_i
/// and t_i are uniform in all 128 bits).
///
/// Security: semi-honest, κ = 128 (params.h). The sender's view (u_j) is uniform given its base-OT
/// keys, so it learns nothing of r; the receiver's view is the base OT's. Not protected: a
/// malicious receiver sending inconsistent u_j learns bits of Δ (KOS's consistency check, not
/// implemented, would be needed); outputs are raw correlations: hash them (session.h) before using
/// them as one-time pads, since q_i ⊕ t_i = b_i·Δ links all of them.
///
/// Cost: setup = base OT (2 messages, 4,128 bytes). extend(n): ⌈n / 32768⌉ messages receiver →
/// sender (one-way, no round trip), 16·n' bytes in all where n' rounds each message's part up to a
/// multiple of 128 (128 bits per COT). Compute: the receiver draws 2·128 PRG bits per COT, the
/// sender 128, each transposes its matrix.
/// Contract: both parties call extend with the same n, in the same order, one thread each.

#include <cstddef>
#include <span>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/crypto/prg.h"
#include "sotto/ot/block.h"

namespace sotto::ot {

/// COT messages are cut into parts of this many COTs (one message each, 512 KiB).
inline constexpr size_t kIknpChunk = size_t{1} << 15;

/// The COT sender (it holds Δ; it is the base-OT receiver).
class IknpCotSender {
 public:
  /// Runs the base OTs with `peer` (collective with the peer's IknpCotReceiver constructor).
  /// @throws as baseOtReceive (base_ot.h).
  IknpCotSender(Communicator& comm, int peer);

  /// The global correlation Δ (bit 0 set).
  Block delta() const { return delta_; }

  /// q.size() fresh COTs: q[i] = q_i. Collective with the receiver's extend of the same size.
  /// @throws CommError if the receiver extends by another size; Timeout.
  void extend(std::span<Block> q);

 private:
  Communicator& comm_;
  int peer_;
  Block delta_;
  std::vector<Prg> prgs_;  // G(k_{Δ_j, j}), j < 128
  std::vector<std::byte> u_, g_;
};

/// The COT receiver (it picks the choice bits; it is the base-OT sender).
class IknpCotReceiver {
 public:
  /// Runs the base OTs with `peer` (collective with the peer's IknpCotSender constructor).
  /// @throws as baseOtSend (base_ot.h).
  IknpCotReceiver(Communicator& comm, int peer);

  /// t.size() COTs with the given choices (packed: bit i at byte i / 8, bit i % 8; at least
  /// ⌈t.size() / 8⌉ bytes): t[i] = q_i ⊕ b_i·Δ. Collective with the sender's extend.
  /// @throws InvalidArgument choices too short; CommError / Timeout.
  void extend(std::span<const std::byte> choices, std::span<Block> t);

 private:
  Communicator& comm_;
  int peer_;
  std::vector<Prg> prgs0_, prgs1_;  // G(k0_j), G(k1_j)
  std::vector<std::byte> u_, g_;
};

}  // namespace sotto::ot
