#pragma once
// Process-wide MPI initialisation: MPI is a per-process resource, so this is the one place that
// holds process state. Initialised on first use; finalised at exit (MPI_Abort after a failure,
// so that a failed job ends instead of waiting in MPI_Finalize for peers that are gone).

namespace sotto::mpi_runtime {

/// Initialises MPI with MPI_THREAD_MULTIPLE if nobody has. @throws CommError on failure.
void ensureInitialized();

/// Records that some communicator failed: process exit then aborts the MPI job.
void noteFailure();

}  // namespace sotto::mpi_runtime
