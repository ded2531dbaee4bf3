#include "sotto/model/plain_eval.h"

#include <algorithm>
#include <set>

#include "ops/eval_helpers.h"
#include "sotto/error.h"
#include "sotto/model/op_registry.h"

namespace sotto::nn {

using ops::dimsStr;
using ops::fail;

std::vector<PlainTensor> evaluateNode(const Node& node, const std::vector<const PlainTensor*>& in,
                                      const OpRegistry& ops) {
  const OpSchema* schema = ops.find(node.op);
  if (schema == nullptr) {
    fail(node, "op '", node.op, "' is not supported; supported ops: ", ops.typeList());
  }
  return schema->evaluate(node, in);
}

std::vector<PlainTensor> evaluateNode(const Node& node, const std::vector<const PlainTensor*>& in) {
  return evaluateNode(node, in, OpRegistry::builtin());
}

TensorMap evaluate(const Graph& graph, const TensorMap& inputs) {
  return evaluate(graph, inputs, OpRegistry::builtin());
}

TensorMap evaluate(const Graph& graph, const TensorMap& inputs, const OpRegistry& ops) {
  std::map<std::string, const PlainTensor*> env;
  for (const auto& [name, w] : graph.weights) {
    SOTTO_ENFORCE(static_cast<int64_t>(w.values.size()) == w.numel(), "evaluate: weight '", name,
                  "' has ", w.values.size(), " values for shape ", dimsStr(w.dims),
                  w.values.empty() ? " (an architecture-only graph cannot be evaluated)" : "");
    env[name] = &w;
  }
  for (const auto& [name, t] : inputs) {
    const bool declared = std::any_of(graph.inputs.begin(), graph.inputs.end(),
                                      [&](const ValueInfo& v) { return v.name == name; });
    SOTTO_ENFORCE(declared, "evaluate: '", name, "' is not an input of the graph");
  }
  for (const auto& in : graph.inputs) {
    auto it = inputs.find(in.name);
    SOTTO_ENFORCE(it != inputs.end(), "evaluate: input '", in.name, "' is missing");
    const PlainTensor& t = it->second;
    bool ok = t.dims.size() == in.dims.size() && static_cast<int64_t>(t.values.size()) == t.numel();
    for (size_t i = 0; ok && i < in.dims.size(); ++i)
      ok = in.dims[i] < 0 || in.dims[i] == t.dims[i];
    SOTTO_ENFORCE(ok, "evaluate: input '", in.name, "' has shape ", dimsStr(t.dims), " and ",
                  t.values.size(), " values; the graph declares ", dimsStr(in.dims),
                  " (-1: any size)");
    env[in.name] = &t;
  }
  // Free each computed value after its last use.
  std::map<std::string, size_t> last_use;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& v : graph.nodes[i].inputs) last_use[v] = i;
  }
  const std::set<std::string> keep(graph.outputs.begin(), graph.outputs.end());
  std::map<std::string, PlainTensor> owned;
  std::vector<const PlainTensor*> args;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    args.clear();
    for (const auto& v : node.inputs) {
      if (v.empty()) {
        args.push_back(nullptr);
        continue;
      }
      auto it = env.find(v);
      if (it == env.end()) fail(node, "input '", v, "' is not defined before this node");
      args.push_back(it->second);
    }
    std::vector<PlainTensor> outs = evaluateNode(node, args, ops);
    for (size_t j = 0; j < node.outputs.size() && j < outs.size(); ++j) {
      if (node.outputs[j].empty()) continue;
      PlainTensor& slot = owned[node.outputs[j]];
      slot = std::move(outs[j]);
      env[node.outputs[j]] = &slot;
    }
    for (const auto& v : node.inputs) {
      if (!v.empty() && last_use[v] == i && !keep.count(v) && owned.count(v)) {
        env.erase(v);
        owned.erase(v);
      }
    }
  }
  TensorMap result;
  for (const auto& o : graph.outputs) {
    auto it = env.find(o);
    SOTTO_ENFORCE(it != env.end(), "evaluate: graph output '", o, "' is never computed");
    result[o] = *it->second;
  }
  return result;
}

PlainTensor evaluateFirst(const Graph& graph, const TensorMap& inputs) {
  SOTTO_ENFORCE(!graph.outputs.empty(), "evaluate: the graph has no outputs");
  TensorMap all = evaluate(graph, inputs);
  return std::move(all.at(graph.outputs.front()));
}

PlainTensor evaluate(const Graph& graph, const PlainTensor& input) {
  SOTTO_ENFORCE(graph.inputs.size() == 1, "evaluate: the graph has ", graph.inputs.size(),
                " inputs; pass them by name");
  return evaluateFirst(graph, {{graph.inputs[0].name, input}});
}

}  // namespace sotto::nn
