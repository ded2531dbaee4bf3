#pragma once
/// @file ferret.h
/// Ferret silent COT extension (Yang, Weng, Lan, Zhang, Wang, "Ferret: Fast Extension for
/// coRRElated oT with small communication", CCS 2020, ePrint 2020/924), semi-honest, with the
/// same global Δ as the IKNP COTs it starts from:
///
///   COT sender (holds Δ): q_i;   COT receiver: b_i, t_i = q_i ⊕ b_i·Δ   (b_i uniform, not chosen)
///
/// A round on an LpnRound (n, k, t, log_bin_size) of ferret_params.h takes k + t·log_bin_size
/// COTs ("base"): the last t·log_bin_size run the regular-noise MPCOT (t single-point COTs on the
/// correlated GGM tree of Half-Tree, Guo et al., EUROCRYPT 2023, one per bin of 2^log_bin_size;
/// src/ot/mpcot.h, src/ot/ggm.h), giving v and w = v ⊕ e·Δ with one 1 of e per bin at the point
/// the receiver's tree-COT choice bits spell (uniform); the first k are the LPN secret:
///   sender z_i = v_i ⊕ ⊕_{j<10} q_{A_ij};   receiver z'_i = w_i ⊕ ⊕_j t_{A_ij},
///   b'_i = e_i ⊕ ⊕_j b_{A_ij}                        (A public, from a fixed-seed AES PRG)
/// so z'_i = z_i ⊕ b'_i·Δ. The first round (on the bootstrap set) runs on IKNP COTs; every main
/// round keeps its last k + t·log_bin_size outputs as the next round's base and yields the rest.
/// Rounds run lazily, when extend needs more COTs than are left.
///
/// Cost per round: ONE message sender → receiver of 16·t·(log_bin_size − 1) B (one correction per
/// tree level but the first: a level's two sides XOR to Δ, so they form a COT that one block
/// opens; the leaves XOR to Δ, so the punctured leaf needs no correction; the receiver's points
/// come from its choice bits, so it sends nothing); no round trip. At b13: 245,760 B for
/// 10,017,120 COTs (0.196 bits/COT; the plain GGM tree of Ferret's paper and emp-ot sends
/// 16·t·(2·log_bin_size + 1) B plus the choice flips: 555,040 B, 0.44 bits/COT). The bootstrap
/// adds IKNP's 16 B per COT for its k + t·log_bin_size COTs (b13: 41,030 COTs, 657,408 B with the
/// parts padded to 128), the only receiver → sender traffic, and one bootstrap round (b13:
/// 117,504 B): 1,020,672 B in all for the first round, both directions. The LPN reserve (the
/// k + t·log_bin_size outputs a round keeps, 4.5% at b13) costs compute, not traffic.
/// Memory: n blocks per party (b13: 168 MB), plus the tree being grown.
///
/// Security: semi-honest, κ = 128, the LPN sets of ferret_params.h (never tuned); the correlated
/// tree's argument (TCCR hash, one tweak per tree level) is in src/ot/ggm.h. Not protected:
/// malicious parties (no consistency check on the MPCOT, no KOS check on the IKNP bootstrap); the
/// outputs are raw correlations: hash them before use as pads (session.h does).
/// Contract: both ends use the same parameters and call extend with the same sizes in the same
/// order, one thread each.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/ot/block.h"
#include "sotto/ot/ferret_params.h"
#include "sotto/ot/iknp.h"
#include "sotto/tensor/heap.h"

namespace sotto::ot {

namespace detail {
class CrHash;
}

/// The COT sender of a Ferret extension (holds Δ, the IKNP sender's).
class FerretCotSender {
 public:
  /// Uses `iknp` (a set-up IKNP sender to the same peer) for the bootstrap; no traffic here.
  /// @throws InvalidArgument if the set is not usable (n ≠ t·2^log_bin_size in either round,
  ///   bootstrap output below a main round's input, or a round yielding nothing).
  FerretCotSender(Communicator& comm, int peer, IknpCotSender& iknp, const FerretParams& params);
  ~FerretCotSender();
  FerretCotSender(const FerretCotSender&) = delete;
  FerretCotSender& operator=(const FerretCotSender&) = delete;

  Block delta() const { return delta_; }

  /// q.size() fresh COTs (running rounds as needed). Collective with the receiver's extend.
  /// @throws CommError / Timeout.
  void extend(std::span<Block> q);

  /// Rounds run so far (the bootstrap included).
  size_t rounds() const { return rounds_; }

 private:
  void round(const LpnRound& r, std::span<const Block> base, std::span<Block> out);
  void refill();

  Communicator& comm_;
  int peer_;
  IknpCotSender& iknp_;
  FerretParams params_;
  Block delta_;
  std::unique_ptr<detail::CrHash> hash_;
  uint64_t tweak_ = 0;
  size_t rounds_ = 0;
  // the last round's outputs: out_[used_, yield) are unused (on the heap's cached huge pages, so
  // the 168 MB of b13 are not faulted in 4 KiB at a time; Block's member initialisers still zero
  // them once, when first sized)
  sotto::detail::UninitVector<Block> out_;
  size_t used_ = 0, yield_ = 0;
};

/// The COT receiver of a Ferret extension (its choice bits are uniform, set by the protocol).
class FerretCotReceiver {
 public:
  /// As FerretCotSender's, with `iknp` a set-up IKNP receiver to the same peer.
  FerretCotReceiver(Communicator& comm, int peer, IknpCotReceiver& iknp,
                    const FerretParams& params);
  ~FerretCotReceiver();
  FerretCotReceiver(const FerretCotReceiver&) = delete;
  FerretCotReceiver& operator=(const FerretCotReceiver&) = delete;

  /// t.size() fresh COTs and their choice bits (0/1, one byte each; b.size() == t.size()).
  /// Collective with the sender's extend. @throws InvalidArgument sizes differ; CommError.
  void extend(std::span<Block> t, std::span<uint8_t> b);

  size_t rounds() const { return rounds_; }

 private:
  void round(const LpnRound& r, std::span<const Block> base_t, std::span<const uint8_t> base_b,
             std::span<Block> out_t, std::span<uint8_t> out_b);
  void refill();

  Communicator& comm_;
  int peer_;
  IknpCotReceiver& iknp_;
  FerretParams params_;
  std::unique_ptr<detail::CrHash> hash_;
  uint64_t tweak_ = 0;
  size_t rounds_ = 0;
  sotto::detail::UninitVector<Block> out_t_;  // as the sender's out_
  sotto::detail::UninitVector<uint8_t> out_b_;
  size_t used_ = 0, yield_ = 0;
};

}  // namespace sotto::ot
