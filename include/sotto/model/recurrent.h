#pragma once
/// @file recurrent.h
/// ONNX GRU and LSTM nodes (opset 14 semantics, which opsets 7 to 13 share apart from `layout`):
/// the checks of a node against what Sotto runs, and their plaintext evaluation.
///
/// Supported, as PyTorch exports them: `hidden_size`; `direction` forward, reverse or
/// bidirectional; `layout` 0 (X [seq, batch, input]) and 1 (X [batch, seq, input]); GRU's
/// `linear_before_reset` 0 and 1; inputs X, W, R, optional B, optional `sequence_lens` (absent,
/// or every entry equal to the sequence length), optional `initial_h` (and LSTM's `initial_c`);
/// the default activations (sigmoid for the gates, tanh for the candidate and the cell output).
/// Rejected with an error naming the node and the attribute or input: other activations
/// (`activations`, `activation_alpha`, `activation_beta`), `clip`, LSTM's `input_forget` = 1 and
/// peepholes (input P), shorter sequences in `sequence_lens`, weights whose shapes disagree with
/// `hidden_size` or with each other.
///
/// Equations (ONNX's; W, R, B per direction, gates in ONNX order GRU z, r, h and LSTM i, o, f, c):
///   GRU   z = σ(x·Wzᵀ + h·Rzᵀ + Wbz + Rbz),  r = σ(x·Wrᵀ + h·Rrᵀ + Wbr + Rbr)
///         n = tanh(x·Whᵀ + r ⊙ (h·Rhᵀ + Rbh) + Wbh)      (linear_before_reset = 1, PyTorch's)
///         n = tanh(x·Whᵀ + (r ⊙ h)·Rhᵀ + Rbh + Wbh)      (linear_before_reset = 0)
///         h' = (1 - z) ⊙ n + z ⊙ h
///   LSTM  i, o, f = σ(x·W•ᵀ + h·R•ᵀ + Wb• + Rb•),  g = tanh(x·Wcᵀ + h·Rcᵀ + Wbc + Rbc)
///         c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')
/// Outputs Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]), Y_h and (LSTM)
/// Y_c [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]); the reverse direction's Y at step
/// t is its state after reading x_t (it reads the sequence from the end).

#include <cstdint>
#include <string>
#include <vector>

#include "sotto/model/graph.h"

namespace sotto::nn {

enum class RecurrentKind { kGru, kLstm };

/// A checked GRU or LSTM node: what it computes, with every size known.
struct RecurrentSpec {
  RecurrentKind kind = RecurrentKind::kGru;
  int64_t hidden = 0;
  int64_t input = 0;  // features per step
  int64_t seq = 0;    // steps
  int64_t batch = 0;
  int64_t directions = 1;    // 2 for bidirectional
  bool reverse = false;      // direction "reverse" (one direction, reading from the end)
  bool batch_first = false;  // layout 1
  bool linear_before_reset = false;
  bool has_bias = false;  // input B given
  bool has_initial_h = false;
  bool has_initial_c = false;

  int64_t gates() const { return kind == RecurrentKind::kGru ? 3 : 4; }
  /// Whether direction d (0 or 1) reads the sequence from its end.
  bool readsBackward(int64_t d) const { return reverse || d == 1; }
};

/// Checks node `node` (op GRU or LSTM) against the supported subset, given the dims of its inputs
/// (nullptr for an absent optional input) and, if present, the values of `sequence_lens`.
/// @throws InvalidArgument naming the node and the attribute, input or shape at fault.
RecurrentSpec recurrentSpec(const Node& node, const std::vector<const std::vector<int64_t>*>& dims,
                            const PlainTensor* sequence_lens = nullptr);

/// The dims of the node's outputs Y, Y_h (and Y_c), as many as `count` (1 to 2 for GRU, 1 to 3
/// for LSTM).
std::vector<std::vector<int64_t>> recurrentOutputDims(const RecurrentSpec& spec, size_t count);

/// Runs the node in double precision: its outputs in order (as many as the node names).
/// @throws InvalidArgument as recurrentSpec, or if an input has no values.
std::vector<PlainTensor> evaluateRecurrent(const Node& node,
                                           const std::vector<const PlainTensor*>& inputs);

}  // namespace sotto::nn
