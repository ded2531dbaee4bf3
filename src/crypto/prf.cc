#include "sotto/crypto/prf.h"

#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "sotto/error.h"

namespace sotto {

struct Prf::Impl {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::vector<uint64_t> blocks;  // scratch: (lo, hi) pairs, then their encryptions
  ~Impl() {
    if (ctx != nullptr) EVP_CIPHER_CTX_free(ctx);
  }
};

Prf::Prf(const Prg::Seed& key) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_CIPHER_CTX_new();
  if (impl_->ctx == nullptr ||
      EVP_EncryptInit_ex(impl_->ctx, EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1) {
    throw Error("Prf: cannot initialise AES-128-ECB (OpenSSL)");
  }
  EVP_CIPHER_CTX_set_padding(impl_->ctx, 0);
}

Prf::~Prf() = default;
Prf::Prf(Prf&&) noexcept = default;
Prf& Prf::operator=(Prf&&) noexcept = default;

void Prf::eval(std::span<const uint64_t> hi, std::span<const uint64_t> lo,
               std::span<uint64_t> out) {
  SOTTO_ENFORCE(hi.size() == lo.size() && lo.size() == out.size(), "Prf::eval: sizes differ");
  constexpr size_t kChunk = 4096;  // blocks per EVP call
  auto& b = impl_->blocks;
  b.resize(2 * kChunk);
  for (size_t at = 0; at < out.size(); at += kChunk) {
    const size_t n = std::min(kChunk, out.size() - at);
    for (size_t t = 0; t < n; ++t) {
      b[2 * t] = lo[at + t];
      b[2 * t + 1] = hi[at + t];
    }
    int len = 0;
    auto* p = reinterpret_cast<unsigned char*>(b.data());
    if (EVP_EncryptUpdate(impl_->ctx, p, &len, p, static_cast<int>(16 * n)) != 1 ||
        static_cast<size_t>(len) != 16 * n) {
      throw Error("Prf: AES-ECB encryption failed (OpenSSL)");
    }
    for (size_t t = 0; t < n; ++t) out[at + t] = b[2 * t];
  }
}

}  // namespace sotto
