#include "sotto/nn/private_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "sotto/error.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/fixed_weight.h"

namespace sotto::nn {
namespace {

// Weights whose values every party needs: they shape tensors rather than scale them.
bool isStructuralInput(const Node& node, size_t input) {
  if (input != 1) return false;
  return node.op == "Reshape" || node.op == "Squeeze" || node.op == "Unsqueeze";
}

Graph publicArchitecture(const Graph& graph) {
  Graph arch = graph.architecture();
  for (const auto& node : graph.nodes) {
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (isStructuralInput(node, i) && graph.isWeight(node.inputs[i])) {
        arch.weights[node.inputs[i]] = graph.weights.at(node.inputs[i]);
      }
    }
  }
  return arch;
}

// Sends the owner's architecture to everyone (size, then bytes).
Graph exchangeArchitecture(const Party& party, int owner, const Graph& graph) {
  Communicator& comm = party.comm();
  auto scope = comm.tag("model architecture");
  std::vector<uint8_t> bytes;
  if (party.id() == owner) bytes = serialize(publicArchitecture(graph));
  uint64_t size = bytes.size();
  comm.broadcast(owner, std::as_writable_bytes(std::span(&size, 1)));
  bytes.resize(size);
  comm.broadcast(owner, std::as_writable_bytes(std::span(bytes)));
  return deserialize(bytes);
}

Shape shapeOf(const std::vector<int64_t>& dims) { return Shape(dims); }

std::string nodeLabel(const Node& n) { return "node '" + n.name + "' (" + n.op + ")"; }

int64_t normAxis(int64_t axis, int64_t rank, const Node& n) {
  SOTTO_ENFORCE(axis >= -rank && axis < rank, nodeLabel(n), ": axis ", axis,
                " is outside a tensor of rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

std::array<int64_t, 2> symmetricPads(const Node& n, const std::vector<int64_t>& pads) {
  if (pads.empty()) return {0, 0};
  SOTTO_ENFORCE(pads.size() == 4 && pads[0] == pads[2] && pads[1] == pads[3], nodeLabel(n),
                ": only symmetric 2-D pads [t, l, t, l] are supported");
  return {pads[0], pads[1]};
}

std::array<int64_t, 2> pair2(const Node& n, const std::vector<int64_t>& v, const char* what,
                             int64_t fallback) {
  if (v.empty()) return {fallback, fallback};
  SOTTO_ENFORCE(v.size() == 2, nodeLabel(n), ": ", what, " must have 2 entries (2-D only)");
  return {v[0], v[1]};
}

// dims of a weight broadcast against a rank-r activation, as a bias or scale [1, C, 1, 1].
std::vector<int64_t> channelDims(int64_t channels, int64_t rank) {
  std::vector<int64_t> d(static_cast<size_t>(std::max<int64_t>(rank, 2)), 1);
  d[1] = channels;
  return d;
}

}  // namespace

// One step of the plan: a node (or a fused group), with the weights it prepared at load.
struct Step {
  std::string name, op;
  std::vector<std::string> inputs;  // activation inputs
  std::string output;
  std::function<ArithTensor(const std::vector<const ArithTensor*>&)> run;
};

struct PrivateModel::Impl {
  const Party* party = nullptr;
  ModelOptions options;
  Graph arch;
  ValueInfo input;
  std::string output;
  std::vector<Step> steps;
  // Prepared weights live here (steps capture pointers into stable storage).
  std::vector<std::unique_ptr<FixedWeight>> fixed;
  std::vector<std::unique_ptr<ArithTensor>> shared;

  const PlainTensor& weight(const std::string& name) const { return arch.weights.at(name); }
  // Values on the owner; an empty span elsewhere.
  std::span<const double> ownerValues(const Graph& full, const std::string& name) const {
    if (party->id() != options.owner) return {};
    return full.weights.at(name).values;
  }
  const FixedWeight* loadFixed(const std::vector<double>& values,
                               const std::vector<int64_t>& dims) {
    fixed.push_back(std::make_unique<FixedWeight>(
        FixedWeight::load(*party, options.owner, values, shapeOf(dims))));
    return fixed.back().get();
  }
  const ArithTensor* shareWeight(std::span<const double> values, const std::vector<int64_t>& dims) {
    shared.push_back(std::make_unique<ArithTensor>(
        ArithTensor::share(*party, options.owner, values, shapeOf(dims))));
    return shared.back().get();
  }
  void plan(const Graph& full);
  void planPoly(const Graph& full, const struct PolyMatch& poly);
  void planLinear(const Graph& full, const Node& n, const struct PolyMatch* poly);
  void planNode(const Graph& full, const Node& n);
};

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

}  // namespace

// x*x*a + x*b + c as an exporter writes it: Mul(x, x) -> t1, Mul(t1, a) -> t2, Mul(x, b) -> t3,
// Add(t2, t3) -> t4, Add(t4, c) -> y (either operand order), t1..t4 used once.
struct PolyMatch {
  std::string x, a, b, c, out, name;
  std::vector<size_t> nodes;
};

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

// A polynomial on its own: (a·x + b)·x + c, two Beaver rounds.
void PrivateModel::Impl::planPoly(const Graph& full, const PolyMatch& m) {
  const ArithTensor* wa = shareWeight(ownerValues(full, m.a), weight(m.a).dims);
  const ArithTensor* wb = shareWeight(ownerValues(full, m.b), weight(m.b).dims);
  const ArithTensor* wc = shareWeight(ownerValues(full, m.c), weight(m.c).dims);
  steps.push_back(
      {m.name, "Poly", {m.x}, m.out, [wa, wb, wc](const std::vector<const ArithTensor*>& in) {
         const ArithTensor& v = *in[0];
         return (v.mul(*wa) + *wb).mul(v) + *wc;
       }});
}

void PrivateModel::Impl::plan(const Graph& full) {
  const auto cons = consumersOf(arch);
  std::map<size_t, PolyMatch> polys;      // by the index of their x*x node
  std::map<std::string, size_t> poly_of;  // x -> that index
  for (size_t i = 0; i < arch.nodes.size(); ++i) {
    if (auto m = findPoly(arch, i, cons)) {
      poly_of.emplace(m->x, i);
      polys.emplace(i, std::move(*m));
    }
  }
  // A ReLU whose only consumer is a MaxPool runs after it instead: relu(maxpool(x)) equals
  // maxpool(relu(x)) exactly (both monotone; max-pool's padding copies in-bounds values), and the
  // pooled tensor is kh·kw times smaller (LeNet5: 4x fewer ReLU elements and their dealer
  // material). relu_after[pool node] = the ReLU node.
  std::map<size_t, size_t> relu_after;
  std::set<size_t> consumed;
  for (size_t i = 0; i < arch.nodes.size(); ++i) {
    const Node& n = arch.nodes[i];
    if (n.op != "Relu" || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    const auto c = cons.find(n.outputs[0]);
    if (c == cons.end() || c->second.size() != 1) continue;
    if (std::find(arch.outputs.begin(), arch.outputs.end(), n.outputs[0]) != arch.outputs.end())
      continue;
    const Node& pool = arch.nodes[c->second[0]];
    if (pool.op != "MaxPool" || pool.inputs.empty() || pool.inputs[0] != n.outputs[0]) continue;
    relu_after.emplace(c->second[0], i);
    consumed.insert(i);
  }
  for (size_t i = 0; i < arch.nodes.size(); ++i) {
    if (consumed.count(i)) continue;
    const Node& n = arch.nodes[i];
    if (auto r = relu_after.find(i); r != relu_after.end()) {
      planNode(full, n);
      Step& pool = steps.back();
      const Node& relu_node = arch.nodes[r->second];
      pool.inputs = relu_node.inputs;
      pool.op = "MaxPool+Relu";
      pool.name += " (+" + relu_node.name + ")";
      pool.run = [inner = std::move(pool.run)](const std::vector<const ArithTensor*>& in) {
        return relu(inner(in));
      };
      continue;
    }
    const bool linear = n.op == "Conv" || n.op == "Gemm" ||
                        (n.op == "MatMul" && n.inputs.size() == 2 && arch.isWeight(n.inputs[1]));
    if (linear) {
      // Fuse a polynomial on the output when x's only consumer is the polynomial (x*x and x*b),
      // its a is per output channel or scalar, and the conv is not grouped.
      const PolyMatch* fused = nullptr;
      auto at = n.outputs.empty() ? poly_of.end() : poly_of.find(n.outputs[0]);
      if (at != poly_of.end() && cons.at(at->first).size() == 2 && n.attrInt("group", 1) == 1) {
        const PolyMatch& m = polys.at(at->second);
        const auto& wd = weight(n.inputs[1]).dims;
        const int64_t channels =
            n.op == "Conv" ? wd[0] : (n.op == "Gemm" && n.attrInt("transB", 0) ? wd[0] : wd[1]);
        const int64_t an = weight(m.a).numel();
        if (an == 1 || an == channels) fused = &m;
      }
      planLinear(full, n, fused);
      if (fused) consumed.insert(fused->nodes.begin(), fused->nodes.end());
    } else if (auto m = polys.find(i); m != polys.end()) {
      planPoly(full, m->second);
      consumed.insert(m->second.nodes.begin(), m->second.nodes.end());
    } else {
      planNode(full, n);
    }
  }
}

// Conv, Gemm and MatMul by a weight: a FixedWeight product plus a shared bias. With a polynomial
// on the output (`poly`, per output channel or scalar coefficients), the owner stacks a second
// copy of the weight scaled by a (a·(W x + bias) = (a·W) x + a·bias): the same single opening
// yields y and a·y, and the polynomial (a·y + b)·y + c costs one Beaver round.
void PrivateModel::Impl::planLinear(const Graph& full, const Node& n, const PolyMatch* poly) {
  const Graph& g = arch;
  const bool owner = party->id() == options.owner;
  SOTTO_ENFORCE(n.inputs.size() >= 2 && !g.isWeight(n.inputs[0]) && g.isWeight(n.inputs[1]),
                nodeLabel(n), ": supported as activation x weight (a model weight) only");
  const bool conv = n.op == "Conv";
  const auto& wd = weight(n.inputs[1]).dims;
  std::vector<double> wv;  // the owner's weight in the layout FixedWeight wants
  std::vector<int64_t> dims;
  int64_t channels = 0;
  Conv2dOptions co;
  if (conv) {
    SOTTO_ENFORCE(wd.size() == 4, nodeLabel(n), ": the weight must be [O, C/g, kh, kw]");
    co.stride = pair2(n, n.attrInts("strides", {}), "strides", 1);
    co.padding = symmetricPads(n, n.attrInts("pads", {}));
    co.dilation = pair2(n, n.attrInts("dilations", {}), "dilations", 1);
    co.groups = n.attrInt("group", 1);
    SOTTO_ENFORCE(!poly || co.groups == 1, "internal: fused polynomial needs groups = 1");
    dims = wd;
    channels = wd[0];
    if (owner) wv = full.weights.at(n.inputs[1]).values;
  } else {
    SOTTO_ENFORCE(n.attrInt("transA", 0) == 0, nodeLabel(n), ": transA=1 is not supported");
    SOTTO_ENFORCE(wd.size() == 2, nodeLabel(n), ": the weight must be a matrix");
    const bool trans_b = n.op == "Gemm" && n.attrInt("transB", 0) != 0;
    const double alpha = n.op == "Gemm" ? n.attrFloat("alpha", 1.0) : 1.0;
    const int64_t k = trans_b ? wd[1] : wd[0], m = trans_b ? wd[0] : wd[1];
    dims = {k, m};
    channels = m;
    if (owner) {
      const auto& src = full.weights.at(n.inputs[1]).values;
      wv.resize(static_cast<size_t>(k * m));
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < m; ++c)
          wv[static_cast<size_t>(r * m + c)] =
              alpha * src[static_cast<size_t>(trans_b ? c * k + r : r * m + c)];
    }
  }
  std::vector<double> bias;  // per output channel (owner), zeros if absent
  const bool has_bias = (conv || n.op == "Gemm") && n.inputs.size() >= 3 && !n.inputs[2].empty();
  if (owner) {
    bias.assign(static_cast<size_t>(channels), 0.0);
    if (has_bias) {
      const auto& bv = full.weights.at(n.inputs[2]).values;
      const double beta = n.op == "Gemm" ? n.attrFloat("beta", 1.0) : 1.0;
      SOTTO_ENFORCE(bv.size() == bias.size() || bv.size() == 1, nodeLabel(n),
                    ": the bias must have one value per output channel");
      for (size_t i = 0; i < bias.size(); ++i) bias[i] = beta * bv[bv.size() == 1 ? 0 : i];
    }
  }
  const int64_t per_channel = conv ? dims[1] * dims[2] * dims[3] : 0;
  if (poly && owner) {
    // Stack a·W after W (conv: along O; matrix: along the columns) and a·bias after bias.
    const auto& av = full.weights.at(poly->a).values;
    auto a_of = [&](int64_t ch) { return av[av.size() == 1 ? 0 : static_cast<size_t>(ch)]; };
    if (conv) {
      const size_t half = wv.size();
      wv.resize(2 * half);
      for (int64_t o = 0; o < channels; ++o)
        for (int64_t j = 0; j < per_channel; ++j)
          wv[half + static_cast<size_t>(o * per_channel + j)] =
              a_of(o) * wv[static_cast<size_t>(o * per_channel + j)];
    } else {
      std::vector<double> stacked(static_cast<size_t>(dims[0] * 2 * channels));
      for (int64_t r = 0; r < dims[0]; ++r)
        for (int64_t c = 0; c < channels; ++c) {
          const double w = wv[static_cast<size_t>(r * channels + c)];
          stacked[static_cast<size_t>(r * 2 * channels + c)] = w;
          stacked[static_cast<size_t>(r * 2 * channels + channels + c)] = a_of(c) * w;
        }
      wv = std::move(stacked);
    }
    for (int64_t ch = 0; ch < channels; ++ch)
      bias.push_back(a_of(ch) * bias[static_cast<size_t>(ch)]);
  }
  const int64_t outs = poly ? 2 * channels : channels;
  if (conv)
    dims[0] = outs;
  else
    dims[1] = outs;
  const FixedWeight* w = loadFixed(wv, dims);
  const ArithTensor* b = (has_bias || poly) ? shareWeight(bias, conv ? channelDims(outs, 4)
                                                                     : std::vector<int64_t>{outs})
                                            : nullptr;
  using In = const std::vector<const ArithTensor*>&;
  auto linear = [w, b, conv, co](const ArithTensor& x) {
    ArithTensor y = conv ? w->conv2dFrom(x, co) : w->matmulFrom(x);
    return b ? y + *b : y;
  };
  if (!poly) {
    steps.push_back(
        {n.name, n.op, {n.inputs[0]}, n.outputs[0], [linear](In in) { return linear(*in[0]); }});
    return;
  }
  // The polynomial's b and c, broadcast like the layer's output.
  const ArithTensor* wb = shareWeight(ownerValues(full, poly->b), weight(poly->b).dims);
  const ArithTensor* wc = shareWeight(ownerValues(full, poly->c), weight(poly->c).dims);
  const int64_t dim = conv ? 1 : -1;
  steps.push_back(
      {n.name, n.op + "+Poly", {n.inputs[0]}, poly->out, [linear, wb, wc, dim, channels](In in) {
         const ArithTensor both = linear(*in[0]);
         const int64_t d = dim < 0 ? both.shape().rank() - 1 : dim;
         const ArithTensor y = both.slice(d, 0, channels);
         const ArithTensor ay = both.slice(d, channels, 2 * channels);
         return (ay + *wb).mul(y) + *wc;
       }});
}

void PrivateModel::Impl::planNode(const Graph& full, const Node& n) {
  const Graph& g = arch;
  std::vector<std::string> acts;  // activation inputs, in order
  std::vector<std::string> ws;    // weight inputs, in order
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i].empty() || isStructuralInput(n, i)) continue;
    (g.isWeight(n.inputs[i]) ? ws : acts).push_back(n.inputs[i]);
  }
  SOTTO_ENFORCE(!n.outputs.empty(), nodeLabel(n), " has no output");
  SOTTO_ENFORCE(!acts.empty(), nodeLabel(n),
                " computes only on weights; constant subgraphs must be folded by the exporter");
  Step s{n.name, n.op, acts, n.outputs[0], {}};
  const std::string& op = n.op;
  using In = const std::vector<const ArithTensor*>&;

  if (op == "Conv" || op == "Gemm" || (op == "MatMul" && ws.size() == 1)) {
    planLinear(full, n, nullptr);
    return;
  } else if (op == "MatMul") {
    SOTTO_ENFORCE(acts.size() == 2, nodeLabel(n), ": needs two inputs");
    s.run = [](In in) { return in[0]->matmul(*in[1]); };
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    SOTTO_ENFORCE(n.inputs.size() == 2, nodeLabel(n), ": needs two inputs");
    if (ws.size() == 1) {
      const bool weight_first = g.isWeight(n.inputs[0]);
      SOTTO_ENFORCE(!(op == "Div" && weight_first), nodeLabel(n),
                    ": dividing by an activation is not supported (use Reciprocal)");
      std::vector<double> v;
      if (party->id() == options.owner) {
        v = full.weights.at(ws[0]).values;
        if (op == "Div") {
          for (auto& d : v) {
            SOTTO_ENFORCE(d != 0, nodeLabel(n), ": division by a zero weight");
            d = 1.0 / d;
          }
        }
      }
      const ArithTensor* w = shareWeight(v, weight(ws[0]).dims);
      if (op == "Add") s.run = [w](In in) { return *in[0] + *w; };
      if (op == "Sub")
        s.run = [w, weight_first](In in) { return weight_first ? *w - *in[0] : *in[0] - *w; };
      if (op == "Mul" || op == "Div") s.run = [w](In in) { return in[0]->mul(*w); };
    } else {
      SOTTO_ENFORCE(op != "Div", nodeLabel(n), ": dividing two activations is not supported");
      if (op == "Add") s.run = [](In in) { return *in[0] + *in[1]; };
      if (op == "Sub") s.run = [](In in) { return *in[0] - *in[1]; };
      if (op == "Mul") {
        if (n.inputs[0] == n.inputs[1]) {
          s.inputs = {n.inputs[0]};
          s.run = [](In in) { return in[0]->square(); };
        } else {
          s.run = [](In in) { return in[0]->mul(*in[1]); };
        }
      }
    }
  } else if (op == "Relu") {
    s.run = [](In in) { return relu(*in[0]); };
  } else if (op == "MaxPool" || op == "AveragePool") {
    const auto kernel = pair2(n, n.attrInts("kernel_shape", {}), "kernel_shape", 0);
    SOTTO_ENFORCE(kernel[0] > 0 && kernel[1] > 0, nodeLabel(n), ": kernel_shape is required");
    const auto stride = pair2(n, n.attrInts("strides", {}), "strides", 1);
    const auto pads = symmetricPads(n, n.attrInts("pads", {}));
    SOTTO_ENFORCE(n.attrInt("ceil_mode", 0) == 0, nodeLabel(n), ": ceil_mode=1 is not supported");
    if (op == "MaxPool") {
      s.run = [kernel, stride, pads](In in) { return maxPool2d(*in[0], kernel, stride, pads); };
    } else {
      const bool include_pad = n.attrInt("count_include_pad", 0) != 0;
      s.run = [kernel, stride, pads, include_pad](In in) {
        return avgPool2d(*in[0], kernel, stride, pads, include_pad);
      };
    }
  } else if (op == "GlobalAveragePool") {
    s.run = [](In in) {
      const auto& d = in[0]->shape().dims();
      SOTTO_ENFORCE(d.size() == 4, "GlobalAveragePool needs [N, C, H, W], got ",
                    in[0]->shape().toString());
      return in[0]
          ->reshape({d[0], d[1], d[2] * d[3]})
          .sum(2)
          .divPublicCount(d[2] * d[3])
          .reshape({d[0], d[1], 1, 1});
    };
  } else if (op == "BatchNormalization") {
    SOTTO_ENFORCE(n.inputs.size() == 5 && ws.size() == 4, nodeLabel(n),
                  ": scale, bias, mean and var must be weights");
    const int64_t c = weight(n.inputs[1]).numel();
    const double eps = n.attrFloat("epsilon", 1e-5);
    std::vector<double> scale, shift;
    if (party->id() == options.owner) {
      const auto& gm = full.weights.at(n.inputs[1]).values;
      const auto& bt = full.weights.at(n.inputs[2]).values;
      const auto& mu = full.weights.at(n.inputs[3]).values;
      const auto& var = full.weights.at(n.inputs[4]).values;
      for (int64_t i = 0; i < c; ++i) {
        const size_t k = static_cast<size_t>(i);
        scale.push_back(gm[k] / std::sqrt(var[k] + eps));
        shift.push_back(bt[k] - mu[k] * scale.back());
      }
    }
    const ArithTensor* ws_ = shareWeight(scale, channelDims(c, 4));
    const ArithTensor* wt = shareWeight(shift, channelDims(c, 4));
    s.run = [ws_, wt, c](In in) {
      const auto& d = in[0]->shape().dims();
      const ArithTensor sc = d.size() == 4 ? *ws_ : ws_->reshape(channelDims(c, d.size()));
      const ArithTensor sh = d.size() == 4 ? *wt : wt->reshape(channelDims(c, d.size()));
      return in[0]->mul(sc) + sh;
    };
  } else if (op == "Flatten") {
    const int64_t axis = n.attrInt("axis", 1);
    s.run = [axis, n](In in) {
      const auto& d = in[0]->shape().dims();
      const int64_t a = axis < 0 ? axis + static_cast<int64_t>(d.size()) : axis;
      SOTTO_ENFORCE(a >= 0 && a <= static_cast<int64_t>(d.size()), nodeLabel(n), ": bad axis");
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < static_cast<int64_t>(d.size()); ++i)
        (i < a ? outer : inner) *= d[static_cast<size_t>(i)];
      return in[0]->reshape({outer, inner});
    };
  } else if (op == "Reshape") {
    SOTTO_ENFORCE(n.inputs.size() == 2 && g.isWeight(n.inputs[1]), nodeLabel(n),
                  ": the target shape must be a constant");
    std::vector<int64_t> target;
    for (double v : weight(n.inputs[1]).values) target.push_back(static_cast<int64_t>(v));
    s.run = [target, n](In in) {
      const auto& d = in[0]->shape().dims();
      std::vector<int64_t> out = target;
      int64_t known = 1, infer = -1;
      for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == 0) {
          SOTTO_ENFORCE(i < d.size(), nodeLabel(n), ": 0 refers to a missing input dim");
          out[i] = d[i];
        }
        if (out[i] == -1) {
          SOTTO_ENFORCE(infer < 0, nodeLabel(n), ": more than one -1 in the target shape");
          infer = static_cast<int64_t>(i);
        } else {
          known *= out[i];
        }
      }
      if (infer >= 0) {
        SOTTO_ENFORCE(known > 0 && in[0]->numel() % known == 0, nodeLabel(n), ": cannot reshape ",
                      in[0]->shape().toString(), " with a -1");
        out[static_cast<size_t>(infer)] = in[0]->numel() / known;
      }
      return in[0]->reshape(out);
    };
  } else if (op == "Transpose") {
    const auto perm = n.attrInts("perm", {});
    s.run = [perm](In in) {
      std::vector<int64_t> p = perm;
      if (p.empty())
        for (int64_t i = in[0]->shape().rank() - 1; i >= 0; --i) p.push_back(i);
      return in[0]->transpose(p);
    };
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    std::vector<int64_t> axes = n.attrInts("axes", {});
    if (n.inputs.size() >= 2 && g.isWeight(n.inputs[1])) {
      for (double v : weight(n.inputs[1]).values) axes.push_back(static_cast<int64_t>(v));
    }
    const bool squeeze = op == "Squeeze";
    s.run = [axes, squeeze, n](In in) {
      std::vector<int64_t> d = in[0]->shape().dims();
      if (squeeze) {
        const int64_t r = static_cast<int64_t>(d.size());
        std::vector<bool> drop(d.size(), false);
        for (int64_t a : axes) drop[static_cast<size_t>(normAxis(a, r, n))] = true;
        std::vector<int64_t> out;
        for (size_t i = 0; i < d.size(); ++i) {
          if (axes.empty() ? d[i] == 1 : drop[i]) {
            SOTTO_ENFORCE(d[i] == 1, nodeLabel(n), ": cannot squeeze a dim of size ", d[i]);
          } else {
            out.push_back(d[i]);
          }
        }
        return in[0]->reshape(out);
      }
      const int64_t r = static_cast<int64_t>(d.size() + axes.size());
      std::vector<int64_t> sorted;
      for (int64_t a : axes) sorted.push_back(normAxis(a, r, n));
      std::sort(sorted.begin(), sorted.end());
      for (int64_t a : sorted) d.insert(d.begin() + a, 1);
      return in[0]->reshape(d);
    };
  } else if (op == "Softmax" || op == "LogSoftmax") {
    const bool legacy = g.opset < 13;
    const int64_t axis = n.attrInt("axis", legacy ? 1 : -1);
    const bool log_sm = op == "LogSoftmax";
    const MathMethod mm = options.math;
    s.run = [axis, legacy, log_sm, mm, n](In in) {
      const auto& d = in[0]->shape().dims();
      const int64_t a = normAxis(axis, static_cast<int64_t>(d.size()), n);
      auto f = [&](const ArithTensor& x, int64_t dim) {
        return log_sm ? logSoftmax(x, dim, mm) : softmax(x, dim, mm);
      };
      if (!legacy || a == static_cast<int64_t>(d.size()) - 1) return f(*in[0], a);
      // Before opset 13 the input is coerced to 2-D at `axis` and normalised over the inner part.
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < static_cast<int64_t>(d.size()); ++i)
        (i < a ? outer : inner) *= d[static_cast<size_t>(i)];
      return f(in[0]->reshape({outer, inner}), 1).reshape(d);
    };
  } else if (op == "Sigmoid" || op == "Tanh" || op == "Exp" || op == "Log" || op == "Reciprocal" ||
             op == "Sqrt") {
    const MathMethod mm = options.math;
    ArithTensor (*fn)(const ArithTensor&, MathMethod) = nullptr;
    if (op == "Sigmoid") fn = &sotto::sigmoid;
    if (op == "Tanh") fn = &sotto::tanh;
    if (op == "Exp") fn = &sotto::exp;
    if (op == "Log") fn = &sotto::log;
    if (op == "Reciprocal") fn = &sotto::reciprocal;
    if (op == "Sqrt") fn = &sotto::sqrt;
    s.run = [fn, mm](In in) { return fn(*in[0], mm); };
  } else if (op == "Neg") {
    s.run = [](In in) { return -*in[0]; };
  } else if (op == "Identity" || op == "Dropout") {
    s.inputs = {acts[0]};
    s.run = [](In in) { return *in[0]; };
  } else {
    std::string list;
    for (const auto& o : supportedOps()) list += (list.empty() ? "" : ", ") + o;
    throw InvalidArgument(nodeLabel(n) +
                          ": op is not supported by private inference; supported: " + list);
  }
  steps.push_back(std::move(s));
}

PrivateModel::PrivateModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateModel::PrivateModel(PrivateModel&&) noexcept = default;
PrivateModel& PrivateModel::operator=(PrivateModel&&) noexcept = default;
PrivateModel::~PrivateModel() = default;

PrivateModel PrivateModel::load(const Party& party, const Graph& graph, ModelOptions options) {
  SOTTO_ENFORCE(options.owner >= 0 && options.owner < party.numParties(), "model owner ",
                options.owner, " is not a party (", party.numParties(), " parties)");
  SOTTO_ENFORCE(
      party.protocol().secure() || options.allow_insecure_dealer || inOneProcess(party.comm()),
      "private inference refuses the insecure dealer '", party.protocol().name(),
      "': the model owner would learn the input; use the TTP dealer, or set "
      "ModelOptions::allow_insecure_dealer to opt in for testing");
  auto impl = std::make_unique<Impl>();
  impl->party = &party;
  impl->options = options;
  impl->arch = exchangeArchitecture(party, options.owner, graph);
  const Graph& a = impl->arch;
  SOTTO_ENFORCE(a.inputs.size() == 1,
                "private inference needs a model with exactly one data input, "
                "this one has ",
                a.inputs.size());
  SOTTO_ENFORCE(!a.outputs.empty(), "the model has no output");
  impl->input = a.inputs[0];
  impl->output = a.outputs[0];
  auto scope = party.comm().tag("model load");
  impl->plan(graph);
  return PrivateModel(std::move(impl));
}

const Graph& PrivateModel::architecture() const { return impl_->arch; }
const std::vector<int64_t>& PrivateModel::inputDims() const { return impl_->input.dims; }

ArithTensor PrivateModel::forward(const ArithTensor& input,
                                  std::vector<LayerStats>* profile) const {
  const Impl& m = *impl_;
  const auto& want = m.input.dims;
  const auto& got = input.shape().dims();
  bool ok = want.size() == got.size();
  for (size_t i = 0; ok && i < want.size(); ++i) ok = want[i] < 0 || want[i] == got[i];
  if (!ok) {
    std::ostringstream w;
    w << "[";
    for (size_t i = 0; i < want.size(); ++i)
      w << (i ? ", " : "") << (want[i] < 0 ? "N" : std::to_string(want[i]));
    w << "]";
    throw InvalidArgument("model input '" + m.input.name + "' expects shape " + w.str() + ", got " +
                          input.shape().toString());
  }
  Communicator& comm = m.party->comm();
  const Protocol& protocol = m.party->protocol();
  std::map<std::string, ArithTensor> values;
  values.emplace(m.input.name, input);
  for (const Step& s : m.steps) {
    std::vector<const ArithTensor*> in;
    for (const auto& name : s.inputs) {
      auto it = values.find(name);
      SOTTO_ENFORCE(it != values.end(), "node '", s.name, "' (", s.op, "): input '", name,
                    "' is not computed by any earlier node");
      in.push_back(&it->second);
    }
    const CommCounters before = comm.stats().total;
    const uint64_t dealer_before = protocol.offlineBytes();
    const auto t0 = std::chrono::steady_clock::now();
    LocalTruncationLog& local_log = m.party->localTruncations();
    const LocalTruncationLog outer = std::exchange(local_log, LocalTruncationLog{});
    ArithTensor out = [&] {
      auto scope = comm.tag(s.op);
      const RangeCheckLog::LabelScope label(*m.party, s.name + " (" + s.op + ")");
      try {
        return s.run(in);
      } catch (...) {
        local_log.merge(outer);
        throw;
      }
    }();
    const LocalTruncationLog layer_log = std::exchange(local_log, outer);
    local_log.merge(layer_log);
    if (profile) {
      LayerStats st;
      st.name = s.name;
      st.op = s.op;
      st.output_dims = out.shape().dims();
      st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const CommCounters after = comm.stats().total;
      st.rounds = after.rounds - before.rounds;
      st.online_bytes = after.bytes() - before.bytes();
      st.dealer_bytes = protocol.offlineBytes() - dealer_before;
      st.local_truncated = layer_log.elements;
      st.local_failure_log2 = layer_log.failureLog2();
      profile->push_back(std::move(st));
    }
    values.insert_or_assign(s.output, std::move(out));
  }
  auto it = values.find(m.output);
  SOTTO_ENFORCE(it != values.end(), "the model output '", m.output, "' is never computed");
  return it->second;
}

LayerStats totals(const std::vector<LayerStats>& profile) {
  LayerStats t;
  t.name = "total";
  for (const auto& s : profile) {
    t.seconds += s.seconds;
    t.rounds += s.rounds;
    t.online_bytes += s.online_bytes;
    t.dealer_bytes += s.dealer_bytes;
    t.output_dims = s.output_dims;
    t.local_truncated += s.local_truncated;
    if (s.local_truncated > 0 &&
        (t.local_failure_log2 == 0 || s.local_failure_log2 > t.local_failure_log2))
      t.local_failure_log2 = s.local_failure_log2;
  }
  return t;
}

std::string formatProfile(const std::vector<LayerStats>& profile) {
  std::ostringstream os;
  char line[200];
  auto dims = [](const std::vector<int64_t>& d) {
    std::string s;
    for (size_t i = 0; i < d.size(); ++i) s += std::string(i ? "x" : "") + std::to_string(d[i]);
    return s;
  };
  std::snprintf(line, sizeof line, "%-22s %-18s %-14s %10s %7s %12s %12s %12s\n", "layer", "op",
                "output", "ms", "rounds", "online KB", "dealer KB", "local trunc");
  os << line;
  auto row = [&](const LayerStats& s) {
    // The failure bound per element of the layer's local truncations, if it did any.
    const std::string fail =
        s.local_truncated == 0 ? "-" : "<=2^" + std::to_string(s.local_failure_log2);
    std::snprintf(line, sizeof line, "%-22.22s %-18.18s %-14.14s %10.3f %7llu %12.1f %12.1f %12s\n",
                  s.name.c_str(), s.op.c_str(), dims(s.output_dims).c_str(), s.seconds * 1e3,
                  static_cast<unsigned long long>(s.rounds), s.online_bytes / 1024.0,
                  s.dealer_bytes / 1024.0, fail.c_str());
    os << line;
  };
  for (const auto& s : profile) row(s);
  LayerStats t = totals(profile);
  t.op = "";
  row(t);
  os << "local trunc: per-element failure bound of the layer's local truncations, assuming "
        "|value| < 2^"
     << kAssumedValueBits << " (- : none, the dealer-assisted truncation never fails)\n";
  return os.str();
}

}  // namespace sotto::nn
