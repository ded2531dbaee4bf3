// OtKernels: construction, the COT budget of each kernel, and the kernels composed of others
// (ReLU, max).
#include "sotto/mpc/ot/ot_kernels.h"

#include <bit>

#include "sotto/error.h"

namespace sotto {

OtKernels::OtKernels(Communicator& comm, const ot::OtOptions& options)
    : comm_(comm), ferret_(options.extension == ot::OtExtension::kFerret) {
  SOTTO_ENFORCE(comm.worldSize() == 2, "OtKernels: needs exactly 2 parties, the world has ",
                comm.worldSize());
  ot::OtPair pair = ot::makeOtPair(comm, options);
  send_ = std::move(pair.send);
  recv_ = std::move(pair.recv);
}

std::pair<std::vector<std::array<ot::Block, 2>>, ot::ChoiceBlocks> OtKernels::randomOtsBothWays(
    size_t m) {
  // Party 0 sends first, party 1 receives first: each direction's two ends meet.
  if (rank() == 0) {
    auto sent = send_->randomOt(m);
    return {std::move(sent), recv_->randomOt(m)};
  }
  auto got = recv_->randomOt(m);
  return {send_->randomOt(m), std::move(got)};
}

OtKernels::~OtKernels() = default;

OtKernels::Cots OtKernels::cotsForLessThan(size_t n, int bits, int leaf_bits) {
  const size_t leaves = leafPlan(bits, 0, leaf_bits).offsets.size();
  // w_j COTs per leaf (1-of-2^w_j), bits in all, then one random OT per merge and direction.
  const size_t merges = (leaves - 1) * n;
  return {static_cast<size_t>(bits) * n + merges, merges};
}

OtKernels::Cots OtKernels::cotsFor(Kernel kernel, size_t n, int bits) {
  switch (kernel) {
    case Kernel::kMsb:
      return cotsForLessThan(n, 63);
    case Kernel::kB2a:
      return {n, 0};
    case Kernel::kSelect:
      return {n, n};
    case Kernel::kSelectTruncatePositive:
      return {3 * n, n};
    case Kernel::kRelu:
    case Kernel::kMax: {
      Cots c = cotsForLessThan(n, 63);
      c += {n, n};
      return c;
    }
    case Kernel::kMul:
      return {64 * n, 64 * n};
    case Kernel::kTruncatePositive:
      return {bits > 0 ? n : 0, 0};
    case Kernel::kTruncate: {
      if (bits <= 0) return {};
      // One tree on 64 bits split at f (its prefix: popcount(P) − 1 extra merges), then one COT
      // for the carry and, for f ≥ 2, one for the wrap.
      const LeafPlan plan = leafPlan(64, bits, kTruncateLeafBits);
      const size_t leaves = plan.offsets.size();
      const size_t merges =
          (leaves - 1 + static_cast<size_t>(std::popcount(plan.prefix_leaves)) - 1) * n;
      return {64 * n + merges + (bits > 1 ? 2 : 1) * n, merges};
    }
    case Kernel::kExtendSigned:
      return cotsForNarrow(kernel, n, bits);
    case Kernel::kLookup:
      return {static_cast<size_t>(bits) * n, 0};  // k random OTs per element, party 0 → 1
  }
  return {};
}

void OtKernels::reserve(const Cots& cots) {
  // Party 0's sender pairs with party 1's receiver: that direction first on both.
  if (rank() == 0) {
    send_->reserve(cots.from_party0);
    recv_->reserve(cots.from_party1);
  } else {
    recv_->reserve(cots.from_party0);
    send_->reserve(cots.from_party1);
  }
}

void OtKernels::setup() {
  if (ferret_) reserve({1, 1});  // one refill each way: the bootstrap and the first round
}

std::vector<uint64_t> OtKernels::relu(std::span<const uint64_t> x) {
  const BitShares d = drelu(x);
  return select(d, x);
}

std::vector<uint64_t> OtKernels::max(std::span<const uint64_t> x, std::span<const uint64_t> y) {
  SOTTO_ENFORCE(x.size() == y.size(), "OtKernels::max: sizes ", x.size(), " and ", y.size());
  std::vector<uint64_t> diff(x.size());
  for (size_t i = 0; i < x.size(); ++i) diff[i] = x[i] - y[i];
  std::vector<uint64_t> out = relu(diff);
  for (size_t i = 0; i < x.size(); ++i) out[i] += y[i];
  return out;
}

}  // namespace sotto
