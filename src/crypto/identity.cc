#include "sotto/crypto/identity.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "crypto/kex.h"
#include "sotto/error.h"

namespace sotto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hexOf(const uint8_t* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[data[i] >> 4];
    s[2 * i + 1] = kDigits[data[i] & 15];
  }
  return s;
}

// 64 hex characters (whitespace around them ignored) into 32 bytes; `what` names the source.
// A secret's characters are never echoed in the error.
std::array<uint8_t, 32> parseKeyHex(std::string_view text, const std::string& what,
                                    bool secret = false) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  const std::string_view hex =
      first == std::string_view::npos ? std::string_view() : text.substr(first, last - first + 1);
  SOTTO_ENFORCE(hex.size() == 64, what, ": a key is 64 hex characters (32 bytes), got ", hex.size(),
                " characters");
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 64; ++i) {
    const int v = hexValue(hex[i]);
    SOTTO_ENFORCE(v >= 0, what, ": character ", i + 1,
                  secret ? std::string() : std::string(" ('") + hex[i] + "')",
                  " is not a hex digit");
    out[i / 2] = static_cast<uint8_t>(i % 2 == 0 ? v << 4 : out[i / 2] | v);
  }
  return out;
}

std::string readSmallFile(const std::string& path, const char* kind) {
  std::ifstream in(path, std::ios::binary);
  SOTTO_ENFORCE(in.good(), kind, " file '", path, "' cannot be read: ", std::strerror(errno));
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Writes `text` to path with `mode`; O_EXCL unless overwrite.
void writeFile(const std::string& path, const std::string& text, mode_t mode, bool overwrite) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0 && errno == EEXIST) {
    SOTTO_ENFORCE(false, "'", path, "' already exists; not replacing it (remove it, or ask to ",
                  "overwrite)");
  }
  SOTTO_ENFORCE(fd >= 0, "cannot create '", path, "': ", std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;  // an existing file keeps its mode through O_TRUNC
  size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  SOTTO_ENFORCE(ok, "cannot write '", path, "': ", std::strerror(saved));
}

}  // namespace

IdentityKey::~IdentityKey() { kex::wipe(private_key.data(), private_key.size()); }

IdentityKey generateIdentityKey() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  if (!key) throw Error("X25519 key generation failed in OpenSSL");
  IdentityKey out;
  size_t priv_len = out.private_key.size(), pub_len = out.public_key.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), out.private_key.data(), &priv_len) != 1 ||
      EVP_PKEY_get_raw_public_key(key.get(), out.public_key.data(), &pub_len) != 1 ||
      priv_len != 32 || pub_len != 32) {
    throw Error("X25519: OpenSSL cannot export the raw key pair");
  }
  return out;
}

IdentityKey identityFromPrivateKey(const std::array<uint8_t, 32>& private_key) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.data(), 32));
  if (!key) throw Error("X25519: OpenSSL cannot load the raw private key");
  IdentityKey out;
  out.private_key = private_key;
  size_t pub_len = out.public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), out.public_key.data(), &pub_len) != 1 ||
      pub_len != 32) {
    throw Error("X25519: OpenSSL cannot derive the public key");
  }
  return out;
}

void saveIdentityKey(const IdentityKey& key, const std::string& path_base, bool overwrite) {
  SOTTO_ENFORCE(!path_base.empty(), "saveIdentityKey: the file name is empty");
  const std::string key_path = path_base + ".key", pub_path = path_base + ".pub";
  if (!overwrite) {  // check both first, so that neither is written when one exists
    struct stat st {};
    for (const auto& p : {key_path, pub_path}) {
      SOTTO_ENFORCE(::stat(p.c_str(), &st) != 0, "'", p,
                    "' already exists; not replacing it (remove it, or ask to overwrite)");
    }
  }
  std::string secret = hexOf(key.private_key.data(), 32) + "\n";
  try {
    writeFile(key_path, secret, 0600, overwrite);
  } catch (...) {
    kex::wipe(secret.data(), secret.size());
    throw;
  }
  kex::wipe(secret.data(), secret.size());
  writeFile(pub_path, toHex(key.public_key) + "\n", 0644, overwrite);
}

IdentityKey loadPrivateKey(const std::string& path) {
  struct stat st {};
  SOTTO_ENFORCE(::stat(path.c_str(), &st) == 0, "private key file '", path,
                "' cannot be read: ", std::strerror(errno));
  SOTTO_ENFORCE(S_ISREG(st.st_mode), "private key file '", path, "' is not a regular file");
  SOTTO_ENFORCE((st.st_mode & 077) == 0, "private key file '", path, "' has permissions 0",
                std::oct, (st.st_mode & 0777), std::dec,
                ": too open, others could read it (fix: chmod 600 '", path, "')");
  std::string text = readSmallFile(path, "private key");
  std::array<uint8_t, 32> raw{};
  try {
    raw = parseKeyHex(text, "private key file '" + path + "'", /*secret=*/true);
  } catch (...) {
    kex::wipe(text.data(), text.size());
    throw;
  }
  kex::wipe(text.data(), text.size());
  IdentityKey key = identityFromPrivateKey(raw);
  kex::wipe(raw.data(), raw.size());
  return key;
}

PublicKey loadPublicKey(const std::string& path) {
  return parseKeyHex(readSmallFile(path, "public key"), "public key file '" + path + "'");
}

PublicKey parsePublicKey(std::string_view hex) { return parseKeyHex(hex, "public key"); }

std::string toHex(const PublicKey& key) { return hexOf(key.data(), key.size()); }

std::string fingerprint(const PublicKey& key) {
  const auto digest = kex::sha256(key);
  return "SHA256:" + hexOf(digest.data(), 16);
}

}  // namespace sotto
