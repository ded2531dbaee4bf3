#include "sotto/comm/verify.h"

#include <array>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace sotto {
namespace {

[[noreturn]] void throwMismatch(Communicator& comm, std::string_view what,
                                const std::vector<std::string>& values) {
  std::string list;
  for (size_t r = 0; r < values.size(); ++r) {
    list += (r ? ", " : "") + std::string("rank ") + std::to_string(r) + ": " + values[r];
  }
  throw CommError(comm.backendName() + " rank " + std::to_string(comm.rank()) +
                  ": the parties were started with different settings for " + std::string(what) +
                  " (" + list + ")");
}

}  // namespace

void verifySameOnAllParties(Communicator& comm, std::string_view what, uint64_t value) {
  std::vector<uint64_t> all(comm.worldSize());
  comm.allGather(std::as_bytes(std::span(&value, 1)), std::as_writable_bytes(std::span(all)));
  bool same = true;
  for (uint64_t v : all) same = same && v == all[0];
  if (same) return;
  std::vector<std::string> values;
  for (uint64_t v : all) values.push_back(std::to_string(v));
  throwMismatch(comm, what, values);
}

void verifySameOnAllParties(Communicator& comm, std::string_view what, std::string_view value) {
  // Each party contributes [8-byte hash of the whole text][the text's first 56 bytes, zero-padded].
  constexpr size_t kRecord = 64;
  constexpr size_t kShown = kRecord - sizeof(uint64_t);
  std::array<std::byte, kRecord> mine{};
  const uint64_t hash = std::hash<std::string_view>{}(value);
  std::memcpy(mine.data(), &hash, sizeof hash);
  std::memcpy(mine.data() + sizeof hash, value.data(), std::min(value.size(), kShown));
  std::vector<std::byte> all(kRecord * static_cast<size_t>(comm.worldSize()));
  comm.allGather(mine, all);
  bool same = true;
  const size_t n = static_cast<size_t>(comm.worldSize());
  for (size_t r = 1; r < n; ++r) {
    same = same && std::memcmp(all.data(), all.data() + r * kRecord, kRecord) == 0;
  }
  if (same) return;
  std::vector<std::string> values;
  for (size_t r = 0; r < n; ++r) {
    const char* text = reinterpret_cast<const char*>(all.data() + r * kRecord + sizeof hash);
    std::string quoted(1, '"');
    quoted.append(text, strnlen(text, kShown));
    quoted.push_back('"');
    values.push_back(std::move(quoted));
  }
  throwMismatch(comm, what, values);
}

}  // namespace sotto
