// The composed engine's one-time table work (src/math/composed_functions.h), one thread: what a
// process pays at the first use of a function and scale under the OT family (--dealer none).
// Rows composed/search/<fn>/<f>: searchPieces, the search over pieces and degree that ran at
// first use before composed_choices.h recorded its result; composed/fit/<fn>/<f>: fitRecorded,
// what runs at first use now (the recorded pieces fitted, no search, no error measurement).
// <f>: fractional bits (the mantissas' at kMantissaBits). Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <string>

#include "composed_choices.h"
#include "composed_functions.h"
#include "registered_main.h"

void sotto::bench::registerAll() {
  using sotto::math_detail::PiecesChoice;
  for (const char* kind : {"search", "fit"}) {
    for (const PiecesChoice& c : sotto::math_detail::kPiecesChoices) {
      const std::string name = std::string("composed/") + kind + "/" +
                               sotto::math_detail::composedName(c.which) + "/" +
                               std::to_string(c.frac_bits);
      const bool search = std::string(kind) == "search";
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [c, search](benchmark::State& state) {
        for (auto _ : state) {
          benchmark::DoNotOptimize(search ? sotto::math_detail::searchPieces(c.which, c.frac_bits)
                                          : sotto::math_detail::fitRecorded(c.which, c.frac_bits));
        }
      });
      b->Unit(benchmark::kMillisecond);
      if (search) b->Iterations(1);
    }
  }
}
