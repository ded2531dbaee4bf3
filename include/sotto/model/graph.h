#pragma once
/// @file graph.h
/// The model description Sotto runs privately: a small ONNX-like graph of named values.
///
/// A Graph is what the ONNX importer (onnx.h) produces after normalising what exporters write:
/// Constant nodes become weights, Identity and Dropout are removed (their outputs renamed), a
/// BatchNormalization that directly follows a Conv is folded into it, and every node is checked
/// against the supported ops and attributes. Nodes are in topological order.
///
/// Normalised conventions (what the importer and the zoo produce, what executors may rely on):
///   Conv       inputs X, W [O, C/group, kh, kw], optional B; attrs kernel_shape [kh, kw],
///              strides [sh, sw], pads [top, left, bottom, right] with top == bottom and
///              left == right, group. Dilations are always 1 (no attribute).
///   Gemm       inputs A, B, optional C; attrs alpha, beta, transB (transA is always 0).
///   MaxPool    attrs kernel_shape, strides, pads (symmetric as Conv); floor rounding.
///   AveragePool  as MaxPool plus count_include_pad (0 or 1).
///   BatchNormalization  inputs X, scale, B, mean, var (all weights); attr epsilon. Only where it
///              could not be folded into a Conv.
///   Flatten    attr axis.   Transpose  attr perm.
///   Softmax, LogSoftmax  attr axis, always with opset-13 semantics (one axis), whatever `opset`.
///   Squeeze, Unsqueeze   attr axes (never an axes input).
///   Reshape    inputs data and a weight holding the target shape (int64 values; 0 copies the
///              input dimension, -1 is inferred).
///   Add, Sub, Mul  two inputs, NumPy broadcasting.  Div  the divisor is a weight.
///   MatMul, GlobalAveragePool, Relu, Sigmoid, Tanh, Exp, Log, Reciprocal, Sqrt, Neg: no attrs.
///
/// Weights belong to the model owner. `architecture()` strips their values (keeping names and
/// shapes); that stripped graph is what the other parties receive (`serialize`/`deserialize`).

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace sotto::nn {

/// A dense row-major plaintext tensor of doubles (weights, inputs, reference outputs).
struct PlainTensor {
  std::vector<int64_t> dims;
  std::vector<double> values;  // empty in an architecture-only graph

  int64_t numel() const;
};

/// An attribute value: int, float, string, ints or floats (ONNX's INT, FLOAT, STRING, INTS,
/// FLOATS; a TENSOR attribute only occurs on Constant, which the importer turns into a weight).
using AttrValue =
    std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

struct Node {
  std::string name;                  // the ONNX node name, or "<op>_<index>" when it had none
  std::string op;                    // ONNX op type, e.g. "Conv", "Gemm", "Relu"
  std::vector<std::string> inputs;   // value names; "" for an absent optional input
  std::vector<std::string> outputs;  // value names
  std::map<std::string, AttrValue> attrs;

  /// Attribute lookups with a default; @throws InvalidArgument naming the node, op and attribute
  /// if it is present with another type.
  int64_t attrInt(const std::string& key, int64_t fallback) const;
  double attrFloat(const std::string& key, double fallback) const;
  std::vector<int64_t> attrInts(const std::string& key, std::vector<int64_t> fallback) const;
  std::string attrString(const std::string& key, std::string fallback) const;
};

/// A graph input: its name and dims (-1 where the exporter left a dimension symbolic, as the
/// batch usually is).
struct ValueInfo {
  std::string name;
  std::vector<int64_t> dims;
};

struct Graph {
  int64_t opset = 0;
  std::vector<ValueInfo> inputs;  // the data inputs (never weights)
  std::vector<std::string> outputs;
  std::vector<Node> nodes;                     // topological order
  std::map<std::string, PlainTensor> weights;  // initializers and folded constants

  /// True if `value` names a weight.
  bool isWeight(const std::string& value) const { return weights.count(value) != 0; }
  /// The same graph with every weight's values removed (dims kept).
  Graph architecture() const;
  /// Total number of weight values (e.g. 44,426 for LeNet5).
  int64_t parameterCount() const;
};

/// A compact, versioned binary encoding of a graph (architecture or full).
std::vector<uint8_t> serialize(const Graph& graph);
/// @throws InvalidArgument if the bytes are not a serialized graph (truncated, wrong magic or
/// version), naming what is wrong.
Graph deserialize(const std::vector<uint8_t>& bytes);

/// The ops a Graph may contain (after normalisation): the op types of OpRegistry::builtin()
/// (op_registry.h), sorted, for error messages and documentation.
const std::vector<std::string>& supportedOps();

}  // namespace sotto::nn
