#pragma once
/// @file verify.h
/// Checks that the parties were started with the same settings.

#include <cstdint>
#include <string_view>

#include "sotto/comm/communicator.h"

namespace sotto {

/// Checks that every party passed the same `value` for the setting `what`. Collective: one
/// allGather of 8 bytes per party.
/// @throws CommError listing each rank's value when they differ (on every party alike).
void verifySameOnAllParties(Communicator& comm, std::string_view what, uint64_t value);

}  // namespace sotto
