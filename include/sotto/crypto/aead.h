#pragma once
/// @file aead.h
/// One direction of an encrypted channel: AES-256-GCM (OpenSSL EVP, AES-NI where the CPU has it)
/// with implicit nonces. The i-th message sealed under a key uses the 96-bit nonce
/// 0x00000000 || big-endian 64-bit i, so a nonce never repeats under one key and is never sent:
/// both ends count. A sealed message is the ciphertext (same length as the plaintext) followed by
/// the 16-byte tag, so the overhead is exactly kAeadTagBytes. A replayed, reordered, truncated or
/// altered message fails open() (its counter or bytes differ).
///
/// Cost: one EVP context per direction, keyed once; per message one IV set, one pass of AES-GCM.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sotto {

inline constexpr size_t kAeadTagBytes = 16;
/// AES-GCM's bound on one message under NIST SP 800-38D: 2^39 - 256 bits.
inline constexpr uint64_t kAeadMaxMessageBytes = (uint64_t{1} << 36) - 32;

class AeadStream {
 public:
  using Key = std::array<uint8_t, 32>;
  enum class Direction { kSeal, kOpen };

  /// A stream keyed with `key` (AES-256), counter at 0. @throws Error if OpenSSL fails.
  AeadStream(const Key& key, Direction direction);
  ~AeadStream();
  AeadStream(AeadStream&&) noexcept;
  AeadStream& operator=(AeadStream&&) noexcept;

  /// Encrypts `plain` into out[0, n) and writes the tag to out[n, n + 16), n = plain.size(), with
  /// the next counter as nonce and `aad` authenticated. out may alias plain exactly.
  /// @throws InvalidArgument if out.size() != n + 16, n > kAeadMaxMessageBytes, or this is an
  /// opening stream; Error if OpenSSL fails or the counter is exhausted.
  void seal(std::span<const std::byte> plain, std::span<const std::byte> aad,
            std::span<std::byte> out);

  /// Checks and decrypts `sealed` (n + 16 bytes) into out (n bytes) under the next counter.
  /// Returns false, leaving the counter where it was and out zeroed, if the tag does not verify:
  /// no unauthenticated byte is ever left in out. out may alias sealed's first n bytes.
  /// @throws InvalidArgument on sizes as seal() or if this is a sealing stream.
  [[nodiscard]] bool open(std::span<const std::byte> sealed, std::span<const std::byte> aad,
                          std::span<std::byte> out);

  /// Messages sealed or opened so far (the next nonce).
  uint64_t counter() const { return counter_; }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  Direction direction_;
  uint64_t counter_ = 0;
};

}  // namespace sotto
