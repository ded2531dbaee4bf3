#pragma once
/// @file op_registry.h
/// The op registry of the plaintext model layer: one OpSchema per ONNX op type (one per opset
/// range where the op's semantics differ), holding everything the plaintext side knows about it:
/// its input and output counts, the attribute checks and normalisation the importer applies
/// (onnx.h), its shape inference during import, and its plaintext evaluation (plain_eval.h).
/// The private executor keeps a registry of the same op types with their private plans
/// (sotto/nn/plan_registry.h); an op without one says so here (`has_private_plan`).
///
/// The built-in entries live in files by family (src/model/ops/: linear, elementwise, pooling,
/// activations, shape ops); adding an op is one entry in one of them. The dispatch is a map lookup
/// by op type, as SPU's pphlo executor dispatches on the op kind. Plaintext only: nothing here is
/// secret-shared; evaluation costs what the op's loops cost (no communication).

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sotto/error.h"
#include "sotto/model/graph.h"

namespace sotto::nn {

/// Dimensions during import may be symbolic (the batch an exporter left open): such a dimension
/// is a number far below any real one. Shape inference carries symbols through.
bool isSymbolicDim(int64_t d);
/// "[1, ?, 28]": a shape with its symbols as "?".
std::string symbolicDimsStr(const std::vector<int64_t>& dims);

/// What an op's import hooks may ask of the importer (implemented by the ONNX normaliser).
class ImportContext {
 public:
  virtual ~ImportContext() = default;
  /// The model's default-domain opset.
  virtual int64_t opset() const = 0;
  /// The model's name in messages (its file, or "<memory>").
  virtual const std::string& source() const = 0;
  /// One warning line on stderr naming the source and the node.
  virtual void warn(const Node& node, const std::string& message) const = 0;
  virtual bool isWeight(const std::string& value) const = 0;
  /// The weight feeding input `i`; @throws InvalidArgument naming `what` if it is not a weight.
  virtual const PlainTensor& constInput(const Node& node, size_t i, const char* what) const = 0;
  /// The (possibly symbolic) shape of a value, if known.
  virtual std::optional<std::vector<int64_t>> shapeOf(const std::string& value) const = 0;
  /// A shape computation that could not be folded (entries may be symbolic), if `value` is one.
  virtual std::optional<std::vector<int64_t>> symbolicInts(const std::string& value) const = 0;
  /// A new symbolic dimension.
  virtual int64_t freshDim() = 0;
  /// Adds a weight under a fresh name made from `base` and returns that name.
  virtual std::string addWeight(const std::string& base, PlainTensor tensor) = 0;
  /// A value name made from `base` that nothing uses yet (reserved from now on).
  virtual std::string uniqueName(const std::string& base) = 0;

  /// @throws InvalidArgument "<source>: node '<name>' (<op>): <args...>".
  template <typename... Args>
  [[noreturn]] void failNode(const Node& node, Args&&... args) const {
    throw InvalidArgument(sotto::detail::concat(source(), ": node '", node.name, "' (", node.op,
                                                "): ", std::forward<Args>(args)...));
  }
};

/// Shapes during import, one per input or output (nullopt where unknown or absent).
using MaybeDims = std::optional<std::vector<int64_t>>;

/// Everything the plaintext model layer knows about one op type.
struct OpSchema {
  static constexpr int64_t kAnyOpset = std::numeric_limits<int64_t>::max();

  std::string type;  ///< the ONNX op type
  /// The opsets this entry describes (inclusive); entries of one type must not overlap.
  int64_t min_opset = 1, max_opset = kAnyOpset;
  /// Inputs after trailing absent ones are dropped; the importer checks the count. A step may
  /// have any number of outputs; outputs past `num_outputs` are dropped (nothing may use them).
  size_t min_inputs = 1, max_inputs = 1, num_outputs = 1;
  /// Checks the attributes (and constant inputs) and brings the node to graph.h's conventions;
  /// returns the nodes to add to the graph (usually the node itself; a rewrite may give several,
  /// which are added as they are). @throws InvalidArgument through the context.
  std::function<std::vector<Node>(ImportContext&, Node)> normalize;
  /// The output shapes (nullopt where unknown), given the input shapes; input 0's is known.
  std::function<std::vector<MaybeDims>(ImportContext&, const Node&, const std::vector<MaybeDims>&)>
      infer;
  /// Plaintext evaluation of a normalised node (nullptr for an absent optional input).
  /// @throws InvalidArgument naming the node, its op and the shapes it cannot take.
  std::function<std::vector<PlainTensor>(const Node&, const std::vector<const PlainTensor*>&)>
      evaluate;
  /// False when the private executor explicitly has no plan for this op (plaintext only).
  bool has_private_plan = true;
};

/// A set of op schemas, looked up by op type and opset.
class OpRegistry {
 public:
  /// Every op Sotto supports (built once; never changes).
  static const OpRegistry& builtin();

  /// Adds an entry. @throws InvalidArgument if it has no type, misses a hook, or overlaps the
  /// opset range of an entry of the same type.
  void add(OpSchema schema);
  /// The entry for `type` at `opset`, or nullptr. kAnyOpset: the newest entry of the type (the
  /// semantics of a normalised graph).
  const OpSchema* find(const std::string& type, int64_t opset = OpSchema::kAnyOpset) const;
  /// The supported op types, sorted.
  std::vector<std::string> types() const;
  /// Every entry (types sorted, then by opset).
  std::vector<const OpSchema*> entries() const;
  /// "Add, AveragePool, ...": the types, for error messages.
  std::string typeList() const;

 private:
  std::map<std::string, std::vector<OpSchema>> by_type_;
};

}  // namespace sotto::nn
