#pragma once
/// @file plan_registry.h
/// The private executor's op registry: per op type, the plan that turns a normalised node into a
/// step run on secret-shared tensors (semi-honest model, the protocols of sotto/mpc). It mirrors
/// the plaintext registry (sotto/model/op_registry.h): every op there has a plan here unless its
/// schema says `has_private_plan = false`. A step may produce any number of outputs, one per
/// output of its node.
///
/// The built-in plans live in files by family (src/nn/ops/: linear, elementwise, pooling,
/// activations, shape ops). A plan runs at load (PrivateModel::load): it may share or fix the
/// owner's weights (collective: every party calls it in the same order) and returns the step's
/// forward function, and optionally its one-time preparation for an input shape (no message).
/// Each plan's cost is listed in private_model.h.

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sotto/math/functions.h"
#include "sotto/model/graph.h"
#include "sotto/mpc/arith_tensor.h"

namespace sotto {
class FixedWeight;
}

namespace sotto::nn {

/// A step's forward computation: its outputs (in the node's output order) from its inputs.
using StepFn = std::function<std::vector<ArithTensor>(const std::vector<const ArithTensor*>&)>;

/// A step's input-independent one-time work for inputs of these shapes (in the order of the
/// step's inputs), done before the first forward that sees them (PrivateModel::prepare): the
/// model owner's encoding of a product's weight, say. Local: it must send no message.
using StepPrepareFn = std::function<void(const std::vector<Shape>&)>;

/// What a plan gives the executor.
struct StepPlan {
  std::vector<std::string> inputs;  ///< the activation values `run` reads, in order
  StepFn run;
  StepPrepareFn prepare = nullptr;  ///< optional (nullptr: nothing to prepare)
};

/// What a plan may ask of the executor at load.
class PlanContext {
 public:
  virtual ~PlanContext() = default;
  virtual const Party& party() const = 0;
  virtual bool isOwner() const = 0;
  /// The model owner's party id.
  virtual int owner() const = 0;
  virtual MathMethod math() const = 0;
  /// The graph every party knows: weights without values, except structural ones.
  virtual const Graph& architecture() const = 0;
  /// The owner's values of weight `name`; empty on the other parties.
  virtual std::span<const double> ownerValues(const std::string& name) const = 0;
  /// Collective: fixes the owner's `values` as a FixedWeight of `dims` (2 rounds).
  virtual const FixedWeight* loadFixed(const std::vector<double>& values,
                                       const std::vector<int64_t>& dims) = 0;
  /// Collective: shares the owner's `values` as a tensor of `dims` (1 round).
  virtual const ArithTensor* shareWeight(std::span<const double> values,
                                         const std::vector<int64_t>& dims) = 0;

  /// The weight's dims (and values, if structural) as every party knows it.
  const PlainTensor& weight(const std::string& name) const {
    return architecture().weights.at(name);
  }
};

/// The private plan of one op type.
struct OpPlan {
  std::string type;
  /// Weight inputs whose values every party needs (they shape tensors, as a Reshape target):
  /// they travel with the architecture and are not activation inputs.
  std::vector<size_t> structural_inputs = {};
  /// Plans a node: `acts` are its activation inputs and `ws` its other weight inputs, in order.
  /// @throws InvalidArgument naming the node if it has a form the executor cannot run.
  std::function<StepPlan(PlanContext&, const Node&, const std::vector<std::string>& acts,
                         const std::vector<std::string>& ws)>
      plan;
};

/// A set of private plans, looked up by op type.
class PlanRegistry {
 public:
  /// The plans of every built-in op (built once; never changes).
  static const PlanRegistry& builtin();

  /// @throws InvalidArgument if the type is empty or already has a plan, or `plan` is empty.
  void add(OpPlan plan);
  /// The plan of `type`, or nullptr.
  const OpPlan* find(const std::string& type) const;
  /// The op types with a plan, sorted.
  std::vector<std::string> types() const;
  /// "Add, AveragePool, ...", for error messages.
  std::string typeList() const;

 private:
  std::map<std::string, OpPlan> by_type_;
};

}  // namespace sotto::nn
