#pragma once
// main() of the benchmarks that register their cases at run time (registered_main.cc): each such
// benchmark defines registerAll(), which RegisterBenchmark()s every case, and links the main.

namespace sotto::bench {

/// Registers every case of this benchmark executable (called once, before the flags are read).
void registerAll();

}  // namespace sotto::bench
