// The conformance suite for launched backends: every rank of an `mpiexec -n N` job (or of a
// standalone gloo or tcp job, see scripts/gloo-local and scripts/tcp-local) runs this with
// --backend mpi|gloo|hybrid|tcp. One communicator is created per process and every case runs on
// it, in the same order everywhere. With --secure the communicator is wrapped in a
// SecureChannelCommunicator whose identity keys are fixed test keys (rank r's private key is 32
// bytes of r + 1), every peer's pinned.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <iostream>

#include "comm/conformance.h"
#include "sotto/comm/factory.h"
#include "sotto/comm/secure_channel.h"
#ifdef SOTTO_TEST_HYBRID
#include "sotto/comm/hybrid.h"
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string backend = "mpi";
  bool secure = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0 && i + 1 < argc) backend = argv[++i];
    if (std::strcmp(argv[i], "--secure") == 0) secure = true;
  }
  std::unique_ptr<sotto::Communicator> comm;
  try {
    sotto::CommOptions options;
    options.timeout = std::chrono::seconds(30);
    // The backend itself (plaintext); --secure wraps it below with pinned test keys.
    options.channel = sotto::CommOptions::Channel::kPlain;
    comm = sotto::makeCommunicator(backend, options);
    if (secure) {
      auto test_key = [](int r) {
        std::array<uint8_t, 32> k;
        k.fill(static_cast<uint8_t>(r + 1));
        return sotto::identityFromPrivateKey(k);
      };
      sotto::ChannelOptions channel;
      channel.identity = test_key(comm->rank());
      for (int r = 0; r < comm->worldSize(); ++r) {
        channel.expected_peers.push_back(test_key(r).public_key);
      }
      comm = sotto::withSecureChannel(std::move(comm), channel);
      if (comm->rank() == 0) std::cerr << sotto::channelDescription(*comm) << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "cannot create the '" << backend << "' communicator: " << e.what() << "\n";
    return 1;
  }
  if (comm->worldSize() < 2) {
    std::cerr << "run this under a launcher with at least 2 parties\n";
    return 1;
  }
  for (const auto& c : sotto::testing::conformanceCases()) {
    const std::string suite =
        "Conformance_" + backend + (secure ? "_aead_" : "_") + std::to_string(comm->worldSize());
    ::testing::RegisterTest(suite.c_str(), c.name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [&comm, run = c.run]() -> ::testing::Test* {
                              struct T : ::testing::Test {
                                std::function<void()> body;
                                void TestBody() override { body(); }
                              };
                              auto* t = new T;
                              t->body = [&comm, run] { run(*comm); };
                              return t;
                            });
  }
#ifdef SOTTO_TEST_HYBRID
  if (backend == "hybrid" && !secure) {  // routing is read off the hybrid itself, not a wrapper
    // Calls below their kind's threshold travel on MPI, calls at or above it on Gloo.
    ::testing::RegisterTest(
        "Hybrid", "RoutesBySize", nullptr, nullptr, __FILE__, __LINE__,
        [&comm]() -> ::testing::Test* {
          struct T : ::testing::Test {
            sotto::Communicator* c;
            // One call of `op` below the threshold t and one at it (whole words, for allReduce):
            // exactly one more call on each channel, the large one with the larger size.
            void check(sotto::CommOp op, size_t t, bool takes_part) {
              if (t == SIZE_MAX || t < 16) return;  // one channel only
              const size_t below = (t - 1) / 8 * 8, at = (t + 7) / 8 * 8;
              const auto before = sotto::hybridChannelStats(*c);
              for (size_t n : {below, at}) {
                std::vector<uint64_t> out(n / 8, 1), in(n / 8, 0);
                auto ob = std::as_bytes(std::span(out));
                auto ib = std::as_writable_bytes(std::span(in));
                if (op == sotto::CommOp::kExchange && takes_part)
                  c->exchange(c->rank() ^ 1, ob, ib);
                if (op == sotto::CommOp::kBroadcast) c->broadcast(0, ib);
                if (op == sotto::CommOp::kAllReduce) c->allReduce(in, sotto::ReduceOp::kAdd);
              }
              const auto after = sotto::hybridChannelStats(*c);
              const uint64_t calls = takes_part ? 1 : 0;
              EXPECT_EQ(after.first.op(op).calls - before.first.op(op).calls, calls) << t;
              EXPECT_EQ(after.second.op(op).calls - before.second.op(op).calls, calls) << t;
            }
            void TestBody() override {
              const auto t = sotto::hybridThresholds(*c);
              if (t.p2p == SIZE_MAX && t.broadcast == SIZE_MAX && t.all_reduce == SIZE_MAX) {
                GTEST_SKIP() << "thresholds " << sotto::toString(t) << ": one channel";
              }
              check(sotto::CommOp::kExchange, t.p2p, c->rank() < 2);
              check(sotto::CommOp::kBroadcast, t.broadcast, true);
              check(sotto::CommOp::kAllReduce, t.all_reduce, true);
            }
          };
          auto* test = new T;
          test->c = comm.get();
          return test;
        });
  }
#endif
  int rc = RUN_ALL_TESTS();
  if (rc != 0) std::cerr << "rank " << comm->rank() << ": conformance failures\n";
  comm.reset();
  return rc;
}
