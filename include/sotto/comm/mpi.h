#pragma once
/// @file mpi.h
/// The Open MPI backend (no MPI header needed by users). Parties are the ranks of `mpirun`.
///
/// Every call is non-blocking MPI underneath (Isend/Irecv/Iallreduce...) completed by a polling
/// loop that honours the timeout and watches a control channel, so a peer's abort() surfaces here
/// as PeerAborted instead of a hang. MPI is initialised (MPI_THREAD_MULTIPLE) on first use and
/// finalised at process exit; after a failure the exit calls MPI_Abort so the job ends.
/// Before initialising, it raises Open MPI's TCP eager limit to 1 MiB (the MCA parameters
/// btl_tcp_eager_limit, btl_tcp_rndv_eager_limit and btl_tcp_max_send_size, each only where the
/// environment does not set it): on a rate-limited link the rendezvous handshake of larger
/// messages waits behind the bulk data of the exchange (see mpi_runtime.cc for the figures).

#include <chrono>
#include <memory>

#include "sotto/comm/communicator.h"

namespace sotto {

/// A communicator over a private duplicate of MPI_COMM_WORLD. Collective over all ranks.
/// @throws CommError if MPI cannot be initialised.
std::unique_ptr<Communicator> makeMpiCommunicator(
    std::chrono::milliseconds timeout = kDefaultCommTimeout);

}  // namespace sotto
