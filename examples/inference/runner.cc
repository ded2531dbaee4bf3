#include "runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sotto/data/cifar10.h"
#include "sotto/data/idx.h"
#include "sotto/model/onnx.h"
#include "sotto/model/plain_eval.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/dealer/dealer.h"
#include "sotto/mpc/protocol_factory.h"
#include "sotto/mpc/range_check.h"
#include "sotto/nn/private_model.h"
#include "sotto/sotto.h"

namespace sotto::examples {

std::string checkDealerChoice(std::string& kind) {
  const char* env = std::getenv("SOTTO_ALLOW_INSECURE_DEALER");
  if (kind == "seeded" && env != nullptr && std::string(env) == "1") kind = "insecure-seeded";
  if (kind == "ttp" || kind == "insecure-seeded" || kind == "none") return "";
  if (kind == "seeded")
    return "--dealer seeded is insecure (party 0 learns every input): use --dealer ttp (the "
           "default; one more rank), or opt in for testing with --dealer insecure-seeded";
  return "--dealer must be ttp, none or insecure-seeded, not '" + kind + "'";
}

std::string parseOtChoice(const std::string& name, ot::OtOptions& ot) {
  if (name == "iknp") {
    ot.extension = ot::OtExtension::kIknp;
  } else if (name == "ferret") {
    ot.extension = ot::OtExtension::kFerret;
  } else {
    return "--ot must be iknp or ferret, not '" + name + "'";
  }
  return "";
}

std::string parseHeChoice(const std::string& ring, const std::string& weight_bits,
                          HeRingOptions& he) {
  auto number = [](const std::string& v, int lo, int hi, int& out) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < lo || n > hi) return false;
    out = static_cast<int>(n);
    return true;
  };
  if (!ring.empty() && !number(ring, 2, 64, he.plain_bits))
    return "--he-ring must be a number of bits in [2, 64], not '" + ring + "'";
  if (!weight_bits.empty() && !number(weight_bits, 1, 63, he.weight_bits))
    return "--he-weight-bits must be in [1, 63], not '" + weight_bits + "'";
  return "";
}

std::string trustStatement(const Protocol& protocol) {
  if (protocol.dealer() == nullptr)
    return "secure with two parties, no third party (semi-honest parties; oblivious transfer "
           "and RLWE)";
  if (!protocol.secure())
    return "INSECURE: the seeded dealer lets party 0 (the model owner) read every input; for "
           "testing only";
  return "secure if the dealer rank colludes with neither party (semi-honest parties)";
}

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string model, data, backend = "auto", dealer = "ttp", math = "table", reveal = "class",
                           truncation = "exact", run_ahead = "auto", ot = "ferret", he_ring,
                           he_weight_bits, linear = "he";
  int64_t images = 0, batch = 0;
  bool json = false, check = false, quiet = false, check_ranges = false;
};

void printUsage(std::FILE* out, const InferenceDefaults& d) {
  std::fprintf(
      out,
      "usage: %s [options]\n"
      "Private %s inference: party 0 owns the model, party 1 the images; by default a trusted\n"
      "third party deals the correlations (mpirun -np 3, the last rank; without a launcher, 3\n"
      "threads of this process).\n"
      "  --model F.onnx        the model (default: %s)\n"
      "  --data DIR            the images (default: %s)\n"
      "  --images N            how many images (default %lld)\n"
      "  --batch B             images per forward pass (default %lld)\n"
      "  --backend B           auto|inproc|mpi|gloo|hybrid|tcp (default auto: mpi under mpirun,\n"
      "                        tcp with SOTTO_PARTIES, gloo with SOTTO_RANK, else threads)\n"
      "  --dealer D            ttp (default: secure if the dealer colludes with neither party)\n"
      "                        none (two parties alone, no dealer: oblivious transfer and\n"
      "                        RLWE; mpirun -np 2; table math: exp, sigmoid, tanh, erf,\n"
      "                        GELU, reciprocal, sqrt, rsqrt, log, softmax, log-softmax,\n"
      "                        composed from OT kernels)\n"
      "                        or insecure-seeded (party 0 learns every input; testing only)\n"
      "  --ot E                with --dealer none: the OT extension, ferret (default: < 0.5\n"
      "                        bits per OT after a ~2 MB, ~1-2 s setup) or iknp (16 B per\n"
      "                        correlated OT, no setup to speak of: for a few images)\n"
      "  --he-weight-bits B    with --dealer none: the public bound |w| <= 2^B on the model's\n"
      "                        fixed-point weights (default 20: |w| <= 16 at 16 fractional\n"
      "                        bits; a weight beyond it is an error naming the layer); 63 takes\n"
      "                        any weight, with 4 RNS primes instead of 3 (~20 %% more time)\n"
      "  --linear P            with --dealer none: the products with the model's weights by he\n"
      "                        (default: RLWE, Cheetah's packing) or ot (Gilboa's OT products,\n"
      "                        for comparison: tens of MB per image)\n"
      "  --he-ring L           with --dealer none: the HE layers' plaintext ring 2^L (default\n"
      "                        64; 44 moves ~25 %% fewer bytes but extends every result to 2^64,\n"
      "                        8 more rounds a layer, exact while |W x| < 2^(L-1) at 2^32)\n"
      "  --reveal R            class (default: party 1 learns only the predicted class) or\n"
      "                        logits (party 1 learns the model's output scores)\n"
      "  --truncation T        exact (default: dealer-assisted, never a large error) or local\n"
      "                        (products in no round, but each fails with probability\n"
      "                        ~|x|/2^63 per element; divisions by a count that is not a\n"
      "                        power of two stay dealer-assisted)\n"
      "  --math M              table (default: the dealer's function tables when party 0\n"
      "                        computes them, composed from the kernels when the TTP would\n"
      "                        send them: ~2 KB instead of 26 KB per sigmoid), function-tables\n"
      "                        (always the tables: 3 rounds), composed, or iterative\n"
      "                        (CrypTen's approximations)\n"
      "  --check               party 1 also reads the model file and compares with the plaintext\n"
      "                        model (a demo check: it gives the data owner the model)\n"
      "  --check-ranges        every comparison, math op and local truncation also checks, in\n"
      "                        secret, that its inputs stay in the op's safe domain; one bit per\n"
      "                        op is opened after each batch (9-11 more rounds per batch) and the\n"
      "                        report lists the ops that left their domain\n"
      "  --run-ahead R         auto (default), on or off: the TTP makes the next batch's\n"
      "                        material while the parties compute. It pays when the dealer has\n"
      "                        cores of its own (its own host, or 4+ cores); on 2 cores shared\n"
      "                        by all three ranks it competes with the parties. auto: on with\n"
      "                        4+ cores on party 0's host\n"
      "  --quiet, --json       no report; one JSON line of results\n"
      "  --help                this text\n",
      d.program.c_str(), d.model_name.c_str(),
      d.model_path.empty() ? "built-in" : d.model_path.c_str(),
      d.data_dir.empty() ? "a generated sample" : d.data_dir.c_str(),
      static_cast<long long>(d.images), static_cast<long long>(d.batch));
}

[[noreturn]] void usage(const InferenceDefaults& d, const std::string& problem) {
  std::fprintf(stderr, "%s: %s\n", d.program.c_str(), problem.c_str());
  printUsage(stderr, d);
  std::exit(2);
}

Args parseArgs(int argc, char** argv, const InferenceDefaults& d) {
  Args a;
  a.model = d.model_path;
  a.data = d.data_dir;
  a.images = d.images;
  a.batch = d.batch;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(d, "missing value after " + k);
      return argv[++i];
    };
    auto number = [&]() -> int64_t {
      const std::string v = value();
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < 1) usage(d, k + " needs a positive integer");
      return n;
    };
    if (k == "--model")
      a.model = value();
    else if (k == "--data")
      a.data = value();
    else if (k == "--images")
      a.images = number();
    else if (k == "--batch")
      a.batch = number();
    else if (k == "--backend")
      a.backend = value();
    else if (k == "--dealer")
      a.dealer = value();
    else if (k == "--math")
      a.math = value();
    else if (k == "--reveal")
      a.reveal = value();
    else if (k == "--truncation")
      a.truncation = value();
    else if (k == "--json")
      a.json = true;
    else if (k == "--check")
      a.check = true;
    else if (k == "--check-ranges")
      a.check_ranges = true;
    else if (k == "--run-ahead")
      a.run_ahead = value();
    else if (k == "--ot")
      a.ot = value();
    else if (k == "--he-ring")
      a.he_ring = value();
    else if (k == "--he-weight-bits")
      a.he_weight_bits = value();
    else if (k == "--linear")
      a.linear = value();
    else if (k == "--quiet")
      a.quiet = true;
    else if (k == "--help" || k == "-h") {
      printUsage(stdout, d);
      std::exit(0);
    } else
      usage(d, "unknown option " + k);
  }
  if (const std::string problem = checkDealerChoice(a.dealer); !problem.empty()) usage(d, problem);
  ot::OtOptions ot;
  if (const std::string problem = parseOtChoice(a.ot, ot); !problem.empty()) usage(d, problem);
  HeRingOptions he;
  if (const std::string problem = parseHeChoice(a.he_ring, a.he_weight_bits, he); !problem.empty())
    usage(d, problem);
  if (a.linear != "he" && a.linear != "ot") usage(d, "--linear must be he or ot");
  if (a.run_ahead != "auto" && a.run_ahead != "on" && a.run_ahead != "off")
    usage(d, "--run-ahead must be auto, on or off, not '" + a.run_ahead + "'");
  if (a.math != "table" && a.math != "iterative" && a.math != "function-tables" &&
      a.math != "composed")
    usage(d, "--math must be table, function-tables, composed or iterative");
  if (a.reveal != "class" && a.reveal != "logits") usage(d, "--reveal must be class or logits");
  if (a.truncation != "exact" && a.truncation != "local")
    usage(d, "--truncation must be exact or local");
  return a;
}

nn::Graph loadGraph(const Args& a, const InferenceDefaults& d) {
  return a.model.empty() ? d.zoo() : nn::loadOnnx(a.model);
}

data::ImageSet loadData(const Args& a, const InferenceDefaults& d) {
  std::string dir = a.data;
  if (dir.empty()) dir = d.sample_data(a.images);
  return d.cifar ? data::loadCifar10Dir(dir, true, a.images, d.norm)
                 : data::loadMnistDir(dir, true, a.images, d.norm);
}

// The model's name in reports: the ONNX file's stem, or the program's name for the built-in one.
std::string modelLabel(const Args& a, const InferenceDefaults& d) {
  if (a.model.empty()) return d.program;
  return std::filesystem::path(a.model).stem().string();
}

// The backend's name as a user knows it: the parties' SubCommunicator of a TTP world ("sub(mpi)")
// is reported as the world's backend.
std::string backendLabel(const Communicator& comm) {
  const std::string& n = comm.backendName();
  if (n.size() > 5 && n.rfind("sub(", 0) == 0 && n.back() == ')') return n.substr(4, n.size() - 5);
  return n;
}

int64_t argmaxRow(const std::vector<double>& v, int64_t row, int64_t classes) {
  const auto b = v.begin() + row * classes;
  return std::max_element(b, b + classes) - b;
}

struct Totals {
  double seconds = 0, online_seconds = 0;
  double warmup_seconds = 0;  // the recording passes (once per batch size), apart from the images
  double first_batch_seconds = 0;  // end to end, the first batch alone (the cold one)
  uint64_t rounds = 0, online_bytes = 0, dealer_bytes = 0;
  int64_t images = 0, correct = 0, agree = 0, batches = 0;
  double max_abs_err = 0;
  std::set<std::string> out_of_domain;  // op names whose range check failed in some batch
};

constexpr int kDataOwner = 1;

// Shares of each row's predicted class (the index of its largest logit): the secure argmax's
// one-hot times the column indices, summed. Revealing it tells the receiver only the class.
ArithTensor predictedClass(const ArithTensor& logits) {
  SOTTO_ENFORCE(logits.shape().rank() == 2,
                "--reveal class needs logits of shape [N, classes], got ",
                logits.shape().toString(), " (use --reveal logits)");
  const ArithTensor one_hot = argmaxOneHot(logits, 1);
  RingTensor weighted = one_hot.share();
  const int64_t classes = logits.shape()[1];
  for (int64_t e = 0; e < weighted.numel(); ++e) weighted[e] *= static_cast<uint64_t>(e % classes);
  return ArithTensor(one_hot.party(), std::move(weighted), one_hot.fracBits()).sum(1);
}

int runParty(Communicator& comm, Protocol& protocol, const Args& a, const InferenceDefaults& d) {
  SOTTO_ENFORCE(comm.worldSize() == 2, d.program, " runs with 2 computing parties (", "got ",
                comm.worldSize(), "; with --dealer ttp start 3 ranks)");
  // The dealer families' offline phase (recorded correlations, prefetched); none without one.
  Dealer* dealer = protocol.dealer();
  // Every party must run the same settings (a standalone party may have been started with others).
  verifySameOnAllParties(comm, "--batch, --reveal, --truncation, --math and --check-ranges",
                         "--batch " + std::to_string(a.batch) + " --reveal " + a.reveal +
                             " --truncation " + a.truncation + " --math " + a.math +
                             (a.check_ranges ? " --check-ranges" : ""));
  // Run-ahead must be the same on every party (it changes when parties i >= 1 draw their
  // streams): party 0 decides and tells the others.
  uint64_t ahead = a.run_ahead == "on" || (a.run_ahead == "auto" && comm.rank() == 0 &&
                                           std::thread::hardware_concurrency() >= 4);
  if (a.run_ahead == "auto") comm.broadcast(0, std::as_writable_bytes(std::span(&ahead, 1)));
  PartyOptions po;
  po.truncation = a.truncation == "local" ? Truncation::kLocal : Truncation::kDealer;
  po.check_ranges = a.check_ranges;
  Party party(comm, protocol, po);
  const bool me_data = party.id() == kDataOwner;
  const bool print = me_data && !a.quiet;
  const auto say = [&](const char* fmt, auto... args) {
    if (print) {
      std::printf(fmt, args...);
      std::fflush(stdout);
    }
  };

  // The model owner (party 0) reads the model; the others receive its architecture.
  const auto t_load = Clock::now();
  nn::Graph full;
  if (party.id() == 0) full = loadGraph(a, d);
  nn::ModelOptions mo;
  mo.math = mathMethodNamed(a.math);
  mo.allow_insecure_dealer = a.dealer == "insecure-seeded";  // the user opted in explicitly
  // The logits are only opened or compared: a linear output layer skips its truncation and the
  // receiver divides in plaintext (decoding at the opened tensor's scale).
  mo.untruncated_output = true;
  const nn::PrivateModel model = nn::PrivateModel::load(party, full, mo);
  const double load_seconds = std::chrono::duration<double>(Clock::now() - t_load).count();
  // The protocol's one-time work, before the first image rather than in it (Protocol::setup:
  // Ferret's bootstrap and first round under --dealer none --ot ferret).
  protocol.setup(party);
  double setup_seconds = std::chrono::duration<double>(Clock::now() - t_load).count();
  // One-time setup, both directions: the protocol's own (OT base OTs, the RLWE key, Ferret's
  // bootstrap) and the weights' loading, everything this party moved before the first image.
  const uint64_t setup_bytes = comm.stats().total.bytes();

  // The data owner (party 1) reads the images and tells the others how many there are.
  data::ImageSet images;
  if (me_data) images = loadData(a, d);
  uint64_t count = static_cast<uint64_t>(images.count);
  comm.broadcast(kDataOwner, std::as_writable_bytes(std::span(&count, 1)));
  SOTTO_ENFORCE(count > 0, "no images to run");
  // Images [N, C, H, W], or sequences [N, H, W] (a recurrent model reads a one-channel image row
  // by row: H steps of W features).
  std::vector<int64_t> in_dims = model.inputDims();
  SOTTO_ENFORCE(in_dims.size() == 4 || in_dims.size() == 3,
                "the model input must be [N, C, H, W] (images) or [N, steps, features] (rows)");
  if (in_dims.size() == 3) in_dims.insert(in_dims.begin() + 1, 1);
  const bool rows = model.inputDims().size() == 3;
  if (me_data) {
    SOTTO_ENFORCE(
        images.channels == in_dims[1] && images.height == in_dims[2] && images.width == in_dims[3],
        "the data's images are ", images.channels, "x", images.height, "x", images.width,
        " but the model expects ", in_dims[1], "x", in_dims[2], "x", in_dims[3],
        rows ? " (rows as steps)" : "");
  }
  // The model's input shape for a batch of n.
  const auto inputDimsOf = [&](int64_t n) {
    return rows ? std::vector<int64_t>{n, in_dims[2], in_dims[3]}
                : std::vector<int64_t>{n, in_dims[1], in_dims[2], in_dims[3]};
  };
  // The model's one-time work for every batch size the run uses (the full batch, a last partial
  // one), before the first image: the model owner's weights encoded for the HE products under
  // --dealer none (PrivateModel::prepare, no message; nothing for the dealer families). Counted in
  // the setup, until both parties are done.
  const auto t_prepare = Clock::now();
  const auto total = static_cast<int64_t>(count);
  for (const int64_t bs : std::set<int64_t>{std::min(a.batch, total), total % a.batch})
    if (bs > 0) model.prepare(Shape(inputDimsOf(bs)));
  comm.barrier();
  setup_seconds += std::chrono::duration<double>(Clock::now() - t_prepare).count();
  // Demo-only check: the data owner also reads the model to compare with the plaintext result.
  std::optional<nn::Graph> plain;
  if (me_data && a.check) plain = loadGraph(a, d);

  say("Sotto private inference: %s on %llu %s image(s), batch %lld\n", d.model_name.c_str(),
      static_cast<unsigned long long>(count), d.cifar ? "CIFAR-10-format" : "MNIST-format",
      static_cast<long long>(a.batch));
  say("parties: 2 over '%s' (party 0 owns the model, party 1 the data), dealer: %s\n",
      backendLabel(comm).c_str(), protocol.name().c_str());
  say("%s\n", trustStatement(protocol).c_str());
  say("party 1 learns %s; truncation: %s\n",
      a.reveal == "class" ? "only the predicted class of each image" : "the logits of each image",
      a.truncation == "local"
          ? "local for the products (each may fail with probability ~|x|/2^63 per element: "
            "the bound per layer is in the profile), dealer-assisted for non-power-of-two divisions"
          : (dealer ? "exact (dealer-assisted)" : "exact (SiRnn's, on oblivious transfer)"));
  if (plain)
    say("--check: party 1 also reads the model file to compare with the plaintext model (this "
        "hands the data owner the model: a demo check)\n");
  say("model loaded and weights shared in %.3f s (%lld parameters)\n", load_seconds,
      static_cast<long long>(model.architecture().parameterCount()));
  say("setup: %.3f s, %llu bytes per party (the load, the protocol's and the model's one-time "
      "work, once, apart from the per-image figures)\n",
      setup_seconds, static_cast<unsigned long long>(setup_bytes));

  Totals t;
  std::map<int64_t, std::vector<CorrelationRequest>> recorded;  // per batch size
  std::vector<nn::LayerStats> profile;  // of the second batch (the first is cold), or the only one
  const int64_t profiled = count > static_cast<uint64_t>(a.batch) ? 1 : 0;
  const int64_t per_image = in_dims[1] * in_dims[2] * in_dims[3];
  for (int64_t start = 0; start < static_cast<int64_t>(count); start += a.batch) {
    const int64_t bs = std::min<int64_t>(a.batch, static_cast<int64_t>(count) - start);
    const Shape shape(inputDimsOf(bs));
    if (dealer && !recorded.count(bs)) {
      // A warm-up pass on zeros records which correlations a batch of this size needs (the
      // secure argmax of --reveal class included).
      const auto tw = Clock::now();
      dealer->startRecording();
      const std::vector<double> zeros(static_cast<size_t>(shape.numel()), 0.0);
      const ArithTensor warm = model.forward(ArithTensor::share(party, kDataOwner, zeros, shape));
      (void)(a.reveal == "class" ? predictedClass(warm) : warm).revealTo(kDataOwner);
      if (a.check_ranges) {
        // The check's material too, as the batches run it; its result on zeros is not reported.
        (void)checkRanges(party);
        party.rangeChecks().clearRows();
      }
      recorded[bs] = dealer->stopRecording();
      dealer->reserveMemory(recorded[bs]);  // the first prefetch then faults nothing in
      t.warmup_seconds += std::chrono::duration<double>(Clock::now() - tw).count();
    }
    comm.barrier();
    const CommCounters c0 = comm.stats().total;
    const uint64_t d0 = dealer ? dealer->traffic().bytes() : 0;
    const auto t0 = Clock::now();
    if (dealer) {
      dealer->prefetch(recorded[bs]);  // the offline phase
      // The next batch has the same size: the dealer (TTP) makes its material while this runs.
      if (ahead && start + 2 * bs <= static_cast<int64_t>(count)) dealer->prepareNext(recorded[bs]);
    }
    // Online starts when every party holds its material (party 0 receives the TTP's corrections,
    // the others only draw streams): otherwise party 0's offline lag is counted as online waiting.
    comm.barrier();
    const auto t1 = Clock::now();
    std::vector<double> x;
    if (me_data) {
      const auto* p = images.pixels.data() + start * per_image;
      x.assign(p, p + bs * per_image);
    }
    std::vector<nn::LayerStats> prof;
    const ArithTensor input = ArithTensor::share(party, kDataOwner, x, shape);
    const ArithTensor logits = model.forward(input, t.batches == profiled ? &prof : nullptr);
    const bool classes_only = a.reveal == "class";
    const ArithTensor result = classes_only ? predictedClass(logits) : logits;
    const RingTensor opened = result.revealTo(kDataOwner);
    if (a.check_ranges) {  // one opened bit per op name of this batch
      for (const auto& r : checkRanges(party)) {
        if (t.out_of_domain.insert(r.name).second)
          say("  range check: %s left its domain (first in the batch from image %lld)\n",
              r.name.c_str(), static_cast<long long>(start));
      }
    }
    const auto t2 = Clock::now();
    if (t.batches == profiled) {
      // Every party's dealer traffic per layer (with the TTP dealer only party 0 has any).
      // Every party's dealer traffic per layer and per part of a layer (with the TTP dealer only
      // party 0 has any); the parties' profiles have the same rows.
      std::vector<uint64_t> dealer_per_row;
      for (const auto& layer : prof) {
        dealer_per_row.push_back(layer.dealer_bytes);
        for (const auto& part : layer.parts) dealer_per_row.push_back(part.dealer_bytes);
      }
      comm.allReduce(dealer_per_row, ReduceOp::kAdd);
      size_t row = 0;
      for (auto& layer : prof) {
        layer.dealer_bytes = dealer_per_row[row++];
        for (auto& part : layer.parts) part.dealer_bytes = dealer_per_row[row++];
      }
      profile = std::move(prof);
    }
    const CommCounters c1 = comm.stats().total;
    if (t.batches == 0) t.first_batch_seconds = std::chrono::duration<double>(t2 - t0).count();
    t.seconds += std::chrono::duration<double>(t2 - t0).count();
    t.online_seconds += std::chrono::duration<double>(t2 - t1).count();
    t.rounds += c1.rounds - c0.rounds;
    t.online_bytes += c1.bytes() - c0.bytes();
    t.dealer_bytes += dealer ? dealer->traffic().bytes() - d0 : 0;
    t.images += bs;
    ++t.batches;
    if (!me_data) continue;
    const std::vector<double> got = opened.decode(result.fracBits());
    const int64_t classes = logits.shape().dims().back();
    std::vector<double> ref;
    if (plain) {
      nn::PlainTensor pin{inputDimsOf(bs), x};
      ref = nn::evaluate(*plain, pin).values;
      for (size_t i = 0; !classes_only && i < got.size() && i < ref.size(); ++i)
        t.max_abs_err = std::max(t.max_abs_err, std::fabs(got[i] - ref[i]));
    }
    for (int64_t i = 0; i < bs; ++i) {
      const int64_t pred =
          classes_only ? std::llround(got[static_cast<size_t>(i)]) : argmaxRow(got, i, classes);
      const int64_t label = images.labels[static_cast<size_t>(start + i)];
      t.correct += pred == label;
      const int64_t pref = plain ? argmaxRow(ref, i, classes) : -1;
      t.agree += pred == pref;
      if (start + i < 10)
        say("  image %4lld: label %lld, private prediction %lld%s\n",
            static_cast<long long>(start + i), static_cast<long long>(label),
            static_cast<long long>(pred),
            plain ? (pred == pref ? " (= plaintext)" : " (plaintext differs!)") : "");
    }
    if (t.images % std::max<int64_t>(a.batch, 100) < bs || t.images == static_cast<int64_t>(count))
      say("  progress: %lld/%llu images, accuracy so far %.2f %%, %.2f ms/image\n",
          static_cast<long long>(t.images), static_cast<unsigned long long>(count),
          100.0 * t.correct / t.images, 1e3 * t.seconds / t.images);
  }
  // Every party's dealer traffic (only party 0's is non-zero with the TTP dealer).
  std::vector<uint64_t> dealer_bytes{t.dealer_bytes};
  comm.allReduce(dealer_bytes, ReduceOp::kAdd);
  t.dealer_bytes = dealer_bytes[0];
  if (!me_data) return 0;

  const double n = static_cast<double>(t.images);
  const double acc = 100.0 * t.correct / n, agree = 100.0 * t.agree / n;
  if (!a.quiet) {
    std::printf(
        "\nPer-layer profile of party 1 (dealer KB: all parties), %s batch (%lld "
        "image(s)):\n%s",
        profiled == 1 ? "second" : "first",
        static_cast<long long>(std::min<int64_t>(a.batch, t.images)),
        nn::formatProfile(profile).c_str());
    std::printf("\n%-34s %14s\n", "totals", "per image");
    std::printf("%-34s %14.6f\n", "seconds, end to end", t.seconds / n);
    std::printf("%-34s %14.6f\n", "seconds, offline (dealer material)",
                (t.seconds - t.online_seconds) / n);
    std::printf("%-34s %14.6f\n", "seconds, online", t.online_seconds / n);
    std::printf("%-34s %14.1f  (per batch: %.1f)\n", "online rounds", t.rounds / n,
                static_cast<double>(t.rounds) / static_cast<double>(t.batches));
    std::printf("%-34s %14.0f\n", "online bytes per party", t.online_bytes / n);
    std::printf("%-34s %14.0f\n", "dealer bytes (all parties)", t.dealer_bytes / n);
    std::printf("%-34s %14llu  (once, before the first image)\n", "setup bytes per party",
                static_cast<unsigned long long>(setup_bytes));
    std::printf("%-34s %14.6f  (once, before the first image)\n", "setup seconds", setup_seconds);
    std::printf("%-34s %14.6f  (end to end, %lld image(s))\n", "first batch seconds",
                t.first_batch_seconds,
                static_cast<long long>(std::min<int64_t>(a.batch, t.images)));
    if (dealer)
      std::printf("%-34s %14.6f  (once per batch size: the pass that records its correlations)\n",
                  "warm-up seconds", t.warmup_seconds);
    std::printf("\naccuracy: %.2f %% (%lld/%lld correct)\n", acc, static_cast<long long>(t.correct),
                static_cast<long long>(t.images));
    if (plain && a.reveal == "logits")
      std::printf("agreement with the plaintext model: %.2f %%, max abs logit error %.2e\n", agree,
                  t.max_abs_err);
    else if (plain)
      std::printf("agreement with the plaintext model: %.2f %% (only classes revealed)\n", agree);
    if (a.check_ranges) {
      std::printf("\nRange checks (one opened bit per op and batch):\n%s",
                  formatRangeChecks(party.rangeChecks().rows()).c_str());
      if (t.out_of_domain.empty())
        std::printf("range check: every checked op stayed in its domain\n");
      else
        std::printf("range check: %zu op(s) left their domain (OUT OF DOMAIN above)\n",
                    t.out_of_domain.size());
    }
  }
  if (a.json) {
    std::printf(
        "{\"model\": \"%s\", \"images\": %lld, \"batch\": %lld, \"parties\": 2, \"backend\": "
        "\"%s\", \"dealer\": \"%s\", \"secure\": %s, \"revealed\": \"%s\", \"truncation\": "
        "\"%s\", \"accuracy\": %.6f, \"plaintext_agreement\": %s, "
        "\"max_abs_logit_error\": %s, \"seconds_per_image\": %.9g, "
        "\"online_seconds_per_image\": %.9g, \"rounds\": %.6g, \"rounds_per_batch\": %.6g, "
        "\"online_bytes_per_party\": %.9g, \"dealer_bytes\": %.9g, \"load_seconds\": %.6g, "
        "\"setup_seconds\": %.6g, \"setup_bytes\": %llu, \"warmup_seconds\": %.6g, "
        "\"out_of_domain_ops\": %s, "
        "\"run_ahead\": %s}\n",
        modelLabel(a, d).c_str(), static_cast<long long>(t.images), static_cast<long long>(a.batch),
        backendLabel(comm).c_str(), a.dealer.c_str(), protocol.secure() ? "true" : "false",
        a.reveal.c_str(), a.truncation.c_str(), acc / 100.0,
        plain ? std::to_string(agree / 100.0).c_str() : "null",
        plain && a.reveal == "logits" ? std::to_string(t.max_abs_err).c_str() : "null",
        t.seconds / n, t.online_seconds / n, t.rounds / n,
        static_cast<double>(t.rounds) / static_cast<double>(t.batches), t.online_bytes / n,
        t.dealer_bytes / n, load_seconds, setup_seconds,
        static_cast<unsigned long long>(setup_bytes), t.warmup_seconds,
        a.check_ranges ? std::to_string(t.out_of_domain.size()).c_str() : "null",
        ahead ? "true" : "false");
  }
  return 0;
}

}  // namespace

int runInferenceMain(int argc, char** argv, const InferenceDefaults& d) {
  const Args a = parseArgs(argc, argv, d);
  ProtocolOptions options;
  (void)parseOtChoice(a.ot, options.ot);  // checked by parseArgs
  (void)parseHeChoice(a.he_ring, a.he_weight_bits, options.he);
  options.weight_products = a.linear == "ot" ? WeightProducts::kOt : WeightProducts::kHe;
  return runParties(
      d.program, a.backend, a.dealer, !a.quiet,
      [&](Communicator& comm, Protocol& protocol) { return runParty(comm, protocol, a, d); },
      options);
}

std::string userMessage(const std::string& what) {
  // The library's messages start with the source location of the check ("/.../idx.cc:75: "),
  // which helps a developer, not a user: drop every "<path>.cc:<line>: " / ".h:<line>: ".
  static const std::regex location(R"([^\s:]+\.(cc|h):[0-9]+: )");
  return std::regex_replace(what, location, "");
}

namespace {

// One rank of the world: the TTP dealer, or a computing party with its dealer. An exception
// aborts the world (the other parties see the reason rather than hang) and propagates.
int runWorld(Communicator& world, const std::string& dealer_kind,
             const std::function<int(Communicator&, Protocol&)>& party_main,
             const ProtocolOptions& options) {
  try {
    // A party started with another dealer (or world) fails here, on every party, by name.
    const std::string ext = options.ot.extension == ot::OtExtension::kFerret ? "ferret" : "iknp";
    verifySameOnAllParties(world, "--dealer, --ot and --he-*",
                           dealer_kind + " --ot " + ext + " --he-ring " +
                               std::to_string(options.he.plain_bits) + " --he-weight-bits " +
                               std::to_string(options.he.weight_bits) + " --linear " +
                               (options.weight_products == WeightProducts::kOt ? "ot" : "he"));
    // --dealer insecure-seeded is the user's explicit opt-in (checkDealerChoice).
    // --dealer none on a world of other than 2 ranks fails here, on every rank.
    ProtocolOptions accepted = options;
    accepted.insecure = InsecureDealer::kAccept;
    ProtocolSetup setup = makeProtocol(world, dealer_kind, accepted);
    if (setup.serves()) {
      setup.serve();
      return 0;
    }
    return party_main(setup.online(), setup.protocol());
  } catch (const std::exception& e) {
    world.abort(e.what());
    throw;
  }
}

}  // namespace

int runParties(const std::string& program, const std::string& backend,
               const std::string& dealer_kind, bool announce,
               const std::function<int(Communicator&, Protocol&)>& party_main,
               const ProtocolOptions& options) {
  try {
    const bool local = backend == "inproc" || (backend == "auto" && !launchedByMpirun() &&
                                               std::getenv("SOTTO_RANK") == nullptr &&
                                               std::getenv("SOTTO_PARTIES") == nullptr);
    if (local) {
      const int world = protocolWorldSize(dealer_kind, 2);
      if (announce)
        std::printf("(no launcher: running the %s as threads of this process)\n",
                    world > 2 ? "2 parties and the dealer" : "2 parties");
      if (dealer_kind == "insecure-seeded")
        std::fprintf(stderr,
                     "WARNING: the seeded dealer is INSECURE: party 0 learns every input "
                     "(testing only)\n");
      auto rc = runLocal(world, [&](Communicator& c) {
        try {
          return runWorld(c, dealer_kind, party_main, options);
        } catch (const std::exception& e) {
          if (c.rank() <= 1)
            std::fprintf(stderr, "%s: party %d: error: %s\n", program.c_str(), c.rank(),
                         userMessage(e.what()).c_str());
          return 1;
        }
      });
      return *std::max_element(rc.begin(), rc.end());
    }
    auto world = makeCommunicator(backend);
    return runWorld(*world, dealer_kind, party_main, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), userMessage(e.what()).c_str());
    return 1;
  }
}

}  // namespace sotto::examples
