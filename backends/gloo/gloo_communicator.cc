// The Gloo TCP backend: point-to-point over unbound buffers (receives posted before sends),
// collectives by the base class's direct algorithm (Gloo's ring allreduce costs 90-220 us even
// for 8 bytes here; the direct exchange 35-45 us).
#include <gloo/common/error.h>
#include <gloo/rendezvous/context.h>
#include <gloo/transport/tcp/device.h>
#include <gloo/transport/unbound_buffer.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <map>
#include <thread>

#include "dir_store.h"
#include "sotto/comm/gloo.h"

namespace sotto {
namespace {

// Gloo completes a receive with however many bytes were sent, so a size mismatch would pass
// silently. The slot therefore carries the size: a message of another size never matches, and the
// receive ends in a Timeout that says so. Slots stay below 2^56 (Gloo's collectives use the top
// byte).
constexpr uint64_t kSlotBase = uint64_t{1} << 52;
uint64_t slotFor(size_t nbytes) { return kSlotBase | (nbytes & (kSlotBase - 1)); }

// A store whose set() is an allGather over a bootstrap communicator: every rank calls set() the
// same number of times in the same order during connectFullMesh, so each set() is collective
// and afterwards every key is local.
class BootstrapStore final : public ::gloo::rendezvous::Store {
 public:
  explicit BootstrapStore(Communicator& comm) : comm_(comm) {}

  void set(const std::string& key, const std::vector<char>& data) override {
    // blob = key length (8 bytes) | key | value
    std::vector<char> blob(8 + key.size() + data.size());
    const uint64_t klen = key.size();
    std::memcpy(blob.data(), &klen, 8);
    std::memcpy(blob.data() + 8, key.data(), key.size());
    if (!data.empty()) std::memcpy(blob.data() + 8 + key.size(), data.data(), data.size());
    const int n = comm_.worldSize();
    std::vector<uint64_t> sizes(n);
    const uint64_t mine = blob.size();
    comm_.allGather(std::as_bytes(std::span(&mine, 1)), std::as_writable_bytes(std::span(sizes)));
    uint64_t max = 0;
    for (int r = 0; r < n; ++r) {
      if (sizes[r] < 8 || sizes[r] > (1u << 20)) {
        throw CommError("gloo bootstrap over " + comm_.backendName() + ": rank " +
                        std::to_string(r) + " sent a malformed address record (" +
                        std::to_string(sizes[r]) +
                        " bytes): the parties were started with different backends or settings");
      }
      max = std::max(max, sizes[r]);
    }
    blob.resize(max);
    std::vector<char> all(max * n);
    comm_.allGather(std::as_bytes(std::span(blob)), std::as_writable_bytes(std::span(all)));
    for (int r = 0; r < n; ++r) {
      const char* p = all.data() + r * max;
      uint64_t len = 0;
      std::memcpy(&len, p, 8);
      std::string k(p + 8, len);
      values_[k] = std::vector<char>(p + 8 + len, p + sizes[r]);
    }
  }

  std::vector<char> get(const std::string& key) override {
    auto it = values_.find(key);
    if (it == values_.end()) {
      throw CommError("gloo bootstrap: key '" + key + "' was never set by any rank");
    }
    return it->second;
  }

  void wait(const std::vector<std::string>& keys) override {
    for (const auto& k : keys) get(k);
  }
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds&) override {
    wait(keys);
  }

 private:
  Communicator& comm_;
  std::map<std::string, std::vector<char>> values_;
};

// Gloo's device thread must not share the caller's core: under mpirun's default --bind-to core
// every call then waits a scheduler slice (~4 ms). The device thread inherits the affinity of the
// thread that creates it, so widen ours to all CPUs while creating the device, then restore.
std::shared_ptr<::gloo::transport::Device> createDeviceUnpinned(const std::string& host) {
  cpu_set_t saved;
  const bool have_saved = sched_getaffinity(0, sizeof saved, &saved) == 0;
  if (have_saved) {
    cpu_set_t all;
    CPU_ZERO(&all);
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (long i = 0; i < n && i < CPU_SETSIZE; ++i) CPU_SET(i, &all);
    sched_setaffinity(0, sizeof all, &all);
  }
  std::shared_ptr<::gloo::transport::Device> dev;
  try {
    ::gloo::transport::tcp::attr attr;
    attr.hostname = host;
    dev = ::gloo::transport::tcp::CreateDevice(attr);
  } catch (const std::exception& e) {
    if (have_saved) sched_setaffinity(0, sizeof saved, &saved);
    throw InvalidArgument("gloo: cannot listen on host '" + host + "': " + e.what());
  }
  if (have_saved) sched_setaffinity(0, sizeof saved, &saved);
  return dev;
}

class GlooCommunicator final : public Communicator {
 public:
  GlooCommunicator(int rank, int size, std::shared_ptr<::gloo::rendezvous::Context> ctx)
      : Communicator(rank, size, "gloo"), ctx_(std::move(ctx)) {}

  ~GlooCommunicator() override {
    try {
      for (auto& b : cache_) b.reset();
      ctx_.reset();
    } catch (...) {
    }
  }

 protected:
  void doSend(int peer, ConstBytes data) override { doSendRecv(peer, data, -1, {}); }
  void doRecv(int peer, MutableBytes data) override { doSendRecv(-1, {}, peer, data); }

  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    // Zero-byte messages carry nothing: by the contract both sides know the size, so skip them.
    ::gloo::transport::UnboundBuffer* rbuf = nullptr;
    ::gloo::transport::UnboundBuffer* sbuf = nullptr;
    int peer = from >= 0 ? from : to;
    size_t expected = in.size();
    try {
      if (from >= 0 && !in.empty()) {
        rbuf = buffer(in.data(), in.size());
        rbuf->recv(from, slotFor(in.size()));  // receiver-driven: post the receive first
      }
      if (to >= 0 && !out.empty()) {
        sbuf = buffer(const_cast<std::byte*>(out.data()), out.size(), rbuf);
        sbuf->send(to, slotFor(out.size()));
      }
      if (rbuf) {
        peer = from;
        if (!rbuf->waitRecv(remaining())) throw aborted(from);
      }
      if (sbuf) {
        peer = to;
        expected = 0;
        if (!sbuf->waitSend(remaining())) throw aborted(to);
      }
    } catch (const ::gloo::IoException& e) {
      translate(e, peer, expected);
    } catch (const ::gloo::Exception& e) {
      translate(e, peer, expected);
    } catch (const ::gloo::EnforceNotMet& e) {
      throw CommError(describe(peer) + ": " + e.what());
    }
  }

  void doAbort(const std::string&) noexcept override {
    try {
      if (ctx_) ctx_->closeConnections();  // peers see their connection close and fail fast
    } catch (...) {
    }
  }

  void onTimeoutChanged() override { ctx_->setTimeout(timeout()); }

 private:
  std::chrono::milliseconds remaining() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline() - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(1));
  }

  PeerAborted aborted(int peer) const {
    return PeerAborted(describe(peer) + ": the operation was aborted");
  }

  // `expected` > 0 while waiting for a receive of that many bytes.
  [[noreturn]] void translate(const std::exception& e, int peer, size_t expected) const {
    const std::string what = e.what();
    if (what.find("Timed out") != std::string::npos) {
      if (expected > 0) {
        throw Timeout(describe(peer) + ": no message of " + std::to_string(expected) +
                      " bytes from rank " + std::to_string(peer) + " within " +
                      std::to_string(timeout().count()) +
                      " ms (it is late, gone, or sent a mismatched message size)");
      }
      throw Timeout(describe(peer) + ": rank " + std::to_string(peer) + " did not receive within " +
                    std::to_string(timeout().count()) +
                    " ms (it is late, gone, or expects a "
                    "mismatched message size)");
    }
    throw PeerAborted(describe(peer) + ": the connection to rank " + std::to_string(peer) +
                      " failed (it exited, was killed or aborted): " + what);
  }

  // Gloo buffers are registered objects that cost microseconds to create; callers reuse memory
  // (loops, the allocator handing back the same block), so the last few are kept by address. A
  // cached buffer is only used again for the same (address, size), i.e. for memory the caller
  // passes in the current call; Gloo touches it only during an operation. `keep` (the other
  // direction of the call in progress) is never evicted.
  ::gloo::transport::UnboundBuffer* buffer(std::byte* ptr, size_t size,
                                           const ::gloo::transport::UnboundBuffer* keep = nullptr) {
    for (auto& b : cache_) {
      if (b && b->ptr == ptr && b->size == size) return b.get();
    }
    size_t i = next_slot_++ % cache_.size();
    if (cache_[i].get() == keep && keep != nullptr) i = next_slot_++ % cache_.size();
    cache_[i] = ctx_->createUnboundBuffer(ptr, size);
    return cache_[i].get();
  }

  std::shared_ptr<::gloo::rendezvous::Context> ctx_;
  std::array<std::unique_ptr<::gloo::transport::UnboundBuffer>, 8> cache_;
  size_t next_slot_ = 0;
};

// One attempt at connecting every pair through `store`.
std::shared_ptr<::gloo::rendezvous::Context> connect(::gloo::rendezvous::Store& store, int rank,
                                                     int size, const std::string& host,
                                                     std::chrono::milliseconds timeout) {
  auto dev = createDeviceUnpinned(host);
  auto ctx = std::make_shared<::gloo::rendezvous::Context>(rank, size);
  ctx->setTimeout(timeout);
  ctx->connectFullMesh(store, dev);
  return ctx;
}

}  // namespace

std::unique_ptr<Communicator> makeGlooCommunicator(const GlooOptions& o) {
  const std::string host = o.host.empty() ? "127.0.0.1" : o.host;
  SOTTO_ENFORCE(o.timeout.count() > 0, "gloo: timeout must be positive");
  if (o.bootstrap != nullptr) {
    Communicator& boot = *o.bootstrap;
    const int rank = boot.rank();
    const int size = boot.worldSize();
    BootstrapStore store(boot);
    std::shared_ptr<::gloo::rendezvous::Context> ctx;
    try {
      ctx = connect(store, rank, size, host, o.timeout);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw CommError("gloo rank " + std::to_string(rank) + ": connecting over " +
                      boot.backendName() + " failed: " + e.what());
    }
    auto comm = std::make_unique<GlooCommunicator>(rank, size, std::move(ctx));
    comm->setTimeout(o.timeout);
    comm->barrier();
    return comm;
  }

  SOTTO_ENFORCE(o.world_size >= 1, "gloo: world size must be >= 1 (set SOTTO_WORLD_SIZE), got ",
                o.world_size);
  SOTTO_ENFORCE(o.rank >= 0 && o.rank < o.world_size, "gloo: rank ", o.rank,
                " is outside the world of size ", o.world_size, " (SOTTO_RANK)");
  SOTTO_ENFORCE(!o.rendezvous_dir.empty(),
                "gloo: a rendezvous directory is needed without mpirun (SOTTO_RENDEZVOUS_DIR)");
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  for (;;) {
    try {
      gloo_backend::DirStore store(o.rendezvous_dir, o.rank, o.world_size, deadline);
      std::shared_ptr<::gloo::rendezvous::Context> ctx;
      try {
        ctx = connect(store, o.rank, o.world_size, host, o.timeout);
      } catch (const Error&) {
        throw;
      } catch (const gloo_backend::RestartRendezvous&) {
        throw;
      } catch (const std::exception& e) {
        throw CommError("gloo rank " + std::to_string(o.rank) +
                        ": connecting to the peers failed: " + e.what());
      }
      auto comm = std::make_unique<GlooCommunicator>(o.rank, o.world_size, std::move(ctx));
      comm->setTimeout(o.timeout);
      comm->barrier();  // everyone has read the store: rank 0 may now remove the run's files
      store.finish();
      return comm;
    } catch (const gloo_backend::RestartRendezvous&) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw Timeout("gloo rank " + std::to_string(o.rank) + ": rendezvous in " +
                      o.rendezvous_dir + " kept restarting until the timeout");
      }
    }
  }
}

}  // namespace sotto
