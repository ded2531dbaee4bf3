// The tcp backend: one non-blocking socket per peer, framed messages (tcp_socket.h), every wait a
// poll() bounded by deadline(). Collectives are the base class's pairwise shifts.
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "sotto/comm/tcp.h"
#include "tcp_mesh.h"
#include "tcp_socket.h"

namespace sotto {
namespace {

using tcp::Clock;
using tcp::FrameHeader;
using tcp::FrameKind;
using tcp::kFrameHeaderBytes;

// The send half of one call: header then payload, written as the socket takes them.
struct Outgoing {
  int peer = -1;
  std::array<std::byte, kFrameHeaderBytes> header{};
  ConstBytes data;
  size_t done = 0;  // bytes of header + data written
  bool pending() const { return peer >= 0 && done < kFrameHeaderBytes + data.size(); }
};

// The receive half: header, checked, then payload straight into the caller's buffer.
struct Incoming {
  int peer = -1;
  std::array<std::byte, kFrameHeaderBytes> header{};
  MutableBytes data;
  size_t done = 0;  // bytes of header + data read
  bool pending() const { return peer >= 0 && done < kFrameHeaderBytes + data.size(); }
};

class TcpCommunicator final : public Communicator {
 public:
  TcpCommunicator(int rank, int size, std::vector<tcp::Socket> peers)
      : Communicator(rank, size, "tcp"), peers_(std::move(peers)), mid_frame_(peers_.size()) {}

 protected:
  void doSend(int peer, ConstBytes data) override { doSendRecv(peer, data, -1, {}); }
  void doRecv(int peer, MutableBytes data) override { doSendRecv(-1, {}, peer, data); }

  void doSendRecv(int to, ConstBytes out, int from, MutableBytes in) override {
    Outgoing tx;
    Incoming rx;
    if (to >= 0) {
      tx.peer = to;
      tx.header = tcp::encode(FrameHeader{FrameKind::kData, static_cast<uint8_t>(currentOp()),
                                          static_cast<uint64_t>(out.size())});
      tx.data = out;
    }
    if (from >= 0) {
      rx.peer = from;
      rx.data = in;
    }
    // While still sending to `to` (and not receiving from it), its socket is watched for an abort
    // frame or a close.
    bool watch_to = to >= 0 && to != from;
    for (;;) {
      if (tx.pending()) write(tx);
      if (rx.pending()) read(rx);
      if (!tx.pending() && !rx.pending()) break;
      watch_to = watch_to && tx.pending();  // once handed off, the peer may leave: not our business
      pollfd fds[2];
      nfds_t n = 0;
      if (tx.pending() || watch_to) {
        const short ev = static_cast<short>((tx.pending() ? POLLOUT : 0) | (watch_to ? POLLIN : 0));
        fds[n++] = {peers_[to].fd(), ev, 0};
      }
      if (rx.pending()) {
        if (n == 1 && from == to) {
          fds[0].events |= POLLIN;
        } else {
          fds[n++] = {peers_[from].fd(), POLLIN, 0};
        }
      }
      const int ms = tcp::msUntil(deadline());
      if (ms == 0) timedOut(tx, rx);
      const int rc = ::poll(fds, n, ms);
      if (rc < 0 && errno != EINTR) {
        throw CommError(describe(from >= 0 ? from : to) + ": poll: " + std::strerror(errno));
      }
      if (rc > 0 && watch_to && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        watch_to = checkForAbort(to);
      }
    }
  }

  void doAbort(const std::string& reason) noexcept override {
    const std::string why = reason.substr(0, 1000);
    const auto header = tcp::encode(FrameHeader{FrameKind::kAbort, 0, why.size()});
    const auto until = Clock::now() + std::chrono::milliseconds(300);
    for (size_t p = 0; p < peers_.size(); ++p) {
      const int fd = peers_[p].fd();
      if (fd < 0) continue;
      try {
        // A frame cut in the middle cannot be followed by another: just close our side then.
        if (!mid_frame_[p] && tcp::writeAll(fd, header, until, "") &&
            tcp::writeAll(fd, std::as_bytes(std::span(why)), until, "")) {
          ::shutdown(fd, SHUT_WR);  // the peer reads the frame, then end of stream
        } else {
          ::shutdown(fd, SHUT_RDWR);
        }
      } catch (...) {
        ::shutdown(fd, SHUT_RDWR);
      }
      mid_frame_[p] = true;  // nothing may follow
    }
  }

 private:
  [[noreturn]] void closed(int peer, const std::string& cause) {
    throw PeerAborted(describe(peer) + ": the connection to rank " + std::to_string(peer) +
                      " was closed (it exited, was killed or aborted)" +
                      (cause.empty() ? "" : ": " + cause));
  }

  // The peer sent an abort frame whose header is in `h`: read its reason, throw PeerAborted.
  [[noreturn]] void aborted(int peer, const FrameHeader& h) {
    std::string reason(std::min<uint64_t>(h.length, 1000), '\0');
    try {
      tcp::readAll(peers_[peer].fd(), std::as_writable_bytes(std::span(reason)),
                   Clock::now() + std::chrono::milliseconds(200), "");
    } catch (...) {
    }
    throw PeerAborted(describe(peer) + ": rank " + std::to_string(peer) + " aborted: " + reason);
  }

  // After a write error or a wake-up on a socket we only send on: an abort frame waiting there
  // (or a close) ends the call; returns false if ordinary data is waiting (stop watching).
  bool checkForAbort(int peer) {
    std::array<std::byte, kFrameHeaderBytes> h{};
    const ssize_t n = ::recv(peers_[peer].fd(), h.data(), h.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) closed(peer, "");
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
      closed(peer, std::strerror(errno));
    }
    if (static_cast<size_t>(n) < h.size()) return false;
    const FrameHeader header = tcp::decodeFrameHeader(h);
    if (header.kind != FrameKind::kAbort) return false;
    ::recv(peers_[peer].fd(), h.data(), h.size(), MSG_DONTWAIT);
    aborted(peer, header);
  }

  void write(Outgoing& tx) {
    const int fd = peers_[tx.peer].fd();
    while (tx.pending()) {
      iovec iov[2];
      int cnt = 0;
      if (tx.done < kFrameHeaderBytes) {
        iov[cnt++] = {tx.header.data() + tx.done, kFrameHeaderBytes - tx.done};
        if (!tx.data.empty()) {
          iov[cnt++] = {const_cast<std::byte*>(tx.data.data()), tx.data.size()};
        }
      } else {
        const size_t off = tx.done - kFrameHeaderBytes;
        iov[cnt++] = {const_cast<std::byte*>(tx.data.data()) + off, tx.data.size() - off};
      }
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(cnt);
      const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        tx.done += static_cast<size_t>(n);
        mid_frame_[tx.peer] = tx.pending();
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      } else if (errno != EINTR) {
        const int err = errno;
        checkForAbort(tx.peer);  // the peer may have said why before closing
        closed(tx.peer, std::strerror(err));
      }
    }
  }

  void read(Incoming& rx) {
    const int fd = peers_[rx.peer].fd();
    while (rx.pending()) {
      ssize_t n;
      if (rx.done < kFrameHeaderBytes) {
        n = ::recv(fd, rx.header.data() + rx.done, kFrameHeaderBytes - rx.done, MSG_DONTWAIT);
      } else {
        const size_t off = rx.done - kFrameHeaderBytes;
        n = ::recv(fd, rx.data.data() + off, rx.data.size() - off, MSG_DONTWAIT);
      }
      if (n > 0) {
        rx.done += static_cast<size_t>(n);
        if (rx.done == kFrameHeaderBytes) checkHeader(rx);
      } else if (n == 0) {
        closed(rx.peer, "");
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      } else if (errno != EINTR) {
        closed(rx.peer, std::strerror(errno));
      }
    }
  }

  void checkHeader(const Incoming& rx) {
    const FrameHeader h = tcp::decodeFrameHeader(rx.header);
    if (h.kind == FrameKind::kAbort) aborted(rx.peer, h);
    if (h.kind != FrameKind::kData) {
      throw CommError(describe(rx.peer) + ": corrupt stream from rank " + std::to_string(rx.peer) +
                      " (frame kind " + std::to_string(static_cast<int>(h.kind)) + ")");
    }
    if (h.length != rx.data.size()) {
      const std::string op =
          h.op < kNumCommOps ? commOpName(static_cast<CommOp>(h.op)) : std::string("?");
      throw CommError(describe(rx.peer) + ": rank " + std::to_string(rx.peer) + " sent " +
                      std::to_string(h.length) + " bytes (in its " + op +
                      "), this party expected " + std::to_string(rx.data.size()) +
                      ": mismatched message size (the parties issued different calls)");
    }
  }

  [[noreturn]] void timedOut(const Outgoing& tx, const Incoming& rx) const {
    const std::string ms = std::to_string(timeout().count());
    if (rx.pending()) {
      throw Timeout(describe(rx.peer) + ": no message of " + std::to_string(rx.data.size()) +
                    " bytes from rank " + std::to_string(rx.peer) + " within " + ms +
                    " ms (received " + std::to_string(rx.done) + " bytes with the header; it is " +
                    "late or stuck)");
    }
    throw Timeout(describe(tx.peer) + ": rank " + std::to_string(tx.peer) + " did not take " +
                  std::to_string(tx.data.size()) + " bytes within " + ms +
                  " ms (it is late or stuck)");
  }

  std::vector<tcp::Socket> peers_;
  std::vector<bool> mid_frame_;  // a frame to this peer was started and not finished
};

}  // namespace

std::unique_ptr<Communicator> makeTcpCommunicator(const TcpOptions& options) {
  SOTTO_ENFORCE(options.timeout.count() > 0, "tcp: timeout must be positive");
  PartiesFile parties = options.parties;
  if (parties.parties.empty()) {
    SOTTO_ENFORCE(!options.parties_path.empty(),
                  "tcp: no parties (set TcpOptions::parties or parties_path / SOTTO_PARTIES)");
    parties = parsePartiesFile(options.parties_path);
  }
  const int n = parties.worldSize();
  SOTTO_ENFORCE(options.rank >= 0 && options.rank < n, "tcp: rank ", options.rank,
                " is not in the parties file ", parties.source, " (ranks 0..", n - 1, ")");
  auto peers = tcp::connectMesh(options, parties);
  auto comm = std::make_unique<TcpCommunicator>(options.rank, n, std::move(peers));
  comm->setTimeout(options.timeout);
  return comm;
}

}  // namespace sotto
