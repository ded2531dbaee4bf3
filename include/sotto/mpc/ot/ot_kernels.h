#pragma once
/// @file ot_kernels.h
/// OtKernels: two-party kernels on additive shares over Z_2^64 (x = x0 + x1 mod 2^64) and XOR
/// shares of bits (b = b0 ⊕ b1, one byte 0/1 per bit), computed with oblivious transfer only: no
/// dealer, no third party. One object per party owns an OT session in each direction
/// (sotto/ot/session.h, makeOtPair); both parties make the same calls with the same sizes in the
/// same order. Words are interpreted as signed (two's complement) where a kernel says so; every
/// kernel is correct on the whole ring unless it says otherwise.
///
/// Papers: millionaires' comparison, DReLU, multiplexer, B2A: Rathee, Rathee, Kumar, Chandran,
/// Gupta, Rastogi, Sharma, "CrypTFlow2: Practical 2-Party Secure Inference", CCS 2020 (SCI);
/// bit triples from two random OTs: ibid., section 3 (after Asharov et al., CCS 2013);
/// products: Gilboa, "Two Party RSA Key Generation", CRYPTO 1999 (correlated-OT form of Demmler,
/// Schneider, Zohner, "ABY", NDSS 2015); truncation when the sign is known: Huang, Lu, Hong, Ding,
/// "Cheetah", USENIX Security 2022, section 4; exact truncation: Rathee et al., "SiRnn", S&P 2021
/// (wrap and carry bits from the millionaires' comparison).
///
/// Security: semi-honest, κ = 128 (computational), σ = 40 (statistical), as the OT engine
/// (sotto/ot/params.h). Every kernel is exact (failure probability 0) except truncatePositive,
/// Cheetah's 1-bit approximate truncation: its result may be one less than ⌊x / 2^f⌋ (the dropped
/// carry of the low f bits, a deterministic function of the shares), and garbage if x < 0. Not
/// protected: malicious parties (no checks), the wire itself (use the secure channel), the sizes
/// of the calls (n and f are public), and what an output reveals once opened.
///
/// Costs per call of n elements, measured by each party's comm.stats() after reserve() (the OT
/// extension's refills then happen outside the call; per COT they cost 16 B with IKNP, ≈ 0.06 B
/// with Ferret b13, session.h). Rounds are the blocking communicator calls a party makes (every
/// send, recv or exchange counts one). For lessThan on w bits: L = ⌈w / 4⌉ leaves and ⌈log2 L⌉
/// AND levels; the L − 1 merges of two nodes take one triple pair (a; b1, b2) each and open 3 bits
/// per party, the final merge 2 bits (formulas for L ≥ 2; L = 1 is the leaf OT alone).
///   | kernel              | rounds   | P0 sends B/el    | P1 sends B/el    | COTs 0→1, 1→0 |
///   | lessThan(w)         | 2+⌈lg L⌉ | 4L + (3L − 4)/8  | L/2 + (3L − 4)/8 | 5L − 1, L − 1 |
///   | msb, drelu (w = 63) | 6        | 69.5             | 13.5             | 79, 15        |
///   | b2a(bits)           | 2        | bits/8           | 1/8              | 1, 0          |
///   | select              | 2        | 8.125            | 8.125            | 1, 1          |
///   | selectTruncatePos.  | 2        | 24.125           | 8.375            | 3, 1          |
///   | relu, max           | 8        | 77.625           | 21.625           | 80, 16        |
///   | mul                 | 2        | 268              | 268              | 64, 64        |
///   | truncatePositive(f) | 2        | f/8              | 1/8              | 1, 0          |
///   | truncate(f = 16)    | 12       | 102.5            | 16.75            | 100, 18       |
/// Both parties together: drelu 664 bits per element plus 94 COTs; relu 794 + 96 COTs; mul
/// 4,288 + 128 COTs; truncatePositive f + 1 bits + 1 COT; truncate(16) 954 + 118 COTs. The
/// figures are exact when n is a multiple of 8 (bit messages are rounded up to whole bytes);
/// ot_kernels_test asserts them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/ot/session.h"

namespace sotto {

/// XOR shares of bits: one byte per bit, each 0 or 1.
using BitShares = std::vector<uint8_t>;

class OtKernels {
 public:
  /// The kernels, for reserve().
  enum class Kernel {
    kMsb,
    kB2a,
    kSelect,
    kSelectTruncatePositive,
    kRelu,
    kMax,
    kMul,
    kTruncatePositive,
    kTruncate
  };

  /// COTs a kernel takes from each direction: from party 0's sender session (party 0 → party 1)
  /// and from party 1's.
  struct Cots {
    size_t from_party0 = 0;
    size_t from_party1 = 0;
    Cots& operator+=(const Cots& o) {
      from_party0 += o.from_party0;
      from_party1 += o.from_party1;
      return *this;
    }
  };

  /// Sets up both OT directions over comm (collective; costs as makeOtPair: 4 messages,
  /// 8,256 bytes). options.tag defaults to "ot" (the OT traffic is counted under "ot/..." tags;
  /// the kernels' own messages under the caller's tag).
  /// @throws InvalidArgument if comm.worldSize() != 2; CommError / Timeout from the base OTs.
  explicit OtKernels(Communicator& comm, const ot::OtOptions& options = {});
  ~OtKernels();
  OtKernels(const OtKernels&) = delete;
  OtKernels& operator=(const OtKernels&) = delete;

  int rank() const { return comm_.rank(); }
  Communicator& comm() { return comm_; }

  /// COTs that `kernel` on n elements uses (frac_bits: the truncations' f).
  static Cots cotsFor(Kernel kernel, size_t n, int frac_bits = 16);
  /// COTs of lessThan(·, bits) on n elements.
  static Cots cotsForLessThan(size_t n, int bits);
  /// Precomputes COTs in both directions so that calls using up to `cots` send nothing for the
  /// OT extension (the offline phase; collective). Cost: see session.h's refills.
  void reserve(const Cots& cots);
  /// The one-time work of the OT extension, which the first kernels would otherwise pay
  /// (collective): with Ferret, its bootstrap and first round in each direction (one refill of
  /// OtOptions::batch COTs each way; b13: about 1 MB and a second of compute per direction,
  /// ferret.h), so that the next 10 M COTs per direction cost no message; with IKNP nothing
  /// (every IKNP refill is work done for the COTs it makes, not setup).
  /// @throws CommError / Timeout.
  void setup();

  /// Millionaires' comparison: party 0 holds a, party 1 holds b (each its own private values, the
  /// low `bits` bits used); returns XOR shares of [a < b] (unsigned).
  // leaves: 1-of-16 OT gives (lt_j, eq_j) ⊕ r_j; tree: lt = lt_H ⊕ eq_H·lt_L, eq = eq_H·eq_L
  /// Cost: as the table above.
  /// @throws InvalidArgument bits ∉ [1, 64]; CommError / Timeout.
  BitShares lessThan(std::span<const uint64_t> mine, int bits);

  /// XOR shares of x ∧ y for XOR-shared x, y, with bit triples from 2 random OTs each.
  // z = c ⊕ d·b_t ⊕ e·a_t ⊕ d·e, d = x ⊕ a_t, e = y ⊕ b_t opened
  /// Cost: 1 exchange, ⌈2n / 8⌉ B each way; 1 COT per AND each way.
  /// @throws InvalidArgument sizes differ; CommError / Timeout.
  BitShares andBits(std::span<const uint8_t> x, std::span<const uint8_t> y);

  /// XOR shares of the most significant bit of x (x < 0 as signed).
  // msb(x) = msb(x0) ⊕ msb(x1) ⊕ [2^63 − 1 − low63(x0) < low63(x1)]
  /// Cost: lessThan(63). @throws CommError / Timeout.
  BitShares msb(std::span<const uint64_t> x);
  /// XOR shares of DReLU(x) = 1 − msb(x) = [x ≥ 0] as signed. Cost: as msb.
  BitShares drelu(std::span<const uint64_t> x);

  /// Additive shares (mod 2^bits, in the low bits of each word) of the XOR-shared bit b.
  // b = b0 + b1 − 2·b0·b1, b0·b1 by one additive COT (party 0 sends b0, party 1 chooses b1)
  /// Cost: n COTs (party 0 → 1); 2 rounds; party 1 sends ⌈n/8⌉ B, party 0 ⌈n·bits/8⌉ B.
  /// @throws InvalidArgument bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> b2a(std::span<const uint8_t> b, int bits = 64);

  /// Multiplexer: additive shares of b·x for XOR-shared b and additively shared x.
  // b·x = b0·x0 + b1·(1 − 2b0)·x0 + b1·x1 + b0·(1 − 2b1)·x1 (two additive COTs, one per direction)
  /// The two directions' COTs share their exchanges (choice flips, then corrections).
  /// Cost: n COTs each way; 2 rounds; each party sends ⌈n/8⌉ + 8n B.
  /// @throws InvalidArgument sizes differ; CommError / Timeout.
  std::vector<uint64_t> select(std::span<const uint8_t> b, std::span<const uint64_t> x);

  /// Shares of b·⌊x / 2^f⌋ for XOR-shared b and additively shared x, where b = 1 only if x ≥ 0
  /// (0 ≤ x < 2^63 as signed; e.g. b = drelu(x)): the multiplexer and Cheetah's positive truncation
  /// in the same two exchanges. Exactly 0 where b = 0; where b = 1, ⌊x / 2^f⌋ or one less (the
  /// dropped carry, as truncatePositive); garbage where b = 1 and x < 0.
  // β·(x >> f) = β·(s0 + s1) − 2^(64−f)·β·(m0 ∨ m1), s_p = x_p >> f, m_p = msb(x_p): additive COTs
  // on b1, m1, b1·m1 (party 1 chooses) and on b0 (party 0 chooses)
  /// Cost: 2 rounds; COTs 3n from party 0, n from party 1; party 0 sends ⌈n/8⌉ + 24n B, party 1
  /// ⌈3n/8⌉ + 8n B. @throws InvalidArgument sizes differ, f ∉ [1, 63]; CommError / Timeout.
  std::vector<uint64_t> selectTruncatePositive(std::span<const uint8_t> b,
                                               std::span<const uint64_t> x, int f);

  /// ReLU(x) = x·DReLU(x), x signed over the whole ring. Cost: drelu + select.
  std::vector<uint64_t> relu(std::span<const uint64_t> x);

  /// max(x, y) = y + ReLU(x − y); exact when x − y does not overflow as signed 64-bit (|x − y| <
  /// 2^63, e.g. both in [−2^62, 2^62)). Cost: as relu. @throws InvalidArgument sizes differ.
  std::vector<uint64_t> max(std::span<const uint64_t> x, std::span<const uint64_t> y);

  /// Elementwise product of two additively shared vectors (mod 2^64).
  // x·y = x0·y0 + x1·y1 + Σ_k 2^k·(x0·y1[k] + x1·y0[k]), each term one correlated OT of 64 − k bits
  /// Cost: 64 random OTs per element each way; 2 rounds (two exchanges); each party sends
  /// 8 + 260 = 268 B per element (64 choice bits, Σ_k (64 − k) = 2080 bits of messages).
  /// @throws InvalidArgument sizes differ; CommError / Timeout.
  std::vector<uint64_t> mul(std::span<const uint64_t> x, std::span<const uint64_t> y);

  /// Cheetah's truncation when x is known non-negative (0 ≤ x < 2^63 as signed, e.g. after a
  /// ReLU): returns shares of ⌊x / 2^f⌋ or ⌊x / 2^f⌋ − 1 (the carry of the low f bits is
  /// dropped: the 1-bit error of Cheetah's truncation; no other failure). Garbage if x < 0.
  // x >> f ≈ (x0 >> f) + (x1 >> f) − 2^(64−f)·wrap, wrap = msb(x0) ∨ msb(x1) as msb(x) = 0
  /// Cost: n COTs (party 0 → 1); 2 rounds; party 0 sends ⌈n·f/8⌉ B, party 1 ⌈n/8⌉ B.
  /// @throws InvalidArgument f ∉ [0, 63]; CommError / Timeout.
  std::vector<uint64_t> truncatePositive(std::span<const uint64_t> x, int f);

  /// Exact arithmetic shift: shares of ⌊x / 2^f⌋ for any signed x (SiRnn's truncation; failure
  /// probability 0).
  // x' = x + 2^63: ⌊x/2^f⌋ = (x'0 >> f) + (x'1 >> f) + carry_f − 2^(64−f)·wrap − 2^(63−f)
  /// carry_f and wrap by lessThan (f and 64 bits), both bits to Z_2^64 by one b2a of 2n.
  /// Cost: lessThan(64) + lessThan(f) + b2a(2n, 64 bits).
  /// @throws InvalidArgument f ∉ [0, 63]; CommError / Timeout.
  std::vector<uint64_t> truncate(std::span<const uint64_t> x, int f);

 private:
  struct Triples;
  Triples bitTriples(size_t m, int per);
  /// m random OTs in each direction (this party's sender side, then its receiver side), both
  /// parties taking them in the same order.
  std::pair<std::vector<std::array<ot::Block, 2>>, ot::ChoiceBlocks> randomOtsBothWays(size_t m);
  std::vector<BitShares> andShared(std::span<const uint8_t> x, const std::vector<BitShares>& ys);
  /// Additive COTs both ways in two exchanges (choice flips, then corrections), from random OTs:
  /// this party offers offer[i] (its share of c·offer[i] is first[i]) and chooses with choice[i]
  /// over the other's offers (its share second[i]); the other party's offers number
  /// choice.size() and its choices offer.size().
  std::pair<std::vector<uint64_t>, std::vector<uint64_t>> additiveCotsBothWays(
      std::span<const uint64_t> offer, std::span<const uint8_t> choice);

  Communicator& comm_;
  bool ferret_ = false;  // the COTs come from Ferret (setup() bootstraps it)
  std::unique_ptr<ot::OtSender> send_;
  std::unique_ptr<ot::OtReceiver> recv_;
};

}  // namespace sotto
