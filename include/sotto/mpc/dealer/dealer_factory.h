#pragma once
/// @file dealer_factory.h
/// The one place that knows every correlation source by name: a program, test or benchmark picks
/// one with a string ("ttp", "insecure-seeded") and gets back what its rank must do.
///
/// @code
///   DealerSetup setup = makeDealer(world, "ttp");
///   if (setup.serves()) {        // this rank is the dealer
///     setup.serve();             // until the parties are done
///     return;
///   }
///   Party party(setup.online(), setup.dealer());
/// @endcode
///
/// Families and their worlds (N computing parties):
/// | name              | ranks  | secure (semi-honest)                    | dealer traffic        |
/// |-------------------|--------|-----------------------------------------|-----------------------|
/// | "ttp"             | N + 1  | if the dealer colludes with no party    | party 0 only, per use |
/// | "insecure-seeded" | N      | NO: party 0 learns every input          | none after setup      |
/// ("seeded" is accepted as the insecure-seeded dealer's old name, with the same rules.)

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/dealer/dealer.h"

namespace sotto {

/// How makeDealer may set things up.
struct DealerFactoryOptions {
  /// The insecure-seeded dealer across processes: refused unless kAccept (or
  /// SOTTO_ALLOW_INSECURE_DEALER=1); threads of one process are always accepted (tests).
  InsecureDealer insecure = InsecureDealer::kRefuse;
};

/// One rank's part in a correlation source: either it serves (the TTP dealer's rank) or it is a
/// computing party with a communicator for the online phase and a Dealer. Move-only; `world` must
/// outlive it.
class DealerSetup {
 public:
  DealerSetup(DealerSetup&&) noexcept;
  DealerSetup& operator=(DealerSetup&&) = delete;  // the dealer must go before its communicator
  ~DealerSetup();

  /// True on a rank that only deals (the TTP dealer): call serve(); online() and dealer() throw.
  bool serves() const { return serves_; }
  /// Serves the parties until they are done (runTtpDealer). @throws InvalidArgument if this rank
  /// does not serve; as runTtpDealer otherwise.
  void serve();
  /// The parties' communicator: the world itself, or the world without the dealer's rank (whose
  /// stats() then hold the online traffic only). @throws InvalidArgument on a serving rank.
  Communicator& online() const;
  /// This party's correlation source. @throws InvalidArgument on a serving rank.
  Dealer& dealer() const;
  /// The family's name as makeDealer was given it ("ttp", "insecure-seeded").
  const std::string& name() const { return name_; }

 private:
  friend DealerSetup makeDealer(Communicator&, std::string_view, const DealerFactoryOptions&);
  DealerSetup(Communicator& world, std::string name);

  Communicator* world_;
  std::string name_;
  bool serves_ = false;
  std::unique_ptr<Communicator> own_online_;  // a SubCommunicator when the dealer is a rank
  std::unique_ptr<Dealer> dealer_;            // destroyed before own_online_
};

/// Sets up the correlation source `name` on this rank of `world`. Collective over the world.
/// @throws InvalidArgument for an unknown name (listing the known ones), for the insecure dealer
///         when refused (see makeSeededDealer), or a world too small for the family; CommError /
///         Timeout during setup.
DealerSetup makeDealer(Communicator& world, std::string_view name,
                       const DealerFactoryOptions& options = {});

/// The names makeDealer knows, secure ones first.
std::vector<std::string> availableDealers();

/// How many ranks the family `name` needs for `parties` computing parties (ttp: one more).
/// @throws InvalidArgument for an unknown name.
int worldSizeFor(std::string_view name, int parties);

}  // namespace sotto
