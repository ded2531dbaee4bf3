#pragma once
// The refill thread of an OT session with a background communicator (session.h): produces chunks
// of COTs ahead of the caller on a thread of its own, which is the only user of that communicator
// while it runs. Private to src/ot.
//
// Determinism (both parties must run the same protocol calls on the background communicator): the
// worker starts chunk c only while c < popped + ahead, popped being the chunks the caller took. The
// callers of both parties take the same chunks in the same order (session.h's contract), so both
// workers run exactly the chunks [0, popped + ahead), whatever the timing. On destruction the
// worker finishes the chunks already due (so the peer's worker, which runs them too, is never left
// waiting) and stops; the background communicator is then idle and in step on both sides.
// Errors: an exception of the worker (a Timeout, a PeerAborted, ...) is kept and rethrown, with
// its type, by the pop() that needs the chunk; the thread never lets one escape (no terminate).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace sotto::ot::detail {

template <typename Chunk>
class Prefetcher {
 public:
  /// Starts the worker: it calls produce(chunk) for chunk 0, 1, … keeping up to `ahead` ready.
  Prefetcher(std::function<void(Chunk&)> produce, size_t ahead)
      : produce_(std::move(produce)), ahead_(ahead), worker_([this] { run(); }) {}

  /// Finishes the chunks due, then joins. A worker blocked on a dead peer returns at the
  /// background communicator's timeout. Never throws.
  ~Prefetcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  /// The next chunk, waiting for the worker if it is not ready. Rethrows the worker's exception
  /// if it failed before producing it.
  Chunk pop() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !ready_.empty() || error_ != nullptr; });
    if (ready_.empty()) std::rethrow_exception(error_);
    Chunk c = std::move(ready_.front());
    ready_.pop_front();
    ++popped_;
    lock.unlock();
    cv_.notify_all();
    return c;
  }

 private:
  void run() noexcept {
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || produced_ < popped_ + ahead_; });
        if (produced_ >= popped_ + ahead_) return;  // stopping, nothing due
      }
      Chunk c;
      try {
        produce_(c);
      } catch (...) {
        {
          std::lock_guard lock(mutex_);
          error_ = std::current_exception();
        }
        cv_.notify_all();
        return;
      }
      {
        std::lock_guard lock(mutex_);
        ready_.push_back(std::move(c));
        ++produced_;
      }
      cv_.notify_all();
    }
  }

  std::function<void(Chunk&)> produce_;
  size_t ahead_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Chunk> ready_;
  size_t popped_ = 0, produced_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread worker_;  // last: started once the members above exist
};

}  // namespace sotto::ot::detail
