// The conformance suite for launched backends: every rank of an `mpiexec -n N` job (or of a
// standalone gloo job, see launch_local.sh) runs this with --backend mpi|gloo|hybrid. One
// communicator is created per process and every case runs on it, in the same order everywhere.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>

#include "comm/conformance.h"
#include "sotto/comm/factory.h"
#ifdef SOTTO_TEST_HYBRID
#include "sotto/comm/hybrid.h"
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string backend = "mpi";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0 && i + 1 < argc) backend = argv[++i];
  }
  std::unique_ptr<sotto::Communicator> comm;
  try {
    sotto::CommOptions options;
    options.timeout = std::chrono::seconds(30);
    comm = sotto::makeCommunicator(backend, options);
  } catch (const std::exception& e) {
    std::cerr << "cannot create the '" << backend << "' communicator: " << e.what() << "\n";
    return 1;
  }
  if (comm->worldSize() < 2) {
    std::cerr << "run this under a launcher with at least 2 parties\n";
    return 1;
  }
  for (const auto& c : sotto::testing::conformanceCases()) {
    const std::string suite = "Conformance_" + backend + "_" + std::to_string(comm->worldSize());
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
  if (backend == "hybrid") {
    // Calls below the threshold travel on MPI, calls at or above it on Gloo.
    ::testing::RegisterTest(
        "Hybrid", "RoutesBySize", nullptr, nullptr, __FILE__, __LINE__,
        [&comm]() -> ::testing::Test* {
          struct T : ::testing::Test {
            sotto::Communicator* c;
            void TestBody() override {
              const size_t t = sotto::hybridThreshold(*c);
              if (t == SIZE_MAX || t < 16) GTEST_SKIP() << "threshold " << t << ": one channel";
              const auto before = sotto::hybridChannelStats(*c);
              std::vector<std::byte> small(t - 8), large(t), in_small(t - 8), in_large(t);
              if (c->rank() < 2) {
                c->exchange(c->rank() ^ 1, small, in_small);
                c->exchange(c->rank() ^ 1, large, in_large);
              }
              const auto after = sotto::hybridChannelStats(*c);
              const uint64_t expect_calls = c->rank() < 2 ? 1 : 0;
              EXPECT_EQ(after.first.op(sotto::CommOp::kExchange).calls -
                            before.first.op(sotto::CommOp::kExchange).calls,
                        expect_calls);
              EXPECT_EQ(after.second.op(sotto::CommOp::kExchange).calls -
                            before.second.op(sotto::CommOp::kExchange).calls,
                        expect_calls);
              EXPECT_EQ(after.second.op(sotto::CommOp::kExchange).bytes_sent -
                            before.second.op(sotto::CommOp::kExchange).bytes_sent,
                        expect_calls * t);
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
