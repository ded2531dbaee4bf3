#include "sotto/mpc/dealer/dealer_factory.h"

#include "sotto/error.h"
#include "sotto/mpc/dealer/ttp_dealer.h"

namespace sotto {
namespace {

constexpr std::string_view kTtp = "ttp";
constexpr std::string_view kInsecureSeeded = "insecure-seeded";

bool isSeeded(std::string_view name) { return name == kInsecureSeeded || name == "seeded"; }

[[noreturn]] void unknown(std::string_view name) {
  std::string list;
  for (const auto& n : availableDealers()) list += (list.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown dealer '" + std::string(name) + "' (known: " + list + ")");
}

}  // namespace

DealerSetup::DealerSetup(Communicator& world, std::string name)
    : world_(&world), name_(std::move(name)) {}
DealerSetup::DealerSetup(DealerSetup&&) noexcept = default;
DealerSetup::~DealerSetup() {
  dealer_.reset();  // a TTP client tells the dealer to stop over the world, before the rest goes
}

void DealerSetup::serve() {
  SOTTO_ENFORCE(serves_, "dealer '", name_, "': rank ", world_->rank(),
                " is a computing party, not the dealer");
  runTtpDealer(*world_);
}

Communicator& DealerSetup::online() const {
  SOTTO_ENFORCE(!serves_, "dealer '", name_, "': rank ", world_->rank(),
                " is the dealer: it has no online communicator");
  return own_online_ ? *own_online_ : *world_;
}

Dealer& DealerSetup::dealer() const {
  SOTTO_ENFORCE(!serves_, "dealer '", name_, "': rank ", world_->rank(),
                " is the dealer: it has no Dealer client");
  return *dealer_;
}

DealerSetup makeDealer(Communicator& world, std::string_view name,
                       const DealerFactoryOptions& options) {
  DealerSetup setup(world, std::string(name));
  if (name == kTtp) {
    TtpSetup ttp = setupTtp(world);
    setup.serves_ = ttp.is_dealer;
    setup.own_online_ = std::move(ttp.online);
    setup.dealer_ = std::move(ttp.dealer);
    return setup;
  }
  if (isSeeded(name)) {
    setup.dealer_ = makeSeededDealer(world, options.insecure);
    return setup;
  }
  unknown(name);
}

std::vector<std::string> availableDealers() {
  return {std::string(kTtp), std::string(kInsecureSeeded)};
}

int worldSizeFor(std::string_view name, int parties) {
  if (name == kTtp) return parties + 1;
  if (isSeeded(name)) return parties;
  unknown(name);
}

}  // namespace sotto
