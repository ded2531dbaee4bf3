#pragma once
/// @file base_ot.h
/// Base oblivious transfer: Chou and Orlandi's "simplest OT" (T. Chou, C. Orlandi, "The Simplest
/// Protocol for Oblivious Transfer", LATINCRYPT 2015), batched, over the prime-order group
/// ristretto255 (libsodium; RFC 9496). Each call runs `count` random 1-of-2 OTs of 128-bit keys
/// at once: the sender gets (k0_i, k1_i), the receiver with choice c_i gets k_{c_i}.
///
///   sender:   a ← Z_ℓ, A = a·G                                 → A (one point for the batch)
///   receiver: b_i ← Z_ℓ, B_i = b_i·G + c_i·A                   → B_0 … B_{count−1}
///   sender:   k0_i = H(A, B_i, i, a·B_i), k1_i = H(A, B_i, i, a·B_i − a·A)
///   receiver: k_{c_i} = H(A, B_i, i, b_i·A)
/// H is BLAKE2b (libsodium's crypto_generichash) with a 16-byte output over a domain label, the
/// transcript (A, B_i) and the index i, so keys are bound to this batch and this position.
///
/// Security: semi-honest, κ = 128 (params.h; ristretto255 gives about 2^126 against discrete logs).
/// The receiver's choices are perfectly hidden (B_i is uniform either way); the sender's other key
/// is hidden under computational Diffie–Hellman in the random-oracle model. Not protected: a
/// malicious party (the CO protocol is known not to be UC-secure against a malicious receiver as
/// published), traffic confidentiality on the wire (use the secure channel).
///
/// Cost per call: 2 messages (1 round trip), 32 bytes sender → receiver and 32·count bytes
/// receiver → sender (4,128 bytes in all for 128 OTs). Sender: count + 2 scalar multiplications;
/// receiver: count fixed-base ones (then it sends), and count variable-base ones, which run while
/// the sender does its own. Traffic is counted under the communicator's current tag.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/ot/block.h"

namespace sotto::ot {

/// Sender side of `count` base OTs with `peer` (which calls baseOtReceive with count choices).
/// Returns (k0_i, k1_i) for i in [0, count).
/// @throws InvalidArgument count == 0 or a bad peer; ProtocolError if a point the peer sent does
///   not decode as a ristretto255 element or is the identity (message names the peer and step);
///   CommError / Timeout from the communicator (e.g. the peer sent another count); Error if
///   libsodium cannot start.
std::vector<std::array<Block, 2>> baseOtSend(Communicator& comm, int peer, size_t count);

/// Receiver side: choices[i] in {0, 1}; returns k_{choices[i]} for each i.
/// @throws InvalidArgument empty choices, a choice other than 0/1, or a bad peer; ProtocolError as
///   baseOtSend; CommError / Timeout from the communicator.
std::vector<Block> baseOtReceive(Communicator& comm, int peer, std::span<const uint8_t> choices);

}  // namespace sotto::ot
