#include "cr_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "sotto/error.h"

namespace sotto::ot::detail {
namespace {

// The fixed public AES key of π: the first 128 bits of π's fractional digits in hex (a "nothing up
// my sleeve" constant; Guo et al. model π as a random permutation, the key only has to be public).
constexpr unsigned char kFixedKey[16] = {0x24, 0x3F, 0x6A, 0x88, 0x85, 0xA3, 0x08, 0xD3,
                                         0x13, 0x19, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x44};

}  // namespace

// Blocks hashed per pass: small enough that π(x) and the tweaked input stay in L1/L2 cache.
constexpr size_t kPass = 1024;

struct CrHash::Impl {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::array<Block, kPass> p, t;  // π(x) and π(x) ⊕ i of one pass
  ~Impl() {
    if (ctx != nullptr) EVP_CIPHER_CTX_free(ctx);
  }
};

CrHash::CrHash() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_CIPHER_CTX_new();
  if (impl_->ctx == nullptr ||
      EVP_EncryptInit_ex(impl_->ctx, EVP_aes_128_ecb(), nullptr, kFixedKey, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(impl_->ctx, 0) != 1) {
    throw Error("OT hash: cannot initialise fixed-key AES-128 (OpenSSL)");
  }
}

CrHash::~CrHash() = default;
CrHash::CrHash(CrHash&&) noexcept = default;
CrHash& CrHash::operator=(CrHash&&) noexcept = default;

void CrHash::permute(std::span<const Block> in, std::span<Block> out) {
  int len = 0;
  if (EVP_EncryptUpdate(impl_->ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                        reinterpret_cast<const unsigned char*>(in.data()),
                        static_cast<int>(in.size() * sizeof(Block))) != 1 ||
      static_cast<size_t>(len) != in.size() * sizeof(Block)) {
    throw Error("OT hash: AES-128 encryption failed (OpenSSL)");
  }
}

template <typename Tweak>
void CrHash::run(std::span<const Block> in, std::span<Block> out, Tweak&& tweak) {
  auto& p = impl_->p;
  auto& t = impl_->t;
  for (size_t off = 0; off < in.size(); off += kPass) {
    const size_t n = std::min(kPass, in.size() - off);
    permute(in.subspan(off, n), std::span(p.data(), n));          // p = π(x)
    for (size_t i = 0; i < n; ++i) t[i] = p[i] ^ tweak(off + i);  // π(x) ⊕ i
    permute(std::span(t.data(), n), std::span(t.data(), n));      // π(π(x) ⊕ i)
    for (size_t i = 0; i < n; ++i) out[off + i] = t[i] ^ p[i];    // ... ⊕ π(x)
  }
}

void CrHash::hash(std::span<const Block> in, std::span<const Block> tweak, std::span<Block> out) {
  SOTTO_ENFORCE(in.size() == tweak.size() && in.size() == out.size(), "OT hash: sizes ", in.size(),
                ", ", tweak.size(), ", ", out.size(), " differ");
  run(in, out, [&](size_t i) { return tweak[i]; });
}

void CrHash::hashSeq(std::span<const Block> in, uint64_t first, uint64_t domain,
                     std::span<Block> out) {
  SOTTO_ENFORCE(in.size() == out.size(), "OT hash: sizes ", in.size(), ", ", out.size(), " differ");
  run(in, out, [&](size_t i) { return Block{first + i, domain}; });
}

void CrHash::hashFixed(std::span<const Block> in, Block tweak, std::span<Block> out) {
  SOTTO_ENFORCE(in.size() == out.size(), "OT hash: sizes ", in.size(), ", ", out.size(), " differ");
  run(in, out, [&](size_t) { return tweak; });
}

}  // namespace sotto::ot::detail
