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
/// (wrap and carry bits from the millionaires' comparison); lookup tables: ibid. (the LUT
/// protocol) and the product of operands of different bit widths (section 3), on 1-of-2^k OT from
/// k random OTs (Naor, Pinkas, STOC 1999; session.h).
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
/// send, recv or exchange counts one). lessThan on w bits with leaf width m (kLeafBits = 4 unless
/// given): L leaves of m bits but the top one, which takes the remainder r = w mod m if m + r ≤ 4
/// (L = ⌊w / m⌋) and is r bits wide otherwise (L = ⌈w / m⌉); leaf j is a 1-of-2^w_j OT on its
/// digit of w_j bits with messages of 2 bits (lt, eq), but leaf 0's of 1 bit (lt: its eq is never
/// read), so party 0's tables hold T = 2^w_0 + 2·Σ_{j≥1} 2^w_j bits; then D = ⌈log2 L⌉ AND
/// levels: the L − 1 merges take one triple pair (a; b1, b2) each (one random OT each way) and
/// open 3 bits per party, but for the lowest node of each level, whose eq no one reads: 2 bits,
/// so A = 3(L − 1) − D bits opened per party (formulas for L ≥ 2; L = 1 is the leaf OT alone).
///   | kernel              | rounds | P0 sends bits/el     | P1 sends bits/el | COTs 0→1, 1→0   |
///   | lessThan(w, m)      | 2 + D  | T + A                | w + A            | w + L − 1, L − 1 |
///   | msb, drelu (w = 63) | 6      | 521                  | 104              | 78, 15          |
///   | lessThan(64)        | 6      | 537                  | 105              | 79, 15          |
///   | lessThan(64, 2)     | 7      | 340                  | 152              | 95, 31          |
///   | b2a(bits)           | 2      | bits                 | 1                | 1, 0            |
///   | select              | 2      | 65                   | 65               | 1, 1            |
///   | selectTruncatePos.  | 2      | 193                  | 67               | 3, 1            |
///   | relu, max           | 8      | 586                  | 169              | 79, 16          |
///   | mul                 | 2      | 2144                 | 2144             | 64, 64          |
///   | truncatePositive(f) | 2      | f                    | 1                | 1, 0            |
///   | truncate(f)         | 4 + D  | T + A + E' + 62 + f  | 64 + A + E' + 2  | 65+L+E, L−1+E   |
///   | truncate(f = 16)    | 9      | 418                  | 154              | 97, 31          |
///   | truncate(f = 13)    | 9      | 422                  | 153              | 97, 31          |
///   | lookup(k, c, ℓ)     | 2      | 2^k·c·ℓ              | k                | k, 0            |
///   | msb, drelu(ℓ)       | lessThan(ℓ − 1); ℓ = 1: nothing; ℓ = 64: the w = 63 row           |
///   | msb, drelu(ℓ = 44)  | 6      | 346                  | 69               | 53, 10          |
///   | extendSigned(ℓ)     | 4 + D  | T + A + 64 − ℓ       | ℓ + A + 1        | ℓ + L, L − 1    |
///   | extendSigned(44)    | 8      | 382                  | 71               | 55, 10          |
///   | selectTruncPos.(ℓ)  | 2      | 193                  | 67               | 3, 1            |
///   | reluExtend(ℓ = 44)  | 8      | 539                  | 136              | 56, 11          |
/// truncate(f) runs one tree on 64 bits with kTruncateLeafBits = 2 whose low f bits are leaves of
/// their own, as lessThan's on f and on 64 − f bits (L = 32 for even f, 31 for odd f ≥ 3, 32 for
/// f = 1: D = 5, 9 rounds, for every f), its prefix of P = ⌊f / 2⌋ leaves (1 for f = 1) merged
/// from popcount(P) tree nodes by E = popcount(P) − 1 more merges in the same rounds (E' = 3E − 1
/// bits opened per party if E ≥ 1, else 0), then one COT round trip of mixed widths (63 bits for
/// the carry, f − 1 for the wrap; for f = 1, 63 bits and 1 COT, party 1 sends 1 bit).
/// Both parties together, with Ferret's COTs counted at 0.5 bit each (issue 16's measure):
/// drelu 625 bits + 93 COTs ≈ 671.5; lessThan(64) 642 + 94 ≈ 689; lessThan(64, 2) 492 + 126
/// ≈ 555 (one round more); relu 755 + 95 ≈ 802.5; mul 4,288 + 128 ≈ 4,352; truncatePositive f + 1
/// bits + 1 COT; truncate(16) 572 + 128 ≈ 636 (exact); lookup of k index bits and c columns of
/// ℓ bits: 2^k·c·ℓ + k bits + k COTs (k = 8, c = 1, ℓ = 64: 16,392 bits; k = 4, ℓ = 16: 260 bits).
/// mulMixed(m, n), l = min(m + n, 64): Gilboa's 2 rounds (m COTs each way; each party sends
/// m + m·l − m(m − 1)/2 bits per element), then lessThan(max(m, n)) and select on the 2 wraps per
/// element (1 if m or n is 64): m = n = 16: 8 rounds, party 0 sends 97 B and party 1 73 B per
/// element (1,360 bits both; ot_mixed_mul_test asserts them). The figures are exact when n
/// is a multiple of 8 (bit messages are rounded up to whole bytes); ot_kernels_test asserts them.
/// Narrow ring (the HE layers' outputs; issue 17, item 4): an ℓ-bit value x is given as shares
/// whose low ℓ bits count (x = x0 + x1 mod 2^ℓ, the higher bits of each word ignored), read as
/// signed: x ∈ [−2^(ℓ−1), 2^(ℓ−1)), 1 ≤ ℓ ≤ 64 (ℓ = 64: the whole-ring kernels, same cost). The
/// kernels taking `bits` = ℓ return shares in Z_2^64 of the signed value, exactly. Overflow bound:
/// the conversion is exact for every ℓ-bit value; a true result outside [−2^(ℓ−1), 2^(ℓ−1)) was
/// already reduced mod 2^ℓ by whoever made the shares and comes out as that reduced value (the
/// producer must keep |result| < 2^(ℓ−1)). extendSigned is lessThan(ℓ) + b2a on 64 − ℓ bits,
/// lessThan(ℓ) as the table's first row with w = ℓ (ℓ = 44: L = 11, D = 4, T = 336, A = 26).
/// drelu(ℓ) costs lessThan(ℓ − 1) (ℓ = 44: 43 bits, 11 leaves); reluExtend(ℓ) = drelu(ℓ) +
/// selectTruncatePositive(·, ·, 0, ℓ), 2 rounds and 3, 1 COTs more. Both parties, COTs at 0.5
/// bit: drelu(44) 415 + 63 ≈ 446.5 (against 671.5 at 64 bits); reluExtend(44) 675 + 67 ≈ 708.5
/// (relu: 802.5); extendSigned(44) 453 + 65 ≈ 485.5. ot_narrow_ring_test asserts them.

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
  /// Digit width of the comparison tree's leaves (1-of-2^leaf_bits OTs): lessThan's default,
  /// msb, drelu, relu, max (the fewer rounds); the exact truncation's (the fewer bits).
  static constexpr int kLeafBits = 4;
  static constexpr int kTruncateLeafBits = 2;

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
    kTruncate,
    kLookup,
    kExtendSigned
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

  /// COTs that `kernel` on n elements uses (bits: the truncations' f, the lookup's index bits k,
  /// extendSigned's ℓ).
  /// @throws InvalidArgument for kTruncate with bits > 63, kExtendSigned with bits ∉ [1, 64].
  static Cots cotsFor(Kernel kernel, size_t n, int bits = 16);
  /// COTs of the narrow-ring kernels on n elements of ℓ = bits bits: kMsb (msb, drelu),
  /// kExtendSigned, kSelectTruncatePositive (every f; f ≥ 1 if ℓ = 64), kRelu (reluExtend).
  /// @throws InvalidArgument another kernel, bits ∉ [1, 64].
  static Cots cotsForNarrow(Kernel kernel, size_t n, int bits);
  /// COTs of lessThan(·, bits, leaf_bits) on n elements. @throws InvalidArgument as lessThan.
  static Cots cotsForLessThan(size_t n, int bits, int leaf_bits = kLeafBits);
  /// COTs of mulMixed(·, m, ·, n_bits) on n elements.
  static Cots cotsForMulMixed(size_t n, int m, int n_bits);
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
  /// low `bits` bits used); returns XOR shares of [a < b] (unsigned). leaf_bits: the digit width
  /// of the leaves (fewer rounds with wider leaves, fewer bits with narrower ones at Ferret's
  /// prices; the table above).
  // leaves: 1-of-2^m OT gives (lt_j, eq_j) ⊕ r_j; tree: lt = lt_H ⊕ eq_H·lt_L, eq = eq_H·eq_L
  /// Cost: as the table above.
  /// @throws InvalidArgument bits ∉ [1, 64], leaf_bits ∉ [1, 4]; CommError / Timeout.
  BitShares lessThan(std::span<const uint64_t> mine, int bits, int leaf_bits = kLeafBits);

  /// XOR shares of x ∧ y for XOR-shared x, y, with bit triples from 2 random OTs each.
  // z = c ⊕ d·b_t ⊕ e·a_t ⊕ d·e, d = x ⊕ a_t, e = y ⊕ b_t opened
  /// Cost: 1 exchange, ⌈2n / 8⌉ B each way; 1 COT per AND each way.
  /// @throws InvalidArgument sizes differ; CommError / Timeout.
  BitShares andBits(std::span<const uint8_t> x, std::span<const uint8_t> y);

  /// XOR shares of the most significant bit of the ℓ-bit x (ℓ = bits; x < 0 as signed ℓ-bit;
  /// the narrow ring above: only the low ℓ bits of the shares count).
  // msb_ℓ(x) = bit_{ℓ−1}(x0) ⊕ bit_{ℓ−1}(x1) ⊕ [2^(ℓ−1) − 1 − low_{ℓ−1}(x0) < low_{ℓ−1}(x1)]
  /// Cost: lessThan(ℓ − 1) (ℓ = 64: lessThan(63); ℓ = 1: no message).
  /// @throws InvalidArgument bits ∉ [1, 64]; CommError / Timeout.
  BitShares msb(std::span<const uint64_t> x, int bits = 64);
  /// XOR shares of DReLU(x) = 1 − msb(x) = [x ≥ 0] as signed ℓ-bit. Cost and throws: as msb.
  BitShares drelu(std::span<const uint64_t> x, int bits = 64);

  /// SCI's signed extension: shares mod 2^64 of the signed ℓ-bit x (ℓ = bits, only the low ℓ bits
  /// of the shares count), exact for every x ∈ [−2^(ℓ−1), 2^(ℓ−1)); ℓ = 64 returns x as it is.
  // x' = x + 2^(ℓ−1), w = [x'0 + x'1 ≥ 2^ℓ] (narrowWrap): x = x'0 + x'1 − 2^ℓ·w − 2^(ℓ−1)
  /// Cost: narrowWrap(ℓ) = lessThan(ℓ), then b2a(w, 64 − ℓ) (the table: extendSigned).
  /// @throws InvalidArgument bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> extendSigned(std::span<const uint64_t> x, int bits);

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

  /// Shares in Z_2^64 of b·⌊x / 2^f⌋ for XOR-shared b and additively shared ℓ-bit x (ℓ = bits;
  /// only the low ℓ bits of the shares count), where b = 1 only if x ≥ 0 (0 ≤ x < 2^(ℓ−1) as
  /// signed ℓ-bit; e.g. b = drelu(x, ℓ)): the multiplexer and Cheetah's positive truncation in the
  /// same two exchanges. Exactly 0 where b = 0; where b = 1, ⌊x / 2^f⌋ or one less (the dropped
  /// carry of the low f bits, as truncatePositive; exact for f = 0); garbage where b = 1, x < 0.
  /// Why: with x_p the low ℓ bits of share p, m_p = bit ℓ − 1 of x_p and x = x0 + x1 − 2^ℓ·w, the
  /// carry c into bit ℓ − 1 satisfies m0 ⊕ m1 ⊕ c = msb_ℓ(x) = 0, so c = m0 ⊕ m1 and the wrap
  /// w = maj(m0, m1, c) = m0 ∨ m1; ℓ = 64 is Cheetah's case. For ℓ < 64 the wrap term 2^(ℓ−f)·w
  /// survives even at f = 0: a select that also extends x to Z_2^64.
  // β·(x >> f) = β·(s0 + s1) − 2^(ℓ−f)·β·(m0 ∨ m1), s_p = x_p >> f: additive COTs on b1, m1,
  // b1·m1 (party 1 chooses) and on b0 (party 0 chooses)
  /// Cost: 2 rounds; COTs 3n from party 0, n from party 1; party 0 sends ⌈n/8⌉ + 24n B, party 1
  /// ⌈3n/8⌉ + 8n B (the same for every ℓ). @throws InvalidArgument sizes differ, bits ∉ [1, 64],
  /// f ∉ [1, 63] for ℓ = 64 or f ∉ [0, ℓ − 1] for ℓ < 64; CommError / Timeout.
  std::vector<uint64_t> selectTruncatePositive(std::span<const uint8_t> b,
                                               std::span<const uint64_t> x, int f, int bits = 64);
  /// As above with a shift per element (f.size() == x.size(), each in [0, ℓ − 1]; at ℓ = 64, 0:
  /// b·x exactly, at select's cost for that element: no COTs for its wrap), in the same two
  /// exchanges.
  /// @throws InvalidArgument sizes differ, bits ∉ [1, 64], an f_i ∉ [0, ℓ − 1]; CommError /
  ///   Timeout.
  std::vector<uint64_t> selectTruncatePositive(std::span<const uint8_t> b,
                                               std::span<const uint64_t> x, std::span<const int> f,
                                               int bits = 64);

  /// ReLU(x) = x·DReLU(x), x signed over the whole ring. Cost: drelu + select.
  std::vector<uint64_t> relu(std::span<const uint64_t> x);
  /// ReLU of the signed ℓ-bit x (ℓ = bits; only the low ℓ bits of the shares count) with its
  /// result in Z_2^64, exactly: drelu(x, ℓ), then selectTruncatePositive(·, x, 0, ℓ); ℓ = 64 is
  /// relu. Cheaper than relu for ℓ < 64 (lessThan(ℓ − 1) in place of lessThan(63); the table).
  /// @throws InvalidArgument bits ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> reluExtend(std::span<const uint64_t> x, int bits);

  /// max(x, y) = y + ReLU(x − y); exact when x − y does not overflow as signed 64-bit (|x − y| <
  /// 2^63, e.g. both in [−2^62, 2^62)). Cost: as relu. @throws InvalidArgument sizes differ.
  std::vector<uint64_t> max(std::span<const uint64_t> x, std::span<const uint64_t> y);

  /// Elementwise product of two additively shared vectors (mod 2^64).
  // x·y = x0·y0 + x1·y1 + Σ_k 2^k·(x0·y1[k] + x1·y0[k]), each term one correlated OT of 64 − k bits
  /// Cost: 64 random OTs per element each way; 2 rounds (two exchanges); each party sends
  /// 8 + 260 = 268 B per element (64 choice bits, Σ_k (64 − k) = 2080 bits of messages).
  /// @throws InvalidArgument sizes differ; CommError / Timeout.
  std::vector<uint64_t> mul(std::span<const uint64_t> x, std::span<const uint64_t> y);

  /// SiRnn's product of unsigned operands of different widths: x of m bits (x = x0 + x1 mod 2^m,
  /// the low m bits of each share) times y of n bits; returns shares mod 2^l, l = min(m + n, 64),
  /// of x·y (the exact product of the integers in [0, 2^m) and [0, 2^n), reduced mod 2^64 if
  /// m + n > 64), reduced to their low l bits. Put the narrower operand first: its bits choose.
  // x·y = x0y0 + x1y1 + x0y1 + x1y0 − 2^m·wx·(y0 + y1) − 2^n·wy·(x0 + x1) mod 2^l
  /// Cost (N elements): m·N COTs each way of widths l − k (k < m), each party sending
  /// ⌈N·m/8⌉ + ⌈N·(m·l − m(m − 1)/2)/8⌉ B in 2 rounds; then the wraps wx (if m < 64) and wy (if
  /// n < 64) in one lessThan(max(m, n)) and one select over them (see the table).
  /// @throws InvalidArgument sizes differ, m or n ∉ [1, 64]; CommError / Timeout.
  std::vector<uint64_t> mulMixed(std::span<const uint64_t> x, int m, std::span<const uint64_t> y,
                                 int n);

  /// The wrap of x's shares that mulMixed(x, m, ·, 64) needs, XOR-shared: [x0 + x1 >= 2^m] on the
  /// low m bits of each share; computed once for several products with the same x
  /// (mulMixedByWrap). Cost: lessThan(m). @throws InvalidArgument m ∉ [1, 63]; CommError / Timeout.
  BitShares narrowWrap(std::span<const uint64_t> x, int m);
  /// mulMixed(x, m, y, 64) with x's wrap given (narrowWrap(x, m)): Gilboa's cross terms (m COTs
  /// each way, 2 rounds) and one select (2 rounds); mulMixed less its comparison.
  /// @throws InvalidArgument sizes differ, m ∉ [1, 63]; CommError / Timeout.
  std::vector<uint64_t> mulMixedByWrap(std::span<const uint64_t> x, int m,
                                       std::span<const uint8_t> wrap, std::span<const uint64_t> y);

  /// Cheetah's truncation when x is known non-negative (0 ≤ x < 2^63 as signed, e.g. after a
  /// ReLU): returns shares of ⌊x / 2^f⌋ or ⌊x / 2^f⌋ − 1 (the carry of the low f bits is
  /// dropped: the 1-bit error of Cheetah's truncation; no other failure). Garbage if x < 0.
  // x >> f ≈ (x0 >> f) + (x1 >> f) − 2^(64−f)·wrap, wrap = msb(x0) ∨ msb(x1) as msb(x) = 0
  /// Cost: n COTs (party 0 → 1); 2 rounds; party 0 sends ⌈n·f/8⌉ B, party 1 ⌈n/8⌉ B.
  /// @throws InvalidArgument f ∉ [0, 63]; CommError / Timeout.
  std::vector<uint64_t> truncatePositive(std::span<const uint64_t> x, int f);

  /// Exact arithmetic shift: shares of ⌊x / 2^f⌋ for any signed x (SiRnn's truncation; failure
  /// probability 0), on 2-bit leaves (kTruncateLeafBits).
  // x' = x + 2^63: ⌊x/2^f⌋ = (x'0 >> f) + (x'1 >> f) + carry_f − 2^(64−f)·wrap − 2^(63−f)
  /// wrap by lessThan(64), carry_f the same tree's prefix on the low f bits (no extra round);
  /// carry to Z_2^64 (63-bit COT), wrap to Z_2^f (an (f − 1)-bit COT), one round trip.
  /// Cost: as the table above (f = 16: 9 rounds, 572 bits + 128 COTs per element, both parties).
  /// @throws InvalidArgument f ∉ [0, 63]; CommError / Timeout.
  std::vector<uint64_t> truncate(std::span<const uint64_t> x, int f);

  /// SiRnn's lookup: shares of T[x mod 2^k] for every additively shared x (only the low k bits of
  /// x = x0 + x1 count), `columns` entries per element, element-major ([n, columns]). `table` is
  /// public: 2^k rows of `columns` words, row-major. Each entry travels in its low out_bits bits
  /// only, so the shares are reduced mod 2^out_bits and sum to T[x] mod 2^out_bits.
  // party 0 (x0) offers row j: T[(x0 + j) mod 2^k] − s; party 1 takes row x1 by a 1-of-2^k OT
  /// Cost: k·n COTs (party 0 → 1); 1 round trip (2 blocking calls each); party 1 sends ⌈kn/8⌉ B,
  /// party 0 ⌈2^k·n·columns·out_bits/8⌉ B. Party 0 hashes k·2^k blocks per element (plus
  /// ⌈columns/2⌉·2^k if columns > 2), party 1 k (plus ⌈columns/2⌉).
  /// @throws InvalidArgument k ∉ [1, 16], columns < 1, out_bits ∉ [1, 64], table.size() ≠
  ///   2^k·columns; CommError / Timeout.
  std::vector<uint64_t> lookup(std::span<const uint64_t> index, int k, int columns,
                               std::span<const uint64_t> table, int out_bits = 64);

 private:
  /// The leaves of a comparison on `bits` bits: the low `split` bits in leaves of leaf_bits (the
  /// last narrower), the prefix; the rest likewise above.
  struct LeafPlan {
    std::vector<int> offsets, widths;
    size_t prefix_leaves = 0;
  };
  static LeafPlan leafPlan(int bits, int split, int leaf_bits);
  /// lessThan on the low `bits` bits, and on the low `split` bits (prefix_lt; empty if split = 0)
  /// with no extra round.
  struct Comparison {
    BitShares lt, prefix_lt;
  };
  Comparison compare(std::span<const uint64_t> mine, int bits, int split, int leaf_bits);
  std::vector<uint64_t> crossProducts(std::span<const uint8_t> mine, std::span<const int> widths);
  struct Triples;
  Triples bitTriples(size_t m, int per);
  /// m random OTs in each direction (this party's sender side, then its receiver side), both
  /// parties taking them in the same order.
  std::pair<std::vector<std::array<ot::Block, 2>>, ot::ChoiceBlocks> randomOtsBothWays(size_t m);
  std::vector<BitShares> andShared(std::span<const uint8_t> x, const std::vector<BitShares>& ys);
  /// Gilboa's cross products: x_me·c_me + Σ_{k < choice_bits} 2^k·(x_me·c_other[k] +
  /// x_other·c_me[k]) mod 2^out_bits (choice_bits ≤ out_bits); 2 exchanges.
  std::vector<uint64_t> gilboa(std::span<const uint64_t> x, std::span<const uint64_t> c,
                               int choice_bits, int out_bits);
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
