// sotto-keygen NAME: makes an X25519 identity key pair for Sotto's secure channel and writes
// NAME.key (private, mode 0600) and NAME.pub (public), then prints the fingerprint.
// Exit codes: 0 done (or --help), 1 the files could not be written, 2 bad arguments.
#include <iostream>
#include <string>
#include <vector>

#include "sotto/crypto/identity.h"
#include "sotto/error.h"

namespace {

void usage(std::ostream& os) {
  os << "usage: sotto-keygen [--force] NAME\n"
        "  Writes an X25519 identity key pair for Sotto's encrypted channels:\n"
        "    NAME.key  the private key (64 hex characters, mode 0600): keep it secret\n"
        "    NAME.pub  the public key (64 hex characters): give it to the other parties\n"
        "  and prints the public key's fingerprint (SHA256:<first 16 bytes of SHA-256, hex>).\n"
        "  --force    replace NAME.key and NAME.pub if they exist (refused otherwise)\n"
        "  --help     this text\n";
}

}  // namespace

int main(int argc, char** argv) {
  bool force = false;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return 0;
    }
    if (a == "--force") {
      force = true;
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "sotto-keygen: unknown option '" << a << "'\n";
      usage(std::cerr);
      return 2;
    } else {
      names.push_back(a);
    }
  }
  if (names.size() != 1 || names[0].empty()) {
    std::cerr << "sotto-keygen: expected exactly one NAME, got " << names.size() << "\n";
    usage(std::cerr);
    return 2;
  }
  try {
    const sotto::IdentityKey key = sotto::generateIdentityKey();
    sotto::saveIdentityKey(key, names[0], force);
    std::cout << "wrote " << names[0] << ".key (private) and " << names[0] << ".pub (public)\n"
              << "fingerprint " << sotto::fingerprint(key.public_key) << "\n";
  } catch (const sotto::Error& e) {
    std::cerr << "sotto-keygen: " << e.what() << "\n";
    if (!force) std::cerr << "(--force replaces existing files)\n";
    return 1;
  }
  return 0;
}
