// inference_bench: private forward passes of the reference models for 2 parties, the harness's
// inference section: inference/<model>/<variant>/<batch> with time per forward, online rounds,
// bytes per party, dealer bytes and the max abs error of the logits against the plaintext model.
//
//   build/bench/inference_bench                             (2 parties as threads, inproc)
//   scripts/mpirun-local -np 2 build/bench/inference_bench --backend mpi
//
// Models: lenet5/relu (models/lenet5.onnx, trained on Fashion-MNIST), lenet5/poly
// (models/lenet5_poly.onnx), alexnet/random (AlexNet-CIFAR with deterministic random weights),
// gru128/table and lstm128/table (models/gru128.onnx, lstm128.onnx: 28 rows as steps).
// Inputs: the first Fashion-MNIST test images (or a fixed pattern if the dataset is missing) and
// fixed-pattern CIFAR-shaped images. Party 0 holds the model, party 1 the input; the exact
// (protocol's) truncation, the examples' default. Protocol: --protocol seeded (default) | ttp |
// none for every row, and lenet5/relu_<family>/1, alexnet/random_<family>/1 under ttp and none
// whatever the flag (ttp rows: inproc, or mpirun -np 3): the families side by side in one run.
#include <filesystem>
#include <memory>

#include "mpc_bench.h"
#include "sotto/data/idx.h"
#include "sotto/model/onnx.h"
#include "sotto/model/plain_eval.h"
#include "sotto/model/zoo.h"
#include "sotto/nn/private_model.h"

#ifndef SOTTO_MODELS_DIR
#define SOTTO_MODELS_DIR "models"
#endif

namespace {

using namespace sotto;
using sotto::bench::Op;

std::vector<double> inputs(int64_t batch, int64_t c, int64_t side) {
  const int64_t per = c * side * side;
  if (c == 1 && std::filesystem::exists(data::kFashionMnistDir)) {
    const auto set =
        data::loadMnistDir(data::kFashionMnistDir, true, batch, data::fashionMnistNormalization());
    return std::vector<double>(set.pixels.begin(), set.pixels.end());
  }
  std::vector<double> x(static_cast<size_t>(batch * per));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>((i * 37) % 101) / 50.0 - 1.0;
  return x;
}

// A forward pass of the model on `batch` inputs of [c, side, side] (images), or of [side, side]
// with c = 0 (sequences: a recurrent model reading an image's rows).
Op forward(std::function<nn::Graph()> graph_fn, int64_t batch, int64_t c, int64_t side) {
  auto graph = std::make_shared<nn::Graph>(graph_fn());
  const auto x = inputs(batch, c == 0 ? 1 : c, side);
  const std::vector<int64_t> dims =
      c == 0 ? std::vector<int64_t>{batch, side, side} : std::vector<int64_t>{batch, c, side, side};
  Op op;
  op.reference = nn::evaluate(*graph, nn::PlainTensor{dims, x}).values;
  op.prepare = [graph, x, dims](Party& p) {
    nn::ModelOptions mo;
    mo.allow_insecure_dealer = true;  // benchmarks use the seeded dealer, labelled in the output
    mo.untruncated_output = true;     // as the examples: the logits are only opened
    auto model = std::make_shared<nn::PrivateModel>(
        nn::PrivateModel::load(p, p.id() == 0 ? *graph : nn::Graph{}, mo));
    // The model owner's one-time work (--dealer none: the weights' HE encodings) in setup_ms,
    // not in the warm-up, as the examples count it.
    model->prepare(Shape(dims));
    auto in = ArithTensor::share(p, 1, x, Shape(dims));
    return std::function<ArithTensor()>([model, in] { return model->forward(in); });
  };
  return op;
}

}  // namespace

int main(int argc, char** argv) {
  const PartyOptions exact{kDefaultFracBits, Truncation::kDealer};
  const std::string dir = SOTTO_MODELS_DIR;
  auto onnx = [dir](const char* file) {
    return [path = dir + "/" + file] { return nn::loadOnnx(path); };
  };
  auto alexnet = [] { return nn::alexnetCifarGraph(1); };
  std::vector<sotto::bench::Entry> entries;
  for (int64_t b : {1, 64})
    entries.push_back({"inference/lenet5/relu/" + std::to_string(b),
                       [=] { return forward(onnx("lenet5.onnx"), b, 1, 28); }, exact});
  entries.push_back({"inference/lenet5/poly/1",
                     [=] { return forward(onnx("lenet5_poly.onnx"), 1, 1, 28); }, exact});
  for (int64_t b : {1, 8})
    entries.push_back({"inference/alexnet/random/" + std::to_string(b),
                       [=] { return forward(alexnet, b, 3, 32); }, exact});
  // The same batch-1 passes under the other families, side by side in one run: <variant>_ttp (the
  // TTP dealer as a third thread, or the last of 3 mpirun ranks) and <variant>_none (the OT family,
  // no dealer).
  for (const char* family : {"ttp", "none"}) {
    entries.push_back({"inference/lenet5/relu_" + std::string(family) + "/1",
                       [=] { return forward(onnx("lenet5.onnx"), 1, 1, 28); }, exact, family});
    entries.push_back({"inference/alexnet/random_" + std::string(family) + "/1",
                       [=] { return forward(alexnet, 1, 3, 32); }, exact, family});
  }
  // Recurrent classifiers over the 28 rows of a Fashion-MNIST image (28 steps, hidden 128).
  for (const char* rnn : {"gru128", "lstm128"})
    for (int64_t b : {1, 64})
      entries.push_back(
          {"inference/" + std::string(rnn) + "/table/" + std::to_string(b),
           [=] { return forward(onnx((std::string(rnn) + ".onnx").c_str()), b, 0, 28); }, exact});
  return sotto::bench::benchMain(argc, argv, "inference_bench", entries);
}
