#pragma once
/// @file parties_file.h
/// The parties file of the tcp backend: where every party of a job listens, and optionally its
/// public key, one line per rank, as WireGuard peers or SSH known_hosts:
///
///     # rank  host:port        [public key, 64 hex digits]
///     0       10.0.0.1:7000    9f3c...e1
///     1       alice.example:7000
///     2       10.0.0.3:7001
///
/// Fields are separated by spaces or tabs; `#` starts a comment (whole line or trailing); blank
/// lines are ignored. Ranks must be exactly 0..N-1 (in any order), N >= 1. Hosts are IPv4
/// addresses or host names (resolved with getaddrinfo when connecting); IPv6 is not supported.
/// The public key (X25519, hex) is only parsed and carried here; the encrypted channel uses it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sotto {

/// One line of a parties file.
struct PartyAddress {
  int rank = -1;
  std::string host;
  uint16_t port = 0;
  std::optional<std::array<uint8_t, 32>> public_key;
};

/// Every party of a job, indexed by rank (parties[r].rank == r).
struct PartiesFile {
  /// Where the entries came from (a path, or "<string>"), for error messages.
  std::string source;
  std::vector<PartyAddress> parties;

  int worldSize() const { return static_cast<int>(parties.size()); }
};

/// Reads and checks a parties file.
/// @throws InvalidArgument naming the file, the line number and the problem: unreadable file,
///         missing or non-numeric rank, duplicate rank, ranks not 0..N-1, missing or bad
///         host:port (port 1..65535), bad key (not 64 hex digits), extra fields, no entries.
PartiesFile parsePartiesFile(const std::string& path);

/// As parsePartiesFile, from the file's text; `source` names it in error messages.
PartiesFile parsePartiesText(std::string_view text, const std::string& source = "<string>");

/// The text of a parties file holding `parties` (one line per rank, keys in lower-case hex).
std::string formatPartiesFile(const PartiesFile& parties);

}  // namespace sotto
