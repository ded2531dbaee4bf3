// Fault injection for launched backends. Every rank of a job runs
//   fault_probe --backend mpi|gloo|hybrid|tcp --case NAME
// and prints one line per rank: "rank R: caught <type>: <message> after <ms> ms" or
// "rank R: finished without error". CTest matches the expected line (PASS_REGULAR_EXPRESSION)
// and its TIMEOUT turns any hang into a failure.
//
// Cases: size-mismatch, timeout, abort, peer-exit, peer-killed, world-mismatch (gloo standalone),
// lonely (gloo standalone: nobody else joins), hybrid-threshold (parties disagree), none (just
// connect), affinity (under mpirun --bind-to core: Gloo's I/O thread must not be pinned to the
// caller's core; prints "unpinned io thread" when it is not).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "sotto/comm/factory.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* typeName(const std::exception& e) {
  if (dynamic_cast<const sotto::Timeout*>(&e)) return "sotto::Timeout";
  if (dynamic_cast<const sotto::PeerAborted*>(&e)) return "sotto::PeerAborted";
  if (dynamic_cast<const sotto::CommError*>(&e)) return "sotto::CommError";
  if (dynamic_cast<const sotto::InvalidArgument*>(&e)) return "sotto::InvalidArgument";
  return "std::exception";
}

int rankFromEnv() {
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "SOTTO_RANK", "PMIX_RANK"}) {
    if (const char* s = std::getenv(v)) return std::atoi(s);
  }
  return -1;
}

// Cpus_allowed_list of one thread of this process.
std::string cpusAllowed(const std::filesystem::path& task) {
  std::ifstream in(task / "status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", 18));
  }
  return "?";
}

// After connecting, the main thread keeps mpirun's binding and some other thread (Gloo's device
// loop) may run on every CPU.
void checkAffinity() {
  const std::string main_cpus = cpusAllowed("/proc/self/task/" + std::to_string(getpid()));
  bool unpinned = false;
  for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    const std::string cpus = cpusAllowed(t.path());
    if (t.path().filename() != std::to_string(getpid()) && cpus != main_cpus) unpinned = true;
  }
  std::cout << "rank " << rankFromEnv() << ": main thread on cpus " << main_cpus << ", "
            << (unpinned ? "unpinned io thread" : "every thread pinned alike") << std::endl;
}

struct Reported {};  // runCase printed the error already

void report(const std::exception& e, Clock::time_point start) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  std::cout << "rank " << rankFromEnv() << ": caught " << typeName(e) << ": " << e.what()
            << " after " << ms << " ms" << std::endl;
}

void runCase(const std::string& backend, const std::string& name, Clock::time_point& start) {
  const int my_rank = rankFromEnv();
  sotto::CommOptions options;
  options.timeout = std::chrono::seconds(4);
  if (name == "world-mismatch" && my_rank == 1) options.world_size = 1 + 2;  // others: env
  if (name == "lonely") options.world_size = 2;                              // only 1 started
  if (name == "hybrid-threshold") options.hybrid_threshold = 1000 + 1000 * my_rank;
  // The backends' own failures, in the clear; channel-mismatch: rank 0 plain, the others encrypt.
  options.channel = name == "channel-mismatch" && my_rank != 0
                        ? sotto::CommOptions::Channel::kEncrypted
                        : sotto::CommOptions::Channel::kPlain;
  start = Clock::now();
  auto comm = sotto::makeCommunicator(backend, options);
  comm->setTimeout(std::chrono::milliseconds(1500));
  std::vector<std::byte> buf(800);
  start = Clock::now();
  try {
    if (name == "affinity") {
      checkAffinity();
    } else if (name == "size-mismatch") {
      if (comm->rank() == 0) comm->recv(1, buf);
      if (comm->rank() == 1) {
        // Gloo's send waits for the matching receive: give rank 1 a longer timeout so that rank 0's
        // own timeout always fires first (otherwise rank 1's abort may reach rank 0 first).
        comm->setTimeout(std::chrono::milliseconds(5000));
        comm->send(0, std::span(buf).first(400));
      }
      comm->barrier();
    } else if (name == "timeout") {
      if (comm->rank() == 0) comm->recv(1, buf);
      if (comm->rank() == 1) std::this_thread::sleep_for(std::chrono::seconds(4));
    } else if (name == "abort") {
      if (comm->rank() == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        comm->abort("disk on fire");
        std::this_thread::sleep_for(std::chrono::seconds(2));
        std::cout << "rank 1: aborted on purpose" << std::endl;
        return;
      }
      if (comm->rank() == 0) comm->recv(1, buf);
    } else if (name == "peer-exit" || name == "peer-killed") {
      if (comm->rank() == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::cout << "rank 1: leaving now" << std::endl;
        if (name == "peer-exit") _exit(3);
        raise(SIGKILL);
      }
      if (comm->rank() == 0) comm->recv(1, buf);
    }
  } catch (const std::exception& e) {
    // Report before telling the others: once they know, they may exit and mpirun then kills
    // this rank (MPI_Abort) while it is still tearing its communicator down.
    report(e, start);
    comm->abort("fault probe");  // as an application would: tell the others, then leave
    throw Reported{};
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "mpi";
  std::string name;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--backend") == 0) backend = argv[++i];
    if (std::strcmp(argv[i], "--case") == 0) name = argv[++i];
  }
  auto start = Clock::now();
  try {
    runCase(backend, name, start);
    std::cout << "rank " << rankFromEnv() << ": finished without error" << std::endl;
    return 0;
  } catch (const Reported&) {
    return 2;
  } catch (const std::exception& e) {
    report(e, start);
    return 2;
  }
}
