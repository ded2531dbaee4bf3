#pragma once
// Socket plumbing of the tcp backend: an owning descriptor, deadline-bounded waits and the wire
// formats (frame header, hello). Private to backends/tcp.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace sotto::tcp {

using Clock = std::chrono::steady_clock;

/// Owns a file descriptor (closed on destruction); -1 when empty.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.release()) {}
  Socket& operator=(Socket&& o) noexcept;
  ~Socket();
  int fd() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

/// Milliseconds left until `deadline`, rounded up, for poll(); 0 if past.
int msUntil(Clock::time_point deadline);

/// Waits until fd is ready for `events` (POLLIN / POLLOUT); false at the deadline.
bool waitFor(int fd, short events, Clock::time_point deadline);

/// Makes fd non-blocking and (for TCP) sets TCP_NODELAY.
void tuneSocket(int fd);

/// Listens on host:port (host empty: every interface). Throws CommError naming port and `who`.
Socket listenOn(const std::string& host, uint16_t port, int backlog, const std::string& who);

/// One connection attempt to host:port, bounded by the deadline. Returns an empty Socket if the
/// peer is not (yet) there (refused, unreachable); throws CommError if the host cannot be resolved.
Socket tryConnect(const std::string& host, uint16_t port, Clock::time_point deadline,
                  const std::string& who);

/// Reads / writes exactly buf.size() bytes before the deadline. Return false at the deadline;
/// throw CommError (with `who`) when the connection closes or fails.
bool readAll(int fd, std::span<std::byte> buf, Clock::time_point deadline, const std::string& who);
bool writeAll(int fd, std::span<const std::byte> buf, Clock::time_point deadline,
              const std::string& who);

// ---- Wire formats (little-endian) ---------------------------------------------------------------

/// Frame header: kind (1 byte), operation (1 byte), 2 reserved bytes, payload length (8 bytes).
inline constexpr size_t kFrameHeaderBytes = 12;
enum class FrameKind : uint8_t { kData = 1, kAbort = 2 };
struct FrameHeader {
  FrameKind kind = FrameKind::kData;
  uint8_t op = 0;
  uint64_t length = 0;
};
std::array<std::byte, kFrameHeaderBytes> encode(const FrameHeader& h);
FrameHeader decodeFrameHeader(std::span<const std::byte, kFrameHeaderBytes> b);

/// Hello swapped by both ends of a new connection.
inline constexpr uint64_t kHelloMagic = 0x5043'5454'4f54'544fULL;  // "OTTOTTCP" little-endian
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kHelloBytes = 32;
struct Hello {
  uint64_t magic = kHelloMagic;
  uint32_t version = kProtocolVersion;
  uint32_t world_size = 0;
  uint32_t from = 0;  // sender's rank
  uint32_t to = 0;    // the rank the sender believes it talks to
  uint64_t settings = 0;
};
std::array<std::byte, kHelloBytes> encode(const Hello& h);
Hello decodeHello(std::span<const std::byte, kHelloBytes> b);

}  // namespace sotto::tcp
