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

/// Measures exchange, broadcast and allReduce on both communicators, the two interleaved call by
/// call, at growing sweep sizes; per kind, the threshold is the smallest measured size from which
/// `large`'s median is at least 5 % below `small`'s at every larger measured size, two sizes at
/// least (SIZE_MAX if not at the two largest). The sweep of a kind stops early when its next size
/// would take it past about 1.5 s (slow links: on 20 Mbit/s it ends near 256 KiB; larger sizes are
/// taken to follow the last measured one). Rank 0's measurements decide and are broadcast, so every
/// party gets the same thresholds. Collective; costs about 0.5 s on one host, a few seconds on slow
/// links.
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
