#pragma once
/// @file hybrid.h
/// A communicator that routes each call by message size between two communicators of the same
/// parties: `small` below the threshold, `large` at or above it. With MPI as small and Gloo as
/// large this is the hybrid of the OpenMPI-in-CrypTen paper (MPI wins on small messages).

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "sotto/comm/communicator.h"

namespace sotto {

/// Sizes the threshold sweep measures, in bytes.
std::vector<size_t> hybridSweepSizes();

/// Measures exchange round trips on both communicators for each sweep size and returns the
/// smallest size from which `large` is at least 10 % faster at every larger measured size (SIZE_MAX
/// if never). Rank 0's measurement decides and is broadcast, so every party gets the same value.
/// Collective; costs a few hundred milliseconds.
size_t calibrateHybridThreshold(Communicator& small, Communicator& large);

/// Wraps two communicators of the same world (same rank, same size). If `threshold` is empty it
/// is calibrated; otherwise every party must pass the same value (checked).
/// @throws InvalidArgument mismatched worlds; CommError parties disagree on the threshold.
std::unique_ptr<Communicator> makeHybridCommunicator(std::unique_ptr<Communicator> small,
                                                     std::unique_ptr<Communicator> large,
                                                     std::optional<size_t> threshold);

/// The threshold of a communicator made by makeHybridCommunicator (SIZE_MAX = never large).
/// @throws InvalidArgument if comm is not a hybrid communicator.
size_t hybridThreshold(const Communicator& comm);

/// Statistics of the two channels of a hybrid communicator: {small, large}.
/// @throws InvalidArgument if comm is not a hybrid communicator.
std::pair<CommStats, CommStats> hybridChannelStats(const Communicator& comm);

}  // namespace sotto
