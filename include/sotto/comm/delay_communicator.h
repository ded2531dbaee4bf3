#pragma once
/// @file delay_communicator.h
/// DelayCommunicator: a decorator over any communicator that adds a fixed one-way network latency,
/// for emulated networks (the benchmark harness's `wan` and `edge`; the kernel's netem, the usual
/// way to add latency, is not available on every machine). Results and statistics are exactly
/// those of the inner communicator: only time changes.
///
/// Model: every call in which this party sends holds its outgoing data for the one-way delay
/// before handing it to the inner communicator, so no message reaches a peer earlier than the
/// delay after the call began. A call that only receives adds nothing of its own (its sender
/// holds the message). So a 2-party exchange costs one delay, a ping-pong (send, then recv of the
/// reply) two, and a collective one, as each counts one round; consecutive sends without a reply
/// in between cost one delay each (a stop-and-wait link: messages are not pipelined).
/// Collectives are forwarded to the inner communicator's own (native) collectives.
///
/// | call      | who holds its data for the delay  |
/// |-----------|-----------------------------------|
/// | send      | the sender                        |
/// | recv      | nobody (the sender did)           |
/// | exchange, sendRecv, allReduce, allGather, barrier | every party |
/// | broadcast | the root                          |
/// | gather    | every party but the root          |
///
/// makeCommunicator() wraps the communicator it makes in a DelayCommunicator when the environment
/// variable SOTTO_DELAY_MS is set to a positive number of milliseconds (fractions allowed).
///
/// Contract, on top of Communicator's: the inner communicator must outlive a non-owning
/// DelayCommunicator and must not be called while the decorator is in use by the same thread
/// (calls through the decorator count in the inner communicator's stats() too). setTimeout() is
/// forwarded to the inner communicator; the delay is not counted against the timeout.

#include <chrono>
#include <memory>

#include "sotto/comm/communicator.h"

namespace sotto {

class DelayCommunicator final : public Communicator {
 public:
  /// Decorates `inner` (not owned). No communication. Takes the inner communicator's timeout.
  /// Backend name "delay(<inner's backend name>)".
  /// @throws InvalidArgument if one_way is negative.
  DelayCommunicator(Communicator& inner, std::chrono::nanoseconds one_way);
  /// As above, owning `inner`. @throws InvalidArgument if inner is null or one_way negative.
  DelayCommunicator(std::unique_ptr<Communicator> inner, std::chrono::nanoseconds one_way);
  ~DelayCommunicator() override;

  Communicator& inner() const { return inner_; }
  /// The one-way delay added to each message.
  std::chrono::nanoseconds delay() const { return delay_; }

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
  void hold() const;  // sleeps for the delay (at least; never less)

  std::unique_ptr<Communicator> owned_;
  Communicator& inner_;
  std::chrono::nanoseconds delay_;
};

/// The one-way delay asked for by SOTTO_DELAY_MS (milliseconds, e.g. "5" or "0.25"); zero when
/// unset or empty. @throws InvalidArgument if the value is not a non-negative number.
std::chrono::nanoseconds delayFromEnvironment();

/// `comm` wrapped in a DelayCommunicator if delay > 0, else `comm` itself.
std::unique_ptr<Communicator> withDelay(std::unique_ptr<Communicator> comm,
                                        std::chrono::nanoseconds delay);

}  // namespace sotto
