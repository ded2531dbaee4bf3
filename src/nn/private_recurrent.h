#pragma once
/// @file private_recurrent.h
/// A GRU or LSTM node (recurrent.h) on secret-shared activations, with the model owner's weights
/// loaded once. The input-to-hidden products of every step are one product before the
/// recurrence; each step then costs one product with the recurrent weights (h·Rᵀ), one table
/// sigmoid, one table tanh and two elementwise products (GRU: r ⊙ (h·Rhᵀ + Rbh) and
/// z ⊙ (h - n); LSTM: [f, i] ⊙ [c, g] and o ⊙ tanh(c)). The LSTM's candidate g = tanh(a) is
/// computed as 2·σ(2a) - 1 inside the gates' sigmoid, so each step has one sigmoid call.
/// Rounds per step: 2 (h·Rᵀ with its truncation) + 3 (sigmoid) + 2 (product) + 3 (tanh) + 2
/// (product) = 12 with dealer truncation; GRU with linear_before_reset = 0 adds a second
/// recurrent product (2 rounds). Directions run one after the other.
/// Semi-honest security as the operations it is made of; nothing about the weights is opened.

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sotto/math/functions.h"
#include "sotto/model/recurrent.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/fixed_weight.h"
#include "sotto/nn/private_model.h"

namespace sotto::nn {

/// The plaintext inputs of a recurrent node that belong to the model owner (values read on the
/// owner only; elsewhere empty spans), in the ONNX layouts of recurrent.h.
struct RecurrentWeights {
  std::span<const double> w, r, b, initial_h, initial_c;
};

class PrivateRecurrent {
 public:
  /// Loads the node's weights (collective: FixedWeight::load per product, shares of the biases and
  /// initial states). `spec` as recurrentSpec of the node (its batch is that of initial_h if
  /// given).
  /// @throws InvalidArgument if the owner's weights do not have the spec's sizes.
  PrivateRecurrent(const Party& party, int owner, const RecurrentSpec& spec,
                   const RecurrentWeights& weights, MathMethod math = MathMethod::kTable);

  /// Runs the node on x (the node's X, in its layout: any sequence length, and any batch unless
  /// initial states fix it) and returns its first `outputs` outputs (Y, Y_h, Y_c) in the node's
  /// layout.
  /// @throws InvalidArgument if x is not 3-D, its features differ from the spec's, or (with
  ///         initial states) its batch differs from theirs.
  std::vector<ArithTensor> run(const ArithTensor& x, size_t outputs) const;

 private:
  struct Direction {
    std::unique_ptr<FixedWeight> wt;    // Wᵀ [input, g·H]
    std::unique_ptr<FixedWeight> rt;    // Rᵀ [H, g·H] (GRU lbr = 0: [H, 2H], the z and r gates)
    std::unique_ptr<FixedWeight> rht;   // GRU lbr = 0 only: Rhᵀ [H, H]
    std::optional<ArithTensor> bias_x;  // [g·H]: Wb + Rb (GRU: without Rbh)
    std::optional<ArithTensor> bias_h;  // GRU [H]: Rbh
    std::optional<ArithTensor> h0, c0;  // [batch, H]
  };
  // One step; adds the cost of its sigmoid and tanh to `activations` if not null.
  void step(const Direction& d, const ArithTensor& xw, ArithTensor& h, ArithTensor& c,
            LayerStats* activations) const;

  RecurrentSpec spec_;
  MathMethod math_;
  std::vector<Direction> dirs_;
};

}  // namespace sotto::nn
