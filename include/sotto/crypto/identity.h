#pragma once
/// @file identity.h
/// Long-term identity keys of the parties: X25519 key pairs (RFC 7748) made and used through
/// OpenSSL's EVP_PKEY API. A party proves its identity in the handshake of the secure channel
/// (sotto/comm/secure_channel.h); the others pin its public key.
///
/// Files (written by saveIdentityKey() and the `sotto-keygen NAME` tool):
/// - NAME.key: the 32-byte private key as 64 lowercase hex characters and a newline; mode 0600.
///   Loading refuses a file that the group or others may read or write (as ssh does).
/// - NAME.pub: the 32-byte public key as 64 lowercase hex characters and a newline.
///
/// Fingerprints: "SHA256:" followed by the first 16 bytes of SHA-256(public key) in lowercase
/// hex (32 characters), e.g. "SHA256:3f1c...". Compare them out of band to check a .pub file.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sotto {

/// A raw X25519 public key (the u-coordinate, little-endian, as RFC 7748 encodes it).
using PublicKey = std::array<uint8_t, 32>;

/// An X25519 key pair. The destructor wipes the private key from memory.
struct IdentityKey {
  std::array<uint8_t, 32> private_key{};
  PublicKey public_key{};

  IdentityKey() = default;
  IdentityKey(const IdentityKey&) = default;
  IdentityKey& operator=(const IdentityKey&) = default;
  ~IdentityKey();
};

/// A fresh key pair from OpenSSL's CSPRNG. @throws Error if OpenSSL fails.
IdentityKey generateIdentityKey();

/// The key pair of a raw private key (the public key is derived). @throws Error if OpenSSL fails.
IdentityKey identityFromPrivateKey(const std::array<uint8_t, 32>& private_key);

/// Writes path_base + ".key" (mode 0600) and path_base + ".pub". Neither file is replaced unless
/// `overwrite` is true. @throws InvalidArgument if a file exists (and !overwrite) or cannot be
/// written, naming the file.
void saveIdentityKey(const IdentityKey& key, const std::string& path_base, bool overwrite = false);

/// Reads a NAME.key file. @throws InvalidArgument naming the file if it is missing or unreadable,
/// readable or writable by group or others (fix: chmod 600), not 64 hex characters, or not a
/// valid X25519 private key.
IdentityKey loadPrivateKey(const std::string& path);

/// Reads a NAME.pub file. @throws InvalidArgument naming the file if it is missing or its content
/// is not a public key (see parsePublicKey()).
PublicKey loadPublicKey(const std::string& path);

/// Parses 64 hex characters (surrounding whitespace ignored, either case).
/// @throws InvalidArgument saying what is wrong (length, the first non-hex character).
PublicKey parsePublicKey(std::string_view hex);

/// Lowercase hex of the 32 key bytes.
std::string toHex(const PublicKey& key);

/// "SHA256:" + hex of the first 16 bytes of SHA-256(key): 39 characters.
std::string fingerprint(const PublicKey& key);

}  // namespace sotto
