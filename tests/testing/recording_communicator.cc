#include "testing/recording_communicator.h"

#include <utility>

namespace sotto::testing {

RecordingCommunicator::RecordingCommunicator(Communicator& inner, int peer)
    : Communicator(inner.rank(), inner.worldSize(), "recording(" + inner.backendName() + ")"),
      inner_(inner),
      peer_(peer) {
  SOTTO_ENFORCE(peer >= 0 && peer < inner.worldSize() && peer != inner.rank(),
                "RecordingCommunicator: peer ", peer, " is not another rank of a world of ",
                inner.worldSize());
  setTimeout(inner.timeout());
}

RecordingCommunicator::~RecordingCommunicator() = default;

std::vector<RecordingCommunicator::Message> RecordingCommunicator::takeMessages() {
  return std::exchange(messages_, {});
}

void RecordingCommunicator::record(ConstBytes bytes) {
  if (!recording_ || bytes.empty()) return;
  messages_.push_back({currentOp(), std::vector<std::byte>(bytes.begin(), bytes.end())});
}

void RecordingCommunicator::doSend(int peer, ConstBytes data) { inner_.send(peer, data); }

void RecordingCommunicator::doRecv(int peer, MutableBytes data) {
  inner_.recv(peer, data);
  if (peer == peer_) record(data);
}

void RecordingCommunicator::doSendRecv(int to, ConstBytes out, int from, MutableBytes in) {
  if (to == from) {
    inner_.exchange(to, out, in);
  } else {
    inner_.sendRecv(to, out, from, in);
  }
  if (from == peer_) record(in);
}

void RecordingCommunicator::doAbort(const std::string& reason) noexcept { inner_.abort(reason); }

void RecordingCommunicator::doBroadcast(int root, MutableBytes data) {
  inner_.broadcast(root, data);
  if (root == peer_) record(data);
}

void RecordingCommunicator::doAllReduce(std::span<uint64_t> data, ReduceOp op) {
  if (!recording_) {
    inner_.allReduce(data, op);
    return;
  }
  SOTTO_ENFORCE(worldSize() == 2, "RecordingCommunicator: the peer's part of an allReduce is ",
                "recoverable with 2 parties only, not ", worldSize());
  const std::vector<uint64_t> mine(data.begin(), data.end());
  inner_.allReduce(data, op);
  std::vector<uint64_t> theirs(data.size());
  for (size_t i = 0; i < data.size(); ++i)
    theirs[i] = op == ReduceOp::kAdd ? data[i] - mine[i] : data[i] ^ mine[i];
  record(std::as_bytes(std::span(theirs)));
}

void RecordingCommunicator::doAllGather(ConstBytes mine, MutableBytes all) {
  inner_.allGather(mine, all);
  record(all.subspan(static_cast<size_t>(peer_) * mine.size(), mine.size()));
}

void RecordingCommunicator::doGather(int root, ConstBytes mine, MutableBytes all) {
  inner_.gather(root, mine, all);
  if (root == rank()) record(all.subspan(static_cast<size_t>(peer_) * mine.size(), mine.size()));
}

void RecordingCommunicator::doBarrier() { inner_.barrier(); }

void RecordingCommunicator::onTimeoutChanged() { inner_.setTimeout(timeout()); }

}  // namespace sotto::testing
