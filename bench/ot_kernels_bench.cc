// The two-party OT kernels (sotto/mpc/ot/ot_kernels.h) on 2 threads over inproc, beside the same
// operations under the TTP dealer (protocol.h's kernels, the dealer a third thread) in the same
// run. Names ot_kernels/<extension>/<kernel>/<n> and ot_kernels/ttp/<kernel>/<n>; kernels:
//   drelu      XOR shares of [x ≥ 0] (TTP: sign(), additive 0/1 shares)
//   lt         64-bit comparison of party 0's and party 1's values (4-bit leaves, kLeafBits); lt2
//              with 2-bit leaves (TTP: sign of the shared difference)
//   relu       drelu then select
//   mul        the raw 64-bit product (no truncation)
//   truncate   exact, f = 16 (TTP: the dealer's 1-ULP truncation)
//   truncate_positive  Cheetah's, f = 16, x ≥ 0
//   lookup_k4, lookup_k8  SiRnn's lookup of a random 2^k-row table, one 64-bit column (TTP: the
//              dealer's one-time table through lut.h's kernel)
//   extend_signed_l44, drelu_l44, relu_l44  the narrow ring (OT rows only, n = 2^14): shares of
//              44-bit values to Z_2^64, DReLU on 44 bits, ReLU of a 44-bit value into Z_2^64;
//              drelu and relu also run at n = 2^14 to set them beside.
// OT rows: each iteration sets up fresh kernels (base OTs, not timed), warms up on a first call
// of n elements (Ferret's bootstrap and first round run there), then times, between two barriers
// on party 0, reserve (the COTs the call needs: the offline phase) plus the call. TTP rows: one
// warm-up call, then one timed call. Counters (both parties together, per element):
//   online_bits_per_element  the call's own messages
//   cots_per_element         COTs the call takes, both directions (OT rows)
//   bits_at_half_bit_per_cot online bits + 0.5 bit per COT (issue 16's measure of Ferret's cost)
//   bits_per_element         what is sent in the timed reserve + call (OT rows; with Ferret a
//                            refill runs a round of 10 M COTs only when the last one is used up,
//                            so this is 0 extra or a whole round's 246 KB), or online + the
//                            dealer's bytes to both parties (TTP rows)
//   dealer_bits_per_element  the TTP dealer's traffic (TTP rows)
//   rounds                   party 0's blocking communicator calls in the call alone
//   elements_per_s
// Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "registered_main.h"
#include "sotto/comm/inproc.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/ot/ot_kernels.h"
#include "sotto/mpc/party.h"
#include "sotto/mpc/protocol_factory.h"

namespace {

using namespace sotto;
using Clock = std::chrono::steady_clock;
using Kernel = OtKernels::Kernel;

enum class Op {
  kDrelu,
  kLt,
  kLt2,
  kRelu,
  kMul,
  kTruncate,
  kTruncatePositive,
  kLookup4,
  kLookup8,
  kExtendSigned44,
  kDrelu44,
  kRelu44
};
constexpr int kFrac = 16;
constexpr int kNarrowBits = 44;  // the narrow ring of the HE layers' outputs
bool isNarrow(Op op) {
  return op == Op::kExtendSigned44 || op == Op::kDrelu44 || op == Op::kRelu44;
}

struct Measured {
  double seconds = 0;
  uint64_t all_sent = 0, call_sent = 0, rounds = 0, dealer = 0;
};

// Party 0's and party 1's inputs: x (shares of a signed value for most kernels, the private
// 64-bit value for lt) and y (the product's second operand).
std::pair<std::vector<uint64_t>, std::vector<uint64_t>> inputs(size_t n, Op op) {
  std::vector<uint64_t> x(n), y(n);
  Prg prg;
  prg.fill(x);
  prg.fill(y);
  if (op == Op::kTruncatePositive) {
    for (auto& v : x) v >>= 2;  // shares of some x ≥ 0 need not be small: any share works
  }
  return {x, y};
}

int lookupBits(Op op) { return op == Op::kLookup4 ? 4 : 8; }

// The public table of a lookup row (the same on every party: a fixed seed).
const std::vector<uint64_t>& lookupTable(Op op) {
  static const auto make = [](int k) {
    std::vector<uint64_t> t(size_t{1} << k);
    Prg(Prg::Seed{7, 0}).fill(t);
    return t;
  };
  static const std::vector<uint64_t> t4 = make(4), t8 = make(8);
  return op == Op::kLookup4 ? t4 : t8;
}

OtKernels::Cots cotsOf(Op op, size_t n) {
  switch (op) {
    case Op::kDrelu:
      return OtKernels::cotsFor(Kernel::kMsb, n);
    case Op::kLt:
      return OtKernels::cotsForLessThan(n, 64);
    case Op::kLt2:
      return OtKernels::cotsForLessThan(n, 64, 2);
    case Op::kRelu:
      return OtKernels::cotsFor(Kernel::kRelu, n);
    case Op::kMul:
      return OtKernels::cotsFor(Kernel::kMul, n);
    case Op::kTruncate:
      return OtKernels::cotsFor(Kernel::kTruncate, n, kFrac);
    case Op::kTruncatePositive:
      return OtKernels::cotsFor(Kernel::kTruncatePositive, n, kFrac);
    case Op::kLookup4:
    case Op::kLookup8:
      return OtKernels::cotsFor(Kernel::kLookup, n, lookupBits(op));
    case Op::kExtendSigned44:
      return OtKernels::cotsForNarrow(Kernel::kExtendSigned, n, kNarrowBits);
    case Op::kDrelu44:
      return OtKernels::cotsForNarrow(Kernel::kMsb, n, kNarrowBits);
    case Op::kRelu44:
      return OtKernels::cotsForNarrow(Kernel::kRelu, n, kNarrowBits);
  }
  return {};
}

void callKernel(OtKernels& k, Op op, const std::vector<uint64_t>& x,
                const std::vector<uint64_t>& y) {
  switch (op) {
    case Op::kDrelu:
      benchmark::DoNotOptimize(k.drelu(x));
      break;
    case Op::kLt:
      benchmark::DoNotOptimize(k.lessThan(x, 64));
      break;
    case Op::kLt2:
      benchmark::DoNotOptimize(k.lessThan(x, 64, 2));
      break;
    case Op::kRelu:
      benchmark::DoNotOptimize(k.relu(x));
      break;
    case Op::kMul:
      benchmark::DoNotOptimize(k.mul(x, y));
      break;
    case Op::kTruncate:
      benchmark::DoNotOptimize(k.truncate(x, kFrac));
      break;
    case Op::kTruncatePositive:
      benchmark::DoNotOptimize(k.truncatePositive(x, kFrac));
      break;
    case Op::kLookup4:
    case Op::kLookup8:
      benchmark::DoNotOptimize(k.lookup(x, lookupBits(op), 1, lookupTable(op)));
      break;
    case Op::kExtendSigned44:
      benchmark::DoNotOptimize(k.extendSigned(x, kNarrowBits));
      break;
    case Op::kDrelu44:
      benchmark::DoNotOptimize(k.drelu(x, kNarrowBits));
      break;
    case Op::kRelu44:
      benchmark::DoNotOptimize(k.reluExtend(x, kNarrowBits));
      break;
  }
}

// The same operation through the protocol seam (the TTP family).
void callProtocol(Party& p, Op op, const RingTensor& x, const RingTensor& y) {
  Protocol& proto = p.protocol();
  switch (op) {
    case Op::kDrelu:
      benchmark::DoNotOptimize(proto.sign(p, x, true, nullptr));
      break;
    case Op::kLt:
    case Op::kLt2:
      benchmark::DoNotOptimize(proto.sign(p, x - y, false, nullptr));
      break;
    case Op::kRelu:
      benchmark::DoNotOptimize(proto.sign(p, x, true, &x));
      break;
    case Op::kMul:
      benchmark::DoNotOptimize(proto.mul(p, x, y));
      break;
    case Op::kTruncate:
      benchmark::DoNotOptimize(proto.truncate(p, x, kFrac));
      break;
    case Op::kTruncatePositive:
      benchmark::DoNotOptimize(proto.truncatePositive(p, x, kFrac));
      break;
    case Op::kLookup4:
    case Op::kLookup8:
      benchmark::DoNotOptimize(proto.lookup(p, x, lookupBits(op), 1, lookupTable(op), 64));
      break;
    case Op::kExtendSigned44:
    case Op::kDrelu44:
    case Op::kRelu44:
      break;  // no TTP row (registerAll)
  }
}

void report(benchmark::State& state, size_t n, const std::array<Measured, 2>& last, double total,
            double cots) {
  const double nd = static_cast<double>(n);
  const double online = 8.0 * static_cast<double>(last[0].call_sent + last[1].call_sent) / nd;
  state.counters["elements_per_s"] = nd * static_cast<double>(state.iterations()) / total;
  state.counters["online_bits_per_element"] = online;
  state.counters["bits_per_element"] =
      8.0 * static_cast<double>(last[0].all_sent + last[1].all_sent) / nd;
  state.counters["rounds"] = static_cast<double>(last[0].rounds);
  if (cots >= 0) {
    state.counters["cots_per_element"] = cots / nd;
    state.counters["bits_at_half_bit_per_cot"] = online + 0.5 * cots / nd;
  } else {
    state.counters["dealer_bits_per_element"] =
        8.0 * static_cast<double>(last[0].dealer + last[1].dealer) / nd;
  }
}

// One party's timed part, between two barriers: reserve() (the offline phase, counted in all_sent
// only) then call(); dealer() reads the dealer's bytes so far (0 for the OT kernels).
Measured timed(Communicator& comm, const std::function<void()>& reserve,
               const std::function<void()>& call, const std::function<uint64_t()>& dealer) {
  comm.barrier();
  comm.resetStats();
  const uint64_t dealer_before = dealer();
  const auto t0 = Clock::now();
  reserve();
  const CommCounters offline = comm.stats().total;
  call();
  Measured m;
  m.all_sent = comm.stats().total.bytes_sent;
  m.call_sent = m.all_sent - offline.bytes_sent;
  m.rounds = comm.stats().total.rounds - offline.rounds;
  m.dealer = dealer() - dealer_before;
  m.all_sent += m.dealer;
  comm.barrier();
  m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return m;
}

// party() on world_size threads once per iteration; reports parties 0 and 1.
void iterate(benchmark::State& state, int world_size,
             const std::function<Measured(Communicator&)>& party, double cots) {
  std::array<Measured, 2> last{};
  double total = 0;
  for (auto _ : state) {
    auto out = runLocal(world_size, party);
    last = {out[0], out[1]};
    state.SetIterationTime(last[0].seconds);
    total += last[0].seconds;
  }
  report(state, static_cast<size_t>(state.range(0)), last, total, cots);
}

void runKernel(benchmark::State& state, Op op, ot::OtExtension extension) {
  const size_t n = static_cast<size_t>(state.range(0));
  ot::OtOptions options;
  options.extension = extension;
  options.tag = "";
  const OtKernels::Cots c = cotsOf(op, n);
  iterate(
      state, 2,
      [&](Communicator& comm) {
        OtKernels k(comm, options);
        const auto [x, y] = inputs(n, op);
        callKernel(k, op, x, y);  // warm-up
        return timed(
            comm, [&] { k.reserve(c); }, [&] { callKernel(k, op, x, y); }, [] { return 0; });
      },
      static_cast<double>(c.from_party0 + c.from_party1));
}

void runTtp(benchmark::State& state, Op op) {
  const auto n = static_cast<int64_t>(state.range(0));
  iterate(
      state, protocolWorldSize("ttp", 2),
      [&](Communicator& world) {
        ProtocolSetup setup = makeProtocol(world, "ttp");
        if (setup.serves()) {
          setup.serve();
          return Measured{};
        }
        Party p(setup.online(), setup.protocol());
        const auto [xs, ys] = inputs(static_cast<size_t>(n), op);
        const RingTensor x(Shape{n}, xs), y(Shape{n}, ys);
        callProtocol(p, op, x, y);  // warm-up
        return timed(
            setup.online(), [] {}, [&] { callProtocol(p, op, x, y); },
            [&] { return p.protocol().offlineBytes(); });
      },
      -1);
}

}  // namespace

void sotto::bench::registerAll() {
  const std::pair<const char*, Op> ops[] = {{"drelu", Op::kDrelu},
                                            {"lt", Op::kLt},
                                            {"lt2", Op::kLt2},
                                            {"relu", Op::kRelu},
                                            {"mul", Op::kMul},
                                            {"truncate", Op::kTruncate},
                                            {"truncate_positive", Op::kTruncatePositive},
                                            {"lookup_k4", Op::kLookup4},
                                            {"lookup_k8", Op::kLookup8},
                                            {"extend_signed_l44", Op::kExtendSigned44},
                                            {"drelu_l44", Op::kDrelu44},
                                            {"relu_l44", Op::kRelu44}};
  const std::pair<const char*, std::optional<ot::OtExtension>> families[] = {
      {"iknp", ot::OtExtension::kIknp},
      {"ferret_b13", ot::OtExtension::kFerret},
      {"ttp", std::nullopt}};
  for (const auto& [fname, ext] : families) {
    for (const auto& [oname, op] : ops) {
      if (!ext && (op == Op::kLt2 || isNarrow(op))) continue;  // lt2: lt under the dealer
      const std::string name = std::string("ot_kernels/") + fname + "/" + oname;
      auto* b =
          benchmark::RegisterBenchmark(name.c_str(), [op = op, ext = ext](benchmark::State& s) {
            if (ext) {
              runKernel(s, op, *ext);
            } else {
              runTtp(s, op);
            }
          });
      // The narrow rows at n = 2^14, with the 64-bit drelu and relu there too (OT rows).
      if (!isNarrow(op)) b->Arg(65536);
      if (ext && (isNarrow(op) || op == Op::kDrelu || op == Op::kRelu)) b->Arg(16384);
      b->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
    }
  }
}
