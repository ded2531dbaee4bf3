// math_bench: the math functions for 2 parties on 65536 elements at CrypTen's input ranges
// (notes/anchors.md), with rounds, online bytes per party, dealer bytes and max_abs_err,
// max_rel_err, max_ulp against the true function in double precision.
//
//   build/bench/math_bench                              (2 parties as threads, inproc)
//   build/bench/math_bench --benchmark_filter=_ttp      (the dealer's bytes per element)
//   scripts/mpirun-local -np 2 build/bench/math_bench --backend mpi
//
// Names: math/<function>/<iterative|lut>/<elements>: the CrypTen-style iterative baselines
// (sotto/math/iterative.h) and the table-based functions (sotto/math/functions.h), same inputs.
// math/<function>/lut_ttp/64: the table functions under the TTP dealer (a third thread) on the
// first 64 of the same inputs (softmax: 64 rows of 10), for dealer_recv_per_elem (what the dealer
// sends party 0 per element; inproc or mpirun -np 3): the default method there, composed from the
// dealer's kernels; math/<function>/tables_ttp/64 the same on the dealer's function tables
// (MathMethod::kFunctionTables: 3 rounds, tens to hundreds of KB per element). math/exp_f12/... and
// math/exp_f20/...: exp's table rows again at 12 and 20 fractional bits (its windows' rows and
// degrees depend on the scale; max_ulp in ULPs of that scale).
#include <algorithm>
#include <cmath>

#include "mpc_bench.h"
#include "sotto/math/functions.h"
#include "sotto/math/iterative.h"

namespace {

using namespace sotto;
using sotto::bench::Op;

// An elementwise function on n inputs uniform in [lo, hi), on the grid of `frac` fractional bits
// (at most the default's).
Op elementwise(double lo, double hi, double (*truth)(double),
               ArithTensor (*mpc)(const ArithTensor&), unsigned seed, int64_t n = 65536,
               int frac = kDefaultFracBits) {
  auto x = sotto::bench::uniform(n, lo, hi, seed);
  for (double& v : x) v = std::ldexp(std::nearbyint(std::ldexp(v, frac)), -frac);
  Op op;
  for (double v : x) op.reference.push_back(truth(v));
  op.prepare = [x, n, mpc](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    return std::function<ArithTensor()>([a, mpc] { return mpc(a); });
  };
  return op;
}

Op softmaxRows(bool table, int64_t rows = 6554, MathMethod method = MathMethod::kTable) {
  const int64_t cols = 10;
  auto x = sotto::bench::uniform(rows * cols, -8, 8, 60);
  Op op;
  for (int64_t i = 0; i < rows; ++i) {
    const double m = *std::max_element(x.begin() + i * cols, x.begin() + (i + 1) * cols);
    double z = 0;
    for (int64_t j = 0; j < cols; ++j) z += std::exp(x[i * cols + j] - m);
    for (int64_t j = 0; j < cols; ++j) op.reference.push_back(std::exp(x[i * cols + j] - m) / z);
  }
  op.prepare = [x, table, rows, method](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{rows, cols});
    return std::function<ArithTensor()>([a, table, method] {
      return table ? sotto::softmax(a, 1, method) : crypten_style::softmax(a, 1);
    });
  };
  return op;
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

// The table-based functions with the default method, as unary functions.
ArithTensor lutExp(const ArithTensor& x) { return sotto::exp(x); }
ArithTensor lutSigmoid(const ArithTensor& x) { return sotto::sigmoid(x); }
ArithTensor lutTanh(const ArithTensor& x) { return sotto::tanh(x); }
ArithTensor lutReciprocal(const ArithTensor& x) { return sotto::reciprocal(x); }
ArithTensor lutSqrt(const ArithTensor& x) { return sotto::sqrt(x); }
ArithTensor lutRsqrt(const ArithTensor& x) { return sotto::rsqrt(x); }
ArithTensor lutLog(const ArithTensor& x) { return sotto::log(x); }
// The same on the dealer's function tables whatever the dealer (MathMethod::kFunctionTables).
template <ArithTensor (*G)(const ArithTensor&, MathMethod)>
ArithTensor onTables(const ArithTensor& x) {
  return G(x, MathMethod::kFunctionTables);
}
double reciprocal(double v) { return 1 / v; }
double rsqrt(double v) { return 1 / std::sqrt(v); }

}  // namespace

int main(int argc, char** argv) {
  const PartyOptions exact{kDefaultFracBits, Truncation::kDealer};
  using F = double (*)(double);
  std::vector<sotto::bench::Entry> entries = {
      {"math/exp/iterative/65536",
       [] { return elementwise(-8, 4, static_cast<F>(std::exp), crypten_style::exp, 50); }, exact},
      {"math/sigmoid/iterative/65536",
       [] { return elementwise(-8, 8, sigmoid, crypten_style::sigmoid, 51); }, exact},
      {"math/tanh/iterative/65536",
       [] { return elementwise(-8, 8, static_cast<F>(std::tanh), crypten_style::tanh, 52); },
       exact},
      {"math/reciprocal/iterative/65536",
       [] { return elementwise(0.1, 100, reciprocal, crypten_style::reciprocal, 53); }, exact},
      {"math/sqrt/iterative/65536",
       [] { return elementwise(0.1, 100, static_cast<F>(std::sqrt), crypten_style::sqrt, 54); },
       exact},
      {"math/rsqrt/iterative/65536",
       [] { return elementwise(0.1, 100, rsqrt, crypten_style::rsqrt, 55); }, exact},
      {"math/log/iterative/65536",
       [] { return elementwise(0.1, 100, static_cast<F>(std::log), crypten_style::log, 56); },
       exact},
      {"math/softmax/iterative/65540", [] { return softmaxRows(false); }, exact},
      {"math/exp/lut/65536",
       [] { return elementwise(-8, 4, static_cast<F>(std::exp), lutExp, 50); }, exact},
      {"math/sigmoid/lut/65536", [] { return elementwise(-8, 8, sigmoid, lutSigmoid, 51); }, exact},
      {"math/tanh/lut/65536",
       [] { return elementwise(-8, 8, static_cast<F>(std::tanh), lutTanh, 52); }, exact},
      {"math/reciprocal/lut/65536",
       [] { return elementwise(0.1, 100, reciprocal, lutReciprocal, 53); }, exact},
      {"math/sqrt/lut/65536",
       [] { return elementwise(0.1, 100, static_cast<F>(std::sqrt), lutSqrt, 54); }, exact},
      {"math/rsqrt/lut/65536", [] { return elementwise(0.1, 100, rsqrt, lutRsqrt, 55); }, exact},
      {"math/log/lut/65536",
       [] { return elementwise(0.1, 100, static_cast<F>(std::log), lutLog, 56); }, exact},
      {"math/softmax/lut/65540", [] { return softmaxRows(true); }, exact},
  };
  // The table rows again under the TTP dealer, on kTtp elements.
  constexpr int64_t kTtp = 64;
  struct Lut {
    const char* name;
    double lo, hi;
    F truth;
    ArithTensor (*fn)(const ArithTensor&);
    ArithTensor (*tables)(const ArithTensor&);
    unsigned seed;
  };
  const Lut luts[] = {
      {"exp", -8, 4, static_cast<F>(std::exp), lutExp, onTables<sotto::exp>, 50},
      {"sigmoid", -8, 8, sigmoid, lutSigmoid, onTables<sotto::sigmoid>, 51},
      {"tanh", -8, 8, static_cast<F>(std::tanh), lutTanh, onTables<sotto::tanh>, 52},
      {"reciprocal", 0.1, 100, reciprocal, lutReciprocal, onTables<sotto::reciprocal>, 53},
      {"sqrt", 0.1, 100, static_cast<F>(std::sqrt), lutSqrt, onTables<sotto::sqrt>, 54},
      {"rsqrt", 0.1, 100, rsqrt, lutRsqrt, onTables<sotto::rsqrt>, 55},
      {"log", 0.1, 100, static_cast<F>(std::log), lutLog, onTables<sotto::log>, 56}};
  for (const Lut& l : luts) {
    entries.push_back({"math/" + std::string(l.name) + "/lut_ttp/" + std::to_string(kTtp),
                       [l] { return elementwise(l.lo, l.hi, l.truth, l.fn, l.seed, kTtp); }, exact,
                       "ttp"});
    entries.push_back({"math/" + std::string(l.name) + "/tables_ttp/" + std::to_string(kTtp),
                       [l] { return elementwise(l.lo, l.hi, l.truth, l.tables, l.seed, kTtp); },
                       exact, "ttp"});
  }
  entries.push_back({"math/softmax/lut_ttp/" + std::to_string(10 * kTtp),
                     [] { return softmaxRows(true, kTtp); }, exact, "ttp"});
  entries.push_back({"math/softmax/tables_ttp/" + std::to_string(10 * kTtp),
                     [] { return softmaxRows(true, kTtp, MathMethod::kFunctionTables); }, exact,
                     "ttp"});
  for (int frac : {12, 20}) {
    const PartyOptions scale{frac, Truncation::kDealer};
    const std::string name = "math/exp_f" + std::to_string(frac);
    for (const int64_t n : {int64_t{65536}, kTtp}) {
      entries.push_back(
          {name + (n == kTtp ? "/lut_ttp/" : "/lut/") + std::to_string(n),
           [n, frac] { return elementwise(-8, 4, static_cast<F>(std::exp), lutExp, 50, n, frac); },
           scale, n == kTtp ? "ttp" : ""});
    }
  }
  return sotto::bench::benchMain(argc, argv, "math_bench", entries);
}
