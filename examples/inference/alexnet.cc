// alexnet: private inference of AlexNet-CIFAR (the 2,472,266-parameter "AlexNet for CIFAR-10" of
// notes/anchors.md). No CIFAR-10 data or trained weights ship with Sotto: by default party 0 uses
// deterministic random weights (nn::alexnetCifarGraph) and party 1 a small generated
// CIFAR-format file, so accuracy means nothing here and agreement with the plaintext model is
// what to read. Point --data at a real cifar-10-batches-bin directory and --model at your own
// ONNX export (models/export_alexnet.py) for real figures.
//
//   mpirun -np 2 build/examples/alexnet --images 8 --batch 8
//   build/examples/alexnet --images 2
#include <cstdio>
#include <filesystem>

#include "runner.h"
#include "sotto/data/cifar10.h"
#include "sotto/model/zoo.h"

namespace {

// A deterministic sample of `n` CIFAR-format images (smooth colour gradients, labels i mod 10),
// written to a temporary directory as test_batch.bin.
std::string makeSample(int64_t n) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "sotto_cifar_sample";
  fs::create_directories(dir);
  sotto::data::ImageSet s;
  s.count = n;
  s.channels = 3;
  s.height = s.width = sotto::data::kCifarSide;
  for (int64_t i = 0; i < n; ++i) {
    s.labels.push_back(static_cast<uint8_t>(i % 10));
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < 32; ++y)
        for (int64_t x = 0; x < 32; ++x)
          s.pixels.push_back(
              static_cast<float>(((x * (c + 1) + y * (i % 7 + 1) + 13 * i) % 64) / 63.0));
  }
  sotto::data::writeCifar10((dir / "test_batch.bin").string(), s);
  std::printf("(no --data: using %lld generated CIFAR-format images in %s)\n",
              static_cast<long long>(n), dir.string().c_str());
  return dir.string();
}

}  // namespace

int main(int argc, char** argv) {
  sotto::examples::InferenceDefaults d;
  d.program = "alexnet";
  d.model_name = "AlexNet-CIFAR";
  d.zoo = [] { return sotto::nn::alexnetCifarGraph(1); };
  d.cifar = true;
  d.norm = {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}};
  d.images = 8;
  d.batch = 1;
  d.sample_data = makeSample;
  return sotto::examples::runInferenceMain(argc, argv, d);
}
