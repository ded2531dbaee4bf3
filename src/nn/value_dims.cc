// A dry plaintext walk for the dims of every value (value_dims.h).
#include "value_dims.h"

#include "sotto/model/op_registry.h"
#include "sotto/model/plain_eval.h"

namespace sotto::nn {
namespace {

PlainTensor zeros(const std::vector<int64_t>& dims) {
  PlainTensor t{dims, {}};
  t.values.assign(static_cast<size_t>(t.numel()), 0.0);
  return t;
}

}  // namespace

std::map<std::string, std::vector<int64_t>> valueDims(const Graph& arch, const std::string& input,
                                                      const std::vector<int64_t>& input_dims) {
  const OpRegistry& ops = OpRegistry::builtin();
  std::map<std::string, size_t> last_use;
  for (size_t i = 0; i < arch.nodes.size(); ++i)
    for (const auto& v : arch.nodes[i].inputs) last_use[v] = i;
  std::map<std::string, std::vector<int64_t>> dims{{input, input_dims}};
  std::map<std::string, PlainTensor> live;  // values (and zero weights) still to be read
  live.emplace(input, zeros(input_dims));
  std::vector<const PlainTensor*> args;
  for (size_t i = 0; i < arch.nodes.size(); ++i) {
    const Node& node = arch.nodes[i];
    if (ops.find(node.op) == nullptr) continue;
    args.clear();
    for (const auto& v : node.inputs) {
      if (v.empty()) {
        args.push_back(nullptr);
      } else if (auto it = live.find(v); it != live.end()) {
        args.push_back(&it->second);
      } else if (arch.isWeight(v)) {
        const PlainTensor& w = arch.weights.at(v);
        const bool has_values = static_cast<int64_t>(w.values.size()) == w.numel();
        args.push_back(&live.emplace(v, has_values ? w : zeros(w.dims)).first->second);
      } else {
        break;  // a value nothing here computed: the node is left out
      }
    }
    if (args.size() == node.inputs.size()) {
      std::vector<PlainTensor> outs = evaluateNode(node, args, ops);
      for (size_t j = 0; j < node.outputs.size() && j < outs.size(); ++j) {
        if (node.outputs[j].empty()) continue;
        dims[node.outputs[j]] = outs[j].dims;
        const auto use = last_use.find(node.outputs[j]);
        if (use != last_use.end() && use->second > i)
          live.insert_or_assign(node.outputs[j], std::move(outs[j]));
      }
    }
    for (const auto& v : node.inputs)
      if (last_use[v] == i) live.erase(v);
  }
  return dims;
}

}  // namespace sotto::nn
