#pragma once
/// @file party.h
/// Party: everything a computation needs from this party (its communicator, its protocol
/// family, its randomness and settings), passed explicitly: there is no global state.

#include <memory>

#include "sotto/comm/communicator.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/protocol.h"
#include "sotto/mpc/range_check.h"
#include "sotto/tensor/fixed_point.h"

namespace sotto {

/// How a product is brought back from 2f to f fractional bits.
enum class Truncation {
  /// The protocol's truncation (default; Protocol::truncate): with a dealer 1 round, n words
  /// sent per party, at most 1 ULP of error for |x| < 2^62 in ring units, never a large error,
  /// any number of parties; with the OT family exact (ot_protocol.h). The name is historical.
  kDealer,
  /// SecureML's local truncation: 0 rounds, 2 parties only, at most 1 ULP of error, but with
  /// probability up to |x| / 2^63 per element (x in ring units, at scale 2^(2f)) the result is
  /// garbage (off by about 2^(64-f)): about 2^-16 per element for |value| < 2^15 at f = 16.
  /// As a party-wide setting it applies to the products (mul, matmul, conv2d, mulPublic, batch
  /// norm) and to divisions by a power of two; the other divisions by a count (divPublicCount,
  /// mean, average pooling), whose 28-bit truncation would fail 2^12 times as often, stay
  /// dealer-assisted unless asked per call.
  kLocal,
};

/// The magnitude that local truncation's reported failure bound assumes for a truncated result:
/// |value| < 2^15 (32768), the range the library documents for activations (compare.h).
inline constexpr int kAssumedValueBits = 15;

/// What this party has truncated locally so far (the per-layer profile reads the difference).
struct LocalTruncationLog {
  uint64_t elements = 0;   ///< elements truncated with Truncation::kLocal
  int max_input_bits = 0;  ///< largest f + bits seen: a truncated input has scale 2^(f + bits)
  /// log2 of the per-element failure bound, |x| / 2^63 with |x| < 2^(kAssumedValueBits +
  /// max_input_bits) (e.g. -16 for a product at f = 16, -4 for a 28-bit division); 0 if none.
  int failureLog2() const { return elements == 0 ? 0 : kAssumedValueBits + max_input_bits - 63; }
  void note(int64_t n, int input_bits) {
    elements += static_cast<uint64_t>(n);
    if (input_bits > max_input_bits) max_input_bits = input_bits;
  }
  void merge(const LocalTruncationLog& o) {
    elements += o.elements;
    if (o.max_input_bits > max_input_bits) max_input_bits = o.max_input_bits;
  }
};

struct PartyOptions {
  int frac_bits = kDefaultFracBits;
  Truncation truncation = Truncation::kDealer;
  /// Range checks for model developers (range_check.h): each comparison, math function and local
  /// truncation also records, in secret, whether an element left its safe domain; checkRanges()
  /// opens one bit per op name. Results are unchanged; each checkRanges() costs 9 rounds and
  /// about 11 bytes each way per recorded word (2 parties).
  bool check_ranges = false;
};

class Party {
 public:
  /// Both references must outlive the Party. @throws InvalidArgument on bad options.
  Party(Communicator& comm, Protocol& protocol, PartyOptions options = {});
  /// The dealer family over `dealer` (dealer_protocol.h), for code and tests that hold a dealer.
  Party(Communicator& comm, Dealer& dealer, PartyOptions options = {});
  Party(const Party&) = delete;
  Party& operator=(const Party&) = delete;

  int id() const { return comm_.rank(); }
  int numParties() const { return comm_.worldSize(); }
  Communicator& comm() const { return comm_; }
  /// The kernels every shared tensor computes with (protocol.h).
  Protocol& protocol() const { return protocol_; }
  /// The dealer of a dealer family, for the dealer's own tests and offline phase.
  /// @throws InvalidArgument if the protocol has no dealer (the OT family).
  Dealer& dealer() const;
  /// This party's private randomness (OS-seeded AES-CTR).
  Prg& prg() const { return prg_; }
  const PartyOptions& options() const { return options_; }
  /// The local truncations done through this party so far (ArithTensor::truncate records each).
  /// Code that measures a span of work (the per-layer profile) swaps in an empty log, then
  /// merges the old one back.
  LocalTruncationLog& localTruncations() const { return local_log_; }
  /// The range-check log (range_check.h); records only when options().check_ranges is set.
  RangeCheckLog& rangeChecks() const { return range_log_; }

 private:
  void checkOptions() const;

  Communicator& comm_;
  std::unique_ptr<Protocol> own_protocol_;  // when built from a Dealer
  Protocol& protocol_;
  PartyOptions options_;
  mutable Prg prg_;
  mutable LocalTruncationLog local_log_;
  mutable RangeCheckLog range_log_;
};

}  // namespace sotto
