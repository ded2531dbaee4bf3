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

/// As above for a setting written as text (e.g. "batch=64 reveal=class"): the error lists each
/// rank's text (its first 56 bytes; the comparison covers all of it through a 64-bit hash).
/// Collective: one allGather of 64 bytes per party.
/// @throws CommError listing each rank's text when they differ (on every party alike).
void verifySameOnAllParties(Communicator& comm, std::string_view what, std::string_view value);

}  // namespace sotto
