#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "comm/conformance.h"

namespace sotto::testing {
namespace {

// Deterministic, distinct test words for (party, index): splitmix64 of a combined counter.
uint64_t word(uint64_t party, uint64_t i) {
  uint64_t z = party * 0x1000000007ULL + i + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<uint64_t> words(uint64_t party, size_t n, uint64_t salt = 0) {
  std::vector<uint64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = word(party + 1000 * salt, i);
  return v;
}

ConstBytes bytesOf(const std::vector<uint64_t>& v) { return std::as_bytes(std::span(v)); }
MutableBytes bytesOf(std::vector<uint64_t>& v) { return std::as_writable_bytes(std::span(v)); }

// A token passes 0 -> 1 -> ... -> N-1 -> 0, each hop a send/recv pair carrying the sender's words.
void tokenRing(Communicator& c, size_t n) {
  const int N = c.worldSize();
  const int r = c.rank();
  const int next = (r + 1) % N;
  const int prev = (r - 1 + N) % N;
  std::vector<uint64_t> in(n);
  if (r == 0) {
    c.send(next, bytesOf(words(r, n)));
    c.recv(prev, bytesOf(in));
  } else {
    c.recv(prev, bytesOf(in));
    c.send(next, bytesOf(words(r, n)));
  }
  EXPECT_EQ(in, words(prev, n)) << "rank " << r << " got wrong data from rank " << prev;
}

// Every pair (i < j), in lexicographic order, exchanges: i sends a words, j sends b words.
void allPairsExchange(Communicator& c, size_t a, size_t b, uint64_t salt) {
  const int N = c.worldSize();
  for (int i = 0; i < N; ++i) {
    for (int j = i + 1; j < N; ++j) {
      if (c.rank() != i && c.rank() != j) continue;
      const bool low = c.rank() == i;
      const int peer = low ? j : i;
      auto out = words(c.rank(), low ? a : b, salt);
      std::vector<uint64_t> in(low ? b : a);
      c.exchange(peer, bytesOf(out), bytesOf(in));
      EXPECT_EQ(in, words(peer, low ? b : a, salt)) << "exchange " << i << "<->" << j;
    }
  }
}

void pointToPoint(Communicator& c) {
  tokenRing(c, 1);
  tokenRing(c, 1000);
  tokenRing(c, 100000);
}

void exchange(Communicator& c) {
  allPairsExchange(c, 1, 1, 1);
  allPairsExchange(c, 4096, 4096, 2);
  allPairsExchange(c, 3, 70000, 3);  // different sizes in the two directions
}

void broadcast(Communicator& c) {
  for (int root = 0; root < c.worldSize(); ++root) {
    std::vector<uint64_t> data =
        c.rank() == root ? words(root, 777, 5) : std::vector<uint64_t>(777);
    c.broadcast(root, bytesOf(data));
    EXPECT_EQ(data, words(root, 777, 5)) << "broadcast from root " << root;
  }
}

void allReduceAdd(Communicator& c) {
  const int N = c.worldSize();
  // 2^17 + 3 words: two ranks go by halves from 1 MiB (an odd count: unequal halves).
  for (size_t n : {size_t{1}, size_t{1000}, size_t{65537}, (size_t{1} << 17) + 3}) {
    auto data = words(c.rank(), n, 7);
    c.allReduce(data, ReduceOp::kAdd);
    std::vector<uint64_t> expect(n, 0);
    for (int p = 0; p < N; ++p) {
      auto w = words(p, n, 7);
      for (size_t i = 0; i < n; ++i) expect[i] += w[i];  // wraps mod 2^64
    }
    EXPECT_EQ(data, expect) << "allReduce(Add) of " << n << " words";
  }
}

void allReduceWrapAround(Communicator& c) {
  // Every party holds 2^64 - 1 - rank: the sum wraps past 2^64 (several times for N >= 3).
  const int N = c.worldSize();
  std::vector<uint64_t> data(5, std::numeric_limits<uint64_t>::max() - c.rank());
  data[1] = uint64_t{1} << 63;  // N * 2^63 mod 2^64 = 0 for even N, 2^63 for odd N
  c.allReduce(data, ReduceOp::kAdd);
  uint64_t expect = 0;
  for (int p = 0; p < N; ++p) expect += std::numeric_limits<uint64_t>::max() - p;
  EXPECT_EQ(data[0], expect);
  EXPECT_EQ(data[1], N % 2 == 0 ? uint64_t{0} : uint64_t{1} << 63);
}

void allReduceXor(Communicator& c) {
  for (size_t n : {size_t{513}, (size_t{1} << 17) + 1}) {  // the second by halves on two ranks
    auto data = words(c.rank(), n, 9);
    c.allReduce(data, ReduceOp::kXor);
    std::vector<uint64_t> expect(n, 0);
    for (int p = 0; p < c.worldSize(); ++p) {
      auto w = words(p, n, 9);
      for (size_t i = 0; i < w.size(); ++i) expect[i] ^= w[i];
    }
    EXPECT_EQ(data, expect) << "allReduce(Xor) of " << n << " words";
  }
}

void allGather(Communicator& c) {
  const int N = c.worldSize();
  const size_t n = 321;
  std::vector<uint64_t> all(n * N);
  c.allGather(bytesOf(words(c.rank(), n, 11)), bytesOf(all));
  for (int p = 0; p < N; ++p) {
    std::vector<uint64_t> part(all.begin() + p * n, all.begin() + (p + 1) * n);
    EXPECT_EQ(part, words(p, n, 11)) << "allGather part of rank " << p;
  }
}

void gather(Communicator& c) {
  const int N = c.worldSize();
  const size_t n = 99;
  for (int root = 0; root < N; ++root) {
    std::vector<uint64_t> all(c.rank() == root ? n * N : 0);
    c.gather(root, bytesOf(words(c.rank(), n, 13)), bytesOf(all));
    if (c.rank() != root) continue;
    for (int p = 0; p < N; ++p) {
      std::vector<uint64_t> part(all.begin() + p * n, all.begin() + (p + 1) * n);
      EXPECT_EQ(part, words(p, n, 13)) << "gather to " << root << ", part of rank " << p;
    }
  }
}

void barrier(Communicator& c) {
  for (int i = 0; i < 20; ++i) c.barrier();
  // After a barrier everyone has passed the previous operation: check with an allReduce count.
  std::vector<uint64_t> one{1};
  c.allReduce(one, ReduceOp::kAdd);
  EXPECT_EQ(one[0], static_cast<uint64_t>(c.worldSize()));
}

void largeMessages(Communicator& c) {
  // 20 MiB: above the hybrid's largest threshold (2^24 bytes) and every socket buffer.
  constexpr size_t kWords = (20u << 20) / 8;
  const int N = c.worldSize();
  // exchange 20 MiB between ranks 0 and 1
  if (c.rank() < 2) {
    auto out = words(c.rank(), kWords, 17);
    std::vector<uint64_t> in(kWords);
    c.exchange(c.rank() ^ 1, bytesOf(out), bytesOf(in));
    EXPECT_TRUE(in == words(c.rank() ^ 1, kWords, 17)) << "20 MiB exchange corrupted";
  }
  // broadcast 20 MiB from the last rank
  std::vector<uint64_t> data =
      c.rank() == N - 1 ? words(N - 1, kWords, 19) : std::vector<uint64_t>(kWords);
  c.broadcast(N - 1, bytesOf(data));
  EXPECT_TRUE(data == words(N - 1, kWords, 19)) << "20 MiB broadcast corrupted";
  // allReduce 20 MiB: every word i of party p is i + p, so the sum is N*i + N(N-1)/2
  for (size_t i = 0; i < kWords; ++i) data[i] = i + c.rank();
  c.allReduce(data, ReduceOp::kAdd);
  bool ok = true;
  for (size_t i = 0; i < kWords && ok; ++i) ok = data[i] == N * i + N * (N - 1) / 2;
  EXPECT_TRUE(ok) << "20 MiB allReduce wrong";
}

void emptyMessages(Communicator& c) {
  const int N = c.worldSize();
  std::vector<uint64_t> none;
  if (c.rank() == 0) c.send(1, bytesOf(none));
  if (c.rank() == 1) c.recv(0, bytesOf(none));
  if (c.rank() < 2) c.exchange(c.rank() ^ 1, bytesOf(none), bytesOf(none));
  c.broadcast(0, bytesOf(none));
  c.allReduce(none, ReduceOp::kAdd);
  c.allGather(bytesOf(none), bytesOf(none));
  c.gather(N - 1, bytesOf(none), bytesOf(none));
  // The communicator still works afterwards.
  std::vector<uint64_t> v{static_cast<uint64_t>(c.rank())};
  c.allReduce(v, ReduceOp::kAdd);
  EXPECT_EQ(v[0], static_cast<uint64_t>(N * (N - 1) / 2));
}

void statsCounting(Communicator& c) {
  const uint64_t N = c.worldSize();
  const uint64_t o = N - 1;
  c.resetStats();
  EXPECT_EQ(c.stats().total.calls, 0u);
  {
    auto scope = c.tag("alpha");
    if (c.rank() < 2) {
      std::vector<uint64_t> out(10), in(10);
      c.exchange(c.rank() ^ 1, bytesOf(out), bytesOf(in));  // 80 B each way
    }
    std::vector<uint64_t> v(4);
    c.allReduce(v, ReduceOp::kAdd);  // (N-1) * 32 B each way
  }
  std::vector<uint64_t> b(3);
  c.broadcast(0, bytesOf(b));  // root sends (N-1) * 24 B, others receive 24 B
  c.barrier();

  const CommStats& s = c.stats();
  const bool pair = c.rank() < 2;
  const bool root = c.rank() == 0;
  EXPECT_EQ(s.op(CommOp::kExchange).calls, pair ? 1u : 0u);
  EXPECT_EQ(s.op(CommOp::kExchange).bytes_sent, pair ? 80u : 0u);
  EXPECT_EQ(s.op(CommOp::kExchange).bytes_received, pair ? 80u : 0u);
  EXPECT_EQ(s.op(CommOp::kAllReduce).bytes_sent, o * 32);
  EXPECT_EQ(s.op(CommOp::kAllReduce).bytes_received, o * 32);
  EXPECT_EQ(s.op(CommOp::kBroadcast).bytes_sent, root ? o * 24 : 0u);
  EXPECT_EQ(s.op(CommOp::kBroadcast).bytes_received, root ? 0u : 24u);
  EXPECT_EQ(s.op(CommOp::kBarrier).calls, 1u);
  EXPECT_EQ(s.op(CommOp::kBarrier).bytes(), 0u);
  const uint64_t calls = (pair ? 1 : 0) + 3;
  EXPECT_EQ(s.total.calls, calls);
  EXPECT_EQ(s.total.rounds, calls);
  EXPECT_EQ(s.total.bytes_sent, (pair ? 80u : 0u) + o * 32 + (root ? o * 24 : 0u));
  ASSERT_TRUE(s.by_tag.count("alpha"));
  EXPECT_EQ(s.by_tag.at("alpha").calls, (pair ? 1u : 0u) + 1);
  EXPECT_EQ(s.by_tag.at("alpha").bytes_sent, (pair ? 80u : 0u) + o * 32);
  EXPECT_EQ(s.by_tag.at("").calls, 2u);
  EXPECT_NE(s.toString().find("allReduce"), std::string::npos);
  c.resetStats();
  EXPECT_EQ(c.stats().total.bytes(), 0u);
}

void badArguments(Communicator& c) {
  // Argument errors are caught before any communication, and leave the communicator usable.
  std::vector<uint64_t> v(2);
  EXPECT_THROW(c.send(c.worldSize(), bytesOf(v)), InvalidArgument);
  EXPECT_THROW(c.recv(-1, bytesOf(v)), InvalidArgument);
  EXPECT_THROW(c.exchange(c.rank(), bytesOf(v), bytesOf(v)), InvalidArgument);
  EXPECT_THROW(c.broadcast(c.worldSize() + 3, bytesOf(v)), InvalidArgument);
  std::vector<uint64_t> too_small(1);
  EXPECT_THROW(c.allGather(bytesOf(v), bytesOf(too_small)), InvalidArgument);
  EXPECT_THROW(c.setTimeout(std::chrono::milliseconds(0)), InvalidArgument);
  try {
    c.send(99, bytesOf(v));
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("rank 99 does not exist"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(c.failed());
  c.barrier();
}

}  // namespace

const std::vector<ConformanceCase>& conformanceCases() {
  static const std::vector<ConformanceCase> cases = {
      {"PointToPoint", pointToPoint},
      {"Exchange", exchange},
      {"Broadcast", broadcast},
      {"AllReduceAdd", allReduceAdd},
      {"AllReduceWrapAround", allReduceWrapAround},
      {"AllReduceXor", allReduceXor},
      {"AllGather", allGather},
      {"Gather", gather},
      {"Barrier", barrier},
      {"LargeMessages", largeMessages},
      {"EmptyMessages", emptyMessages},
      {"StatsCounting", statsCounting},
      {"BadArguments", badArguments},
  };
  return cases;
}

std::vector<std::string> conformanceCaseNames() {
  std::vector<std::string> names;
  for (const auto& c : conformanceCases()) names.push_back(c.name);
  return names;
}

const ConformanceCase& conformanceCase(const std::string& name) {
  for (const auto& c : conformanceCases()) {
    if (c.name == name) return c;
  }
  throw std::out_of_range("no conformance case named " + name);
}

}  // namespace sotto::testing
