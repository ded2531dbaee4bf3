#pragma once
/// @file plain_eval.h
/// The plaintext reference evaluator: runs a Graph in double precision. It is the oracle the
/// private executor is tested against and what checks an import against the exporter's outputs.
/// Every op of the registry (op_registry.h; supportedOps()) with the conventions of graph.h, each
/// evaluated by its entry's hook; Add, Sub, Mul and Div broadcast as NumPy/ONNX do. Conv is
/// im2col + an Eigen GEMM per image and group, Gemm and MatMul are Eigen products; everything
/// else is a plain loop (AlexNet-CIFAR at batch 8: a few ms). A node may have several outputs.

#include <map>
#include <string>

#include "sotto/model/graph.h"
#include "sotto/model/op_registry.h"

namespace sotto::nn {

using TensorMap = std::map<std::string, PlainTensor>;

/// Evaluates `graph` on `inputs` (one per graph input, by name) and returns every graph output
/// by name. Intermediate values are freed after their last use.
/// @throws InvalidArgument if an input is missing, unknown or does not match the input's declared
///         dims (where they are not symbolic), if a weight has no values (an architecture-only
///         graph), or if an op meets shapes it cannot take (the message names the node, its op
///         and the shapes).
TensorMap evaluate(const Graph& graph, const TensorMap& inputs);
/// The same with the ops of `ops` (the built-in registry plus ops of one's own, say).
TensorMap evaluate(const Graph& graph, const TensorMap& inputs, const OpRegistry& ops);

/// The first graph output of evaluate(graph, inputs).
PlainTensor evaluateFirst(const Graph& graph, const TensorMap& inputs);

/// For a graph with exactly one data input: its first output on `input`.
/// @throws InvalidArgument as evaluate, or if the graph does not have exactly one input.
PlainTensor evaluate(const Graph& graph, const PlainTensor& input);

/// Runs one node on its input tensors (nullptr for an absent optional input), returning its
/// outputs in order. Used by evaluate and by the importer to fold constant subgraphs.
/// @throws InvalidArgument as evaluate.
std::vector<PlainTensor> evaluateNode(const Node& node,
                                      const std::vector<const PlainTensor*>& inputs);
/// The same with the ops of `ops`. @throws InvalidArgument naming the op and the supported ones
/// if `ops` has no entry for it.
std::vector<PlainTensor> evaluateNode(const Node& node,
                                      const std::vector<const PlainTensor*>& inputs,
                                      const OpRegistry& ops);

}  // namespace sotto::nn
