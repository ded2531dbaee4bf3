// lenet5: private inference of LeNet5 on Fashion-MNIST. Party 0 owns the trained model
// (models/lenet5.onnx), party 1 the images (Debian's dataset-fashion-mnist); neither sees the
// other's. Prints the predictions, the accuracy (against the labels and the plaintext model), a
// per-layer profile and the totals per image.
//
//   mpirun -np 2 build/examples/lenet5 --images 100              (MPI; --backend gloo|hybrid)
//   mpirun -np 3 build/examples/lenet5 --dealer ttp              (rank 2 is the dealer)
//   build/examples/lenet5                                        (no launcher: threads)
//   build/examples/lenet5 --model models/lenet5_poly.onnx        (the polynomial variant)
#include "runner.h"
#include "sotto/data/idx.h"

#ifndef SOTTO_MODELS_DIR
#define SOTTO_MODELS_DIR "models"
#endif

int main(int argc, char** argv) {
  sotto::examples::InferenceDefaults d;
  d.program = "lenet5";
  d.model_name = "LeNet5";
  d.model_path = SOTTO_MODELS_DIR "/lenet5.onnx";
  d.data_dir = sotto::data::kFashionMnistDir;
  d.norm = sotto::data::fashionMnistNormalization();
  d.images = 100;
  d.batch = 1;
  return sotto::examples::runInferenceMain(argc, argv, d);
}
