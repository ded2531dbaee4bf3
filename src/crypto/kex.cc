#include "crypto/kex.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <string>

#include "sotto/error.h"

namespace sotto::kex {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

}  // namespace

bool x25519(const Bytes32& private_key, const PublicKey& peer, Bytes32& shared) {
  Pkey mine(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.data(), 32));
  Pkey theirs(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), 32));
  if (!mine || !theirs) throw Error("X25519: OpenSSL cannot load a raw key");
  PkeyCtx ctx(EVP_PKEY_CTX_new(mine.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) throw Error("X25519: derive_init failed");
  if (EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) != 1) return false;
  size_t len = shared.size();
  // OpenSSL fails the derivation when the result is all zeros (a low-order peer key).
  return EVP_PKEY_derive(ctx.get(), shared.data(), &len) == 1 && len == shared.size();
}

Bytes32 sha256(std::span<const uint8_t> data) {
  Bytes32 out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    throw Error("SHA-256: OpenSSL EVP_Digest failed");
  }
  return out;
}

void hkdfSha256(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                std::span<const uint8_t> info, std::span<uint8_t> out) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) throw Error("HKDF: OpenSSL has no HKDF");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) throw Error("HKDF: EVP_KDF_CTX_new failed");
  char digest[] = "SHA256";
  auto* k = const_cast<uint8_t*>(ikm.data());
  auto* s = const_cast<uint8_t*>(salt.data());
  auto* i = const_cast<uint8_t*>(info.data());
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, k, ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, s, salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, i, info.size()),
      OSSL_PARAM_construct_end(),
  };
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) throw Error("HKDF: OpenSSL EVP_KDF_derive failed");
}

void wipe(void* data, size_t size) { OPENSSL_cleanse(data, size); }

}  // namespace sotto::kex
