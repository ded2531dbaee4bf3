#include "sotto/crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>

#include "sotto/error.h"

namespace sotto {

struct AeadStream::Ctx {
  EVP_CIPHER_CTX* ctx = nullptr;
  ~Ctx() {
    if (ctx != nullptr) EVP_CIPHER_CTX_free(ctx);  // also wipes the key schedule
  }
};

namespace {

constexpr size_t kChunk = size_t{1} << 30;  // EVP lengths are ints

// 0x00000000 || big-endian counter.
std::array<unsigned char, 12> nonceOf(uint64_t counter) {
  std::array<unsigned char, 12> iv{};
  for (int i = 0; i < 8; ++i) iv[11 - i] = static_cast<unsigned char>(counter >> (8 * i));
  return iv;
}

const unsigned char* u8(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* u8(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

void checkSizes(size_t plain, size_t sealed, const char* what) {
  SOTTO_ENFORCE(sealed == plain + kAeadTagBytes, "AeadStream::", what, ": ", plain,
                " plaintext bytes need ", plain + kAeadTagBytes, " sealed bytes, got ", sealed);
  SOTTO_ENFORCE(plain <= kAeadMaxMessageBytes, "AeadStream::", what, ": message of ", plain,
                " bytes exceeds AES-GCM's limit of ", kAeadMaxMessageBytes);
}

}  // namespace

AeadStream::AeadStream(const Key& key, Direction direction)
    : ctx_(std::make_unique<Ctx>()), direction_(direction) {
  ctx_->ctx = EVP_CIPHER_CTX_new();
  if (ctx_->ctx == nullptr) throw Error("AES-GCM: EVP_CIPHER_CTX_new failed");
  const int enc = direction == Direction::kSeal ? 1 : 0;
  if (EVP_CipherInit_ex(ctx_->ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr, enc) != 1) {
    throw Error("AES-GCM: OpenSSL cannot set up AES-256-GCM");
  }
}

AeadStream::~AeadStream() = default;
AeadStream::AeadStream(AeadStream&&) noexcept = default;
AeadStream& AeadStream::operator=(AeadStream&&) noexcept = default;

void AeadStream::seal(std::span<const std::byte> plain, std::span<const std::byte> aad,
                      std::span<std::byte> out) {
  SOTTO_ENFORCE(direction_ == Direction::kSeal, "AeadStream::seal on an opening stream");
  checkSizes(plain.size(), out.size(), "seal");
  if (counter_ == UINT64_MAX) throw Error("AES-GCM: message counter exhausted");
  EVP_CIPHER_CTX* c = ctx_->ctx;
  const auto iv = nonceOf(counter_);
  int len = 0;
  bool ok = EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv.data()) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(c, nullptr, &len, u8(aad.data()), static_cast<int>(aad.size())) == 1;
  }
  for (size_t at = 0; ok && at < plain.size(); at += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, plain.size() - at));
    ok = EVP_EncryptUpdate(c, u8(out.data() + at), &len, u8(plain.data() + at), n) == 1;
  }
  ok = ok && EVP_EncryptFinal_ex(c, u8(out.data() + plain.size()), &len) == 1;
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kAeadTagBytes, out.data() + plain.size()) == 1;
  if (!ok) throw Error("AES-GCM: OpenSSL failed to seal a message");
  ++counter_;
}

bool AeadStream::open(std::span<const std::byte> sealed, std::span<const std::byte> aad,
                      std::span<std::byte> out) {
  SOTTO_ENFORCE(direction_ == Direction::kOpen, "AeadStream::open on a sealing stream");
  checkSizes(out.size(), sealed.size(), "open");
  if (counter_ == UINT64_MAX) throw Error("AES-GCM: message counter exhausted");
  EVP_CIPHER_CTX* c = ctx_->ctx;
  const size_t n = out.size();
  // The tag is copied first: out may alias the ciphertext (and so never the tag after it).
  std::array<std::byte, kAeadTagBytes> tag;
  std::copy_n(sealed.data() + n, kAeadTagBytes, tag.data());
  const auto iv = nonceOf(counter_);
  int len = 0;
  bool ok = EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv.data()) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_DecryptUpdate(c, nullptr, &len, u8(aad.data()), static_cast<int>(aad.size())) == 1;
  }
  for (size_t at = 0; ok && at < n; at += kChunk) {
    const int k = static_cast<int>(std::min(kChunk, n - at));
    ok = EVP_DecryptUpdate(c, u8(out.data() + at), &len, u8(sealed.data() + at), k) == 1;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, tag.data()) == 1;
  unsigned char final_block[16];
  ok = ok && EVP_DecryptFinal_ex(c, final_block, &len) == 1;
  if (!ok) {
    std::fill(out.begin(), out.end(), std::byte{0});
    return false;
  }
  ++counter_;
  return true;
}

}  // namespace sotto
