#include "sotto/comm/sub_communicator.h"

namespace sotto {
namespace {

// Validates before the base class is built, so the message names the parent.
int checkedSize(const Communicator& parent, int k) {
  SOTTO_ENFORCE(k >= 1 && k <= parent.worldSize(), "SubCommunicator: ", k, " ranks requested of a ",
                parent.backendName(), " world of size ", parent.worldSize());
  SOTTO_ENFORCE(parent.rank() < k, "SubCommunicator: ", parent.backendName(), " rank ",
                parent.rank(), " is not among the first ", k, " ranks");
  return k;
}

}  // namespace

SubCommunicator::SubCommunicator(Communicator& parent, int k)
    : Communicator(parent.rank(), checkedSize(parent, k), "sub(" + parent.backendName() + ")"),
      parent_(parent) {
  setTimeout(parent.timeout());
}

SubCommunicator::~SubCommunicator() = default;

void SubCommunicator::doSend(int peer, ConstBytes data) { parent_.send(peer, data); }

void SubCommunicator::doRecv(int peer, MutableBytes data) { parent_.recv(peer, data); }

void SubCommunicator::doSendRecv(int to, ConstBytes out, int from, MutableBytes in) {
  if (to == from) {
    parent_.exchange(to, out, in);
  } else {
    parent_.sendRecv(to, out, from, in);
  }
}

void SubCommunicator::doAbort(const std::string& reason) noexcept { parent_.abort(reason); }

void SubCommunicator::onTimeoutChanged() { parent_.setTimeout(timeout()); }

}  // namespace sotto
