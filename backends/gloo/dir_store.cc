#include "dir_store.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include "sotto/error.h"

namespace sotto::gloo_backend {
namespace fs = std::filesystem;
namespace {

constexpr auto kPoll = std::chrono::milliseconds(5);
// rank 0 refreshes sotto-current while it waits; older than this means a dead run.
constexpr auto kHeartbeatFresh = std::chrono::seconds(3);

std::string randomId() {
  uint64_t v = 0;
  if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
    v = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  std::ostringstream os;
  os << std::hex << v;
  return os.str();
}

bool readFile(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// Writes then renames, so readers never see a partial file.
void writeAtomically(const fs::path& p, const std::string& data, const std::string& tmp_suffix) {
  const fs::path tmp = p.string() + ".tmp-" + tmp_suffix;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw CommError("gloo rendezvous: cannot write " + tmp.string());
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw RestartRendezvous();
  }
}

bool fresh(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return false;
  const auto age = fs::file_time_type::clock::now() - t;
  return age < kHeartbeatFresh && age > -kHeartbeatFresh;
}

// Keys Gloo uses look like "3" or "rank_3": the rank they belong to, or -1.
int rankOfKey(const std::string& key) {
  const auto pos = key.find_last_of('_');
  const std::string digits = pos == std::string::npos ? key : key.substr(pos + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(digits);
}

}  // namespace

DirStore::DirStore(std::string dir, int rank, int world_size,
                   std::chrono::steady_clock::time_point deadline)
    : dir_(std::move(dir)), rank_(rank), world_size_(world_size), deadline_(deadline) {
  if (rank_ == 0) {
    joinAsRoot();
  } else {
    joinAsPeer();
  }
}

void DirStore::joinAsRoot() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    throw InvalidArgument("gloo rank 0: cannot create the rendezvous directory " + dir_ + ": " +
                          ec.message());
  }
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("sotto-run-", 0) == 0 || name.rfind("sotto-current", 0) == 0) {
      fs::remove_all(entry.path(), ec);
    }
  }
  run_id_ = randomId();
  run_dir_ = (fs::path(dir_) / ("sotto-run-" + run_id_)).string();
  fs::create_directories(run_dir_, ec);
  if (ec) throw CommError("gloo rank 0: cannot create " + run_dir_ + ": " + ec.message());
  writeAtomically(fs::path(dir_) / "sotto-current",
                  run_id_ + " " + std::to_string(world_size_) + "\n", run_id_);
}

void DirStore::joinAsPeer() {
  const fs::path current = fs::path(dir_) / "sotto-current";
  for (;;) {
    std::string content;
    if (fresh(current) && readFile(current, content)) {
      std::istringstream is(content);
      std::string id;
      int root_world = -1;
      if (is >> id >> root_world) {
        run_id_ = id;
        run_dir_ = (fs::path(dir_) / ("sotto-run-" + run_id_)).string();
        if (root_world != world_size_) {
          std::error_code ec;
          writeAtomically(fs::path(run_dir_) / ("mismatch-" + std::to_string(rank_)),
                          std::to_string(world_size_), std::to_string(rank_));
          (void)ec;
          throw CommError("gloo rank " + std::to_string(rank_) +
                          ": world size disagrees: rank 0 was started with world size " +
                          std::to_string(root_world) + ", this party with " +
                          std::to_string(world_size_));
        }
        return;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
      throw Timeout("gloo rank " + std::to_string(rank_) + ": rendezvous in " + dir_ +
                    ": rank 0 did not start a run there in time (is rank 0 running, with the "
                    "same rendezvous directory?)");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

std::string DirStore::keyPath(const std::string& key) const {
  std::string safe = key;
  for (char& c : safe) {
    if (c == '/') c = '_';
  }
  return (fs::path(run_dir_) / ("key-" + safe)).string();
}

void DirStore::set(const std::string& key, const std::vector<char>& data) {
  writeAtomically(keyPath(key), std::string(data.begin(), data.end()), std::to_string(rank_));
}

std::vector<char> DirStore::get(const std::string& key) {
  wait({key});
  std::string content;
  if (!readFile(keyPath(key), content)) throw RestartRendezvous();
  return std::vector<char>(content.begin(), content.end());
}

void DirStore::wait(const std::vector<std::string>& keys) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  wait(keys, std::max(left, std::chrono::milliseconds(1)));
}

// Rank 0 refreshes its heartbeat and watches for peers that reported a world-size mismatch;
// the others check that rank 0 has not started a different run.
void DirStore::heartbeatOrCheck() {
  const fs::path current = fs::path(dir_) / "sotto-current";
  if (rank_ == 0) {
    std::error_code ec;
    fs::last_write_time(current, fs::file_time_type::clock::now(), ec);
    for (const auto& entry : fs::directory_iterator(run_dir_, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("mismatch-", 0) == 0 && name.find(".tmp") == std::string::npos) {
        std::string theirs;
        readFile(entry.path(), theirs);
        throw CommError("gloo rank 0: world size disagrees: rank " + name.substr(9) +
                        " was started with world size " + theirs + ", this party with " +
                        std::to_string(world_size_));
      }
    }
  } else {
    std::string content;
    if (readFile(current, content) && content.rfind(run_id_ + " ", 0) != 0) {
      throw RestartRendezvous();
    }
  }
}

void DirStore::wait(const std::vector<std::string>& keys,
                    const std::chrono::milliseconds& timeout) {
  const auto until = std::min(deadline_, std::chrono::steady_clock::now() + timeout);
  for (;;) {
    std::set<int> missing;
    bool all = true;
    for (const auto& k : keys) {
      std::error_code ec;
      if (!fs::exists(keyPath(k), ec)) {
        all = false;
        missing.insert(rankOfKey(k));
      }
    }
    if (all) return;
    heartbeatOrCheck();
    if (std::chrono::steady_clock::now() >= until) {
      std::string who;
      for (int r : missing) who += (who.empty() ? "" : ", ") + std::to_string(r);
      throw Timeout("gloo rank " + std::to_string(rank_) + ": rendezvous in " + dir_ + ": rank " +
                    who +
                    " did not join in time (not started, crashed, or started with another "
                    "rendezvous directory)");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

void DirStore::finish() noexcept {
  if (rank_ != 0) return;
  std::error_code ec;
  fs::remove_all(run_dir_, ec);
  std::string content;
  const fs::path current = fs::path(dir_) / "sotto-current";
  if (readFile(current, content) && content.rfind(run_id_ + " ", 0) == 0) fs::remove(current, ec);
}

}  // namespace sotto::gloo_backend
