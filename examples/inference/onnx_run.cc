// onnx_run: private inference of any supported ONNX model on one input tensor.
// Party 0 reads the model, party 1 the input (.npy or ONNX TensorProto .pb); party 1 receives the
// output and writes it (.npy or .pb, by extension). Prints the per-layer profile and totals.
//
//   mpirun -np 2 build/examples/onnx_run --model M.onnx --input x.npy --output y.npy
//   build/examples/onnx_run --model M.onnx --input x.pb --output y.pb   (no launcher: threads)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runner.h"
#include "sotto/model/npy.h"
#include "sotto/model/onnx.h"
#include "sotto/mpc/range_check.h"
#include "sotto/nn/private_model.h"
#include "sotto/sotto.h"

namespace {

using namespace sotto;

struct Args {
  std::string model, input, output, expect, backend = "auto", dealer = "ttp", math = "table",
                                            truncation = "exact", ot = "ferret", he_ring,
                                            he_weight_bits;
  double tolerance = -1;  // with --expect: fail (exit 3) above this max abs error
  bool json = false, check_ranges = false;
};

void printUsage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: onnx_run --model M.onnx --input IN(.npy|.pb) --output OUT(.npy|.pb) [options]\n"
      "Private inference of an ONNX model: party 0 reads the model, party 1 the input and "
      "receives\n"
      "the output; by default a trusted third party deals the correlations (mpirun -np 3, the "
      "last\n"
      "rank; without a launcher, 3 threads of this process).\n"
      "  --expect REF          party 1 compares the output with REF (.npy|.pb)\n"
      "  --tolerance T         with --expect: exit 3 above this max abs error\n"
      "  --backend B           auto|inproc|mpi|gloo|hybrid|tcp (default auto)\n"
      "  --dealer D            ttp (default: secure if the dealer colludes with neither party)\n"
      "                        none (two parties alone: oblivious transfer and RLWE; table\n"
      "                        math composed from their kernels) or insecure-seeded (party 0\n"
      "                        learns the input; testing only)\n"
      "  --ot E                with --dealer none: ferret (default; a ~2 MB setup, then\n"
      "                        < 0.5 bits per OT) or iknp (16 B per OT, no setup)\n"
      "  --he-weight-bits B    with --dealer none: public bound |w| <= 2^B on the fixed-point\n"
      "                        weights (default 20; 63: any weight, ~20 %% slower)\n"
      "  --he-ring L           with --dealer none: the HE layers' ring 2^L (default 64)\n"
      "  --truncation T        exact (default) or local (may fail, ~|x|/2^63 per element)\n"
      "  --math M              table (default), function-tables, composed or iterative\n"
      "  --check-ranges        every comparison, math op and local truncation also checks, in\n"
      "                        secret, that its inputs stay in the op's safe domain; one bit per\n"
      "                        op is opened after the run (9-11 more rounds) and party 1 prints "
      "them\n"
      "  --json                one JSON line of results\n"
      "  --help                this text\n");
}

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr, "onnx_run: %s\n", problem.c_str());
  printUsage(stderr);
  std::exit(2);
}

int runParty(Communicator& comm, Protocol& protocol, const Args& a) {
  Dealer* dealer = protocol.dealer();  // none without one (--dealer none)
  SOTTO_ENFORCE(comm.worldSize() == 2, "onnx_run runs with 2 computing parties, got ",
                comm.worldSize());
  verifySameOnAllParties(comm, "--truncation, --math and --check-ranges",
                         "--truncation " + a.truncation + " --math " + a.math +
                             (a.check_ranges ? " --check-ranges" : ""));
  PartyOptions po;
  po.truncation = a.truncation == "local" ? Truncation::kLocal : Truncation::kDealer;
  po.check_ranges = a.check_ranges;
  Party party(comm, protocol, po);
  nn::Graph full;
  if (party.id() == 0) full = nn::loadOnnx(a.model);
  nn::ModelOptions mo;
  mo.math = mathMethodNamed(a.math);
  mo.allow_insecure_dealer = a.dealer == "insecure-seeded";  // the user opted in explicitly
  const auto model = nn::PrivateModel::load(party, full, mo);
  // Party 1 reads the input and announces its shape.
  nn::PlainTensor in;
  if (party.id() == 1) in = nn::loadTensorFile(a.input);
  uint64_t rank = in.dims.size();
  comm.broadcast(1, std::as_writable_bytes(std::span(&rank, 1)));
  SOTTO_ENFORCE(rank <= 8, "input of rank ", rank, " is not supported");
  std::vector<int64_t> dims(rank);
  if (party.id() == 1) dims = in.dims;
  comm.broadcast(1, std::as_writable_bytes(std::span(dims)));
  const auto t0 = std::chrono::steady_clock::now();
  const CommCounters c0 = comm.stats().total;
  const uint64_t d0 = dealer ? dealer->traffic().bytes() : 0;
  std::vector<nn::LayerStats> profile;
  const auto x = ArithTensor::share(party, 1, in.values, Shape(dims));
  const auto y = model.forward(x, &profile);
  const RingTensor opened = y.revealTo(1);
  const std::vector<RangeCheckRow> out_of_domain =
      a.check_ranges ? checkRanges(party) : std::vector<RangeCheckRow>{};
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const CommCounters c1 = comm.stats().total;
  std::vector<uint64_t> dealer_bytes{dealer ? dealer->traffic().bytes() - d0 : 0};
  comm.allReduce(dealer_bytes, ReduceOp::kAdd);
  if (party.id() != 1) return 0;
  nn::PlainTensor out{y.shape().dims(), opened.decode(party.options().frac_bits)};
  nn::saveTensorFile(a.output, out);
  std::printf("onnx_run: %s on %s -> %s (%s, dealer: %s)\n%s\n%s", a.model.c_str(), a.input.c_str(),
              a.output.c_str(), comm.backendName().c_str(), protocol.name().c_str(),
              examples::trustStatement(protocol).c_str(), nn::formatProfile(profile).c_str());
  std::printf("seconds %.6f, online rounds %llu, online bytes per party %llu, dealer bytes %llu\n",
              seconds, static_cast<unsigned long long>(c1.rounds - c0.rounds),
              static_cast<unsigned long long>(c1.bytes() - c0.bytes()),
              static_cast<unsigned long long>(dealer_bytes[0]));
  if (a.check_ranges) {
    std::printf("\nrange checks (one opened bit per op):\n%s",
                formatRangeChecks(party.rangeChecks().rows()).c_str());
    if (out_of_domain.empty()) {
      std::printf("range check: every checked op stayed in its domain\n");
    } else {
      for (const auto& r : out_of_domain)
        std::printf("range check: OUT OF DOMAIN: %s\n", r.name.c_str());
    }
  }
  if (!a.expect.empty()) {
    // Party 1 compares the private output with a reference (e.g. PyTorch's) it was given.
    const nn::PlainTensor want = nn::loadTensorFile(a.expect);
    SOTTO_ENFORCE(want.values.size() == out.values.size(), "--expect: ", a.expect, " has ",
                  want.values.size(), " values, the output ", out.values.size());
    double err = 0;
    for (size_t i = 0; i < want.values.size(); ++i)
      err = std::max(err, std::fabs(want.values[i] - out.values[i]));
    std::printf("max abs error against %s: %.3e\n", a.expect.c_str(), err);
    if (a.tolerance >= 0 && !(err <= a.tolerance)) {
      std::printf("FAILED: above the tolerance %.3e\n", a.tolerance);
      return 3;
    }
  }
  if (a.json)
    std::printf(
        "{\"model\": \"%s\", \"dealer\": \"%s\", \"secure\": %s, \"seconds\": %.9g, "
        "\"rounds\": %llu, "
        "\"online_bytes_per_party\": %llu, \"dealer_bytes\": %llu, \"out_of_domain_ops\": %s}\n",
        a.model.c_str(), a.dealer.c_str(), protocol.secure() ? "true" : "false", seconds,
        static_cast<unsigned long long>(c1.rounds - c0.rounds),
        static_cast<unsigned long long>(c1.bytes() - c0.bytes()),
        static_cast<unsigned long long>(dealer_bytes[0]),
        a.check_ranges ? std::to_string(out_of_domain.size()).c_str() : "null");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--json") {
      a.json = true;
      continue;
    }
    if (k == "--check-ranges") {
      a.check_ranges = true;
      continue;
    }
    if (k == "--help" || k == "-h") {
      printUsage(stdout);
      return 0;
    }
    if (i + 1 >= argc) usage("missing value after " + k);
    const std::string v = argv[++i];
    if (k == "--model")
      a.model = v;
    else if (k == "--input")
      a.input = v;
    else if (k == "--output")
      a.output = v;
    else if (k == "--expect")
      a.expect = v;
    else if (k == "--tolerance")
      a.tolerance = std::atof(v.c_str());
    else if (k == "--backend")
      a.backend = v;
    else if (k == "--dealer")
      a.dealer = v;
    else if (k == "--math")
      a.math = v;
    else if (k == "--truncation")
      a.truncation = v;
    else if (k == "--ot")
      a.ot = v;
    else if (k == "--he-ring")
      a.he_ring = v;
    else if (k == "--he-weight-bits")
      a.he_weight_bits = v;
    else
      usage("unknown option " + k);
  }
  if (a.model.empty() || a.input.empty() || a.output.empty())
    usage("--model, --input and --output are required");
  if (const std::string problem = examples::checkDealerChoice(a.dealer); !problem.empty())
    usage(problem);
  if (a.truncation != "exact" && a.truncation != "local")
    usage("--truncation must be exact or local");
  if (a.math != "table" && a.math != "iterative" && a.math != "function-tables" &&
      a.math != "composed")
    usage("--math must be table, function-tables, composed or iterative");
  ProtocolOptions options;
  if (const std::string problem = examples::parseOtChoice(a.ot, options.ot); !problem.empty())
    usage(problem);
  if (const std::string problem = examples::parseHeChoice(a.he_ring, a.he_weight_bits, options.he);
      !problem.empty())
    usage(problem);
  return sotto::examples::runParties(
      "onnx_run", a.backend, a.dealer, false,
      [&](Communicator& comm, Protocol& protocol) { return runParty(comm, protocol, a); }, options);
}
