#include "tcp_mesh.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "sotto/error.h"

namespace sotto::tcp {
namespace {

constexpr std::chrono::seconds kHelloWait{5};

class Mesh {
 public:
  Mesh(const TcpOptions& o, const PartiesFile& parties)
      : o_(o),
        parties_(parties),
        n_(parties.worldSize()),
        deadline_(Clock::now() + o.timeout),
        who_("tcp rank " + std::to_string(o.rank) + ": connection set-up"),
        peers_(n_) {}

  std::vector<Socket> run() {
    const auto& me = parties_.parties[o_.rank];
    Socket listener = listenOn(o_.listen_host, me.port, std::max(n_, 16), who_);
    for (int j = 0; j < o_.rank; ++j) connectTo(j);
    const int higher = n_ - 1 - o_.rank;
    for (int accepted = 0; accepted < higher;) {
      if (!waitFor(listener.fd(), POLLIN, deadline_)) missing("no connection from");
      Socket s(::accept4(listener.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (s.fd() < 0) continue;
      tuneSocket(s.fd());
      if (acceptFrom(std::move(s))) ++accepted;
    }
    if (!failure_.empty()) throw CommError(who_ + ": " + failure_);
    return std::move(peers_);
  }

 private:
  std::string party(int r) const {
    const auto& p = parties_.parties[r];
    return "rank " + std::to_string(r) + " (" + p.host + ":" + std::to_string(p.port) + ")";
  }

  // Timeout naming every rank this party has no connection to yet.
  [[noreturn]] void missing(const std::string& what) const {
    if (!failure_.empty()) {
      throw CommError(who_ + ": " + failure_ + " (then timed out: " + what + ")");
    }
    std::string list;
    for (int r = 0; r < n_; ++r) {
      if (r != o_.rank && peers_[r].fd() < 0) list += (list.empty() ? "" : ", ") + party(r);
    }
    throw Timeout(who_ + ": " + what + " within " + std::to_string(o_.timeout.count()) +
                  " ms; missing: " + list + " (not started, wrong address or port, or firewalled)");
  }

  Hello mine(int to) const {
    Hello h;
    h.world_size = static_cast<uint32_t>(n_);
    h.from = static_cast<uint32_t>(o_.rank);
    h.to = static_cast<uint32_t>(to);
    h.settings = o_.settings;
    return h;
  }

  // The checks both ends make, so that a disagreement fails on both. Returns "" if all agree.
  std::string disagreement(const Hello& h, int peer) const {
    auto hex = [](uint64_t v) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
      return std::string(buf);
    };
    const std::string p = party(peer);
    if (h.version != kProtocolVersion) {
      return p + " speaks tcp protocol version " + std::to_string(h.version) + ", this party " +
             std::to_string(kProtocolVersion);
    }
    if (h.world_size != static_cast<uint32_t>(n_)) {
      return p + " was started with world size " + std::to_string(h.world_size) +
             ", this party with " + std::to_string(n_) + " (different parties files?)";
    }
    if (h.settings != o_.settings) {
      return p + " was started with other settings (fingerprint " + hex(h.settings) +
             ", this party " + hex(o_.settings) + ")";
    }
    if (h.from != static_cast<uint32_t>(peer) || h.to != static_cast<uint32_t>(o_.rank)) {
      return "the party at " + p.substr(p.find('(')) + " says it is rank " +
             std::to_string(h.from) + " and expected rank " + std::to_string(h.to) +
             " here (the parties files differ)";
    }
    return "";
  }

  void connectTo(int j) {
    const auto& p = parties_.parties[j];
    Socket s;
    while (s.fd() < 0) {
      s = tryConnect(p.host, p.port, deadline_, who_);
      if (s.fd() >= 0) break;
      if (Clock::now() >= deadline_) missing("no answer from " + party(j));
      std::this_thread::sleep_for(
          std::min<Clock::duration>(std::chrono::milliseconds(50), deadline_ - Clock::now()));
    }
    const std::string who = who_ + " with " + party(j);
    const auto out = encode(mine(j));
    if (!writeAll(s.fd(), out, deadline_, who)) missing("no hello taken by " + party(j));
    std::array<std::byte, kHelloBytes> in{};
    try {
      if (!readAll(s.fd(), in, deadline_, who)) missing("no hello from " + party(j));
    } catch (const CommError& e) {
      throw CommError(std::string(e.what()) +
                      " before its hello: it rejected this party (see its error) or is not a "
                      "sotto tcp party");
    }
    const Hello h = decodeHello(in);
    if (h.magic != kHelloMagic) {
      throw CommError(who_ + ": " + party(j) + " is not a sotto tcp party (bad hello)");
    }
    if (auto why = disagreement(h, j); !why.empty()) return record(why);
    peers_[j] = std::move(s);
  }

  // Reads the hello of a new connection; false if it is not a sotto party (ignored).
  bool acceptFrom(Socket s) {
    // A party sends its hello as soon as it is connected: a connection silent for longer is not
    // one (a port scan, say) and must not hold up set-up.
    std::array<std::byte, kHelloBytes> in{};
    try {
      const auto until = std::min(deadline_, Clock::now() + kHelloWait);
      if (!readAll(s.fd(), in, until, who_)) {
        if (Clock::now() >= deadline_) missing("no hello from a new connection");
        return false;
      }
    } catch (const CommError&) {
      return false;  // closed before its hello: a port scan, or a party that gave up
    }
    const Hello h = decodeHello(in);
    if (h.magic != kHelloMagic) return false;
    const int from = static_cast<int>(h.from);
    const bool known = h.from < static_cast<uint32_t>(n_) && from > o_.rank;
    const int peer = known ? from : -1;
    // Answer first, even when disagreeing, so that the peer fails with the same reason.
    try {
      writeAll(s.fd(), encode(mine(from)), deadline_, who_);
    } catch (const CommError&) {
      return false;  // gone already; it will report its own reason
    }
    if (!known) {
      record("a party says it is rank " + std::to_string(h.from) + " of world size " +
             std::to_string(h.world_size) + ", not a higher rank of this job of " +
             std::to_string(n_) + " (different parties files?)");
      return false;
    }
    if (auto why = disagreement(h, peer); !why.empty()) {
      record(why);
      return true;  // handled: that rank will not connect again
    }
    if (peers_[peer].fd() >= 0) {
      throw CommError(who_ + ": " + party(peer) + " connected twice (two parties with one rank?)");
    }
    peers_[peer] = std::move(s);
    return true;
  }

  // A disagreement is reported at the end of set-up, after every other peer was answered, so
  // that every party learns of it (not only the first to meet the odd one out).
  void record(const std::string& why) {
    if (failure_.empty()) failure_ = why;
  }

  const TcpOptions& o_;
  const PartiesFile& parties_;
  int n_;
  Clock::time_point deadline_;
  std::string who_;
  std::vector<Socket> peers_;
  std::string failure_;  // the first disagreement met
};

}  // namespace

std::vector<Socket> connectMesh(const TcpOptions& options, const PartiesFile& parties) {
  return Mesh(options, parties).run();
}

}  // namespace sotto::tcp
