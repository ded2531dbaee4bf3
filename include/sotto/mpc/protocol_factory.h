#pragma once
/// @file protocol_factory.h
/// The one place that knows every protocol family by name (the composition root of the protocol
/// seam, protocol.h): a program, test or benchmark picks one with a string and gets back what
/// its rank must do.
///
/// @code
///   ProtocolSetup setup = makeProtocol(world, "none");
///   if (setup.serves()) {        // this rank is the TTP dealer
///     setup.serve();
///     return;
///   }
///   Party party(setup.online(), setup.protocol());
/// @endcode
///
/// | name              | ranks  | secure (semi-honest)                 | kernels |
/// |-------------------|--------|--------------------------------------|------------------------------|
/// | "none"            | 2      | yes: two parties, no third           | OT + RLWE (ot_protocol.h)
/// | | "ttp"             | N + 1  | if the dealer colludes with no party | dealer
/// (dealer_protocol.h)   | | "insecure-seeded" | N      | NO: party 0 learns every input       |
/// dealer, seeded (dealer.h)    |
/// ("seeded" is the insecure-seeded dealer's old name, with the same rules.)

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/dealer/dealer_factory.h"
#include "sotto/mpc/ot/he_ring.h"
#include "sotto/mpc/ot/ot_protocol.h"
#include "sotto/mpc/protocol.h"
#include "sotto/ot/session.h"

namespace sotto {

/// How makeProtocol may set things up.
struct ProtocolOptions {
  /// The insecure-seeded dealer across processes: refused unless kAccept (dealer.h).
  InsecureDealer insecure = InsecureDealer::kRefuse;
  /// The OT family's OT sessions (equal on both parties): IKNP by default (16 B per COT);
  /// OtExtension::kFerret cuts a COT to < 0.5 bits after a setup of about 1 MB (session.h).
  ot::OtOptions ot;
  /// The OT family's homomorphic linear layers: plaintext ring 2^ℓ and public weight bound 2^b
  /// (equal on both parties; he_ring.h). Default kDealerFreeHeRing: ℓ = 64, |w| ≤ 2^20 (a weight
  /// beyond it is an error at load naming the layer; b = 63 takes any 64-bit weight).
  HeRingOptions he = kDealerFreeHeRing;
  /// The OT family's products with the model owner's weights: RLWE (default) or OT alone, for
  /// comparison (ot_protocol.h).
  WeightProducts weight_products = WeightProducts::kHe;
};

/// One rank's part in a protocol family: the TTP dealer's rank serves; every other rank is a
/// computing party with a communicator for the online phase and its Protocol. Move-only; `world`
/// must outlive it.
class ProtocolSetup {
 public:
  ProtocolSetup(ProtocolSetup&&) noexcept;
  ProtocolSetup& operator=(ProtocolSetup&&) = delete;
  ~ProtocolSetup();

  /// True on the rank that only deals (TTP): call serve(); online() and protocol() throw.
  bool serves() const { return dealer_ && dealer_->serves(); }
  /// Serves the parties until they are done. @throws InvalidArgument if this rank does not serve.
  void serve();
  /// The parties' communicator (the world, or the world without the dealer's rank).
  /// @throws InvalidArgument on a serving rank.
  Communicator& online() const;
  /// This party's kernels. @throws InvalidArgument on a serving rank.
  Protocol& protocol() const;
  /// The family's name as makeProtocol was given it.
  const std::string& name() const { return name_; }

 private:
  friend ProtocolSetup makeProtocol(Communicator&, std::string_view, const ProtocolOptions&);
  ProtocolSetup(Communicator& world, std::string name);

  Communicator* world_;
  std::string name_;
  std::unique_ptr<DealerSetup> dealer_;  // the dealer families
  std::unique_ptr<Protocol> protocol_;   // destroyed before dealer_
};

/// Sets up the family `name` on this rank of `world`. Collective over the world.
/// @throws InvalidArgument, before any communication and on every rank alike, for an unknown
///         name (listing the known ones), "none" on a world of other than 2 ranks, the insecure
///         dealer when refused (dealer.h); CommError / Timeout during setup.
ProtocolSetup makeProtocol(Communicator& world, std::string_view name,
                           const ProtocolOptions& options = {});

/// The names makeProtocol knows, secure ones first.
std::vector<std::string> availableProtocols();

/// How many ranks the family `name` needs for `parties` computing parties.
/// @throws InvalidArgument for an unknown name, or "none" with parties != 2.
int protocolWorldSize(std::string_view name, int parties);

}  // namespace sotto
