#include "sotto/comm/verify.h"

#include <string>
#include <vector>

namespace sotto {

void verifySameOnAllParties(Communicator& comm, std::string_view what, uint64_t value) {
  std::vector<uint64_t> all(comm.worldSize());
  comm.allGather(std::as_bytes(std::span(&value, 1)), std::as_writable_bytes(std::span(all)));
  bool same = true;
  for (uint64_t v : all) same = same && v == all[0];
  if (same) return;
  std::string list;
  for (size_t r = 0; r < all.size(); ++r) {
    list +=
        (r ? ", " : "") + std::string("rank ") + std::to_string(r) + ": " + std::to_string(all[r]);
  }
  throw CommError(comm.backendName() + " rank " + std::to_string(comm.rank()) +
                  ": the parties were started with different settings for " + std::string(what) +
                  " (" + list + ")");
}

}  // namespace sotto
