#include "sotto/mpc/party.h"

#include "sotto/mpc/dealer/dealer_protocol.h"
#include "sotto/tensor/heap.h"

namespace sotto {

Party::Party(Communicator& comm, Protocol& protocol, PartyOptions options)
    : comm_(comm), protocol_(protocol), options_(options) {
  checkOptions();
}

Party::Party(Communicator& comm, Dealer& dealer, PartyOptions options)
    : comm_(comm),
      own_protocol_(makeDealerProtocol(dealer)),
      protocol_(*own_protocol_),
      options_(options) {
  checkOptions();
}

void Party::checkOptions() const {
  retainFreedMemory();  // tensors' buffers are reused, not faulted in afresh (heap.h)
  SOTTO_ENFORCE(options_.frac_bits >= 0 && options_.frac_bits < 31, "frac_bits ",
                options_.frac_bits, " is outside [0, 31)");
  SOTTO_ENFORCE(options_.truncation != Truncation::kLocal || comm_.worldSize() == 2,
                "local truncation needs exactly 2 parties, the world has ", comm_.worldSize());
}

Dealer& Party::dealer() const {
  Dealer* d = protocol_.dealer();
  SOTTO_ENFORCE(d != nullptr, "party ", id(), ": the protocol '", protocol_.name(),
                "' has no dealer");
  return *d;
}

}  // namespace sotto
