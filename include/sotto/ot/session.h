#pragma once
/// @file session.h
/// The OT front end: per pair of parties and per direction, a session that streams correlations
/// in batches over any Communicator (so the secure channel, the delay decorator and the
/// statistics apply). OtSender and OtReceiver are the two ends of one direction; OtPair holds both
/// directions of a party over one communicator.
///
/// Every kind comes from random COTs with a global Δ (IKNP, iknp.h, or Ferret, ferret.h, as
/// OtOptions::extension says) that the session keeps in a buffer and refills in batches of
/// OtOptions::batch (or ahead of time with reserve()):
///   - random COT            sender q_i, Δ;             receiver b_i, t_i = q_i ⊕ b_i·Δ
///   - random OT (1-of-2)    sender (m0_i, m1_i);       receiver b_i, m_{b_i}
///       m_s = H(q_i ⊕ s·Δ, g_i), H the fixed-key-AES TCCR hash of Guo et al. (S&P 2020), g_i the
///       COT's index in the session (a fresh tweak per COT)
///   - chosen-message OT     sender (x0_i, x1_i) of ℓ ≤ 64 bits; receiver c_i gets x_{c_i}
///       receiver sends d_i = c_i ⊕ b_i; sender sends y_s = x_s ⊕ m_{s ⊕ d_i} (ℓ bits each)
///   - 1-of-N OT, N = 2^k, k ≤ 8, ℓ ≤ 64 bits per message, from k random OTs per instance (Naor,
///       Pinkas, "Oblivious Transfer and Polynomial Evaluation", STOC 1999, with the hash as the
///       PRF): receiver sends d = c ⊕ (b_0 … b_{k−1}); sender sends, for each x < N,
///       M_x ⊕ ⊕_j H(q_j ⊕ (x_j ⊕ d_j)·Δ, (g_j, 1 + x)) trimmed to ℓ bits
///   - 1-of-N OT of rows, N = 2^k, k ≤ 16: the same with each message a row of w values of ℓ bits;
///       the seed S_x = ⊕_j H(…) masks value v of the row with word v of S_x (lo, hi) if w ≤ 2,
///       else with word v of H(S_x, (0, D)) ‖ H(S_x, (1, D)) ‖ … (D a domain of its own)
///   - additive COT over Z_2^ℓ: sender x_i; receiver c_i gets y_i = c_i·x_i + r_i, sender gets
///       s_i = −r_i (mod 2^ℓ), so s_i + y_i = c_i·x_i. Receiver sends d_i, sender sends
///       u_i = k0 + x_i − k1 with k_s = m_{s ⊕ d_i} mod 2^ℓ; receiver y = m_{b_i} + c_i·u_i.
///
/// Cost per call (n instances; "COTs" are taken from the buffer, a refill of m COTs costs
/// ⌈m / 32768⌉ one-way messages receiver → sender, 16 bytes per COT, and no round trip with
/// IKNP; with Ferret, one message sender → receiver per Ferret round it runs, 245,760 B per
/// 10,017,120 COTs at b13, and the bootstrap on the first refill, see ferret.h):
///   | call           | COTs | receiver → sender | sender → receiver | messages |
///   | randomCot      | n    | 0                 | 0                 | 0        |
///   | randomOt       | n    | 0                 | 0                 | 0        |
///   | chosenOt       | n    | ⌈n / 8⌉ B         | ⌈2nℓ / 8⌉ B       | 2 (1 round trip) |
///   | oneOfN         | k·n  | ⌈kn / 8⌉ B        | ⌈2^k·nℓ / 8⌉ B    | 2 (1 round trip) |
///   | oneOfNRows     | k·n  | ⌈kn / 8⌉ B        | ⌈2^k·nwℓ / 8⌉ B   | 2 (1 round trip) |
///   | additiveCot    | n    | ⌈n / 8⌉ B         | ⌈nℓ / 8⌉ B        | 2 (1 round trip) |
/// Setup (the constructor): 128 base OTs (base_ot.h): 2 messages, 4,128 bytes.
///
/// Background refill: the constructors taking a second communicator `background` (between the same
/// two parties, this party with the same rank, used by nothing else while the session lives) run
/// the session's COT source there: the base OTs (in the constructor), then IKNP or Ferret on a
/// thread of the session that keeps kBackgroundAhead = 2 chunks of OtOptions::batch COTs (rounded
/// up to 128) ready ahead of the calls. A call that needs COTs takes whole chunks, waiting for the
/// thread only if it lags; the calls' own messages (chosen, 1-of-N, additive, SPCOT) still go over
/// `comm`. Both parties run the same chunks in the same order whatever the timing (the thread
/// makes chunk c, counting from 1, only once the calls have taken c − 2), so the correlations are
/// the same as without background but for the chunking (COTs come in whole chunks: a large request
/// is not extended straight into the caller's span). With Ferret a chunk that crosses a round runs
/// the round (b13: about a second of compute, one message) on the thread; a batch of a round's
/// yield lets a whole round run ahead. Costs: as without background, on `background`'s statistics
/// (read them only while no refill runs, e.g. after the session), plus the chunks made ahead and
/// unused at the end (at most 2). Errors of the thread (Timeout, PeerAborted, CommError: a peer
/// that stops refilling) are thrown, with their type and "background refill" in the message, by the
/// call that needs the chunk, and by every later one. The destructor lets the thread finish the
/// chunks already due (so the peer's thread is never left waiting), then joins it: with a dead peer
/// it returns after `background`'s timeout; it never throws. Any backend works: for MPI,
/// makeMpiCommunicator() twice (each a duplicate of MPI_COMM_WORLD); in process, a second
/// InprocWorld. Traffic is counted under the tags "<tag>/setup", "<tag>/extend" and "<tag>/<kind>"
/// (OtOptions::tag, default "ot"); with an empty tag the caller's tag applies.
///
/// Contract: the world has exactly 2 parties (for a pair inside a larger world, use a
/// SubCommunicator of the two); the two ends of a direction make the same calls with the same
/// sizes and widths in the same order, with equal OtOptions::batch (otherwise a refill's message
/// has the wrong size: CommError); one thread per communicator, as Communicator says. Several
/// sessions may share a communicator as long as both parties interleave their calls alike.
///
/// Security: semi-honest, κ = 128, σ = 40 (params.h). Not protected: malicious parties (no
/// consistency checks), the wire itself (use the secure channel), and the sizes of the calls.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/ot/block.h"
#include "sotto/ot/ferret_params.h"

namespace sotto::ot {

/// Where a session's random COTs come from.
enum class OtExtension {
  kIknp,    ///< IKNP (iknp.h): 128 bits per COT on the wire, no round trip
  kFerret,  ///< Ferret (ferret.h) bootstrapped from IKNP: < 0.5 bits per COT, rounds of ~10 M
};

struct OtOptions {
  /// COTs per refill (rounded up to a multiple of 128); a call needing more refills by what it
  /// needs. Must be equal on both parties.
  size_t batch = size_t{1} << 16;
  /// Tag prefix of the session's traffic in stats().by_tag; empty: no tag of its own.
  std::string tag = "ot";
  /// The COT source (equal on both parties). With kFerret a refill runs a Ferret round when the
  /// last round's COTs are used up: the first refill also bootstraps (IKNP COTs for the
  /// bootstrap set, then its round), costs and memory as ferret.h says (b13: 1.02 MB on the
  /// first refill, 246 KB per later round of 10,017,120 COTs, 168 MB per party).
  OtExtension extension = OtExtension::kIknp;
  /// Ferret's parameter set (ferret_params.h; equal on both parties), used with kFerret only.
  FerretParams ferret = kFerretB13;
};

/// The shape of one 1-of-2^k OT instance: k ∈ [1, 8] choice bits, messages of bits ∈ [1, 64].
struct OneOfNShape {
  int k = 1;
  int bits = 1;
};

/// Random COTs on the receiver's side: choices[i] ∈ {0, 1} and the blocks t_i (or m_{b_i}).
struct ChoiceBlocks {
  std::vector<uint8_t> choices;
  std::vector<Block> blocks;
};

namespace detail {
class CrHash;
}

/// The sending end of one direction (it holds Δ).
class OtSender {
 public:
  /// Runs the base OTs with the other party, whose OtReceiver constructor is the matching call.
  /// @throws InvalidArgument if comm.worldSize() != 2; ProtocolError / CommError / Timeout from
  ///   the base OT (message names the peer and the step).
  explicit OtSender(Communicator& comm, OtOptions options = {});
  /// As above, with the COT source on `background` and refilled by a thread of the session (see
  /// "Background refill" above). The base OTs run over `background`.
  /// @throws InvalidArgument background is comm, not 2 parties, or this party's rank differs;
  ///   as the other constructor.
  OtSender(Communicator& comm, Communicator& background, OtOptions options = {});
  ~OtSender();
  OtSender(const OtSender&) = delete;
  OtSender& operator=(const OtSender&) = delete;

  /// The global correlation of every COT of this session (bit 0 set).
  Block delta() const;

  /// Precomputes COTs so that the next calls using up to n COTs in all send nothing more.
  /// Cost: a refill of max(n − available, 0) COTs rounded up to 128 (see above); with a background
  /// refill, the chunks that cover n (waiting for the thread).
  /// @throws CommError / Timeout (from the refill, or the background thread's).
  void reserve(size_t n);
  /// COTs in the buffer.
  size_t available() const;

  /// n random COTs: q_i (the receiver gets t_i = q_i ⊕ b_i·Δ). Communication: refills only.
  std::vector<Block> randomCot(size_t n);
  /// The same into q (q.size() COTs): a large request is extended straight into q, so a caller
  /// that reuses q touches no fresh memory.
  void randomCot(std::span<Block> q);

  /// n random OTs: (m0_i, m1_i). Communication: refills only.
  std::vector<std::array<Block, 2>> randomOt(size_t n);
  /// The same into out (out.size() OTs).
  void randomOt(std::span<std::array<Block, 2>> out);

  /// Chosen-message OT: the receiver with choice c_i learns x[c_i][i] (the low `bits` bits).
  /// @throws InvalidArgument x0, x1 of different sizes, bits ∉ [1, 64]; CommError / Timeout.
  void chosenOt(std::span<const uint64_t> x0, std::span<const uint64_t> x1, int bits);

  /// 1-of-2^k OT on n = table.size() / 2^k instances: instance i offers table[i·2^k + x] for
  /// x < 2^k (the low `bits` bits). Uses k·n COTs.
  /// @throws InvalidArgument k ∉ [1, 8], bits ∉ [1, 64], table.size() not a multiple of 2^k;
  ///   CommError / Timeout.
  void oneOfN(std::span<const uint64_t> table, int k, int bits);
  /// The same for instances of different shapes in one round trip: instance i offers its
  /// 2^k_i entries (the low bits_i bits), back to back in `table`. Uses Σ k_i COTs; the receiver
  /// sends ⌈Σ k_i / 8⌉ B, the sender ⌈Σ 2^k_i·bits_i / 8⌉ B (with equal shapes: as above).
  /// @throws InvalidArgument a shape out of range, table.size() ≠ Σ 2^k_i; CommError / Timeout.
  void oneOfN(std::span<const uint64_t> table, std::span<const OneOfNShape> shapes);
  /// 1-of-2^k OT of rows on n = rows.size() / (2^k·width) instances: instance i offers row x < 2^k,
  /// the `width` values rows[(i·2^k + x)·width + v] (their low `bits` bits). Uses k·n COTs; the
  /// sender hashes k·2^k blocks per instance (plus ⌈width / 2⌉·2^k if width > 2).
  /// @throws InvalidArgument k ∉ [1, 16], bits ∉ [1, 64], width = 0, rows.size() not a multiple
  ///   of 2^k·width; CommError / Timeout.
  void oneOfNRows(std::span<const uint64_t> rows, int k, int bits, size_t width);
  /// Writes instance i's 2^k·width row values (row-major) into `rows`.
  using RowFill = std::function<void(size_t instance, std::span<uint64_t> rows)>;
  /// The same on n instances whose rows are made on demand by fill (called once per instance,
  /// in order), so that no table of n·2^k rows is held. @throws as above (but the size check).
  void oneOfNRows(size_t n, int k, int bits, size_t width, const RowFill& fill);

  /// Additive COT over Z_2^bits: returns s_i = −r_i with s_i + y_i = c_i·x_i (mod 2^bits),
  /// y_i the receiver's output. Results are reduced mod 2^bits.
  /// @throws InvalidArgument bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> additiveCot(std::span<const uint64_t> x, int bits);

  /// Single-point COT, the building block of Ferret's MPCOT (Yang, Weng, Lan, Zhang, Wang,
  /// "Ferret", CCS 2020, section 4; semi-honest) on the correlated GGM tree of Half-Tree (Guo et
  /// al., EUROCRYPT 2023): returns v of 2^depth blocks, the leaves of a tree whose level 1 is the
  /// first COT; the receiver with point α gets w = v ⊕ e_α·Δ. Uses depth COTs: the receiver sends
  /// the flips that make level i's COT choose the side off α's path, the sender one correction
  /// block per level i ≥ 2 (every level of the tree XORs to Δ, so a level's two sides form a COT,
  /// and the leaves XOR to Δ, so the leaf at α needs no correction). Cost: ⌈depth / 8⌉ B receiver
  /// → sender, 16·(depth − 1) B back, 2 messages (1 if depth = 1); 2^depth − 1 hashes each side.
  /// @throws InvalidArgument depth ∉ [1, 24]; CommError / Timeout.
  std::vector<Block> singlePointCot(int depth);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The receiving end of one direction (it picks the choice bits).
class OtReceiver {
 public:
  /// Runs the base OTs with the other party, whose OtSender constructor is the matching call.
  /// @throws as OtSender's constructor.
  explicit OtReceiver(Communicator& comm, OtOptions options = {});
  /// As above, with the COT source on `background` (see OtSender's).
  /// @throws as OtSender's.
  OtReceiver(Communicator& comm, Communicator& background, OtOptions options = {});
  ~OtReceiver();
  OtReceiver(const OtReceiver&) = delete;
  OtReceiver& operator=(const OtReceiver&) = delete;

  /// As OtSender::reserve (collective with it).
  void reserve(size_t n);
  size_t available() const;

  /// n random COTs: uniform choices b_i and t_i = q_i ⊕ b_i·Δ.
  ChoiceBlocks randomCot(size_t n);
  /// The same into t and choices (of equal sizes). @throws InvalidArgument sizes differ.
  void randomCot(std::span<Block> t, std::span<uint8_t> choices);

  /// n random OTs: uniform choices b_i and m_{b_i}.
  ChoiceBlocks randomOt(size_t n);
  /// The same into m and choices (of equal sizes). @throws InvalidArgument sizes differ.
  void randomOt(std::span<Block> m, std::span<uint8_t> choices);

  /// Chosen-message OT: returns x_{c_i} (bits bits) for choices c_i ∈ {0, 1}.
  /// @throws InvalidArgument a choice other than 0/1, bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> chosenOt(std::span<const uint8_t> choices, int bits);

  /// 1-of-2^k OT: returns entry choices[i] < 2^k of instance i.
  /// @throws InvalidArgument k ∉ [1, 8], a choice ≥ 2^k, bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> oneOfN(std::span<const uint8_t> choices, int k, int bits);
  /// The same for instances of different shapes (OtSender's), choices[i] < 2^k_i.
  /// @throws InvalidArgument sizes differ, a shape out of range or a choice too large;
  ///   CommError / Timeout.
  std::vector<uint64_t> oneOfN(std::span<const uint8_t> choices,
                               std::span<const OneOfNShape> shapes);
  /// 1-of-2^k OT of rows: returns row choices[i] < 2^k of instance i, `width` values each
  /// (n·width values, instance-major).
  /// @throws InvalidArgument k ∉ [1, 16], a choice ≥ 2^k, bits ∉ [1, 64], width = 0;
  ///   CommError / Timeout.
  std::vector<uint64_t> oneOfNRows(std::span<const uint16_t> choices, int k, int bits,
                                   size_t width);

  /// Additive COT: returns y_i = c_i·x_i + r_i (mod 2^bits) for choices c_i ∈ {0, 1}.
  /// @throws InvalidArgument a choice other than 0/1, bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> additiveCot(std::span<const uint8_t> choices, int bits);

  /// Single-point COT at point alpha < 2^depth: returns w = v ⊕ e_alpha·Δ (see OtSender's).
  /// @throws InvalidArgument depth ∉ [1, 24] or alpha ≥ 2^depth; CommError / Timeout.
  std::vector<Block> singlePointCot(uint64_t alpha, int depth);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Both directions of one party over one communicator: `send` pairs with the other party's
/// `recv`. Party 0's sender and party 1's receiver are set up first, then the other direction.
struct OtPair {
  std::unique_ptr<OtSender> send;
  std::unique_ptr<OtReceiver> recv;
};

/// Sets up both directions (collective: both parties call it). Cost: 2 base-OT setups, 4 messages,
/// 8,256 bytes. @throws as OtSender's constructor.
OtPair makeOtPair(Communicator& comm, const OtOptions& options = {});

}  // namespace sotto::ot
