#pragma once
// The private-inference runner shared by examples/lenet5, examples/alexnet (and, for starting the
// parties, examples/onnx_run): parses the command line, starts the parties (mpirun, a standalone
// Gloo job, or threads of this process), loads the model on party 0 and the data on party 1, runs
// the batches and prints the report.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sotto/comm/communicator.h"
#include "sotto/data/image_set.h"
#include "sotto/model/graph.h"
#include "sotto/mpc/ot/he_ring.h"
#include "sotto/mpc/protocol.h"
#include "sotto/mpc/protocol_factory.h"
#include "sotto/ot/session.h"

namespace sotto::examples {

struct InferenceDefaults {
  std::string program;     // "lenet5"
  std::string model_name;  // printed, e.g. "LeNet5"
  std::string model_path;  // default --model ("" = build `zoo`)
  std::function<nn::Graph()> zoo;
  std::string data_dir;  // default --data ("" = make a small generated sample)
  bool cifar = false;    // CIFAR-10 binary files instead of IDX
  data::Normalization norm;
  int64_t images = 100;
  int64_t batch = 1;
  // Makes the sample dataset when no --data is given (writes files into dir, returns dir).
  std::function<std::string(int64_t images)> sample_data;
};

int runInferenceMain(int argc, char** argv, const InferenceDefaults& defaults);

/// Checks a --dealer value: "ttp", "none" (two parties, no dealer), or the explicit opt-in
/// "insecure-seeded" ("seeded" is taken as the opt-in only when SOTTO_ALLOW_INSECURE_DEALER=1, and
/// rewritten so). Returns "" or the problem.
std::string checkDealerChoice(std::string& kind);

/// Reads an --ot value ("iknp" or "ferret") into `ot`. Returns "" or the problem.
std::string parseOtChoice(const std::string& name, ot::OtOptions& ot);

/// Reads --he-ring (ℓ) and --he-weight-bits (b) values into `he` (he_ring.h); "" keeps the
/// default. Returns "" or the problem.
std::string parseHeChoice(const std::string& ring, const std::string& weight_bits,
                          HeRingOptions& he);

/// One line: who must trust whom with this protocol family.
std::string trustStatement(const Protocol& protocol);

/// An exception's message as a user should read it: without the source locations of checks.
std::string userMessage(const std::string& what);

/// Starts the parties and runs `party_main` on each computing party: as threads of this process
/// when no launcher is found (or backend is "inproc"), else as this rank of the mpirun or
/// standalone job. With dealer_kind "ttp" one more rank (or thread) is the trusted dealer;
/// "none" runs 2 ranks and no dealer (more is an error on every rank), its OT sessions and HE
/// layers as `options.ot` and `options.he` say;
/// "insecure-seeded" is the explicit opt-in to the seeded dealer (a warning on every rank). The
/// ranks first check that they were all given the same dealer. An exception on a party aborts the
/// others, which report the reason; errors print as "<program>: [party N: ]error: ...". Returns the
/// highest exit code.
int runParties(const std::string& program, const std::string& backend,
               const std::string& dealer_kind, bool announce,
               const std::function<int(Communicator&, Protocol&)>& party_main,
               const ProtocolOptions& options = {});

}  // namespace sotto::examples
