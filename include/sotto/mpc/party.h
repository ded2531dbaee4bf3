#pragma once
/// @file party.h
/// Party: everything a protocol needs from this party (its communicator, its dealer, its
/// randomness and settings), passed explicitly: there is no global state.

#include "sotto/comm/communicator.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/dealer.h"
#include "sotto/tensor/fixed_point.h"

namespace sotto {

/// How a product is brought back from 2f to f fractional bits.
enum class Truncation {
  /// Dealer-assisted (default): 1 round, n words sent per party, at most 1 ULP of error for
  /// |x| < 2^62 in ring units, never a large error. Any number of parties.
  kDealer,
  /// SecureML's local truncation: 0 rounds, 2 parties only, at most 1 ULP of error, but with
  /// probability about |x| / 2^63 per element (x in ring units, at scale 2^(2f)) the result is
  /// garbage (off by about 2^(64-f)).
  kLocal,
};

struct PartyOptions {
  int frac_bits = kDefaultFracBits;
  Truncation truncation = Truncation::kDealer;
};

class Party {
 public:
  /// Both references must outlive the Party. @throws InvalidArgument on bad options.
  Party(Communicator& comm, Dealer& dealer, PartyOptions options = {});

  int id() const { return comm_.rank(); }
  int numParties() const { return comm_.worldSize(); }
  Communicator& comm() const { return comm_; }
  Dealer& dealer() const { return dealer_; }
  /// This party's private randomness (OS-seeded AES-CTR).
  Prg& prg() const { return prg_; }
  const PartyOptions& options() const { return options_; }

 private:
  Communicator& comm_;
  Dealer& dealer_;
  PartyOptions options_;
  mutable Prg prg_;
};

}  // namespace sotto
