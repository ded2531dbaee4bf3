// rnn: private inference of a recurrent classifier on Fashion-MNIST, each image read row by row
// (28 steps of 28 features). Party 0 owns the trained model (models/gru128.onnx, or
// models/lstm128.onnx with --model), party 1 the images; neither sees the other's. Same flags
// and output as examples/lenet5: predictions, accuracy (against the labels and the plaintext
// model), a per-layer profile (the recurrent layer's steps included) and the totals per image.
//
//   mpirun -np 3 build/examples/rnn --dealer ttp --images 100          (rank 2 is the dealer)
//   build/examples/rnn --model models/lstm128.onnx                     (no launcher: threads)
#include "runner.h"
#include "sotto/data/idx.h"

#ifndef SOTTO_MODELS_DIR
#define SOTTO_MODELS_DIR "models"
#endif

int main(int argc, char** argv) {
  sotto::examples::InferenceDefaults d;
  d.program = "rnn";
  d.model_name = "recurrent (Fashion-MNIST rows)";
  d.model_path = SOTTO_MODELS_DIR "/gru128.onnx";
  d.data_dir = sotto::data::kFashionMnistDir;
  d.norm = sotto::data::fashionMnistNormalization();
  d.images = 100;
  d.batch = 1;
  return sotto::examples::runInferenceMain(argc, argv, d);
}
