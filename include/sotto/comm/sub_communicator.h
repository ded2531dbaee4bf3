#pragma once
/// @file sub_communicator.h
/// SubCommunicator: a Communicator over the first k ranks of a parent communicator. Ranks 0..k-1
/// keep their numbers; ranks k.. of the parent (for example a trusted dealer on the last rank)
/// take no part in any of its calls. This is how the parties of a TTP run compute among
/// themselves while sharing one launched world with the dealer (see sotto/mpc/dealer/ttp_dealer.h).
///
/// Every call goes through the parent's public send / recv / exchange / sendRecv; the collectives
/// are the base class's direct algorithm over those point-to-point calls (the parent's native
/// collectives would involve every parent rank). So the parent's stats() count this
/// communicator's traffic as well as its own, while this communicator's stats() count only what
/// went through it.
///
/// Contract, on top of Communicator's: the parent must outlive the SubCommunicator, and one
/// thread uses both (the parent must not be called concurrently with the SubCommunicator).
/// Timeouts: setTimeout() is forwarded to the parent, and each point-to-point step of a call is
/// bounded by the parent's timeout (a collective over k ranks makes k-1 steps).

#include <memory>

#include "sotto/comm/communicator.h"

namespace sotto {

class SubCommunicator final : public Communicator {
 public:
  /// The communicator of this party among ranks 0..k-1 of `parent`. No communication. Takes the
  /// parent's timeout. Backend name "sub(<parent's backend name>)".
  /// @throws InvalidArgument if k is outside [1, parent.worldSize()] or parent.rank() >= k.
  SubCommunicator(Communicator& parent, int k);
  ~SubCommunicator() override;

  Communicator& parent() const { return parent_; }

 protected:
  void doSend(int peer, ConstBytes data) override;
  void doRecv(int peer, MutableBytes data) override;
  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override;
  /// Aborts the parent: every rank of the parent world (the excluded ones too) is told.
  void doAbort(const std::string& reason) noexcept override;
  void onTimeoutChanged() override;

 private:
  Communicator& parent_;
};

}  // namespace sotto
