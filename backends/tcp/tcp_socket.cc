#include "tcp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "sotto/error.h"

namespace sotto::tcp {
namespace {

void put(std::byte* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
uint64_t get(const std::byte* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

std::string errnoText(int err) { return std::string(std::strerror(err)); }

sockaddr_in resolve(const std::string& host, uint16_t port, const std::string& who) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    throw CommError(who + ": cannot resolve host '" + host + "': " + gai_strerror(rc));
  }
  sockaddr_in addr{};
  std::memcpy(&addr, res->ai_addr, sizeof addr);
  freeaddrinfo(res);
  addr.sin_port = htons(port);
  return addr;
}

}  // namespace

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

int msUntil(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ms = msUntil(deadline);
    const int rc = ::poll(&p, 1, ms);
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

void tuneSocket(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Socket listenOn(const std::string& host, uint16_t port, int backlog, const std::string& who) {
  sockaddr_in addr{};
  if (host.empty()) {
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(port);
  } else {
    addr = resolve(host, port, who);
  }
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.fd() < 0) throw CommError(who + ": socket(): " + errnoText(errno));
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const std::string where = (host.empty() ? std::string("*") : host) + ":" + std::to_string(port);
  if (::bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    if (err == EADDRINUSE) {
      throw CommError(who + ": port " + std::to_string(port) +
                      " is already in use (cannot listen on " + where +
                      "): another program, or another party with the same port, holds it");
    }
    throw CommError(who + ": cannot listen on " + where + ": " + errnoText(err));
  }
  if (::listen(s.fd(), backlog) != 0) {
    throw CommError(who + ": listen on " + where + ": " + errnoText(errno));
  }
  return s;
}

Socket tryConnect(const std::string& host, uint16_t port, Clock::time_point deadline,
                  const std::string& who) {
  const sockaddr_in addr = resolve(host, port, who);
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.fd() < 0) throw CommError(who + ": socket(): " + errnoText(errno));
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return Socket();
    if (!waitFor(s.fd(), POLLOUT, deadline)) return Socket();
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Socket();
  }
  tuneSocket(s.fd());
  return s;
}

bool readAll(int fd, std::span<std::byte> buf, Clock::time_point deadline, const std::string& who) {
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::recv(fd, buf.data() + done, buf.size() - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n == 0) {
      throw CommError(who + ": the connection was closed");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!waitFor(fd, POLLIN, deadline)) return false;
    } else if (errno != EINTR) {
      throw CommError(who + ": the connection failed: " + errnoText(errno));
    }
  }
  return true;
}

bool writeAll(int fd, std::span<const std::byte> buf, Clock::time_point deadline,
              const std::string& who) {
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::send(fd, buf.data() + done, buf.size() - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!waitFor(fd, POLLOUT, deadline)) return false;
    } else if (errno != EINTR) {
      throw CommError(who + ": the connection failed: " + errnoText(errno));
    }
  }
  return true;
}

std::array<std::byte, kFrameHeaderBytes> encode(const FrameHeader& h) {
  std::array<std::byte, kFrameHeaderBytes> b{};
  b[0] = static_cast<std::byte>(h.kind);
  b[1] = static_cast<std::byte>(h.op);
  put(b.data() + 4, h.length, 8);
  return b;
}

FrameHeader decodeFrameHeader(std::span<const std::byte, kFrameHeaderBytes> b) {
  FrameHeader h;
  h.kind = static_cast<FrameKind>(b[0]);
  h.op = static_cast<uint8_t>(b[1]);
  h.length = get(b.data() + 4, 8);
  return h;
}

std::array<std::byte, kHelloBytes> encode(const Hello& h) {
  std::array<std::byte, kHelloBytes> b{};
  put(b.data(), h.magic, 8);
  put(b.data() + 8, h.version, 4);
  put(b.data() + 12, h.world_size, 4);
  put(b.data() + 16, h.from, 4);
  put(b.data() + 20, h.to, 4);
  put(b.data() + 24, h.settings, 8);
  return b;
}

Hello decodeHello(std::span<const std::byte, kHelloBytes> b) {
  Hello h;
  h.magic = get(b.data(), 8);
  h.version = static_cast<uint32_t>(get(b.data() + 8, 4));
  h.world_size = static_cast<uint32_t>(get(b.data() + 12, 4));
  h.from = static_cast<uint32_t>(get(b.data() + 16, 4));
  h.to = static_cast<uint32_t>(get(b.data() + 20, 4));
  h.settings = get(b.data() + 24, 8);
  return h;
}

}  // namespace sotto::tcp
