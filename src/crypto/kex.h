#pragma once
// Key-exchange primitives for the secure channel, all from OpenSSL (private to the library):
// X25519 (RFC 7748), SHA-256 and HKDF-SHA256 (RFC 5869).

#include <array>
#include <cstdint>
#include <span>

#include "sotto/crypto/identity.h"

namespace sotto::kex {

using Bytes32 = std::array<uint8_t, 32>;

/// X25519(private_key, peer): the shared secret, or false if the peer's key is rejected (a
/// low-order point gives the all-zero secret, which OpenSSL refuses). @throws Error on other
/// OpenSSL failures.
bool x25519(const Bytes32& private_key, const PublicKey& peer, Bytes32& shared);

/// SHA-256 of data.
Bytes32 sha256(std::span<const uint8_t> data);

/// HKDF-SHA256: extract(salt, ikm), then expand(info) into out (at most 255 * 32 bytes).
/// @throws Error on OpenSSL failures.
void hkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                std::span<const uint8_t> info, std::span<uint8_t> out);

/// Overwrites memory that held secrets (OPENSSL_cleanse: not optimised away).
void wipe(void* data, size_t size);

}  // namespace sotto::kex
