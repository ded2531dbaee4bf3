// The in-process backend: mailboxes guarded by one mutex per receiving party.
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "sotto/comm/inproc.h"

namespace sotto {

namespace {
// A send is received by a recv: both travel as kSend. Every other call matches only itself.
CommOp wireOp(CommOp op) { return op == CommOp::kRecv ? CommOp::kSend : op; }

struct Message {
  CommOp op;
  std::vector<std::byte> data;
};

// Messages for one receiving party, one FIFO per sender.
struct Mailbox {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::deque<Message>> from;
};
}  // namespace

struct InprocWorld::State {
  explicit State(int n) : mailboxes(n), taken(n, false), closed(n) {
    for (auto& mb : mailboxes) mb.from.resize(n);
    for (auto& c : closed) c.store(false);
  }
  std::vector<Mailbox> mailboxes;
  std::mutex taken_mutex;
  std::vector<bool> taken;
  std::vector<std::atomic<bool>> closed;
  std::atomic<bool> aborted{false};
  std::mutex abort_mutex;
  int abort_rank = -1;
  std::string abort_reason;

  void wakeAll() {
    for (auto& mb : mailboxes) {
      std::lock_guard<std::mutex> lock(mb.m);
      mb.cv.notify_all();
    }
  }
  std::string abortMessage() {
    std::lock_guard<std::mutex> lock(abort_mutex);
    return "rank " + std::to_string(abort_rank) + " aborted: " + abort_reason;
  }
};

namespace {

class InprocCommunicator final : public Communicator {
 public:
  InprocCommunicator(std::shared_ptr<InprocWorld> world, InprocWorld::State& state, int rank)
      : Communicator(rank, world->worldSize(), "inproc"), world_(std::move(world)), s_(state) {}

  ~InprocCommunicator() override {
    s_.closed[rank()].store(true);
    s_.wakeAll();
  }

 protected:
  void doSend(int peer, ConstBytes data) override {
    throwIfAborted(peer);
    if (s_.closed[peer].load()) {
      throw PeerAborted(describe(peer) + ": rank " + std::to_string(peer) +
                        " has closed its communicator (it returned or failed)");
    }
    Mailbox& mb = s_.mailboxes[peer];
    Message msg{wireOp(currentOp()), std::vector<std::byte>(data.begin(), data.end())};
    {
      std::lock_guard<std::mutex> lock(mb.m);
      mb.from[rank()].push_back(std::move(msg));
    }
    mb.cv.notify_all();
  }

  void doRecv(int peer, MutableBytes data) override {
    Mailbox& mb = s_.mailboxes[rank()];
    std::unique_lock<std::mutex> lock(mb.m);
    auto& queue = mb.from[peer];
    const bool ready = mb.cv.wait_until(lock, deadline(), [&] {
      return !queue.empty() || s_.aborted.load() || s_.closed[peer].load();
    });
    if (s_.aborted.load()) throw PeerAborted(describe(peer) + ": " + s_.abortMessage());
    if (queue.empty()) {
      if (!ready) {
        throw Timeout(describe(peer) + ": no message from rank " + std::to_string(peer) +
                      " within " + std::to_string(timeout().count()) + " ms");
      }
      throw PeerAborted(describe(peer) + ": rank " + std::to_string(peer) +
                        " closed its communicator (it returned or failed) without sending");
    }
    Message msg = std::move(queue.front());
    queue.pop_front();
    lock.unlock();
    if (msg.op != wireOp(currentOp())) {
      throw CommError(describe(peer) + ": rank " + std::to_string(peer) + " sent for " +
                      (msg.op == CommOp::kSend ? "send" : commOpName(msg.op)) +
                      " while this party called " + commOpName(currentOp()) +
                      " (the parties issued different calls)");
    }
    if (msg.data.size() != data.size()) {
      throw CommError(describe(peer) + ": mismatched message size: expected " +
                      std::to_string(data.size()) + " bytes, rank " + std::to_string(peer) +
                      " sent " + std::to_string(msg.data.size()));
    }
    if (!data.empty()) std::memcpy(data.data(), msg.data.data(), data.size());
  }

  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    doSend(to, out);  // buffered: never blocks
    doRecv(from, in);
  }

  void doAbort(const std::string& reason) noexcept override { world_->abortAll(rank(), reason); }

 private:
  void throwIfAborted(int peer) {
    if (s_.aborted.load()) throw PeerAborted(describe(peer) + ": " + s_.abortMessage());
  }

  std::shared_ptr<InprocWorld> world_;  // keeps the state alive
  InprocWorld::State& s_;
};

}  // namespace

InprocWorld::InprocWorld(int world_size) : state_(std::make_unique<State>(world_size)) {}
InprocWorld::~InprocWorld() = default;

std::shared_ptr<InprocWorld> InprocWorld::create(int world_size) {
  SOTTO_ENFORCE(world_size >= 1, "inproc: world size must be >= 1, got ", world_size);
  return std::shared_ptr<InprocWorld>(new InprocWorld(world_size));
}

int InprocWorld::worldSize() const { return static_cast<int>(state_->taken.size()); }

std::unique_ptr<Communicator> InprocWorld::communicator(int rank,
                                                        std::chrono::milliseconds timeout) {
  SOTTO_ENFORCE(rank >= 0 && rank < worldSize(), "inproc: rank ", rank,
                " does not exist (world size ", worldSize(), ")");
  {
    std::lock_guard<std::mutex> lock(state_->taken_mutex);
    SOTTO_ENFORCE(!state_->taken[rank], "inproc: the communicator of rank ", rank,
                  " was already taken");
    state_->taken[rank] = true;
  }
  auto comm = std::make_unique<InprocCommunicator>(shared_from_this(), *state_, rank);
  comm->setTimeout(timeout);
  return comm;
}

void InprocWorld::abortAll(int rank, const std::string& reason) noexcept {
  try {
    {
      std::lock_guard<std::mutex> lock(state_->abort_mutex);
      if (state_->abort_rank >= 0) return;  // the first abort wins
      state_->abort_rank = rank;
      state_->abort_reason = reason;
    }
    state_->aborted.store(true);
    state_->wakeAll();
  } catch (...) {
  }
}

void runLocalParties(int world_size, const std::function<void(Communicator&)>& fn,
                     std::chrono::milliseconds timeout) {
  auto world = InprocWorld::create(world_size);
  std::mutex first_mutex;
  std::exception_ptr first;
  std::vector<std::thread> threads;
  threads.reserve(world_size);
  for (int r = 0; r < world_size; ++r) {
    threads.emplace_back([&, r] {
      try {
        auto comm = world->communicator(r, timeout);
        try {
          fn(*comm);
        } catch (const std::exception& e) {
          {
            std::lock_guard<std::mutex> lock(first_mutex);
            if (!first) first = std::current_exception();
          }
          comm->abort(e.what());
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(first_mutex);
        if (!first) first = std::current_exception();
        world->abortAll(r, "failed with a non-standard exception");
      }
    });
  }
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace sotto
