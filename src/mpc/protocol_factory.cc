#include "sotto/mpc/protocol_factory.h"

#include "sotto/error.h"
#include "sotto/mpc/dealer/dealer_protocol.h"
#include "sotto/mpc/ot/ot_protocol.h"

namespace sotto {
namespace {

constexpr std::string_view kNone = "none";

void checkNone(int parties) {
  SOTTO_ENFORCE(parties == 2,
                "--dealer none (the two-party OT family) needs exactly 2 parties, "
                "got ",
                parties, " (no third rank: start 2)");
}

bool known(std::string_view name) {
  if (name == kNone || name == "seeded") return true;
  for (const auto& n : availableDealers()) {
    if (name == n) return true;
  }
  return false;
}

// Every rank checks the name alike before any communication.
void checkKnown(std::string_view name) {
  if (known(name)) return;
  std::string list;
  for (const auto& n : availableProtocols()) list += (list.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown protocol family (--dealer) '" + std::string(name) +
                        "' (known: " + list + ")");
}

}  // namespace

ProtocolSetup::ProtocolSetup(Communicator& world, std::string name)
    : world_(&world), name_(std::move(name)) {}
ProtocolSetup::ProtocolSetup(ProtocolSetup&&) noexcept = default;
ProtocolSetup::~ProtocolSetup() { protocol_.reset(); }

void ProtocolSetup::serve() {
  SOTTO_ENFORCE(serves(), "protocol '", name_, "': rank ", world_->rank(),
                " is a computing party, not the dealer");
  dealer_->serve();
}

Communicator& ProtocolSetup::online() const {
  SOTTO_ENFORCE(!serves(), "protocol '", name_, "': rank ", world_->rank(),
                " is the dealer: it has no online communicator");
  return dealer_ ? dealer_->online() : *world_;
}

Protocol& ProtocolSetup::protocol() const {
  SOTTO_ENFORCE(!serves(), "protocol '", name_, "': rank ", world_->rank(),
                " is the dealer: it computes nothing");
  return *protocol_;
}

ProtocolSetup makeProtocol(Communicator& world, std::string_view name,
                           const ProtocolOptions& options) {
  checkKnown(name);
  ProtocolSetup setup(world, std::string(name));
  if (name == kNone) {
    checkNone(world.worldSize());
    setup.protocol_ =
        makeOtProtocol(world, options.ot, nullptr, options.he, options.weight_products);
    return setup;
  }
  setup.dealer_ =
      std::make_unique<DealerSetup>(makeDealer(world, name, {.insecure = options.insecure}));
  if (!setup.dealer_->serves()) setup.protocol_ = makeDealerProtocol(setup.dealer_->dealer());
  return setup;
}

std::vector<std::string> availableProtocols() {
  std::vector<std::string> names{std::string(kNone)};
  for (auto& n : availableDealers()) names.push_back(n);
  return names;
}

int protocolWorldSize(std::string_view name, int parties) {
  checkKnown(name);
  if (name == kNone) {
    checkNone(parties);
    return 2;
  }
  return worldSizeFor(name, parties);
}

}  // namespace sotto
