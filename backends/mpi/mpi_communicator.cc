// The Open MPI backend: non-blocking point-to-point calls completed by a polling loop with a
// deadline. Collectives use the base class's direct algorithm over these calls: measured here,
// MPI's non-blocking collectives (MPI_Iallreduce, MPI_Ibcast: the only ones a timeout can be put
// on) cost 3x a blocking MPI_Allreduce for small messages, while the direct exchange-and-add
// matches it, and 2-4 parties gain nothing from tree or ring algorithms.
#include <mpi.h>

#include <climits>
#include <thread>
#include <vector>

#include "mpi_runtime.h"
#include "sotto/comm/mpi.h"

namespace sotto {
namespace {

constexpr int kDataTag = 7;   // every point-to-point payload (calls are ordered by the contract)
constexpr int kAbortTag = 9;  // on the control communicator: "I aborted: <reason>"

std::string mpiErrorString(int code) {
  char buf[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, buf, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(buf, len);
}

// MPI counts are ints. `where` is only evaluated on failure (it builds a string).
template <typename Where>
int byteCount(size_t n, Where&& where) {
  if (n > static_cast<size_t>(INT_MAX)) {
    throw InvalidArgument(where() + ": message of " + std::to_string(n) +
                          " bytes exceeds the mpi backend's 2 GiB limit per call; split it");
  }
  return static_cast<int>(n);
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int rank, int size, MPI_Comm data, MPI_Comm control)
      : Communicator(rank, size, "mpi"), data_(data), control_(control) {}

  ~MpiCommunicator() override {
    if (!failed()) {
      MPI_Comm_free(&data_);
      MPI_Comm_free(&control_);
    }
  }

 protected:
  void doSend(int peer, ConstBytes data) override {
    MPI_Request req;
    check(MPI_Isend(data.data(), byteCount(data.size(), [&] { return describe(peer); }), MPI_BYTE,
                    peer, kDataTag, data_, &req),
          peer);
    waitAll(std::span(&req, 1), peer, data.size());
  }

  void doRecv(int peer, MutableBytes data) override {
    MPI_Request req;
    check(MPI_Irecv(data.data(), byteCount(data.size(), [&] { return describe(peer); }), MPI_BYTE,
                    peer, kDataTag, data_, &req),
          peer);
    MPI_Status status;
    waitAll(std::span(&req, 1), peer, data.size(), &status);
    checkCount(status, data.size(), peer);
  }

  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    MPI_Request reqs[2];
    MPI_Status statuses[2];
    check(MPI_Irecv(in.data(), byteCount(in.size(), [&] { return describe(from); }), MPI_BYTE, from,
                    kDataTag, data_, &reqs[0]),
          from);
    check(MPI_Isend(out.data(), byteCount(out.size(), [&] { return describe(to); }), MPI_BYTE, to,
                    kDataTag, data_, &reqs[1]),
          to);
    waitAll(std::span(reqs, 2), from, std::max(in.size(), out.size()), statuses);
    checkCount(statuses[0], in.size(), from);
  }

  void doAbort(const std::string& reason) noexcept override {
    mpi_runtime::noteFailure();
    const std::string msg = reason.substr(0, 1000);
    for (int p = 0; p < worldSize(); ++p) {
      if (p == rank()) continue;
      MPI_Request req;
      if (MPI_Isend(msg.data(), static_cast<int>(msg.size()), MPI_CHAR, p, kAbortTag, control_,
                    &req) == MPI_SUCCESS) {
        MPI_Request_free(&req);
      }
    }
  }

 private:
  void check(int rc, int peer) {
    if (rc != MPI_SUCCESS) fail<CommError>(describe(peer) + ": " + mpiErrorString(rc));
  }

  // Marks this communicator (and the process's MPI job) failed, then throws.
  template <typename E>
  [[noreturn]] void fail(const std::string& msg) {
    mpi_runtime::noteFailure();
    throw E(msg);
  }

  void checkCount(const MPI_Status& status, size_t expected, int peer) {
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    if (static_cast<size_t>(count) != expected) {
      fail<CommError>(describe(peer) + ": mismatched message size: expected " +
                      std::to_string(expected) + " bytes, rank " + std::to_string(peer) + " sent " +
                      std::to_string(count));
    }
  }

  // Throws PeerAborted if some peer has announced an abort on the control communicator.
  void checkControl(int peer) {
    int flag = 0;
    MPI_Status status;
    if (MPI_Iprobe(MPI_ANY_SOURCE, kAbortTag, control_, &flag, &status) != MPI_SUCCESS || !flag) {
      return;
    }
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    std::string reason(count, '\0');
    MPI_Recv(reason.data(), count, MPI_CHAR, status.MPI_SOURCE, kAbortTag, control_,
             MPI_STATUS_IGNORE);
    fail<PeerAborted>(describe(peer) + ": rank " + std::to_string(status.MPI_SOURCE) +
                      " aborted: " + reason);
  }

  // Completes the requests, polling. Tight spins first (latency), then, once the wait has lasted
  // kSpinBeforeNaps, short sleeps; the control channel and deadline are checked often. (Yielding
  // after 4096 spins, as this did before, made comm_bench's small collectives bimodal when other
  // threads shared the process: whole repetitions at 130-200 µs per call instead of ~1.2 µs, up
  // to 160x raw MPI, in 3 of 3 runs; without it, 0 of 2, and LeNet5 with the TTP's 3 ranks on
  // 2 cores ran as fast.) A wait that long is not a round's latency
  // but a peer at work (the TTP dealer waiting out the parties' online phase, party 1 waiting for
  // the dealer's batch): spinning through it took a core's share from the ranks at work when 3
  // ranks share 2 cores. A nap costs the wait at most ~0.1 ms. A transfer of kLargeTransfer bytes
  // or more yields instead: Open MPI moves a large message only while it is polled, so naps
  // stalled it (a 64 MiB exchange took 1.76x the time of raw MPI_Isend/MPI_Irecv, 16 MiB 1.9x;
  // yielding: 0.97x and 0.92x, comm_bench with the ranks pinned), and a yield still lets a rank at
  // work run.
  static constexpr auto kSpinBeforeNaps = std::chrono::milliseconds(2);
  static constexpr size_t kLargeTransfer = size_t{1} << 20;
  void waitAll(std::span<MPI_Request> reqs, int peer, size_t bytes,
               MPI_Status* statuses = nullptr) {
    const bool large = bytes >= kLargeTransfer;
    std::vector<MPI_Status> local;
    if (statuses == nullptr) {
      local.resize(reqs.size());
      statuses = local.data();
    }
    std::chrono::steady_clock::time_point start{};  // read at the first check, not per call
    for (uint64_t spin = 0;; ++spin) {
      int done = 0;
      const int rc = MPI_Testall(static_cast<int>(reqs.size()), reqs.data(), &done, statuses);
      if (rc != MPI_SUCCESS) {
        int code = rc;
        for (size_t i = 0; rc == MPI_ERR_IN_STATUS && i < reqs.size(); ++i) {
          if (statuses[i].MPI_ERROR != MPI_SUCCESS) code = statuses[i].MPI_ERROR;
        }
        int cls = 0;
        MPI_Error_class(code, &cls);
        if (cls == MPI_ERR_TRUNCATE) {
          fail<CommError>(describe(peer) + ": mismatched message size: the peer sent more than " +
                          "this party expected (" + mpiErrorString(code) + ")");
        }
        fail<CommError>(describe(peer) + ": " + mpiErrorString(code));
      }
      if (done) return;
      if (spin != 0 && (spin & 255) == 0) {
        checkControl(peer);
        const auto now = std::chrono::steady_clock::now();
        if (spin == 256) start = now;
        if (now >= deadline()) {
          for (auto& r : reqs) {
            if (r != MPI_REQUEST_NULL) MPI_Request_free(&r);
          }
          fail<Timeout>(describe(peer) + ": did not complete within " +
                        std::to_string(timeout().count()) + " ms" +
                        (peer >= 0 ? " (rank " + std::to_string(peer) + " did not answer)" : ""));
        }
        if (now - start > kSpinBeforeNaps) {
          if (large) {
            std::this_thread::yield();
          } else {
            std::this_thread::sleep_for(std::chrono::microseconds(50));
          }
        }
      }
    }
  }

  MPI_Comm data_;
  MPI_Comm control_;
};

}  // namespace

std::unique_ptr<Communicator> makeMpiCommunicator(std::chrono::milliseconds timeout) {
  mpi_runtime::ensureInitialized();
  int rank = 0;
  int size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm data;
  MPI_Comm control;
  if (MPI_Comm_dup(MPI_COMM_WORLD, &data) != MPI_SUCCESS ||
      MPI_Comm_dup(MPI_COMM_WORLD, &control) != MPI_SUCCESS) {
    throw CommError("mpi rank " + std::to_string(rank) + ": MPI_Comm_dup failed");
  }
  MPI_Comm_set_errhandler(data, MPI_ERRORS_RETURN);
  MPI_Comm_set_errhandler(control, MPI_ERRORS_RETURN);
  auto comm = std::make_unique<MpiCommunicator>(rank, size, data, control);
  comm->setTimeout(timeout);
  return comm;
}

}  // namespace sotto
