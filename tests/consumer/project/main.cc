// Three in-process parties sum their ranks with the installed library; prints and checks it.
#include <sotto/sotto.h>

#include <cstdio>

int main() {
  auto sums = sotto::runLocal(3, [](sotto::Communicator& comm) {
    std::vector<uint64_t> v{static_cast<uint64_t>(comm.rank()) + 1};
    comm.allReduce(v, sotto::ReduceOp::kAdd);
    return v[0];
  });
  std::printf("consumer: sotto %s, backends:", sotto::kVersionString);
  for (const auto& b : sotto::availableBackends()) std::printf(" %s", b.c_str());
  std::printf("; sum of 1+2+3 over 3 parties = %llu\n", static_cast<unsigned long long>(sums[0]));
  return (sums[0] == 6 && sums[1] == 6 && sums[2] == 6) ? 0 : 1;
}
