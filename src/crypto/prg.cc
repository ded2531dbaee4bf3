#include "sotto/crypto/prg.h"

#include <openssl/evp.h>
#include <sys/random.h>

#include <cstring>
#include <vector>

#include "sotto/error.h"

namespace sotto {

struct Prg::Impl {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::vector<std::byte> zeros;  // CTR mode: the keystream is the encryption of zeros
  ~Impl() {
    if (ctx != nullptr) EVP_CIPHER_CTX_free(ctx);
  }
};

Prg::Seed Prg::osSeed() {
  Seed s{};
  size_t got = 0;
  while (got < s.size()) {
    const ssize_t n = getrandom(s.data() + got, s.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;  // interrupted by a signal: ask again
    if (n < 0) throw Error("Prg: getrandom failed: " + std::string(std::strerror(errno)));
    got += static_cast<size_t>(n);
  }
  return s;
}

Prg::Prg() : Prg(osSeed()) {}

Prg::Prg(const Seed& seed) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_CIPHER_CTX_new();
  const uint8_t iv[16] = {0};
  if (impl_->ctx == nullptr ||
      EVP_EncryptInit_ex(impl_->ctx, EVP_aes_128_ctr(), nullptr, seed.data(), iv) != 1) {
    throw Error("Prg: cannot initialise AES-128-CTR (OpenSSL)");
  }
}

Prg::~Prg() = default;
Prg::Prg(Prg&&) noexcept = default;
Prg& Prg::operator=(Prg&&) noexcept = default;

void Prg::fill(std::span<std::byte> out) {
  constexpr size_t kChunk = 1 << 16;
  if (impl_->zeros.size() < kChunk) impl_->zeros.assign(kChunk, std::byte{0});
  while (!out.empty()) {
    const size_t n = std::min(out.size(), kChunk);
    int len = 0;
    if (EVP_EncryptUpdate(impl_->ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                          reinterpret_cast<const unsigned char*>(impl_->zeros.data()),
                          static_cast<int>(n)) != 1 ||
        static_cast<size_t>(len) != n) {
      throw Error("Prg: AES-CTR encryption failed (OpenSSL)");
    }
    out = out.subspan(n);
  }
}

uint64_t Prg::next() {
  uint64_t v = 0;
  fill(std::span(&v, 1));
  return v;
}

}  // namespace sotto
