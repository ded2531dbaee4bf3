#pragma once
// RecordingCommunicator: a test-only decorator that keeps a copy of every byte this party receives
// from one peer while recording is on, one entry per message, so a test can check what a party's
// view of a protocol looks like (party_view_test: sizes and distribution independent of the other
// party's secret). Everything else is forwarded to the inner communicator unchanged (its stats()
// count every call too), as DelayCommunicator does.
//
// What counts as received from `peer`: recv from it, the in-half of exchange / sendRecv whose
// source is it, a broadcast it roots, its slot of an allGather (and of a gather this party roots),
// and its part of an allReduce. An allReduce hands back only the reduction, so its part is
// recovered as result - mine (Add) or result ^ mine (Xor): exactly the peer's words with 2
// parties; recording an allReduce with more parties throws InvalidArgument (the peer's part is not
// recoverable there).

#include <cstddef>
#include <vector>

#include "sotto/comm/communicator.h"

namespace sotto::testing {

class RecordingCommunicator final : public Communicator {
 public:
  /// One message received from the peer while recording.
  struct Message {
    CommOp op;
    std::vector<std::byte> bytes;
  };

  /// Decorates `inner` (not owned; must outlive this), recording what arrives from `peer`.
  /// Recording starts off. @throws InvalidArgument if peer is out of range or is this rank.
  RecordingCommunicator(Communicator& inner, int peer);
  ~RecordingCommunicator() override;

  void setRecording(bool on) { recording_ = on; }
  bool recording() const { return recording_; }
  int peer() const { return peer_; }

  /// Messages received from the peer while recording, in order.
  const std::vector<Message>& messages() const { return messages_; }
  /// Takes the messages recorded so far and starts a new, empty record.
  std::vector<Message> takeMessages();

 protected:
  void doSend(int peer, ConstBytes data) override;
  void doRecv(int peer, MutableBytes data) override;
  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override;
  void doAbort(const std::string& reason) noexcept override;
  void doBroadcast(int root, MutableBytes data) override;
  void doAllReduce(std::span<uint64_t> data, ReduceOp op) override;
  void doAllGather(ConstBytes mine, MutableBytes all) override;
  void doGather(int root, ConstBytes mine, MutableBytes all) override;
  void doBarrier() override;
  void onTimeoutChanged() override;

 private:
  void record(ConstBytes bytes);

  Communicator& inner_;
  int peer_;
  bool recording_ = false;
  std::vector<Message> messages_;
};

}  // namespace sotto::testing
