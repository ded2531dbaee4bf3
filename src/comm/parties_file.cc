#include "sotto/comm/parties_file.h"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "sotto/error.h"

namespace sotto {
namespace {

[[noreturn]] void bad(const std::string& source, int line, const std::string& problem) {
  throw InvalidArgument("parties file " + source + ", line " + std::to_string(line) + ": " +
                        problem);
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <typename T>
bool parseNumber(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

PartyAddress parseLine(const std::vector<std::string_view>& f, const std::string& source,
                       int line) {
  PartyAddress p;
  if (!parseNumber(f[0], p.rank) || p.rank < 0) {
    bad(source, line, "expected a rank (a number >= 0) first, got '" + std::string(f[0]) + "'");
  }
  if (f.size() < 2) bad(source, line, "rank " + std::to_string(p.rank) + " has no host:port");
  if (f.size() > 3) bad(source, line, "unexpected field '" + std::string(f[3]) + "'");
  const std::string_view addr = f[1];
  const size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    bad(source, line, "expected host:port, got '" + std::string(addr) + "'");
  }
  p.host = std::string(addr.substr(0, colon));
  if (p.host.find(':') != std::string::npos) {
    bad(source, line, "IPv6 addresses are not supported: '" + std::string(addr) + "'");
  }
  unsigned port = 0;
  if (!parseNumber(addr.substr(colon + 1), port) || port == 0 || port > 65535) {
    bad(source, line, "bad port '" + std::string(addr.substr(colon + 1)) + "' (expected 1..65535)");
  }
  p.port = static_cast<uint16_t>(port);
  if (f.size() == 3) {
    const std::string_view hex = f[2];
    if (hex.size() != 64) {
      bad(source, line,
          "bad public key: expected 64 hex digits, got " + std::to_string(hex.size()) +
              " characters");
    }
    std::array<uint8_t, 32> key{};
    for (size_t i = 0; i < 32; ++i) {
      const int hi = hexDigit(hex[2 * i]), lo = hexDigit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        bad(source, line,
            "bad public key: '" + std::string(hex.substr(2 * i, 2)) + "' at position " +
                std::to_string(2 * i) + " is not hex");
      }
      key[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    p.public_key = key;
  }
  return p;
}

}  // namespace

PartiesFile parsePartiesText(std::string_view text, const std::string& source) {
  std::map<int, std::pair<PartyAddress, int>> by_rank;  // rank -> (entry, line)
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    const auto f = fields(line);
    if (f.empty()) continue;
    PartyAddress p = parseLine(f, source, line_no);
    if (auto it = by_rank.find(p.rank); it != by_rank.end()) {
      bad(source, line_no,
          "duplicate rank " + std::to_string(p.rank) + " (also on line " +
              std::to_string(it->second.second) + ")");
    }
    const int rank = p.rank;
    by_rank.emplace(rank, std::make_pair(std::move(p), line_no));
  }
  if (by_rank.empty()) {
    throw InvalidArgument("parties file " + source +
                          ": no parties (expected lines '<rank> "
                          "<host>:<port> [<public key hex>]')");
  }
  PartiesFile out;
  out.source = source;
  for (auto& [rank, entry] : by_rank) {
    const int expected = out.worldSize();
    if (rank != expected) {
      bad(source, entry.second,
          "ranks must be 0.." + std::to_string(by_rank.size() - 1) + ", but rank " +
              std::to_string(expected) + " is missing (found rank " + std::to_string(rank) + ")");
    }
    out.parties.push_back(std::move(entry.first));
  }
  return out;
}

PartiesFile parsePartiesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("parties file " + path + ": cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InvalidArgument("parties file " + path + ": cannot be read");
  return parsePartiesText(text.str(), path);
}

std::string formatPartiesFile(const PartiesFile& parties) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const auto& p : parties.parties) {
    out += std::to_string(p.rank) + " " + p.host + ":" + std::to_string(p.port);
    if (p.public_key) {
      out += ' ';
      for (uint8_t b : *p.public_key) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace sotto
