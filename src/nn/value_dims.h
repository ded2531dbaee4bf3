#pragma once
// The dims of a graph's values for one input shape, by a dry plaintext walk: what the executor
// needs to prepare each step for a batch size before the first input (PrivateModel::prepare).
// Plaintext only, no message.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sotto/model/graph.h"

namespace sotto::nn {

// Every value of `arch` the plaintext ops (OpRegistry::builtin) reach from `input` of
// `input_dims`, with its dims: each node is evaluated on zeros (a weight without values, as in an
// architecture, as zeros of its dims; structural weights with their values). A node whose op has
// no plaintext entry (a plan registry's own op) and every value after it are left out. Cost: one
// plaintext evaluation of the graph on zeros (AlexNet-CIFAR at batch 8: a few ms), each value
// freed after its last use.
// @throws InvalidArgument as the plaintext evaluator, naming a node whose shapes do not fit.
std::map<std::string, std::vector<int64_t>> valueDims(const Graph& arch, const std::string& input,
                                                      const std::vector<int64_t>& input_dims);

}  // namespace sotto::nn
