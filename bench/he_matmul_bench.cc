// Cheetah's coefficient-encoded linear layers on 2 threads over inproc, one thread per party:
//   he/fc/<m>x<k>x<n>          HeMatmul (sotto/mpc/ot/he_matmul.h): LeNet5's fully connected
//                              layers at batch 1 and 64
//   he/conv/<layer>            HeConv2d (sotto/mpc/ot/he_conv2d.h): LeNet5's and AlexNet-CIFAR's
//                              convolutions at batch 1
//   he/conv_im2col/<layer>     the same convolution as im2col (local, on each share) + HeMatmul
//                              ([OH·OW, C·kh·kw] x [C·kh·kw, O]): what the coefficient packing
//                              saves
//   he/bn/<shape>              HeBatchNorm (sotto/mpc/ot/he_batchnorm.h), an unfolded BatchNorm
//   he/ring/l<ℓ>_b<b>/<layer>  LeNet5's and AlexNet-CIFAR's conv and fc layers at batch 1 in the
//                              ring 2^ℓ with the weight bound 2^b (sotto/mpc/ot/he_ring.h), for
//                              (64, 63) (today), (64, 20) and (44, 20), weights prepared before
//                              the timed call (as at a model's load); one call per repetition,
//                              3 repetitions, medians reported (scripts/he_ring_table.py sums
//                              them per model)
// Each iteration makes a fresh layer (setup: the public key, not timed), then times one call
// between two barriers on party 0 (both parties' compute and the one round trip). Counters:
//   p1_sent_bytes      party 1 → 0: the seeded input ciphertexts
//   p0_sent_bytes      party 0 → 1: the returned ciphertexts
//   setup_bytes        the one-time public key (party 1 → 0), apart
//   ct_in, ct_out      ciphertexts each way; rounds: party 0's blocking calls in the call
//   p0_cpu_ms, p1_cpu_ms   each party's thread CPU time in the call (less sensitive than the
//                          wall time to other processes on a shared machine)
// Allocation churn: every ciphertext is a fresh 256-512 KB allocation, which glibc serves by
// mmap or by growing and trimming the heap, so much of the time is page faults (measured: with
// MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 in the environment, party 0's
// CPU time for he/conv/lenet5_conv1 fell from 12.1 to 4.2 ms, he/fc/1x400x120 from 35 to 14 ms).
// Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "registered_main.h"
#include "sotto/comm/inproc.h"
#include "sotto/crypto/prg.h"
#include "sotto/mpc/ot/he_batchnorm.h"
#include "sotto/mpc/ot/he_conv2d.h"
#include "sotto/mpc/ot/he_matmul.h"
#include "sotto/mpc/ot/he_ring.h"
#include "sotto/tensor/linear.h"

namespace {

using namespace sotto;
using Clock = std::chrono::steady_clock;

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Measured {
  double seconds = 0, cpu = 0;
  uint64_t setup_sent = 0, sent = 0, rounds = 0;
  int64_t ct_in = 0, ct_out = 0;
};

// A layer made on one party: the call to time and its ciphertexts each way.
struct Timed {
  std::function<void()> call;
  int64_t ct_in = 0, ct_out = 0;
};

void runTimed(benchmark::State& state, const std::function<Timed(Communicator&)>& make) {
  std::array<Measured, 2> last{};
  for (auto _ : state) {
    auto out = runLocal(2, [&](Communicator& comm) {
      Measured r;
      const Timed layer = make(comm);  // includes the setup
      r.setup_sent = comm.stats().total.bytes_sent;
      comm.barrier();
      comm.resetStats();
      const auto t0 = Clock::now();
      const double c0 = threadCpuSeconds();
      layer.call();
      r.cpu = threadCpuSeconds() - c0;
      r.sent = comm.stats().total.bytes_sent;
      r.rounds = comm.stats().total.rounds;
      comm.barrier();
      r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      r.ct_in = layer.ct_in;
      r.ct_out = layer.ct_out;
      return r;
    });
    last = {out[0], out[1]};
    state.SetIterationTime(last[0].seconds);
  }
  state.counters["p0_sent_bytes"] = static_cast<double>(last[0].sent);
  state.counters["p1_sent_bytes"] = static_cast<double>(last[1].sent);
  state.counters["setup_bytes"] = static_cast<double>(last[1].setup_sent);
  state.counters["ct_in"] = static_cast<double>(last[0].ct_in);
  state.counters["ct_out"] = static_cast<double>(last[0].ct_out);
  state.counters["rounds"] = static_cast<double>(last[0].rounds);
  state.counters["p0_cpu_ms"] = 1e3 * last[0].cpu;
  state.counters["p1_cpu_ms"] = 1e3 * last[1].cpu;
}

RingTensor randomTensor(const Shape& shape) {
  RingTensor t(shape);
  Prg prg;
  prg.fill(t.data());
  return t;
}

// Weights within the public bound |w| ≤ 2^b (any word for b = 63).
void fillBounded(std::span<uint64_t> w, int b) {
  Prg prg;
  prg.fill(w);
  if (b >= 63) return;
  const uint64_t span = (uint64_t{1} << (b + 1)) + 1;  // [−2^b, 2^b]
  for (uint64_t& v : w) v = (v % span) - (uint64_t{1} << b);
}

// prepared: the weights encoded before the timed call (the model owner's one-time work, as a
// private model does at load), else inside it.
Timed matmulLayer(Communicator& comm, size_t m, size_t k, size_t n, const HeRingOptions& ring = {},
                  bool prepared = false) {
  auto mm = std::make_shared<HeMatmul>(comm, true, ring);
  auto x = std::make_shared<std::vector<uint64_t>>(m * k);
  auto w = std::make_shared<std::vector<uint64_t>>(comm.rank() == 0 ? k * n : 0);
  Prg prg;
  prg.fill(*x);
  fillBounded(*w, ring.weight_bits);
  const HeMatmulBlocks b = mm->blocks(m, k, n);
  if (prepared) mm->prepare(*w, m, k, n);
  return {[=] { benchmark::DoNotOptimize(mm->multiply(*x, *w, m, k, n)); },
          static_cast<int64_t>(b.inputCiphertexts()), static_cast<int64_t>(b.outputCiphertexts())};
}

struct ConvLayer {
  std::string name;
  Shape input, weight;
  int64_t stride, pad;
  Conv2dOptions options() const {
    Conv2dOptions o;
    o.stride = {stride, stride};
    o.padding = {pad, pad};
    return o;
  }
};

Timed convLayer(Communicator& comm, const ConvLayer& l, const HeRingOptions& ring = {},
                bool prepared = false) {
  auto conv = std::make_shared<HeConv2d>(comm, l.input, l.weight, l.options(), true, ring);
  auto x = std::make_shared<RingTensor>(randomTensor(l.input));
  auto w = std::make_shared<RingTensor>(l.weight);
  fillBounded(w->data(), ring.weight_bits);
  if (prepared) conv->prepare(*w);
  return {[=] { benchmark::DoNotOptimize(conv->forward(*x, *w)); }, conv->plan().inputCiphertexts(),
          conv->plan().outputCiphertexts()};
}

// im2col of the share (local: it is linear), then [OH·OW, C·kh·kw] x [C·kh·kw, O] by HeMatmul.
Timed im2colLayer(Communicator& comm, const ConvLayer& l) {
  const Shape out = conv2dOutputShape(l.input, l.weight, l.options());
  const auto m = static_cast<size_t>(out.dim(2) * out.dim(3));
  const auto k = static_cast<size_t>(l.weight.numel() / l.weight.dim(0));
  const auto n = static_cast<size_t>(l.weight.dim(0));
  auto mm = std::make_shared<HeMatmul>(comm);
  auto x = std::make_shared<RingTensor>(randomTensor(l.input));
  auto w = std::make_shared<std::vector<uint64_t>>(k * n);
  Prg prg;
  prg.fill(*w);
  const Conv2dOptions opt = l.options();
  const int64_t kh = l.weight.dim(2), kw = l.weight.dim(3);
  const HeMatmulBlocks b = mm->blocks(m, k, n);
  return {[=] {
            const RingTensor cols = im2col(*x, kh, kw, opt);  // [1, k, m]
            std::vector<uint64_t> xt(m * k);
            for (size_t r = 0; r < k; ++r)
              for (size_t c = 0; c < m; ++c) xt[c * k + r] = cols[static_cast<int64_t>(r * m + c)];
            benchmark::DoNotOptimize(mm->multiply(xt, *w, m, k, n));
          },
          static_cast<int64_t>(b.inputCiphertexts()), static_cast<int64_t>(b.outputCiphertexts())};
}

Timed batchNormLayer(Communicator& comm, const Shape& input) {
  auto bn = std::make_shared<HeBatchNorm>(comm, input);
  auto x = std::make_shared<RingTensor>(randomTensor(input));
  auto scale = std::make_shared<RingTensor>(randomTensor(Shape{input.dim(1)}));
  return {[=] { benchmark::DoNotOptimize(bn->forward(*x, *scale, *scale)); },
          bn->plan().inputCiphertexts(), bn->plan().outputCiphertexts()};
}

void add(const std::string& name, std::function<Timed(Communicator&)> make) {
  benchmark::RegisterBenchmark(name.c_str(), [make](benchmark::State& s) { runTimed(s, make); })
      ->UseManualTime()
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond);
}

// One call per repetition, 3 repetitions: the median is what the table quotes.
void addMedianOf3(const std::string& name, std::function<Timed(Communicator&)> make) {
  benchmark::RegisterBenchmark(name.c_str(), [make](benchmark::State& s) { runTimed(s, make); })
      ->UseManualTime()
      ->Iterations(1)
      ->Repetitions(3)
      ->ReportAggregatesOnly(true)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

void sotto::bench::registerAll() {
  struct Fc {
    size_t m, k, n;
  };
  for (const Fc fc : {Fc{1, 400, 120}, Fc{1, 120, 84}, Fc{1, 84, 10}, Fc{64, 400, 120},
                      Fc{64, 120, 84}, Fc{64, 84, 10}})
    add("he/fc/" + std::to_string(fc.m) + "x" + std::to_string(fc.k) + "x" + std::to_string(fc.n),
        [fc](Communicator& comm) { return matmulLayer(comm, fc.m, fc.k, fc.n); });
  const std::vector<ConvLayer> convs = {{"lenet5_conv1", {1, 1, 28, 28}, {6, 1, 5, 5}, 1, 2},
                                        {"lenet5_conv2", {1, 6, 14, 14}, {16, 6, 5, 5}, 1, 0},
                                        {"alexnet_conv1", {1, 3, 32, 32}, {64, 3, 11, 11}, 4, 5},
                                        {"alexnet_conv2", {1, 64, 4, 4}, {192, 64, 5, 5}, 1, 2},
                                        {"alexnet_conv3", {1, 192, 2, 2}, {384, 192, 3, 3}, 1, 1},
                                        {"alexnet_conv4", {1, 384, 2, 2}, {256, 384, 3, 3}, 1, 1},
                                        {"alexnet_conv5", {1, 256, 2, 2}, {256, 256, 3, 3}, 1, 1}};
  for (const ConvLayer& l : convs)
    add("he/conv/" + l.name, [l](Communicator& comm) { return convLayer(comm, l); });
  for (const ConvLayer& l : convs)
    add("he/conv_im2col/" + l.name, [l](Communicator& comm) { return im2colLayer(comm, l); });
  struct NamedFc {
    std::string name;
    Fc fc;
  };
  const std::vector<NamedFc> fcs = {{"lenet5_fc1", {1, 400, 120}},
                                    {"lenet5_fc2", {1, 120, 84}},
                                    {"lenet5_fc3", {1, 84, 10}},
                                    {"alexnet_fc", {1, 256, 10}}};
  for (const HeRingOptions ring :
       {HeRingOptions{64, 63}, HeRingOptions{64, 20}, HeRingOptions{44, 20}}) {
    const std::string prefix = "he/ring/l" + std::to_string(ring.plain_bits) + "_b" +
                               std::to_string(ring.weight_bits) + "/";
    for (const ConvLayer& l : convs)
      addMedianOf3(prefix + l.name,
                   [l, ring](Communicator& comm) { return convLayer(comm, l, ring, true); });
    for (const NamedFc& f : fcs)
      addMedianOf3(prefix + f.name, [f, ring](Communicator& comm) {
        return matmulLayer(comm, f.fc.m, f.fc.k, f.fc.n, ring, true);
      });
  }
  for (const Shape& s : {Shape{1, 6, 28, 28}, Shape{1, 64, 8, 8}})
    add("he/bn/" + std::to_string(s.dim(1)) + "x" + std::to_string(s.dim(2)) + "x" +
            std::to_string(s.dim(3)),
        [s](Communicator& comm) { return batchNormLayer(comm, s); });
}
