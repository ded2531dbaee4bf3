#pragma once
/// @file dealer.h
/// The source of correlated randomness (Beaver triples, truncation pairs, fixed weight masks).
///
/// Every correlation is a few uniformly random tensors plus values derived from them (c = a·b,
/// r >> f, ...). Party i >= 1 receives its share of each as a stream of an AES-CTR PRG whose seed
/// it shares with whoever computes the correlation; party 0's share is the correction
/// value - sum of the others' shares. So only party 0's shares ever need to travel.
/// All parties must request the same correlations in the same order (as for communicator calls).

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/function_tables.h"
#include "sotto/mpc/protocol.h"
#include "sotto/tensor/linear.h"
#include "sotto/tensor/ring_tensor.h"

namespace sotto {

/// Lookup-table material (see lut.h) for n elements: this party's share of a mask r per element
/// (only the low index_bits matter) and, once u = x + r mod 2^k is public, its shares of the
/// rotated table S_e[u_e] = T[(u_e - r_e) mod 2^k], for every column.
class LutMaterial {
 public:
  virtual ~LutMaterial() = default;
  /// This party's share of the masks, shape as requested.
  RingTensor r;
  /// Shares of S_e[u_e] for every element e and column: [n, columns]. Local.
  virtual RingTensor sharesAt(std::span<const uint64_t> u) const = 0;
};

/// This party's shares of a, b and c = a ⊛ b (elementwise product, matmul or conv2d).
struct BeaverTriple {
  RingTensor a, b, c;
};

/// This party's shares of a uniform r, of r >> f (logical) and of r's top bit (0/1): the material
/// of the dealer-assisted truncation.
struct TruncationPair {
  RingTensor r, r_shifted, r_top;
};

/// This party's XOR shares of a, b and c = a & b, bit-packed (64 bits per word): AND gates.
struct BinaryTriple {
  RingTensor a, b, c;
};

/// The comparison's digits of r's low 63 bits: ceil(63 / bits) digits of `bits` bits, the top one
/// narrower. 8 bits (8 digits: 4 rounds, 1,920 table bits per element) where the tables cost
/// nothing on the wire (the seeded dealer's); 4 bits (16 digits: 5 rounds, 248 table bits) where
/// the TTP sends them to party 0.
struct CompareDigits {
  int bits = 8;  ///< 2..8
  int count() const { return (63 + bits - 1) / bits; }
  /// Width of digit d: bits, or what is left of the 63 for the top one.
  int width(int d) const { return d + 1 < count() ? bits : 63 - bits * (count() - 1); }
  /// First bit of L_d in an element's row of tables (each digit's table is 2^width bits).
  int64_t offset(int d) const { return int64_t{d} << bits; }
  /// Words per element of CompareTables::tables.
  int64_t words() const {
    return (offset(count() - 1) + (int64_t{1} << width(count() - 1)) + 63) / 64;
  }
};

/// Material of the fast comparison (compare.h) for n elements and w selected values per element
/// (w = 0 when only the bit is wanted). With s = r_63, sigma = 1 - 2s and r's low 63 bits cut into
/// the digits r_d of `digits`:
///  - r: additive shares of a uniform mask, one word per element;
///  - tables: XOR shares of the bit tables L_d[v] = [v < r_d], 2^width(d) bits each, per element
///    [n, digits.words()], L_d from bit digits.offset(d) (E_d[v] = [v == r_d] is
///    L_d[v - 1] ^ L_d[v], or 1 ^ L_d[0] at v = 0: no table of its own);
///  - bits: XOR shares of three random bits alpha, beta, gamma per element, [3, ceil(n / 64)];
///  - mono: additive shares of the kCompareMonomials words s, sigma·alpha, sigma·beta,
///    sigma·gamma, sigma·beta·gamma, [5, n];
///  - a: additive shares of a uniform a of the values' shape (n·w words, w per element);
///  - a_mono: additive shares of a times each of mono's words, [5, n·w].
struct CompareTables {
  RingTensor r, tables, bits, mono, a, a_mono;
  CompareDigits digits;
};
/// Rows of CompareTables::mono and a_mono.
inline constexpr int kCompareMonomials = 5;

/// Material to multiply by a XOR-shared bit (and to convert one to additive shares): additive
/// shares of a uniform a, of a random bit rho and of a·rho; XOR shares of rho, bit-packed.
struct BitSelect {
  RingTensor a, rho_bits, rho, a_rho;
};

/// A fixed mask B registered with the dealer (for weights reused across inferences).
struct FixedMask {
  uint64_t id = 0;
  Shape shape;   ///< B's shape
  RingTensor b;  ///< this party's share of B
};

/// How an output is shared: x = Σ x_i mod 2^64, or x = ⊕ x_i (bitwise), or additively where
/// party i >= 1's share of a [n, m] table is a PRF (a 2-word key drawn from its stream; entry
/// (e, t) = Prf(key).eval(e, t)), so that it evaluates only the entries it needs. kPrfPairs is
/// kPrfTable with both halves of each AES block used: entry (e, t) is word t mod 2 of
/// AES_key(lo = t / 2, hi = e) (half the AES work; function tables, function_tables.h).
enum class Sharing { kAdditive, kXor, kPrfTable, kPrfPairs };

/// What a correlation asks for. Public so that dealers in other processes can decode requests.
struct CorrelationRequest {
  enum class Kind : uint32_t {
    kMul = 1,
    kMatmul,
    kConv2d,
    kTruncation,
    kFixedMask,
    kFixedMatmul,
    kFixedConv2d,
    kBinaryTriple,
    kCompareTables,
    kBitSelect,
    kLookup,
    kFunctionTables,
    /// Lookup material as a one-hot vector instead of the rotated table: r and additive shares of
    /// e_r[j] = [j = r mod 2^k], [n, 2^k]; a party's share of T[x] for every column is then
    /// Σ_j T[(u - j) mod 2^k]·e_r[j] (u = x + r opened), so a table of c columns costs party 0
    /// 2^k words per element instead of 2^k·c (the TTP dealer's lookups of 2 or more columns).
    kLookupOneHot,
  };
  Kind kind = Kind::kMul;
  std::vector<Shape> shapes;  ///< operand shapes (kind-specific)
  Conv2dOptions conv;
  int frac_bits = 0;
  uint64_t mask_id = 0;
  /// kLookup: the public table, 2^index_bits rows of `columns` words, row-major. kLookupOneHot:
  /// index_bits alone (the one-hot does not depend on the table). kCompareTables: index_bits is
  /// the digits' width (CompareDigits::bits; 0 means 8).
  int index_bits = 0;
  int columns = 0;
  std::vector<uint64_t> table;
  /// kFunctionTables: the encoded FunctionTableSpec (shapes[0] holds the elements).
  std::vector<uint64_t> payload;

  /// Shapes of the tensors the correlation yields, in order.
  std::vector<Shape> outputShapes() const;
  /// How each output is shared (same order).
  std::vector<Sharing> outputSharings() const;
  /// Per output, the low bits of each column that the parties read (every use of entry i is mod
  /// 2^bits[i mod bits.size()]; empty: all 64). A TTP dealer sends party 0 only those bits.
  std::vector<std::vector<int>> outputBits() const;
  /// Per output, whether it is uniform words drawn before anything that depends on it (a
  /// triple's a and b, a truncation pair's r, a fixed mask, a comparison's masks r and a, a
  /// lookup's r): a dealer that shares a stream with every party (the TTP) lets each party draw
  /// its share of such an output and sends nothing for it, the value being the sum (XOR) of the
  /// shares (generateCorrelation's `given`).
  std::vector<bool> freeOutputs() const;
  /// Compact binary form and back. @throws ProtocolError on a malformed encoding.
  std::vector<uint64_t> encode() const;
  static CorrelationRequest decode(std::span<const uint64_t> words);
};

class Dealer {
 public:
  virtual ~Dealer();

  /// Elementwise triple of `shape`. Dealer traffic: party 0 receives 3·numel words (TTP only).
  BeaverTriple mulTriple(const Shape& shape);
  /// Matmul triple: a of shape_a [.., m, k], b of shape_b [.., k, n], c = a @ b.
  BeaverTriple matmulTriple(const Shape& shape_a, const Shape& shape_b);
  /// Convolution triple: a [N, C, H, W], b [O, C/g, kh, kw], c = conv2d(a, b, options).
  BeaverTriple conv2dTriple(const Shape& input, const Shape& weight, const Conv2dOptions& options);
  /// Truncation material for `shape` and `frac_bits`.
  TruncationPair truncationPair(const Shape& shape, int frac_bits);
  /// Registers a fixed random mask B of `shape` and returns its id and this party's share.
  FixedMask fixedMask(const Shape& shape);
  /// Triple with fresh a of shape_a and the fixed B: returns shares of a and c = a @ B (b empty).
  BeaverTriple matmulTripleFixed(const FixedMask& mask, const Shape& shape_a);
  /// The same for conv2d with the fixed B as the weight.
  BeaverTriple conv2dTripleFixed(const FixedMask& mask, const Shape& input,
                                 const Conv2dOptions& options);

  /// AND triple over `words` 64-bit words of bits. Dealer traffic (TTP, party 0): 3·words words.
  BinaryTriple binaryTriple(int64_t words);
  /// Fast-comparison material for `shape` elements and `values` selected values (a whole number
  /// per element, consecutive; empty for none). Per element: 6 words + 30 words of tables + 3
  /// bits, and 6 words per selected value.
  /// @throws InvalidArgument if values.numel() is not a multiple of shape.numel().
  CompareTables compareTables(const Shape& shape, const Shape& values = Shape{int64_t{0}});
  /// Bit-select / bit-to-additive material for `shape` (per element: 3 words + 1 bit).
  BitSelect bitSelect(const Shape& shape);
  /// The same where each bit of `bits` selects w consecutive values of `values`
  /// (values.numel() = w · bits.numel()): a and a·rho have the values' shape, rho the bits'.
  BitSelect bitSelect(const Shape& bits, const Shape& values);

  /// Lookup material for `shape` elements and the public table `table` (2^index_bits rows of
  /// `columns` words). Party 0's dealer traffic (TTP): 2^index_bits · columns + 1 words per element
  /// (the rotated table's correction), or 2^index_bits + 1 for 2 or more columns (a one-hot of
  /// the mask, Kind::kLookupOneHot: each party then computes 2^index_bits · columns products per
  /// element); the others evaluate one PRF word per element and column (per row, one-hot).
  virtual std::unique_ptr<LutMaterial> lookupMaterial(int index_bits, int columns,
                                                      std::span<const uint64_t> table,
                                                      const Shape& shape);

  /// Function-table material (function_tables.h) for `shape` elements. Generic dealers fetch it
  /// as one correlation (split in requests of at most 2^22 words); the TTP dealer sends party 0
  /// functionTableBytes(spec) per element, the others evaluate PRF words on demand.
  /// @throws InvalidArgument for a bad spec.
  virtual std::unique_ptr<FunctionTableMaterial> functionTables(const FunctionTableSpec& spec,
                                                                const Shape& shape);

  /// False for the in-process seeded dealer (party 0 knows every correlation).
  virtual bool secure() const = 0;
  /// True if lookup and function-table material reaches a party over the network entry by entry
  /// (the TTP dealer), false where party 0 computes the entries it reads (the seeded dealer).
  virtual bool sendsTables() const { return false; }
  /// "seeded (INSECURE: trusted first party)" or "ttp".
  virtual std::string name() const = 0;
  /// Traffic spent on correlations so far (setup included), apart from the online traffic.
  const CommCounters& traffic() const { return traffic_; }
  /// Dealer traffic of the correlations used so far: a prefetched correlation's traffic counts
  /// when it is used, not when it was fetched, so that a layer's share of the dealer traffic can
  /// be read around the layer even after prefetch(). Setup traffic is not included.
  uint64_t usedBytes() const { return used_bytes_; }
  /// Wall time this party has spent obtaining correlations (generating or waiting for them).
  double seconds() const { return seconds_; }

  /// Offline/online split. While recording, every correlation request (not lookup material) is
  /// remembered; stopRecording() returns them in order. prefetch(requests) obtains all of them now
  /// (the offline phase: dealer work and traffic happen here) and serves them, in order, to the
  /// matching requests that follow, so that an online phase run with the same shapes does no
  /// dealer work. Collective like every dealer call. A request that does not match the next
  /// prefetched one throws ProtocolError (the parties or the run diverged); prefetched material
  /// is used once and then dropped.
  void startRecording();
  std::vector<CorrelationRequest> stopRecording();
  void prefetch(const std::vector<CorrelationRequest>& requests);
  /// Run-ahead: says that the next prefetch() will ask for `requests` again (the next batch of
  /// the same model), so that a dealer in another process (the TTP) makes them while the parties
  /// compute: party 0 sends the requests now (one message, no wait) and the next prefetch() only
  /// receives. The other dealers do nothing. Collective like prefetch(). If the next prefetch()
  /// asks for something else, the material made ahead is received and dropped first (correct,
  /// but the dealer's work is wasted); so is material made ahead for a prefetch() that never
  /// comes (party 0's client receives it when destroyed).
  void prepareNext(const std::vector<CorrelationRequest>& requests);
  /// Number of prefetched correlations not yet used.
  size_t prefetched() const { return queue_.size(); }
  /// One-time work for the setup, before the first prefetch(requests): maps and touches the
  /// memory that prefetch holds at once (every output of every request; heap.h's large blocks),
  /// so that the first batch's offline phase does not fault it in. First touches cost ~15 µs per
  /// 4 KiB page on these VMs: LeNet5's first batch of 64 spent ~190 ms of a 230 ms offline phase
  /// faulting ~200 MB, against 36 ms for each later batch. No communication (not collective);
  /// nothing under SOTTO_HEAP=system or AddressSanitizer. @throws std::bad_alloc.
  void reserveMemory(const std::vector<CorrelationRequest>& requests);

 protected:
  /// This party's shares of every output of `request`, in outputShapes() order.
  virtual std::vector<RingTensor> fetch(const CorrelationRequest& request) = 0;
  /// The same for several requests at once (prefetch): calls deliver(k, outputs of request k) in
  /// order. The default fetches them one by one; a dealer in another process overrides it to ask
  /// for all of them in one message.
  virtual void fetchMany(std::span<const CorrelationRequest> requests,
                         const std::function<void(size_t, std::vector<RingTensor>)>& deliver);
  /// prepareNext(): the default does nothing (the material is made when prefetch() asks).
  virtual void fetchAhead(std::span<const CorrelationRequest> requests);
  CommCounters traffic_;

 private:
  std::vector<RingTensor> timedFetch(const CorrelationRequest& request);

  /// A prefetched correlation: its request's encoding, its outputs and the traffic it cost.
  struct Prefetched {
    std::vector<uint64_t> code;
    std::vector<RingTensor> outputs;
    uint64_t bytes = 0;
  };

  uint64_t next_mask_id_ = 1;
  double seconds_ = 0;
  uint64_t used_bytes_ = 0;
  bool recording_ = false;
  std::vector<CorrelationRequest> recorded_;
  std::deque<Prefetched> queue_;
};

/// Whether a caller accepts the seeded dealer's insecurity (see makeSeededDealer).
enum class InsecureDealer { kRefuse, kAccept };

/// The in-process seeded dealer, CrypTen's "trusted first party": party 0 draws a seed for each
/// other party and sends it once (setup: 16 bytes per party); afterwards party 0 computes every
/// correlation locally and the others read their shares from their seed's stream. No traffic per
/// correlation. NOT SECURE against party 0, which knows every triple and so learns every input
/// the others share (x = e + a at the first product): for tests and benchmarks.
///
/// Refused unless the parties are threads of one process (an inproc communicator: tests and
/// benchmarks), or `accept` is InsecureDealer::kAccept, or the environment sets
/// SOTTO_ALLOW_INSECURE_DEALER=1. When accepted across processes, every rank prints a warning on
/// stderr. Collective.
/// @throws InvalidArgument (before any communication, on every party alike) when refused, naming
///         the secure alternative (the TTP dealer, ttp_dealer.h); CommError / Timeout in setup.
std::unique_ptr<Dealer> makeSeededDealer(Communicator& comm,
                                         InsecureDealer accept = InsecureDealer::kRefuse);

/// Fixed masks B kept by whoever generates correlations.
class FixedMaskStore {
 public:
  void put(uint64_t id, RingTensor b);
  /// @throws ProtocolError if the id is unknown.
  const RingTensor& get(uint64_t id) const;

 private:
  std::vector<std::pair<uint64_t, RingTensor>> masks_;
};

/// Folds another party's share `other` out of a value: value - other (additive) or value ^ other.
void removeShare(RingTensor& value, const RingTensor& other, Sharing sharing);
/// The same with the other party's share drawn from `stream` (value.numel() words, or a 2-word
/// PRF key for kPrfTable), in chunks: no temporary of the value's size.
void removeStream(RingTensor& value, Prg& stream, Sharing sharing);

/// A tensor of `shape` filled with the next words of prg (uniform; no zeroing first).
RingTensor drawUniform(const Shape& shape, Prg& prg);

/// Party i >= 1's share of an output: the next words of its stream (kPrfTable: the 2-word key).
RingTensor drawShare(const Shape& shape, Sharing sharing, Prg& stream);

/// The [n, m] table of Prf(key) words, key = the 2 words of `key` (a kPrfTable share).
RingTensor prfTable(const RingTensor& key, int64_t n, int64_t m);

/// The plaintext values of every output of `request` (randoms from `prg`), as a dealer computes
/// them. Fixed masks are remembered in `masks` by id. With `given`, the outputs that
/// request.freeOutputs() marks are taken from (*given)[k] (moved out) instead of drawn. Used by
/// dealer implementations.
std::vector<RingTensor> generateCorrelation(const CorrelationRequest& request, Prg& prg,
                                            FixedMaskStore& masks,
                                            std::vector<RingTensor>* given = nullptr);

}  // namespace sotto
