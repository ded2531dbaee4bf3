// The RLWE core, one thread: he/ntt/<N> (forward + inverse, one 60-bit prime, the best path),
// he/ntt/<impl>/<N>/<bits> and he/ntt_forward/<impl>/<N>/<bits> per path this CPU runs (portable,
// avx2, avx512, ifma; a 49- and a 60-bit prime), and per parameter set he/<op>/<set>/ℓ for
// encryption (seeded, public key), ct × pt, decryption, modulus switching and serialisation, with
// the wire bytes of each ciphertext form as counters.
#include <benchmark/benchmark.h>

#include <bit>
#include <random>
#include <string>
#include <vector>

#include "sotto/he/decryptor.h"
#include "sotto/he/encryptor.h"
#include "sotto/he/evaluator.h"
#include "sotto/he/ntt.h"
#include "sotto/he/serialize.h"

namespace sotto::he {
namespace {

void nttForwardInverse(benchmark::State& state) {
  const auto n = static_cast<uint64_t>(state.range(0));
  const NttTables ntt(n, detail::kPrimesN4096[0]);  // 60 bits, ≡ 1 mod 2^15
  std::mt19937_64 rng(1);
  std::vector<uint64_t> a(n);
  for (auto& v : a) v = rng() % ntt.modulus().value();
  for (auto _ : state) {
    ntt.forward(a);
    ntt.inverse(a);
    benchmark::DoNotOptimize(a.data());
  }
  state.counters["N"] = static_cast<double>(n);
}
BENCHMARK(nttForwardInverse)->Name("he/ntt")->Arg(4096)->Arg(8192)->Unit(benchmark::kMicrosecond);

void nttForward(benchmark::State& state) {
  const auto n = static_cast<uint64_t>(state.range(0));
  const NttTables ntt(n, detail::kPrimesN4096[0]);
  std::vector<uint64_t> a(n, 12345);
  for (auto _ : state) {
    ntt.forward(a);
    benchmark::DoNotOptimize(a.data());
  }
}
BENCHMARK(nttForward)->Name("he/ntt_forward")->Arg(4096)->Arg(8192)->Unit(benchmark::kMicrosecond);

// One path, forced: he/ntt/<impl>/<N>/<bits> (forward + inverse) and he/ntt_forward/….
void nttPath(benchmark::State& state, NttImpl impl, uint64_t n, uint64_t q, bool inverse_too) {
  const NttTables ntt(n, q);
  std::mt19937_64 rng(1);
  std::vector<uint64_t> a(n);
  for (auto& v : a) v = rng() % q;
  for (auto _ : state) {
    ntt.forward(a, impl);
    if (inverse_too) ntt.inverse(a, impl);
    benchmark::DoNotOptimize(a.data());
  }
}

const bool kNttPathsRegistered = [] {
  const std::pair<const char*, NttImpl> impls[] = {{"portable", NttImpl::kPortable},
                                                   {"avx2", NttImpl::kAvx2},
                                                   {"avx512", NttImpl::kAvx512},
                                                   {"ifma", NttImpl::kIfma}};
  const uint64_t primes[] = {detail::kPrimesN4096[1], detail::kPrimesN4096[0]};  // 49, 60 bits
  for (const char* row : {"he/ntt/", "he/ntt_forward/"}) {
    for (const auto& [name, impl] : impls) {
      for (uint64_t n : {4096, 8192}) {
        for (uint64_t q : primes) {
          const bool runs =
              impl == NttImpl::kPortable || (impl == NttImpl::kAvx2 && nttAvx2Available()) ||
              (impl == NttImpl::kAvx512 && nttAvx512Available()) ||
              (impl == NttImpl::kIfma && nttIfmaAvailable() && q < kNttIfmaModulusBound);
          if (!runs) continue;
          const std::string label = std::string(row) + name + "/" + std::to_string(n) + "/" +
                                    std::to_string(std::bit_width(q));
          benchmark::RegisterBenchmark(label.c_str(), nttPath, impl, n, q,
                                       row == std::string("he/ntt/"))
              ->Unit(benchmark::kMicrosecond);
        }
      }
    }
  }
  return true;
}();

// Shared fixture data per (set, ℓ).
struct Setup {
  Setup(ParamSet set, int ell)
      : ctx(set, ell), sk(generateSecretKey(ctx, prg)), pk(generatePublicKey(ctx, sk, prg)) {
    std::mt19937_64 rng(7);
    m.resize(ctx.n());
    p.resize(ctx.n());
    for (auto& v : m) v = rng() & ctx.plainMask();
    for (auto& v : p) v = rng() & ctx.plainMask();
  }
  Prg prg;
  HeContext ctx;
  SecretKey sk;
  PublicKey pk;
  std::vector<uint64_t> m, p;
};

Setup& setupFor(const benchmark::State& state) {
  static Setup a(ParamSet::kN4096, 32), b(ParamSet::kN8192, 64);
  return state.range(0) == 4096 ? a : b;
}

void setCounters(benchmark::State& state, const Setup& s) {
  state.counters["bytes_seeded"] = static_cast<double>(serializedSize(s.ctx, 0, true));
  state.counters["bytes_full"] = static_cast<double>(serializedSize(s.ctx, 0, false));
  state.counters["bytes_last"] =
      static_cast<double>(serializedSize(s.ctx, s.ctx.lastLevel(), false));
  state.counters["ell"] = s.ctx.plainBits();
}

void encryptSeeded(benchmark::State& state) {
  Setup& s = setupFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(encryptSymmetricSeeded(s.ctx, s.sk, s.m, s.prg));
  setCounters(state, s);
}
void encryptPk(benchmark::State& state) {
  Setup& s = setupFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(encryptPublic(s.ctx, s.pk, s.m, s.prg));
  setCounters(state, s);
}
void mulPlain(benchmark::State& state) {
  Setup& s = setupFor(state);
  const PlainMultiplier pm = preparePlain(s.ctx, s.p);
  const Ciphertext ct = encryptSymmetric(s.ctx, s.sk, s.m, s.prg);
  Ciphertext work = ct;
  for (auto _ : state) {
    multiplyPlainInplace(s.ctx, work, pm);
    benchmark::DoNotOptimize(work.c0.data.data());
  }
  setCounters(state, s);
}
void preparePlainBench(benchmark::State& state) {
  Setup& s = setupFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(preparePlain(s.ctx, s.p));
}
void decryptBench(benchmark::State& state) {
  Setup& s = setupFor(state);
  const Ciphertext ct = encryptSymmetric(s.ctx, s.sk, s.m, s.prg);
  for (auto _ : state) benchmark::DoNotOptimize(decrypt(s.ctx, s.sk, ct));
  setCounters(state, s);
}
void modSwitch(benchmark::State& state) {
  Setup& s = setupFor(state);
  const Ciphertext ct = encryptSymmetric(s.ctx, s.sk, s.m, s.prg);
  for (auto _ : state) {
    Ciphertext c = ct;
    modSwitchToLastInplace(s.ctx, c);
    benchmark::DoNotOptimize(c.c0.data.data());
  }
  setCounters(state, s);
}
void serializeRoundTrip(benchmark::State& state) {
  Setup& s = setupFor(state);
  const Ciphertext ct = encryptSymmetricSeeded(s.ctx, s.sk, s.m, s.prg);
  for (auto _ : state) benchmark::DoNotOptimize(deserialize(s.ctx, serialize(s.ctx, ct)));
  setCounters(state, s);
}

// Arg: N (4096 → n4096_q109 with ℓ = 32; 8192 → n8192_q212 with ℓ = 64).
BENCHMARK(encryptSeeded)
    ->Name("he/encrypt_seeded")
    ->Arg(4096)
    ->Arg(8192)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(encryptPk)->Name("he/encrypt_pk")->Arg(4096)->Arg(8192)->Unit(benchmark::kMicrosecond);
BENCHMARK(preparePlainBench)
    ->Name("he/prepare_plain")
    ->Arg(4096)
    ->Arg(8192)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(mulPlain)->Name("he/mul_plain")->Arg(4096)->Arg(8192)->Unit(benchmark::kMicrosecond);
BENCHMARK(decryptBench)->Name("he/decrypt")->Arg(4096)->Arg(8192)->Unit(benchmark::kMicrosecond);
BENCHMARK(modSwitch)->Name("he/mod_switch")->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(serializeRoundTrip)
    ->Name("he/serialize_seeded")
    ->Arg(4096)
    ->Arg(8192)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sotto::he

BENCHMARK_MAIN();
