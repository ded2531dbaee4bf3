#pragma once
// Test helpers for the tcp backend: N parties as threads of one process, each with its own
// TcpCommunicator over real loopback TCP, on ports that were free a moment ago.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "sotto/comm/tcp.h"

namespace sotto::testing {

/// n distinct loopback ports that were free when asked (bound to port 0, then released).
inline std::vector<uint16_t> freePorts(int n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("freePorts: cannot bind a loopback socket");
    }
    fds.push_back(fd);
    ports.push_back(ntohs(a.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

/// A parties file of n parties on 127.0.0.1.
inline PartiesFile loopbackParties(int n) {
  PartiesFile f;
  f.source = "<test>";
  const auto ports = freePorts(n);
  for (int r = 0; r < n; ++r) f.parties.push_back({r, "127.0.0.1", ports[r], std::nullopt});
  return f;
}

/// Runs fn(rank) on one thread per rank and returns each thread's exception (null if none).
inline std::vector<std::exception_ptr> onThreads(int n, const std::function<void(int)>& fn) {
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      try {
        fn(r);
      } catch (...) {
        errors[r] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

/// Options of rank r in `parties` with a short timeout.
inline TcpOptions tcpOptions(const PartiesFile& parties, int r,
                             std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  TcpOptions o;
  o.rank = r;
  o.parties = parties;
  o.timeout = timeout;
  return o;
}

/// Connects n parties on loopback and runs fn on each; the first exception is rethrown after
/// the faulty party aborted its communicator (so the others fail fast instead of timing out).
inline void simulateTcp(int n, const std::function<void(Communicator&)>& fn) {
  const PartiesFile parties = loopbackParties(n);
  auto errors = onThreads(n, [&](int r) {
    auto comm = makeTcpCommunicator(tcpOptions(parties, r));
    try {
      fn(*comm);
    } catch (const std::exception& e) {
      comm->abort(e.what());
      throw;
    }
  });
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace sotto::testing
