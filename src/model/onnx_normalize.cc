// ONNX import, stage 2: RawModel -> normalised Graph (see graph.h for the result's conventions).
//
// One pass over the nodes in file order keeps, per value, its shape where it can be inferred
// (dimensions are numbers or symbols: the batch an exporter left symbolic is one symbol, carried
// through every op that keeps it), then a pass folds BatchNormalization into Conv, resolves the
// graph outputs through removed nodes and drops weights nothing uses.
//
// Shape arithmetic (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as exporters write
// x.view(x.size(0), -1)) is evaluated on "int vectors" whose entries may be symbols; a Reshape
// target that still holds a symbol gets 0 where the symbol is the data's own dimension at that
// position (ONNX: copy it) or -1 if it is the only unknown entry (ONNX: infer it).
//
// What one op needs (its input and output counts, attribute checks and normalisation, shape
// inference, constant folding) is its entry in the op registry (op_registry.h, ops/*.cc); this
// file holds what spans ops: removed pass-through nodes, Pow as Mul, shape arithmetic, folding
// BatchNormalization into Conv, and the graph outputs.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

#include "onnx_import.h"
#include "ops/families.h"
#include "ops/import_helpers.h"
#include "sotto/error.h"
#include "sotto/model/op_registry.h"
#include "sotto/model/plain_eval.h"

namespace sotto::nn::internal {
namespace {

using Dims = std::vector<int64_t>;

bool isSym(int64_t d) { return isSymbolicDim(d); }
std::string dimsStr(const Dims& d) { return symbolicDimsStr(d); }

// An integer vector being computed from shapes (a rank-1 tensor, or a scalar).
struct IntVec {
  Dims v;
  bool scalar = false;
};

class Normalizer final : public ImportContext {
 public:
  explicit Normalizer(RawModel raw, const OpRegistry& ops) : raw_(std::move(raw)), ops_(ops) {}

  Graph run() {
    out_.opset = raw_.graph.opset;
    out_.inputs = raw_.graph.inputs;
    out_.weights = std::move(raw_.graph.weights);
    for (const auto& in : out_.inputs) {
      Dims dims = in.dims;
      const auto& params = raw_.dim_params[in.name];
      for (size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] >= 0) continue;
        const std::string& p = i < params.size() ? params[i] : std::string();
        if (p.empty()) {
          dims[i] = freshDim();
        } else {
          auto [it, added] = named_syms_.emplace(p, 0);
          if (added) it->second = freshDim();
          dims[i] = it->second;
        }
      }
      shapes_[in.name] = dims;
      defined_.insert(in.name);
    }
    for (const Node& n : raw_.graph.nodes) process(n);
    foldBatchNorms();
    resolveOutputs();
    dropUnusedWeights();
    return std::move(out_);
  }

 private:
  // ---- messages ---------------------------------------------------------------------------------

  template <typename... Args>
  [[noreturn]] void failSource(Args&&... args) const {
    throw InvalidArgument(sotto::detail::concat(raw_.source, ": ", std::forward<Args>(args)...));
  }

  // ---- ImportContext ----------------------------------------------------------------------------

  int64_t opset() const override { return out_.opset; }
  const std::string& source() const override { return raw_.source; }
  void warn(const Node& n, const std::string& message) const override {
    std::cerr << "sotto: warning: " << raw_.source << ": node '" << n.name << "' (" << n.op << ") "
              << message << "\n";
  }
  bool isWeight(const std::string& v) const override { return out_.weights.count(v) != 0; }
  const PlainTensor& constInput(const Node& n, size_t i, const char* what) const override {
    if (i >= n.inputs.size() || !isWeight(n.inputs[i])) {
      failNode(n, what, " must be a constant (an initializer or Constant), got ",
               i < n.inputs.size() ? "'" + n.inputs[i] + "'" : std::string("nothing"));
    }
    return out_.weights.at(n.inputs[i]);
  }
  std::optional<Dims> shapeOf(const std::string& v) const override {
    if (auto it = out_.weights.find(v); it != out_.weights.end()) return it->second.dims;
    if (auto it = shapes_.find(v); it != shapes_.end()) return it->second;
    return std::nullopt;
  }
  std::optional<Dims> symbolicInts(const std::string& v) const override {
    if (auto it = int_vecs_.find(v); it != int_vecs_.end()) return it->second.v;
    return std::nullopt;
  }
  int64_t freshDim() override { return symbolicDim(next_sym_++); }
  std::string addWeight(const std::string& base, PlainTensor t) override {
    const std::string name = uniqueName(base);
    out_.weights[name] = std::move(t);
    return name;
  }
  std::string uniqueName(const std::string& base) override {
    std::string name = base;
    for (int i = 1; out_.weights.count(name) || shapes_.count(name) || defined_.count(name); ++i) {
      name = base + "_" + std::to_string(i);
    }
    defined_.insert(name);
    return name;
  }

  // ---- values -----------------------------------------------------------------------------------

  std::optional<IntVec> intVec(const std::string& v) const {
    if (auto it = int_vecs_.find(v); it != int_vecs_.end()) return it->second;
    if (auto it = out_.weights.find(v); it != out_.weights.end() && it->second.dims.size() <= 1) {
      IntVec r;
      r.scalar = it->second.dims.empty();
      for (double x : it->second.values) r.v.push_back(static_cast<int64_t>(x));
      return r;
    }
    return std::nullopt;
  }

  // Stores an int vector: a weight when every entry is known, else kept symbolic.
  void setIntVec(const std::string& name, IntVec r) {
    if (std::none_of(r.v.begin(), r.v.end(), isSym)) {
      PlainTensor t;
      if (!r.scalar) t.dims = {static_cast<int64_t>(r.v.size())};
      for (int64_t x : r.v) t.values.push_back(static_cast<double>(x));
      out_.weights[name] = std::move(t);
    } else {
      int_vecs_[name] = std::move(r);
    }
  }

  // ---- the pass over nodes ----------------------------------------------------------------------

  void process(Node n) {
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      std::string& in = n.inputs[i];
      if (zero_states_.count(in)) {
        // Zeros of a run-time shape: only as a recurrent node's initial state, where an absent
        // input means the same.
        if ((n.op != "GRU" && n.op != "LSTM") || (i != 5 && i != 6)) {
          failNode(n, "uses '", in,
                   "', zeros of a shape known only at run time (ConstantOfShape); only a "
                   "recurrent node's initial state may be one");
        }
        in.clear();
      }
    }
    for (auto& in : n.inputs) {
      if (in.empty()) continue;
      if (auto it = alias_.find(in); it != alias_.end()) in = it->second;
      if (unavailable_.count(in)) {
        failNode(n, "uses '", in,
                 "', an output that is not supported (a Dropout mask or pooling "
                 "indices)");
      }
      if (!isWeight(in) && !defined_.count(in) && !int_vecs_.count(in)) {
        failNode(n, "input '", in,
                 "' is not produced by any earlier node, initializer or graph "
                 "input (nodes out of order, or a truncated or corrupted file)");
      }
    }
    const std::string& op = n.op;
    if (op == "Identity" || op == "Dropout") return removePassThrough(n);
    if (op == "Shape" || (op == "Concat" && foldsShapes(n)) || op == "Cast" ||
        ((op == "Unsqueeze" || op == "Squeeze" || op == "Gather") && !n.inputs.empty() &&
         (int_vecs_.count(n.inputs[0]) || intVec(n.inputs[0]).has_value()))) {
      return foldShapeArithmetic(n);
    }
    if (op == "ConstantOfShape" && !n.inputs.empty() && int_vecs_.count(n.inputs[0])) {
      return symbolicZeros(n);
    }
    if (op == "Pow") return rewritePow(std::move(n));
    normalizeAndEmit(std::move(n));
  }

  // A Concat of a shape computation with symbolic entries is folded; any other is an op (one of
  // constants alone is evaluated at import, exactly).
  bool foldsShapes(const Node& n) const {
    return std::any_of(n.inputs.begin(), n.inputs.end(),
                       [&](const std::string& in) { return int_vecs_.count(in) != 0; });
  }

  // ConstantOfShape of a shape computation with a symbolic entry (PyTorch's zero initial state
  // of a recurrent layer, [dirs, batch, hidden]): remembered, and dropped where it is used.
  void symbolicZeros(const Node& n) {
    ops::allowAttrs(*this, n, {"value"});
    if (n.attrFloat("value", 0.0) != 0.0 || n.outputs.size() != 1) {
      failNode(n, "fills a shape known only at run time with ", n.attrFloat("value", 0.0),
               "; only zeros feeding a recurrent node's initial state are supported");
    }
    zero_states_.insert(n.outputs[0]);
  }

  void removePassThrough(const Node& n) {
    if (n.op == "Identity") ops::allowAttrs(*this, n, {});
    if (n.op == "Dropout") {
      ops::allowAttrs(*this, n, {"ratio", "seed"});
      if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
        const PlainTensor& mode = constInput(n, 2, "training_mode");
        if (!mode.values.empty() && mode.values[0] != 0) {
          failNode(n, "training_mode is true; export the model in eval mode");
        }
      }
    }
    if (n.inputs.empty() || n.outputs.empty()) failNode(n, "needs an input and an output");
    alias_[n.outputs[0]] = n.inputs[0];
    for (size_t i = 1; i < n.outputs.size(); ++i) {
      if (!n.outputs[i].empty()) unavailable_.insert(n.outputs[i]);
    }
  }

  // Adds a normalised node to the graph, or folds it into a weight if all its inputs are weights.
  void emit(Node n) {
    for (const auto& in : n.inputs) {
      if (int_vecs_.count(in)) {
        failNode(n, "consumes '", in,
                 "', a shape computation that could not be folded into a "
                 "constant (only Reshape may take one)");
      }
    }
    const bool all_const =
        std::all_of(n.inputs.begin(), n.inputs.end(),
                    [&](const std::string& in) { return in.empty() || isWeight(in); });
    if (all_const && !n.inputs.empty()) {
      std::vector<const PlainTensor*> args;
      for (const auto& in : n.inputs) args.push_back(in.empty() ? nullptr : &out_.weights.at(in));
      std::vector<PlainTensor> outs;
      try {
        outs = evaluateNode(n, args, ops_);
      } catch (const InvalidArgument& e) {
        failSource("folding constant node: ", e.what());
      }
      for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i) {
        out_.weights[n.outputs[i]] = std::move(outs[i]);
      }
      return;
    }
    for (const auto& o : n.outputs) defined_.insert(o);
    std::vector<MaybeDims> shapes = inferShapes(n);
    for (size_t i = 0; i < shapes.size() && i < n.outputs.size(); ++i) {
      if (shapes[i] && !n.outputs[i].empty()) shapes_[n.outputs[i]] = std::move(*shapes[i]);
    }
    out_.nodes.push_back(std::move(n));
  }

  // The op's registry entry for this model's opset; unknown ops name the supported ones.
  const OpSchema& schemaOf(const Node& n) const {
    const OpSchema* schema = ops_.find(n.op, out_.opset);
    if (schema == nullptr) {
      failNode(n, "op '", n.op, "' is not supported; supported ops: ", ops_.typeList());
    }
    return *schema;
  }

  // Checks a supported op's inputs, outputs and attributes (its entry's normalize hook brings
  // them to graph.h's conventions) and adds what the hook returns to the graph.
  void normalizeAndEmit(Node n) {
    const OpSchema& schema = schemaOf(n);
    if (n.outputs.empty() || n.outputs[0].empty()) failNode(n, "has no output");
    for (size_t i = schema.num_outputs; i < n.outputs.size(); ++i) {
      if (!n.outputs[i].empty()) unavailable_.insert(n.outputs[i]);
    }
    if (n.outputs.size() > schema.num_outputs) n.outputs.resize(schema.num_outputs);
    const size_t lo = schema.min_inputs, hi = schema.max_inputs;
    while (n.inputs.size() > lo && n.inputs.back().empty()) n.inputs.pop_back();
    if (n.inputs.size() < lo || n.inputs.size() > hi) {
      failNode(n, "has ", n.inputs.size(), " inputs, expected ", lo, lo == hi ? "" : " to ",
               lo == hi ? "" : std::to_string(hi));
    }
    for (Node& out : schema.normalize(*this, std::move(n))) emit(std::move(out));
  }

  void rewritePow(Node n) {
    ops::allowAttrs(*this, n, {});
    if (n.inputs.size() != 2) failNode(n, "needs two inputs");
    const PlainTensor& e = constInput(n, 1, "the exponent");
    if (e.values.size() != 1 || e.values[0] != 2.0) {
      failNode(n, "only the exponent 2 is supported (rewritten as Mul(x, x)); got ",
               e.values.size() == 1 ? std::to_string(e.values[0]) : dimsStr(e.dims) + " values");
    }
    n.op = "Mul";
    n.inputs[1] = n.inputs[0];
    normalizeAndEmit(std::move(n));
  }

  // ---- shape arithmetic -------------------------------------------------------------------------

  void foldShapeArithmetic(const Node& n) {
    const std::string& op = n.op;
    if (n.outputs.size() != 1) failNode(n, "must have one output");
    auto vec = [&](size_t i) {
      if (i >= n.inputs.size()) failNode(n, "input ", i, " is missing");
      std::optional<IntVec> v = intVec(n.inputs[i]);
      if (!v) {
        failNode(n,
                 "is only supported on shape computations (constant 0-D or 1-D integers); "
                 "its input '",
                 n.inputs[i], "' is data. Supported ops: ", ops_.typeList());
      }
      return *v;
    };
    IntVec r;
    if (op == "Shape") {
      ops::allowAttrs(*this, n, {"start", "end"});
      const auto s = shapeOf(n.inputs.at(0));
      if (!s) failNode(n, "the shape of '", n.inputs[0], "' is unknown, so it cannot be folded");
      const int64_t rank = static_cast<int64_t>(s->size());
      auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
      const int64_t start = clamp(n.attrInt("start", 0)), end = clamp(n.attrInt("end", rank));
      for (int64_t i = start; i < end; ++i) r.v.push_back((*s)[i]);
    } else if (op == "Gather") {
      ops::allowAttrs(*this, n, {"axis"});
      ops::requireInt(*this, n, "axis", 0, "only axis 0 when folding shape computations");
      const IntVec data = vec(0), idx = vec(1);
      if (data.scalar) failNode(n, "gathers from a scalar");
      r.scalar = idx.scalar;
      for (int64_t i : idx.v) {
        const int64_t size = static_cast<int64_t>(data.v.size());
        if (i < -size || i >= size) failNode(n, "index ", i, " out of range ", size);
        r.v.push_back(data.v[i < 0 ? i + size : i]);
      }
    } else if (op == "Concat") {
      ops::allowAttrs(*this, n, {"axis"});
      const int64_t axis = n.attrInt("axis", 0);
      if (axis != 0 && axis != -1) failNode(n, "axis ", axis, " on 1-D shape computations");
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const IntVec v = vec(i);
        if (v.scalar) failNode(n, "concatenates a scalar");
        r.v.insert(r.v.end(), v.v.begin(), v.v.end());
      }
    } else if (op == "Cast") {
      ops::allowAttrs(*this, n, {"to", "saturate"});
      r = vec(0);
    } else if (op == "Unsqueeze" || op == "Squeeze") {
      const Dims axes = schemaOf(n).normalize(*this, n).at(0).attrInts("axes", {});
      r = vec(0);
      const bool ok = op == "Unsqueeze"
                          ? (r.scalar && axes.size() == 1 && (axes[0] == 0 || axes[0] == -1))
                          : (!r.scalar && r.v.size() == 1 && axes.size() <= 1);
      if (!ok) failNode(n, "on a shape computation: only scalar <-> [1] is supported");
      r.scalar = op == "Squeeze";
    }
    setIntVec(n.outputs[0], std::move(r));
  }

  // ---- shape inference (best effort: nullopt where it cannot tell) ----------------------------

  std::vector<MaybeDims> inferShapes(const Node& n) {
    std::vector<MaybeDims> in;
    for (const auto& v : n.inputs) in.push_back(v.empty() ? std::nullopt : shapeOf(v));
    if (in.empty() || !in[0]) return {};
    return schemaOf(n).infer(*this, n, in);
  }

  // ---- final passes -----------------------------------------------------------------------------

  // A Conv followed only by a BatchNormalization takes it in (ops/linear.cc).
  void foldBatchNorms() {
    std::set<std::string> graph_outputs;
    for (const auto& o : raw_.graph.outputs) {
      auto it = alias_.find(o);
      graph_outputs.insert(it == alias_.end() ? o : it->second);
    }
    ops::foldBatchNormsIntoConvs(*this, out_, graph_outputs);
  }

  // Graph outputs that Identity or Dropout produced: the node computing the value takes the
  // output's name where it can; otherwise the output is renamed to the value.
  void resolveOutputs() {
    std::set<std::string> names;
    for (const auto& o : raw_.graph.outputs) {
      std::string v = o;
      if (auto it = alias_.find(o); it != alias_.end()) v = it->second;
      if (unavailable_.count(v))
        failSource("graph output '", o,
                   "' is not supported (a Dropout mask or "
                   "pooling indices)");
      if (int_vecs_.count(v))
        failSource("graph output '", o,
                   "' is a shape computation on a symbolic "
                   "shape");
      if (!isWeight(v) && !defined_.count(v)) {
        failSource("graph output '", o,
                   "' is not produced by any node (truncated or corrupted file?)");
      }
      auto producer = std::find_if(out_.nodes.begin(), out_.nodes.end(), [&](const Node& n) {
        return std::find(n.outputs.begin(), n.outputs.end(), v) != n.outputs.end();
      });
      const bool is_output_elsewhere =
          std::count(raw_.graph.outputs.begin(), raw_.graph.outputs.end(), v) > 0;
      if (v != o && producer != out_.nodes.end() && !is_output_elsewhere) {
        for (Node& n : out_.nodes) {
          for (auto& s : n.inputs) s = s == v ? o : s;
          for (auto& s : n.outputs) s = s == v ? o : s;
        }
        v = o;
      }
      if (names.insert(v).second) out_.outputs.push_back(v);
    }
  }

  void dropUnusedWeights() {
    std::set<std::string> used(out_.outputs.begin(), out_.outputs.end());
    for (const Node& n : out_.nodes) used.insert(n.inputs.begin(), n.inputs.end());
    for (auto it = out_.weights.begin(); it != out_.weights.end();) {
      it = used.count(it->first) ? std::next(it) : out_.weights.erase(it);
    }
  }

  RawModel raw_;
  const OpRegistry& ops_;
  Graph out_;
  std::map<std::string, std::string> alias_;  // removed node's output -> its input
  std::map<std::string, Dims> shapes_;
  std::map<std::string, IntVec> int_vecs_;  // shape computations with symbolic entries
  std::set<std::string> defined_;           // data inputs and node outputs
  std::set<std::string> unavailable_;       // outputs we drop (masks, indices)
  std::set<std::string> zero_states_;       // run-time-shaped zeros (ConstantOfShape)
  std::map<std::string, int64_t> named_syms_;
  int64_t next_sym_ = 0;
};

}  // namespace

Graph normalizeImport(RawModel raw) {
  return Normalizer(std::move(raw), OpRegistry::builtin()).run();
}

}  // namespace sotto::nn::internal
