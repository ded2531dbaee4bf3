#pragma once
// A Gloo rendezvous store over a directory, safe to reuse across runs.
//
// Gloo's FileStore never deletes its keys, so a second run in the same directory fails ("File
// already exists") or, worse, reads the previous run's addresses. Here rank 0 owns each run:
//   1. rank 0 removes old runs, creates DIR/sotto-run-<random id>/ and atomically writes
//      DIR/sotto-current = "<id> <world size>", refreshing its mtime while it waits (heartbeat);
//   2. other ranks wait for a sotto-current with a fresh heartbeat, check the world size, and put
//      their keys in that run's directory; if sotto-current changes under them (rank 0 restarted)
//      they throw RestartRendezvous and the caller starts over;
//   3. after every pair is connected (and a barrier), rank 0 removes the run (finish()).
// One job per directory at a time.

#include <gloo/rendezvous/store.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace sotto::gloo_backend {

/// Thrown on ranks >= 1 when rank 0 started a new run while they were joining an older one.
struct RestartRendezvous : std::runtime_error {
  RestartRendezvous() : std::runtime_error("rendezvous restarted by rank 0") {}
};

class DirStore final : public ::gloo::rendezvous::Store {
 public:
  /// Joins (rank >= 1) or creates (rank 0) the current run. Throws sotto::Timeout if rank 0 does
  /// not show up before `deadline`, sotto::CommError on a world-size mismatch.
  DirStore(std::string dir, int rank, int world_size,
           std::chrono::steady_clock::time_point deadline);

  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys,
            const std::chrono::milliseconds& timeout) override;

  /// Rank 0: removes this run's files. Others: nothing. Never throws.
  void finish() noexcept;

 private:
  std::string keyPath(const std::string& key) const;
  void heartbeatOrCheck();
  void joinAsRoot();
  void joinAsPeer();

  std::string dir_;
  int rank_;
  int world_size_;
  std::chrono::steady_clock::time_point deadline_;
  std::string run_id_;
  std::string run_dir_;
};

}  // namespace sotto::gloo_backend
