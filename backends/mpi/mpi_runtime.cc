#include "mpi_runtime.h"

#include <mpi.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "sotto/error.h"

namespace sotto::mpi_runtime {
namespace {
std::mutex init_mutex;
bool we_initialized = false;
std::atomic<bool> failed{false};

void finalizeAtExit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (failed.load()) {
    MPI_Abort(MPI_COMM_WORLD, 1);
  } else {
    MPI_Finalize();
  }
}
}  // namespace

void ensureInitialized() {
  std::lock_guard<std::mutex> lock(init_mutex);
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) throw CommError("mpi: MPI was already finalized in this process");
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
    throw CommError("mpi: MPI_Init_thread failed");
  }
  we_initialized = true;
  std::atexit(finalizeAtExit);
}

void noteFailure() { failed.store(true); }

}  // namespace sotto::mpi_runtime
