// The shared main() of registered_main.h.
#include "registered_main.h"

#include <benchmark/benchmark.h>

int main(int argc, char** argv) {
  sotto::bench::registerAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
