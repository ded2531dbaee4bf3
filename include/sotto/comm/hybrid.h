#pragma once
/// @file hybrid.h
/// A communicator that routes each call by its kind and size between two communicators of the
/// same parties: `small` below the kind's threshold, `large` at or above it. With MPI as small and
/// Gloo as large this is the hybrid of the OpenMPI-in-CrypTen paper (MPI wins on small messages).

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/comm/hybrid_thresholds.h"

namespace sotto {

/// Sizes the threshold sweep may measure, in bytes (4 KiB to 16 MiB, doubling).
std::vector<size_t> hybridSweepSizes();

/// Measures exchange, broadcast and allReduce on both communicators and picks a threshold per kind.
/// Per kind: a probe at 64 KiB predicts each size's cost; the sweep starts at the largest sweep
/// size whose samples fit in half the kind's budget (about 4 s: 16 MiB on one host, 1 MiB at 100
/// Mbit/s, 256 KiB at 20 Mbit/s) and goes down while `large` wins, 3 to 9 samples of two calls
/// back to back per channel and size, the two channels interleaved. A sample is timed on rank 0
/// up to the delivery of its last call. `large` wins a size when its median is at least 5 % below
/// `small`'s; the threshold is the smallest size of the winning run from the top when that run has
/// two sizes or more, the top size alone when it wins by 15 %, else SIZE_MAX (larger sizes are
/// taken to follow the top one). Rank 0 decides and broadcasts, so every party gets the same
/// thresholds. Collective; costs about 1 s on one host, 1-2 s on a LAN, 5-6 s on slow links.
HybridThresholds calibrateHybridThresholds(Communicator& small, Communicator& large);

/// Wraps two communicators of the same world (same rank, same size). If `thresholds` is empty
/// they are calibrated; otherwise every party must pass the same values (checked).
/// @throws InvalidArgument mismatched worlds; CommError parties disagree on the thresholds.
std::unique_ptr<Communicator> makeHybridCommunicator(std::unique_ptr<Communicator> small,
                                                     std::unique_ptr<Communicator> large,
                                                     std::optional<HybridThresholds> thresholds);

/// The thresholds of a communicator made by makeHybridCommunicator.
/// @throws InvalidArgument if comm is not a hybrid communicator.
HybridThresholds hybridThresholds(const Communicator& comm);

/// Statistics of the two channels of a hybrid communicator: {small, large}.
/// @throws InvalidArgument if comm is not a hybrid communicator.
std::pair<CommStats, CommStats> hybridChannelStats(const Communicator& comm);

}  // namespace sotto
