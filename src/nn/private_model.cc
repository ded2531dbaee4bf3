#include "sotto/nn/private_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "fusion.h"
#include "layer_parts.h"
#include "ops/families.h"
#include "ops/linear_plan.h"
#include "ops/plan_helpers.h"
#include "sotto/error.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/fixed_weight.h"
#include "value_dims.h"

namespace sotto::nn {
namespace {

// The nodes the value `output` depends on (forward() returns it): the others are never planned,
// so a graph with several outputs costs only what its first one needs.
std::vector<bool> nodesFeeding(const Graph& g, const std::string& output) {
  std::set<std::string> wanted{output};
  std::vector<bool> needed(g.nodes.size(), false);
  for (size_t i = g.nodes.size(); i-- > 0;) {
    const Node& n = g.nodes[i];
    for (const auto& o : n.outputs) needed[i] = needed[i] || (!o.empty() && wanted.count(o));
    if (!needed[i]) continue;
    for (const auto& in : n.inputs) {
      if (!in.empty()) wanted.insert(in);
    }
  }
  return needed;
}

// Weights whose values every party needs: they shape tensors rather than scale them.
bool isStructuralInput(const PlanRegistry& plans, const Node& node, size_t input) {
  const OpPlan* plan = plans.find(node.op);
  if (plan == nullptr) return false;
  const auto& s = plan->structural_inputs;
  return std::find(s.begin(), s.end(), input) != s.end();
}

Graph publicArchitecture(const PlanRegistry& plans, const Graph& graph) {
  Graph arch = graph.architecture();
  for (const auto& node : graph.nodes) {
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (isStructuralInput(plans, node, i) && graph.isWeight(node.inputs[i])) {
        arch.weights[node.inputs[i]] = graph.weights.at(node.inputs[i]);
      }
    }
  }
  return arch;
}

// Sends the owner's architecture to everyone (size, then bytes).
Graph exchangeArchitecture(const Party& party, int owner, const PlanRegistry& plans,
                           const Graph& graph) {
  Communicator& comm = party.comm();
  auto scope = comm.tag("model architecture");
  std::vector<uint8_t> bytes;
  if (party.id() == owner) bytes = serialize(publicArchitecture(plans, graph));
  uint64_t size = bytes.size();
  comm.broadcast(owner, std::as_writable_bytes(std::span(&size, 1)));
  bytes.resize(size);
  comm.broadcast(owner, std::as_writable_bytes(std::span(bytes)));
  return deserialize(bytes);
}

}  // namespace

// One step of the plan: a node (or a fused group), with the weights it prepared at load. It
// produces one value per output (several for a node with several outputs).
struct Step {
  std::string name, op;
  std::vector<std::string> inputs;  // activation inputs
  std::vector<std::string> outputs;
  StepFn run;
  StepPrepareFn prepare = nullptr;  // the plan's one-time work per input shape, if any
};

struct PrivateModel::Impl final : PlanContext {
  const Party* party_ = nullptr;
  ModelOptions options;
  const PlanRegistry* plans = nullptr;
  const Graph* full = nullptr;  // the owner's model, during load only
  Graph arch;
  ValueInfo input;
  std::string output;
  std::vector<Step> steps;
  // Prepared weights live here (steps capture pointers into stable storage).
  std::vector<std::unique_ptr<FixedWeight>> fixed;
  std::vector<std::unique_ptr<ArithTensor>> shared;

  // ---- PlanContext ----
  const Party& party() const override { return *party_; }
  bool isOwner() const override { return party_->id() == options.owner; }
  int owner() const override { return options.owner; }
  MathMethod math() const override { return options.math; }
  const Graph& architecture() const override { return arch; }
  std::span<const double> ownerValues(const std::string& name) const override {
    if (!isOwner()) return {};
    return full->weights.at(name).values;
  }
  const FixedWeight* loadFixed(const std::vector<double>& values,
                               const std::vector<int64_t>& dims) override {
    fixed.push_back(std::make_unique<FixedWeight>(
        FixedWeight::load(*party_, options.owner, values, Shape(dims))));
    return fixed.back().get();
  }
  const ArithTensor* shareWeight(std::span<const double> values,
                                 const std::vector<int64_t>& dims) override {
    shared.push_back(std::make_unique<ArithTensor>(
        ArithTensor::share(*party_, options.owner, values, Shape(dims))));
    return shared.back().get();
  }

  void plan();
  // @throws InvalidArgument naming the input if `shape` does not fit its declared dims.
  void checkInputShape(const Shape& shape) const;
  void planPoly(const PolyMatch& poly);
  void planNode(const Node& n);
};

// A polynomial on its own: (a·x + b)·x + c, two Beaver rounds.
void PrivateModel::Impl::planPoly(const PolyMatch& m) {
  const ArithTensor* wa = shareWeight(ownerValues(m.a), weight(m.a).dims);
  const ArithTensor* wb = shareWeight(ownerValues(m.b), weight(m.b).dims);
  const ArithTensor* wc = shareWeight(ownerValues(m.c), weight(m.c).dims);
  StepPlan p = ops::oneOutput({m.x}, [wa, wb, wc](ops::In in) {
    const ArithTensor& v = *in[0];
    return (v.mul(*wa) + *wb).mul(v) + *wc;
  });
  steps.push_back({m.name, "Poly", std::move(p.inputs), {m.out}, std::move(p.run)});
}

void PrivateModel::Impl::plan() {
  const Fusions f = findFusions(arch);
  const auto& cons = f.consumers;
  std::set<size_t> consumed = f.relus_absorbed;
  // Linear outputs left at scale 2^(2f) for the ReLU after them to truncate (fusion.h, relu_on).
  const bool positive_pays = party_->protocol().positiveTruncationPays();
  const int frac = party_->options().frac_bits;
  std::set<std::string> untruncated;
  const std::vector<bool> needed = nodesFeeding(arch, output);
  for (size_t i = 0; i < arch.nodes.size(); ++i) {
    if (consumed.count(i) || !needed[i]) continue;
    const Node& n = arch.nodes[i];
    if (auto r = f.relu_after.find(i); r != f.relu_after.end()) {
      const Node& relu_node = arch.nodes[r->second];
      const int shift = untruncated.count(relu_node.inputs[0]) != 0 ? frac : 0;
      const std::string name = n.name + " (+" + relu_node.name + ")";
      if (plans->find(n.op) == PlanRegistry::builtin().find(n.op)) {
        StepPlan p = ops::planMaxPoolRelu(n, relu_node.inputs, shift);
        steps.push_back({name, "MaxPool+Relu", std::move(p.inputs), n.outputs, std::move(p.run)});
        continue;
      }
      planNode(n);  // a registry's own MaxPool plan, then the ReLU (and the truncation)
      Step& pool = steps.back();
      pool.inputs = relu_node.inputs;
      pool.op = "MaxPool+Relu";
      pool.name = name;
      pool.run = [inner = std::move(pool.run), shift](ops::In in) {
        std::vector<ArithTensor> out = inner(in);
        out[0] = reluTruncatePositive(out[0], shift);
        return out;
      };
      continue;
    }
    if (ops::isFixedWeightLinear(arch, n)) {
      // Fuse a polynomial on the output when x's only consumer is the polynomial (x*x and x*b),
      // its a is per output channel or scalar, and the conv is not grouped.
      const PolyMatch* fused = nullptr;
      auto at = n.outputs.empty() ? f.poly_of.end() : f.poly_of.find(n.outputs[0]);
      if (at != f.poly_of.end() && cons.at(at->first).size() == 2 && n.attrInt("group", 1) == 1) {
        const PolyMatch& m = f.polys.at(at->second);
        const int64_t channels = ops::linearOutputChannels(arch, n);
        const int64_t an = weight(m.a).numel();
        if (an == 1 || an == channels) fused = &m;
      }
      const auto relu_on = f.relu_on.find(i);
      if (!fused && positive_pays && relu_on != f.relu_on.end()) {
        // The product untruncated; the ReLU (here, or after the MaxPool it was moved behind)
        // truncates its non-negative result with the protocol's positive fast path.
        StepPlan p = ops::planLinear(*this, n, nullptr, false);
        if (f.relus_absorbed.count(relu_on->second)) {
          untruncated.insert(n.outputs[0]);
          steps.push_back({n.name, n.op, std::move(p.inputs), n.outputs, std::move(p.run),
                           std::move(p.prepare)});
        } else {
          const Node& relu_node = arch.nodes[relu_on->second];
          auto run = [inner = std::move(p.run), frac](ops::In in) {
            std::vector<ArithTensor> out = inner(in);
            out[0] = reluTruncatePositive(out[0], frac);
            return out;
          };
          steps.push_back({n.name + " (+" + relu_node.name + ")", n.op + "+Relu",
                           std::move(p.inputs), relu_node.outputs, std::move(run),
                           std::move(p.prepare)});
          consumed.insert(relu_on->second);
        }
      } else if (fused) {
        const ops::PolyFusion poly{fused->a, fused->b, fused->c};
        StepPlan p = ops::planLinear(*this, n, &poly, true);
        steps.push_back({n.name,
                         n.op + "+Poly",
                         std::move(p.inputs),
                         {fused->out},
                         std::move(p.run),
                         std::move(p.prepare)});
        consumed.insert(fused->nodes.begin(), fused->nodes.end());
      } else if (options.untruncated_output && n.outputs.size() == 1 && n.outputs[0] == output &&
                 !cons.count(output)) {
        // The graph's output left at scale 2^(2f) and labelled so (ModelOptions).
        StepPlan p = ops::planLinear(*this, n, nullptr, false);
        auto run = [inner = std::move(p.run), frac](ops::In in) {
          std::vector<ArithTensor> out = inner(in);
          out[0] = ArithTensor(out[0].party(), out[0].share(), 2 * frac);
          return out;
        };
        steps.push_back(
            {n.name, n.op, std::move(p.inputs), n.outputs, std::move(run), std::move(p.prepare)});
      } else {
        planNode(n);
      }
    } else if (auto m = f.polys.find(i); m != f.polys.end()) {
      planPoly(m->second);
      consumed.insert(m->second.nodes.begin(), m->second.nodes.end());
    } else {
      planNode(n);
    }
  }
}

// One node through its op's plan.
void PrivateModel::Impl::planNode(const Node& n) {
  std::vector<std::string> acts;  // activation inputs, in order
  std::vector<std::string> ws;    // weight inputs, in order
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i].empty() || isStructuralInput(*plans, n, i)) continue;
    (arch.isWeight(n.inputs[i]) ? ws : acts).push_back(n.inputs[i]);
  }
  SOTTO_ENFORCE(!n.outputs.empty(), ops::nodeLabel(n), " has no output");
  SOTTO_ENFORCE(!acts.empty(), ops::nodeLabel(n),
                " computes only on weights; constant subgraphs must be folded by the exporter");
  const OpPlan* plan = plans->find(n.op);
  if (plan == nullptr) {
    throw InvalidArgument(
        ops::nodeLabel(n) +
        ": op is not supported by private inference; supported: " + plans->typeList());
  }
  StepPlan p = plan->plan(*this, n, acts, ws);
  steps.push_back(
      {n.name, n.op, std::move(p.inputs), n.outputs, std::move(p.run), std::move(p.prepare)});
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
  impl->party_ = &party;
  impl->options = options;
  impl->plans = options.plans != nullptr ? options.plans : &PlanRegistry::builtin();
  impl->arch = exchangeArchitecture(party, options.owner, *impl->plans, graph);
  const Graph& a = impl->arch;
  SOTTO_ENFORCE(a.inputs.size() == 1,
                "private inference needs a model with exactly one data input, "
                "this one has ",
                a.inputs.size());
  SOTTO_ENFORCE(!a.outputs.empty(), "the model has no output");
  impl->input = a.inputs[0];
  impl->output = a.outputs[0];
  auto scope = party.comm().tag("model load");
  impl->full = &graph;
  impl->plan();
  impl->full = nullptr;
  return PrivateModel(std::move(impl));
}

const Graph& PrivateModel::architecture() const { return impl_->arch; }
const std::vector<int64_t>& PrivateModel::inputDims() const { return impl_->input.dims; }

void PrivateModel::Impl::checkInputShape(const Shape& shape) const {
  const auto& want = input.dims;
  const auto& got = shape.dims();
  bool ok = want.size() == got.size();
  for (size_t i = 0; ok && i < want.size(); ++i) ok = want[i] < 0 || want[i] == got[i];
  if (!ok) {
    std::ostringstream w;
    w << "[";
    for (size_t i = 0; i < want.size(); ++i)
      w << (i ? ", " : "") << (want[i] < 0 ? "N" : std::to_string(want[i]));
    w << "]";
    throw InvalidArgument("model input '" + input.name + "' expects shape " + w.str() + ", got " +
                          shape.toString());
  }
}

void PrivateModel::prepare(const Shape& input_shape) const {
  const Impl& m = *impl_;
  m.checkInputShape(input_shape);
  const auto dims = valueDims(m.arch, m.input.name, input_shape.dims());
  for (const Step& s : m.steps) {
    if (!s.prepare) continue;
    std::vector<Shape> shapes;
    for (const auto& name : s.inputs) {
      auto it = dims.find(name);
      if (it == dims.end()) break;  // after an op the walk does not know: left to the forward
      shapes.emplace_back(it->second);
    }
    if (shapes.size() != s.inputs.size()) continue;
    try {
      s.prepare(shapes);
    } catch (const InvalidArgument& e) {  // e.g. a weight beyond the HE layers' public bound
      throw InvalidArgument("node '" + s.name + "' (" + s.op + "): " + e.what());
    }
  }
}

ArithTensor PrivateModel::forward(const ArithTensor& input,
                                  std::vector<LayerStats>* profile) const {
  const Impl& m = *impl_;
  m.checkInputShape(input.shape());
  Communicator& comm = m.party_->comm();
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
    const PartMeter meter(*m.party_);
    LocalTruncationLog& local_log = m.party_->localTruncations();
    const LocalTruncationLog outer = std::exchange(local_log, LocalTruncationLog{});
    std::vector<LayerStats> parts;
    std::vector<ArithTensor> outs = [&] {
      auto scope = comm.tag(s.op);
      const LayerParts::Scope parts_scope(profile ? &parts : nullptr);
      const RangeCheckLog::LabelScope label(*m.party_, s.name + " (" + s.op + ")");
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
      if (!outs.empty()) st.output_dims = outs[0].shape().dims();
      meter.addTo(st);
      st.local_truncated = layer_log.elements;
      st.local_failure_log2 = layer_log.failureLog2();
      st.parts = std::move(parts);
      profile->push_back(std::move(st));
    }
    SOTTO_ENFORCE(outs.size() == s.outputs.size(), "node '", s.name, "' (", s.op,
                  "): its plan gave ", outs.size(), " outputs for the node's ", s.outputs.size());
    for (size_t i = 0; i < outs.size(); ++i) {
      if (!s.outputs[i].empty()) values.insert_or_assign(s.outputs[i], std::move(outs[i]));
    }
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
  for (const auto& s : profile) {
    row(s);
    for (LayerStats part : s.parts) {
      part.name = "  " + part.name;
      row(part);
    }
  }
  LayerStats t = totals(profile);
  t.op = "";
  row(t);
  os << "local trunc: per-element failure bound of the layer's local truncations, assuming "
        "|value| < 2^"
     << kAssumedValueBits << " (- : none, the dealer-assisted truncation never fails)\n";
  return os.str();
}

}  // namespace sotto::nn
