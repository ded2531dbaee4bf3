#pragma once
/// @file private_model.h
/// Private inference: a Graph (graph.h) run on secret-shared tensors.
///
/// The model owner holds the graph with its weights; the other parties receive only its
/// architecture (weight names and shapes, plus the small integer constants that shape tensors,
/// such as a Reshape target). Each op is planned by its entry in the plan registry
/// (plan_registry.h; a step may have several outputs); the fusions below span nodes. At load, every
/// weight of a linear layer (Conv, Gemm, MatMul) becomes a FixedWeight (its mask is opened once, so
/// each inference opens only the input side); biases and the other weights (batch-norm scales,
/// elementwise constants, polynomial coefficients) are shared once by the owner. forward() then
/// maps each node to the protocol of the same name:
///
///   Conv, Gemm, MatMul with a weight   FixedWeight product: 1 round, n_in words one way
///                                      (+ the truncation: 0 rounds local, 1 round dealer; none
///                                      for the output with ModelOptions::untruncated_output)
///   MatMul / Mul of two activations    Beaver: 1 round + truncation
///   Add, Sub, Neg, Flatten, Reshape,   local (0 rounds)
///   Transpose, Squeeze, Unsqueeze,
///   Gather, Concat, Split, Slice, Pad,
///   ReduceSum
///   ReduceMean                         the local sum, then one division by the count (as pooling)
///   LeakyRelu                          a public product + 1 relu: 5 rounds
///   Clip, HardSigmoid, HardSwish       4, 5, 7 rounds (one relu for both bounds, stacked)
///   Mul / Div by a weight              Beaver with the shared weight: 1 round + truncation
///   Relu                               4 rounds (compare.h)
///   MaxPool                            4·ceil(log2(kh·kw)) rounds
///   Relu before a MaxPool              moved after it and run with it (compare.h's maxPool2dRelu:
///                                      in the OT family the last level and the ReLU in one step)
///   AveragePool, GlobalAveragePool     one public product + truncation: a shift for a power-of-two
///                                      count, else 28 bits, dealer-assisted (1 round) even under
///                                      local truncation (locally: 2^12 times the failures)
///   BatchNormalization (not folded)    Beaver with the shared scale: 1 round + truncation
///   polynomial a·x² + b·x + c          recognised from the Mul/Add nodes an exporter writes for
///                                      x*x*a + x*b + c. Right after a Conv/Gemm/MatMul (a per
///                                      output channel or scalar) it is fused into that layer:
///                                      the owner stacks a·W beside W, so one opening gives y and
///                                      a·y, and (a·y + b)·y + c costs 1 Beaver round. Elsewhere
///                                      (a·x + b)·x + c: 2 Beaver rounds.
///   Softmax, LogSoftmax, Sigmoid, Tanh,
///   Exp, Log, Reciprocal, Sqrt         math functions (functions.h), table method by default
///
/// With PartyOptions::check_ranges, every comparison, math function and local truncation of a
/// node is recorded under "<node name> (<op>): <function>" (sotto/mpc/range_check.h); forward()
/// opens nothing for it: call checkRanges(party) after it (9 rounds with 2 parties) to learn which
/// of them left their safe domain.
///
/// Every call is collective: all parties call load() and forward() in the same order.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sotto/math/functions.h"
#include "sotto/model/graph.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/nn/plan_registry.h"

namespace sotto::nn {

struct ModelOptions {
  /// The party that holds the model (reads the weights).
  int owner = 0;
  /// How Softmax, Sigmoid, Tanh, Exp, Log, Reciprocal and Sqrt are evaluated.
  MathMethod math = MathMethod::kTable;
  /// load() refuses a dealer whose secure() is false (the seeded dealer: party 0 would learn the
  /// input) unless this is set or the parties are threads of one process (tests, benchmarks).
  bool allow_insecure_dealer = false;
  /// The private plans to use (nullptr: PlanRegistry::builtin()); must outlive load().
  const PlanRegistry* plans = nullptr;
  /// For a caller that only opens the output or compares its elements (an argmax): when a
  /// fixed-weight linear layer (Conv, Gemm, MatMul by a weight, no fused polynomial) computes the
  /// graph's first output and no node reads it, forward() returns that output untruncated, at
  /// 2·frac_bits fractional bits (its fracBits() says so). The layer's truncation is saved (OT
  /// family: its 9 rounds; dealer families: 1 round and the material; local truncation: its
  /// failure chance) and the result is better, not worse: decoding at fracBits() divides in
  /// plaintext (no truncation error), and comparisons keep the order of the exact values. Bound:
  /// comparing two outputs needs their difference within 2^62 at the doubled scale, so |output| <
  /// 2^(61 − 2f) (2^29 at f = 16; the truncated output allows 2^(61 − f)). A caller that goes on
  /// computing on the output must bring it back itself (truncate(frac_bits), then relabel).
  bool untruncated_output = false;
};

/// What one node (or fused group of nodes) cost in one forward pass, for this party.
struct LayerStats {
  std::string name;  ///< node name (the first node of a fused group)
  std::string op;    ///< op, or "Poly" for a fused polynomial
  std::vector<int64_t> output_dims;
  double seconds = 0;
  uint64_t rounds = 0;
  uint64_t online_bytes = 0;  ///< sent + received by this party
  uint64_t dealer_bytes =
      0;  ///< dealer traffic of the correlations this layer used, this party
          ///< (TTP dealer: party 0 only; prefetched ones too, Dealer::usedBytes)
  uint64_t local_truncated = 0;  ///< elements truncated locally (Truncation::kLocal), this party
  /// If local_truncated > 0: each of them is garbage with probability at most
  /// 2^local_failure_log2 (LocalTruncationLog::failureLog2, assuming |value| < 2^15).
  int local_failure_log2 = 0;
  /// Parts of the layer the op reports, shown indented under it and not added again to the
  /// totals: a GRU or LSTM node gives its input products, its cost per step (the mean over the
  /// steps: rounds, bytes, time) and its sigmoid and tanh over all steps.
  std::vector<LayerStats> parts;
};

class PrivateModel {
 public:
  /// Collective. On options.owner, `graph` is the full model; on the other parties it is ignored
  /// (pass an empty Graph) and the architecture arrives from the owner (one broadcast).
  /// Cost: one broadcast of the architecture, then per linear weight the FixedWeight load (2
  /// rounds) and per other weight one sharing round.
  /// @throws InvalidArgument if the party's dealer is insecure (Dealer::secure() false) and
  ///         options.allow_insecure_dealer is not set, outside one process (on every party alike);
  ///         if the graph has not exactly one data input, or a node is not
  ///         supported here (naming the node and op); on every party, as the owner's error is
  ///         sent to the others before it throws.
  static PrivateModel load(const Party& party, const Graph& graph, ModelOptions options = {});

  PrivateModel(PrivateModel&&) noexcept;
  PrivateModel& operator=(PrivateModel&&) noexcept;
  ~PrivateModel();

  /// Runs the model on the shared input (shape: the graph input's dims with the batch filled in)
  /// and returns its first output, shared. Appends one LayerStats per step to `profile` if given.
  /// @throws InvalidArgument if the input's shape does not match the graph input's (naming both).
  ArithTensor forward(const ArithTensor& input, std::vector<LayerStats>* profile = nullptr) const;

  /// The steps' input-independent one-time work for forward passes on inputs of `input_shape`
  /// (the graph input's dims with the batch filled in), done now rather than in the first such
  /// pass: the model owner's work, like the load. Under the OT family (--dealer none) party 0
  /// encodes every linear layer's weight for the shapes a batch of that size gives it (HeConv2d /
  /// HeMatmul prepare; AlexNet-CIFAR: 624 polynomials, k NTTs each) and party 1 plans its layers;
  /// the dealer families have nothing to do. Local: no message, so the parties need not call it
  /// alike; forward's results do not change. Call it once per batch size before the first
  /// forward (a second call for a shape does nothing more). The shapes come from a dry plaintext
  /// walk on zeros (a few ms); a step after an op the plaintext registry does not know is left
  /// to its first forward.
  /// @throws InvalidArgument if `input_shape` does not match the graph input's (naming both), or
  ///         a layer's shapes do not chain (naming them).
  void prepare(const Shape& input_shape) const;
  /// The architecture every party knows (weights without values, except shape constants).
  const Graph& architecture() const;
  /// The data input's dims as declared (-1 where symbolic, usually the batch).
  const std::vector<int64_t>& inputDims() const;

 private:
  struct Impl;
  explicit PrivateModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Sums of a profile: total seconds, rounds, online and dealer bytes (name "total").
LayerStats totals(const std::vector<LayerStats>& profile);

/// A tidy text table of a profile (one row per step, then the totals). A step that truncated
/// locally shows its failure bound per element ("<=2^-16"), "-" otherwise.
std::string formatProfile(const std::vector<LayerStats>& profile);

}  // namespace sotto::nn
