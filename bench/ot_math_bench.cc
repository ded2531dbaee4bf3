// The table math without a dealer: sotto::exp, sigmoid, tanh, erf, GELU (both forms), reciprocal,
// rsqrt, sqrt and log (on [0.1, 100], the dealer's range in functions.h) and softmax (rows of 16 on
// [-8, 8)) under the OT family (--dealer none: the composed engine, src/math/piecewise_engine.h)
// on 2 threads over inproc, beside the same functions under the TTP dealer (its function tables)
// in the same run. Rows ot/math/<fn>/65536 and ttp/math/<fn>/64 (the dealer's tables: tens of KB
// per element); inputs uniform on CrypTen's ranges; exp over its whole domain on [-16, 40) (past
// the saturation at 32.58), and exp_x_le_0 on [-8, 0): under the OT family the engine's exp of
// x <= 0 alone (softmax's, math_detail::evaluatePiecewise), under TTP sotto::exp. Counters (both
// parties together, per element):
//   online_bits_per_element   every message of the call but the OT extension's (ot/setup,
//                             ot/extend)
//   cots_per_element          OT rows: the COTs taken, both directions, from IKNP's traffic (16 B
//                             per COT, refills of 128: exact to 256 / n)
//   bits_at_half_bit_per_cot  OT rows: online + 0.5 bit per COT (issue 16's measure: Ferret)
//   dealer_bits_per_element   TTP rows: what the dealer sends
//   rounds                    party 0's blocking calls in the call (the OT extension's apart)
//   max_error_ulp             against double precision (exp: where e^x <= e^4)
//   max_relative_error        exp: where e^x > e^4, against min(e^x, the largest value)
// One timed call after one warm-up call per iteration. Speed is measured here, never asserted.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "composed_functions.h"
#include "registered_main.h"
#include "sotto/comm/inproc.h"
#include "sotto/math/functions.h"
#include "sotto/mpc/party.h"
#include "sotto/mpc/protocol_factory.h"

namespace {

using namespace sotto;
using Clock = std::chrono::steady_clock;
constexpr int kFrac = 16;

struct Function {
  const char* name;
  double lo, hi;
  std::function<ArithTensor(const ArithTensor&)> secure;
  std::function<double(double)> plain;  // elementwise, or (softmax) null: see reference()
  double relative_above = HUGE_VAL;     // reference values past it: relative error, not ULP
};

constexpr int64_t kRow = 16;  // softmax's rows

// softmax along rows of kRow in double precision.
std::vector<double> softmaxRows(const std::vector<double>& x) {
  std::vector<double> y(x.size());
  for (size_t r = 0; r < x.size(); r += kRow) {
    double m = -1e300, sum = 0;
    for (size_t j = r; j < r + kRow; ++j) m = std::max(m, x[j]);
    for (size_t j = r; j < r + kRow; ++j) sum += std::exp(x[j] - m);
    for (size_t j = r; j < r + kRow; ++j) y[j] = std::exp(x[j] - m) / sum;
  }
  return y;
}

// The plaintext reference of fn on the (encoded, then decoded) inputs.
std::vector<double> reference(const Function& fn, const std::vector<double>& x) {
  if (!fn.plain) return softmaxRows(x);
  std::vector<double> y;
  for (double v : x) y.push_back(fn.plain(v));
  return y;
}

double gelu(double x) { return 0.5 * x * std::erfc(-x / std::numbers::sqrt2); }
double geluTanh(double x) {
  const double k = std::sqrt(2 / std::numbers::pi);
  return 0.5 * x * (1 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

// e^x of x <= 0: under a family without function tables the composed engine's one-sided form
// (softmax's exp), under a dealer sotto::exp.
ArithTensor expOfNonPositive(const ArithTensor& x) {
  if (x.party().protocol().hasFunctionTables()) return sotto::exp(x);
  return math_detail::evaluatePiecewise(
      x, math_detail::composedFunction(math_detail::Composed::kExp, x.fracBits()));
}

const std::vector<Function>& functions() {
  static const std::vector<Function> fns = {
      {"exp", -16, 40, [](const ArithTensor& x) { return sotto::exp(x); },
       [](double x) { return std::min(std::exp(x), std::ldexp(0x1p63, -kFrac)); }, std::exp(4.0)},
      {"exp_x_le_0", -8, 0, expOfNonPositive, [](double x) { return std::exp(x); }},
      {"sigmoid", -8, 8, [](const ArithTensor& x) { return sotto::sigmoid(x); },
       [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"tanh", -8, 8, [](const ArithTensor& x) { return sotto::tanh(x); },
       [](double x) { return std::tanh(x); }},
      {"erf", -4, 4, [](const ArithTensor& x) { return sotto::erf(x); },
       [](double x) { return std::erf(x); }},
      {"gelu", -8, 8, [](const ArithTensor& x) { return sotto::gelu(x); }, gelu},
      {"gelu_tanh", -8, 8,
       [](const ArithTensor& x) { return sotto::gelu(x, GeluApproximation::kTanh); }, geluTanh},
      {"reciprocal", 0.1, 100, [](const ArithTensor& x) { return sotto::reciprocal(x); },
       [](double x) { return 1 / x; }},
      {"rsqrt", 0.1, 100, [](const ArithTensor& x) { return sotto::rsqrt(x); },
       [](double x) { return 1 / std::sqrt(x); }},
      {"sqrt", 0.1, 100, [](const ArithTensor& x) { return sotto::sqrt(x); },
       [](double x) { return std::sqrt(x); }},
      {"log", 0.1, 100, [](const ArithTensor& x) { return sotto::log(x); },
       [](double x) { return std::log(x); }},
      {"softmax", -8, 8,
       [](const ArithTensor& x) {
         return sotto::softmax(x.reshape({x.numel() / kRow, kRow}), 1).reshape({x.numel()});
       },
       nullptr},
  };
  return fns;
}

struct Measured {
  double seconds = 0, max_error_ulp = 0, max_relative_error = 0;
  uint64_t online_sent = 0, cot_bytes = 0, rounds = 0, dealer = 0;
};

// The inputs: n values on [lo, hi), a fixed pattern (the same on every run).
std::vector<double> inputs(const Function& fn, int64_t n) {
  std::vector<double> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    x[static_cast<size_t>(i)] = fn.lo + (fn.hi - fn.lo) * std::fmod(i * 0.6180339887, 1.0);
  return x;
}

Measured measure(const std::string& family, const Function& fn, int64_t n) {
  ProtocolOptions options;
  options.ot.batch = 128;  // IKNP refills of what a call needs: its traffic counts the COTs
  const auto out = runLocal(protocolWorldSize(family, 2), [&](Communicator& world) {
    ProtocolSetup setup = makeProtocol(world, family, options);
    if (setup.serves()) {
      setup.serve();
      return Measured{};
    }
    Party p(setup.online(), setup.protocol());
    const std::vector<double> x = inputs(fn, n);
    const ArithTensor shared = ArithTensor::share(p, 1, x, Shape{n});
    (void)fn.secure(shared).revealDoubles();  // warm-up (and the tables' one-time build)
    Communicator& comm = setup.online();
    comm.barrier();
    comm.resetStats();
    const uint64_t dealer0 = p.protocol().offlineBytes();
    const auto t0 = Clock::now();
    const ArithTensor y = fn.secure(shared);
    Measured m;
    m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    for (const auto& [tag, c] : comm.stats().by_tag) {
      if (tag == "ot/setup" || tag == "ot/extend" || tag == "ot/spcot") {  // the OT extension
        m.cot_bytes += c.bytes_sent;
      } else {
        m.online_sent += c.bytes_sent;
        m.rounds += c.rounds;
      }
    }
    m.dealer = p.protocol().offlineBytes() - dealer0;
    const std::vector<double> got = y.revealDoubles();
    std::vector<double> decoded;
    for (double v : x) decoded.push_back(std::ldexp(std::nearbyint(std::ldexp(v, kFrac)), -kFrac));
    const std::vector<double> want = reference(fn, decoded);
    for (size_t i = 0; i < x.size(); ++i) {
      const double err = std::fabs(got[i] - want[i]);
      if (want[i] > fn.relative_above)
        m.max_relative_error = std::max(m.max_relative_error, err / want[i]);
      else
        m.max_error_ulp = std::max(m.max_error_ulp, std::ldexp(err, kFrac));
    }
    return m;
  });
  Measured both = out[0];  // the seconds and rounds of party 0; bytes of both parties
  both.max_error_ulp = std::max(out[0].max_error_ulp, out[1].max_error_ulp);
  both.max_relative_error = std::max(out[0].max_relative_error, out[1].max_relative_error);
  both.online_sent += out[1].online_sent;
  both.cot_bytes += out[1].cot_bytes;
  both.dealer += out[1].dealer;
  return both;
}

void run(benchmark::State& state, const std::string& family, const Function& fn) {
  const int64_t n = state.range(0);
  const double nd = static_cast<double>(n);
  Measured m;
  for (auto _ : state) {
    m = measure(family, fn, n);
    state.SetIterationTime(m.seconds);
  }
  const double online = 8.0 * static_cast<double>(m.online_sent) / nd;
  state.counters["online_bits_per_element"] = online;
  state.counters["rounds"] = static_cast<double>(m.rounds);
  state.counters["max_error_ulp"] = m.max_error_ulp;
  if (fn.relative_above < HUGE_VAL) state.counters["max_relative_error"] = m.max_relative_error;
  if (family == "none") {
    const double cots = static_cast<double>(m.cot_bytes) / 16 / nd;
    state.counters["cots_per_element"] = cots;
    state.counters["bits_at_half_bit_per_cot"] = online + 0.5 * cots;
  } else {
    state.counters["dealer_bits_per_element"] = 8.0 * static_cast<double>(m.dealer) / nd;
  }
}

}  // namespace

void sotto::bench::registerAll() {
  for (const auto& [prefix, family] : {std::pair{"ot", "none"}, std::pair{"ttp", "ttp"}}) {
    for (const Function& fn : functions()) {
      const std::string name = std::string(prefix) + "/math/" + fn.name;
      benchmark::RegisterBenchmark(name.c_str(), [family = std::string(family),
                                                  &fn](benchmark::State& s) { run(s, family, fn); })
          ->Arg(std::string(family) == "none" ? 65536 : 64)  // TTP: its tables are ~26 KB/el
          ->UseManualTime()
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
    }
  }
}
