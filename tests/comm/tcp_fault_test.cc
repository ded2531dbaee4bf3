// Faults of the tcp backend: each ends in a clear error on every party concerned, in time, never a
// hang: port in use, a party that never comes, disagreeing world size or settings, a size
// mismatch, an abort, a peer that goes away mid-call, a timeout; plus the factory entry points.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>

#include "comm/tcp_world.h"
#include "sotto/comm/factory.h"

namespace sotto::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The message of the exception in `e`, if it is an E; "" otherwise (including no exception).
template <typename E>
std::string messageIf(const std::exception_ptr& e) {
  if (!e) return "";
  try {
    std::rethrow_exception(e);
  } catch (const E& x) {
    return x.what();
  } catch (...) {
  }
  return "";
}

std::vector<std::byte> bytes(size_t n) { return std::vector<std::byte>(n, std::byte{7}); }

TEST(TcpFault, PortInUseNamesPortAndRank) {
  auto parties = loopbackParties(2);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(parties.parties[1].port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  try {
    makeTcpCommunicator(tcpOptions(parties, 1, milliseconds(500)));
    ADD_FAILURE() << "no error";
  } catch (const CommError& e) {
    EXPECT_THAT(e.what(), HasSubstr("tcp rank 1"));
    EXPECT_THAT(e.what(), HasSubstr("port " + std::to_string(parties.parties[1].port) +
                                    " is already in use"));
  }
  ::close(fd);
}

TEST(TcpFault, PartyThatNeverComesIsNamedWithinTheTimeout) {
  const auto parties = loopbackParties(3);
  const auto start = Clock::now();
  auto errors =
      onThreads(2, [&](int r) { makeTcpCommunicator(tcpOptions(parties, r, milliseconds(800))); });
  const auto took = Clock::now() - start;
  for (int r = 0; r < 2; ++r) {
    const std::string m = messageIf<Timeout>(errors[r]);
    EXPECT_THAT(
        m, HasSubstr("missing: rank 2 (127.0.0.1:" + std::to_string(parties.parties[2].port) + ")"))
        << "rank " << r;
  }
  EXPECT_LT(took, milliseconds(3000));
  // A missing lower rank: rank 1 keeps retrying rank 0 until its timeout.
  auto lonely =
      onThreads(1, [&](int) { makeTcpCommunicator(tcpOptions(parties, 1, milliseconds(500))); });
  EXPECT_THAT(messageIf<Timeout>(lonely[0]), HasSubstr("no answer from rank 0"));
}

TEST(TcpFault, DifferentWorldSizeFailsOnBothSides) {
  const auto three = loopbackParties(3);
  PartiesFile two = three;
  two.parties.pop_back();
  auto errors = onThreads(2, [&](int r) {
    makeTcpCommunicator(tcpOptions(r == 0 ? two : three, r, milliseconds(3000)));
  });
  EXPECT_THAT(messageIf<CommError>(errors[0]),
              HasSubstr("rank 1 (127.0.0.1:" + std::to_string(three.parties[1].port) +
                        ") was started with world size 3, this party with 2"));
  EXPECT_THAT(messageIf<CommError>(errors[1]),
              HasSubstr("rank 0 (127.0.0.1:" + std::to_string(three.parties[0].port) +
                        ") was started with world size 2, this party with 3"));
}

TEST(TcpFault, DifferentSettingsFailOnEveryParty) {
  const auto parties = loopbackParties(3);
  auto errors = onThreads(3, [&](int r) {
    auto o = tcpOptions(parties, r, milliseconds(2000));
    o.settings = r == 2 ? 0xbad : 0x600d;
    makeTcpCommunicator(o);
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_THAT(messageIf<CommError>(errors[r]),
                HasSubstr("rank 2 (127.0.0.1:" + std::to_string(parties.parties[2].port) +
                          ") was started with other settings (fingerprint 0x0000000000000bad, "
                          "this party 0x000000000000600d)"))
        << "rank " << r;
  }
  EXPECT_THAT(messageIf<CommError>(errors[2]), HasSubstr("was started with other settings"));
}

// A client of rank 0's port that is not a party: it connects (retrying until rank 0 listens),
// sends `junk` and stays connected until `hold` has passed.
std::thread stranger(uint16_t port, std::vector<std::byte> junk, milliseconds hold) {
  return std::thread([=] {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const auto until = Clock::now() + milliseconds(5000);
    while (Clock::now() < until) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        if (!junk.empty()) (void)!::write(fd, junk.data(), junk.size());
        std::this_thread::sleep_for(hold);
        ::close(fd);
        return;
      }
      ::close(fd);
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
}

TEST(TcpFault, StrangersOnThePortDoNotStopSetUp) {
  const auto parties = loopbackParties(3);
  const uint16_t port = parties.parties[0].port;
  auto junk = stranger(port, std::vector<std::byte>(32, std::byte{0x55}), milliseconds(100));
  auto silent = stranger(port, {}, milliseconds(7000));
  std::this_thread::sleep_for(milliseconds(50));  // usually they come first
  const auto start = Clock::now();
  auto errors = onThreads(3, [&](int r) {
    auto comm = makeTcpCommunicator(tcpOptions(parties, r, milliseconds(10000)));
    comm->barrier();
  });
  for (auto& e : errors) EXPECT_FALSE(e) << messageIf<std::exception>(e);
  EXPECT_LT(Clock::now() - start, milliseconds(9000));  // a silent stranger costs <= 5 s
  junk.join();
  silent.join();
}

// Runs body on two connected parties; returns each party's exception.
std::vector<std::exception_ptr> pair(const std::function<void(Communicator&)>& body) {
  const auto parties = loopbackParties(2);
  return onThreads(2, [&](int r) {
    auto comm = makeTcpCommunicator(tcpOptions(parties, r));
    comm->setTimeout(milliseconds(1500));
    body(*comm);
  });
}

TEST(TcpFault, SizeMismatchIsACommErrorNotAHang) {
  auto errors = pair([](Communicator& c) {
    auto buf = bytes(800);
    if (c.rank() == 0) c.recv(1, buf);
    if (c.rank() == 1) c.send(0, std::span(buf).first(400));
  });
  EXPECT_THAT(messageIf<CommError>(errors[0]),
              HasSubstr("tcp rank 0: recv from rank 1: rank 1 sent 400 bytes (in its send), this "
                        "party expected 800: mismatched message size"));
  EXPECT_FALSE(errors[1]);
}

TEST(TcpFault, AbortReachesThePeerWithTheReason) {
  auto errors = pair([](Communicator& c) {
    auto buf = bytes(800);
    if (c.rank() == 1) {
      std::this_thread::sleep_for(milliseconds(100));
      c.abort("disk on fire");
      std::this_thread::sleep_for(milliseconds(300));
    } else {
      const auto start = Clock::now();
      try {
        c.recv(1, buf);
      } catch (...) {
        EXPECT_LT(Clock::now() - start, milliseconds(1000));
        throw;
      }
    }
  });
  EXPECT_THAT(messageIf<PeerAborted>(errors[0]),
              HasSubstr("tcp rank 0: recv from rank 1: rank 1 aborted: disk on fire"));
}

TEST(TcpFault, AbortReachesAPartyThatIsOnlySending) {
  // Rank 0 sends more than the socket buffers hold to rank 1, which aborts instead of receiving.
  auto errors = pair([](Communicator& c) {
    auto buf = bytes(64 << 20);
    if (c.rank() == 1) {
      std::this_thread::sleep_for(milliseconds(100));
      c.abort("out of memory");
      std::this_thread::sleep_for(milliseconds(300));
    } else {
      c.send(1, buf);
    }
  });
  EXPECT_THAT(messageIf<PeerAborted>(errors[0]), HasSubstr("rank 1 aborted: out of memory"));
}

TEST(TcpFault, PeerGoneMidCallIsPeerAbortedNotAHang) {
  const auto parties = loopbackParties(2);
  const auto start = Clock::now();
  auto errors = onThreads(2, [&](int r) {
    auto comm = makeTcpCommunicator(tcpOptions(parties, r));
    comm->setTimeout(milliseconds(10000));
    auto buf = bytes(1 << 20);
    if (r == 0) comm->exchange(1, buf, buf);
    if (r == 1) {
      std::this_thread::sleep_for(milliseconds(100));
      comm.reset();  // as if the process exited: its sockets close
    }
  });
  EXPECT_THAT(messageIf<PeerAborted>(errors[0]),
              HasSubstr("the connection to rank 1 was closed (it exited, was killed or aborted)"));
  EXPECT_LT(Clock::now() - start, milliseconds(5000));
}

TEST(TcpFault, SilentPeerTimesOutNamingIt) {
  auto errors = pair([](Communicator& c) {
    auto buf = bytes(800);
    if (c.rank() == 0) c.recv(1, buf);
    if (c.rank() == 1) std::this_thread::sleep_for(milliseconds(2000));
  });
  EXPECT_THAT(messageIf<Timeout>(errors[0]),
              HasSubstr("tcp rank 0: recv from rank 1: no message of 800 bytes from rank 1 within "
                        "1500 ms"));
}

TEST(TcpFault, LargeExchangesInBothDirectionsDoNotDeadlock) {
  simulateTcp(3, [](Communicator& c) {
    // A shift with 24 MiB each way: far beyond the socket buffers.
    const int n = c.worldSize();
    std::vector<uint64_t> out(3 << 20, static_cast<uint64_t>(c.rank())), in(3 << 20);
    c.sendRecv((c.rank() + 1) % n, std::as_bytes(std::span(out)), (c.rank() + n - 1) % n,
               std::as_writable_bytes(std::span(in)));
    EXPECT_EQ(in.front(), static_cast<uint64_t>((c.rank() + n - 1) % n));
    EXPECT_EQ(in.back(), static_cast<uint64_t>((c.rank() + n - 1) % n));
  });
}

TEST(TcpFault, ARestartedJobReusesItsPortsAtOnce) {
  // The first job's connections linger in TIME_WAIT; SO_REUSEADDR lets the next one listen.
  const auto parties = loopbackParties(3);
  for (int run = 0; run < 2; ++run) {
    auto errors = onThreads(3, [&](int r) {
      auto comm = makeTcpCommunicator(tcpOptions(parties, r, milliseconds(5000)));
      std::vector<uint64_t> v{1};
      comm->allReduce(v, ReduceOp::kAdd);
      EXPECT_EQ(v[0], 3u);
    });
    for (auto& e : errors) EXPECT_FALSE(e) << "run " << run << ": " << messageIf<std::exception>(e);
  }
}

TEST(TcpFactory, TcpAndAutoFromAPartiesFileWithAHostName) {
  auto parties = loopbackParties(2);
  parties.parties[0].host = "localhost";  // resolved with getaddrinfo
  const auto path = std::filesystem::temp_directory_path() /
                    ("sotto-tcp-" + std::to_string(parties.parties[0].port) + ".parties");
  std::ofstream(path) << "# test job\n" << formatPartiesFile(parties);
  auto errors = onThreads(2, [&](int r) {
    CommOptions o;
    o.rank = r;
    o.parties_file = path.string();
    o.timeout = std::chrono::seconds(10);
    auto comm = makeCommunicator(r == 0 ? "tcp" : "auto", o);
    EXPECT_EQ(comm->backendName(), "tcp+aead");  // the encrypted channel by default
    EXPECT_EQ(comm->worldSize(), 2);
    std::vector<uint64_t> v{static_cast<uint64_t>(r) + 1};
    comm->allReduce(v, ReduceOp::kAdd);
    EXPECT_EQ(v[0], 3u);
  });
  std::filesystem::remove(path);
  for (auto& e : errors) EXPECT_FALSE(e) << messageIf<std::exception>(e);
  const auto list = availableBackends();
  EXPECT_NE(std::find(list.begin(), list.end(), "tcp"), list.end());
}

TEST(TcpFactory, MissingPartiesFileOrRankIsAnInvalidArgument) {
  if (std::getenv("SOTTO_PARTIES") != nullptr || std::getenv("SOTTO_RANK") != nullptr) {
    GTEST_SKIP() << "SOTTO_PARTIES / SOTTO_RANK set in the environment";
  }
  CommOptions o;
  o.rank = 0;
  EXPECT_THROW(
      {
        try {
          makeCommunicator("tcp", o);
        } catch (const InvalidArgument& e) {
          EXPECT_THAT(e.what(), HasSubstr("needs a parties file"));
          throw;
        }
      },
      InvalidArgument);
  o.rank = -1;
  o.parties_file = "/nonexistent/job.parties";
  EXPECT_THROW(makeCommunicator("tcp", o), InvalidArgument);  // no rank
  o.rank = 0;
  EXPECT_THROW(
      {
        try {
          makeCommunicator("auto", o);
        } catch (const InvalidArgument& e) {
          EXPECT_THAT(e.what(),
                      HasSubstr("parties file /nonexistent/job.parties: cannot be opened"));
          throw;
        }
      },
      InvalidArgument);
}

}  // namespace
}  // namespace sotto::testing
