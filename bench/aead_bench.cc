// AES-256-GCM throughput of the secure channel's framing (AeadStream: implicit counter nonces,
// 12-byte AAD, tag appended), one core. aead/seal/<bytes>: encrypt + tag; aead/seal_open/<bytes>:
// encrypt, then check and decrypt in place, as one message's cost on both ends. bytes_per_second
// counts plaintext bytes.
#include <benchmark/benchmark.h>

#include <array>
#include <span>
#include <vector>

#include "sotto/crypto/aead.h"

namespace {

constexpr std::array<std::byte, 12> kAad{};

sotto::AeadStream::Key benchKey() {
  sotto::AeadStream::Key k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 7 + 1);
  return k;
}

void sealOnly(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  sotto::AeadStream seal(benchKey(), sotto::AeadStream::Direction::kSeal);
  std::vector<std::byte> plain(n, std::byte{1}), box(n + sotto::kAeadTagBytes);
  for (auto _ : state) {
    seal.seal(plain, kAad, box);
    benchmark::DoNotOptimize(box.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void sealOpen(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  sotto::AeadStream seal(benchKey(), sotto::AeadStream::Direction::kSeal);
  sotto::AeadStream open(benchKey(), sotto::AeadStream::Direction::kOpen);
  std::vector<std::byte> plain(n, std::byte{1}), box(n + sotto::kAeadTagBytes);
  for (auto _ : state) {
    seal.seal(plain, kAad, box);
    if (!open.open(box, kAad, std::span(box).first(n))) state.SkipWithError("tag mismatch");
    benchmark::DoNotOptimize(box.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {int64_t{4} << 10, int64_t{64} << 10, int64_t{1} << 20, int64_t{16} << 20}) {
    b->Arg(n);
  }
}

BENCHMARK(sealOnly)->Name("aead/seal")->Apply(sizes);
BENCHMARK(sealOpen)->Name("aead/seal_open")->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
