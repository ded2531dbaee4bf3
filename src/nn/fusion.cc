#include "fusion.h"

#include <algorithm>
#include <optional>

namespace sotto::nn {
namespace {

// The consumers of every value.
std::map<std::string, std::vector<size_t>> consumersOf(const Graph& g) {
  std::map<std::string, std::vector<size_t>> c;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& in : g.nodes[i].inputs) {
      auto& v = c[in];
      if (v.empty() || v.back() != i) v.push_back(i);  // x*x consumes x once
    }
  }
  return c;
}

std::optional<PolyMatch> findPoly(const Graph& g, size_t at,
                                  const std::map<std::string, std::vector<size_t>>& cons) {
  const Node& sq = g.nodes[at];
  if (sq.op != "Mul" || sq.inputs.size() != 2 || sq.inputs[0] != sq.inputs[1] ||
      g.isWeight(sq.inputs[0]))
    return std::nullopt;
  const std::string x = sq.inputs[0];
  auto only = [&](const std::string& v) -> std::optional<size_t> {
    auto it = cons.find(v);
    if (it == cons.end() || it->second.size() != 1) return std::nullopt;
    return it->second[0];
  };
  auto other = [&](const Node& n, const std::string& v) -> std::string {
    return n.inputs[0] == v ? n.inputs[1] : n.inputs[0];
  };
  auto binary = [&](size_t i, const char* op) {
    return g.nodes[i].op == op && g.nodes[i].inputs.size() == 2;
  };
  auto i2 = only(sq.outputs[0]);
  if (!i2 || !binary(*i2, "Mul")) return std::nullopt;
  const std::string a = other(g.nodes[*i2], sq.outputs[0]);
  auto i4 = only(g.nodes[*i2].outputs[0]);
  if (!g.isWeight(a) || !i4 || !binary(*i4, "Add")) return std::nullopt;
  const std::string t3 = other(g.nodes[*i4], g.nodes[*i2].outputs[0]);
  std::optional<size_t> i3;
  for (size_t j : cons.at(x)) {
    const Node& n = g.nodes[j];
    if (n.op == "Mul" && n.inputs.size() == 2 && n.outputs[0] == t3 &&
        (n.inputs[0] == x || n.inputs[1] == x) && g.isWeight(other(n, x)))
      i3 = j;
  }
  if (!i3 || !only(t3)) return std::nullopt;
  auto i5 = only(g.nodes[*i4].outputs[0]);
  if (!i5 || !binary(*i5, "Add")) return std::nullopt;
  const std::string c = other(g.nodes[*i5], g.nodes[*i4].outputs[0]);
  if (!g.isWeight(c)) return std::nullopt;
  return PolyMatch{
      x, a, other(g.nodes[*i3], x), c, g.nodes[*i5].outputs[0], sq.name, {at, *i2, *i3, *i4, *i5}};
}

}  // namespace

Fusions findFusions(const Graph& g) {
  Fusions f;
  f.consumers = consumersOf(g);
  const auto& cons = f.consumers;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (auto m = findPoly(g, i, cons)) {
      f.poly_of.emplace(m->x, i);
      f.polys.emplace(i, std::move(*m));
    }
  }
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const auto& out : g.nodes[i].outputs) producer.emplace(out, i);
  auto isOutput = [&g](const std::string& v) {
    return std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.op != "Relu" || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    const auto in = cons.find(n.inputs[0]);
    const auto from = producer.find(n.inputs[0]);
    if (in != cons.end() && in->second.size() == 1 && from != producer.end() &&
        g.nodes[from->second].outputs.size() == 1 && !isOutput(n.inputs[0]))
      f.relu_on.emplace(from->second, i);
    const auto c = cons.find(n.outputs[0]);
    if (c == cons.end() || c->second.size() != 1) continue;
    if (isOutput(n.outputs[0])) continue;
    const Node& pool = g.nodes[c->second[0]];
    if (pool.op != "MaxPool" || pool.inputs.empty() || pool.inputs[0] != n.outputs[0]) continue;
    f.relu_after.emplace(c->second[0], i);
    f.relus_absorbed.insert(i);
  }
  return f;
}

}  // namespace sotto::nn
