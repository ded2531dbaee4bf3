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
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

#include "onnx_import.h"
#include "sotto/error.h"
#include "sotto/model/plain_eval.h"

namespace sotto::nn::internal {
namespace {

using Dims = std::vector<int64_t>;

// Symbols are encoded as numbers far below any real dimension: kSym0 + id.
constexpr int64_t kSym0 = std::numeric_limits<int64_t>::min();
constexpr int64_t kSymLimit = kSym0 + (int64_t{1} << 40);
bool isSym(int64_t d) { return d < kSymLimit; }

std::string dimsStr(const Dims& d) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < d.size(); ++i) {
    os << (i ? ", " : "");
    if (isSym(d[i])) {
      os << "?";
    } else {
      os << d[i];
    }
  }
  os << "]";
  return os.str();
}

std::string opList() {
  std::string list;
  for (const auto& s : supportedOps()) list += (list.empty() ? "" : ", ") + s;
  return list;
}

// A product of dimensions: a number times symbols.
struct SymProduct {
  int64_t k = 1;
  std::multiset<int64_t> syms;
  void mul(int64_t d) {
    if (isSym(d)) {
      syms.insert(d);
    } else {
      k *= d;
    }
  }
};

// An integer vector being computed from shapes (a rank-1 tensor, or a scalar).
struct IntVec {
  Dims v;
  bool scalar = false;
};

class Normalizer {
 public:
  explicit Normalizer(RawModel raw) : raw_(std::move(raw)) {}

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
          dims[i] = fresh();
        } else {
          auto [it, added] = named_syms_.emplace(p, 0);
          if (added) it->second = fresh();
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
  [[noreturn]] void fail(Args&&... args) {
    throw InvalidArgument(sotto::detail::concat(raw_.source, ": ", std::forward<Args>(args)...));
  }
  template <typename... Args>
  [[noreturn]] void failNode(const Node& n, Args&&... args) {
    fail("node '", n.name, "' (", n.op, "): ", std::forward<Args>(args)...);
  }

  // Ops whose private evaluation has a restricted domain (sotto/math/functions.h): a constant
  // input outside it is an error; otherwise one warning per node saying what comes back there.
  void checkMathDomain(const Node& n) {
    const std::string& op = n.op;
    const char* outside = op == "Reciprocal" ? "Reciprocal(0) gives 0"
                          : op == "Log"      ? "Log(x <= 0) gives log(2^-f) (-11.09 at 16 bits)"
                          : op == "Sqrt"     ? "Sqrt(x < 0) gives 0"
                          : op == "Exp"      ? "Exp(x) past ln(2^(63-f)) (32.58 at 16 bits) gives "
                                               "the largest value 2^(63-f) - 2^-f"
                                             : nullptr;
    if (outside == nullptr) return;
    if (isWeight(n.inputs[0])) {
      for (double v : out_.weights.at(n.inputs[0]).values) {
        const bool bad = op == "Reciprocal" ? v == 0 : op == "Log" ? v <= 0 : op == "Sqrt" && v < 0;
        if (bad)
          failNode(n, "the constant input '", n.inputs[0], "' holds ", v, ", outside the domain");
      }
      return;
    }
    std::cerr << "sotto: warning: " << raw_.source << ": node '" << n.name << "' (" << op
              << ") has a restricted domain in private inference: " << outside << "\n";
  }

  void allowAttrs(const Node& n, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : n.attrs) {
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        failNode(n, "attribute '", key, "' is not supported (", n.op, " takes ",
                 list.empty() ? "no attributes" : list, ")");
      }
    }
  }

  // Attribute `key` must equal `want` (or be absent, when the default is `want`).
  void requireInts(const Node& n, const char* key, const Dims& want, const char* why) {
    if (!n.attrs.count(key)) return;
    const Dims v = n.attrInts(key, want);
    if (v != want) failNode(n, "attribute '", key, "' = ", dimsStr(v), " is not supported: ", why);
  }
  void requireInt(const Node& n, const char* key, int64_t want, const char* why) {
    const int64_t v = n.attrInt(key, want);
    if (v != want) failNode(n, "attribute '", key, "' = ", v, " is not supported: ", why);
  }

  // ---- values -----------------------------------------------------------------------------------

  int64_t fresh() { return kSym0 + next_sym_++; }

  bool isWeight(const std::string& v) const { return out_.weights.count(v) != 0; }

  std::optional<Dims> shapeOf(const std::string& v) const {
    if (auto it = out_.weights.find(v); it != out_.weights.end()) return it->second.dims;
    if (auto it = shapes_.find(v); it != shapes_.end()) return it->second;
    return std::nullopt;
  }

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

  std::string uniqueName(const std::string& base) {
    std::string name = base;
    for (int i = 1; out_.weights.count(name) || shapes_.count(name) || defined_.count(name); ++i) {
      name = base + "_" + std::to_string(i);
    }
    defined_.insert(name);
    return name;
  }

  const PlainTensor& constInput(const Node& n, size_t i, const char* what) {
    if (i >= n.inputs.size() || !isWeight(n.inputs[i])) {
      failNode(n, what, " must be a constant (an initializer or Constant), got ",
               i < n.inputs.size() ? "'" + n.inputs[i] + "'" : std::string("nothing"));
    }
    return out_.weights.at(n.inputs[i]);
  }

  // ---- the pass over nodes ----------------------------------------------------------------------

  void process(Node n) {
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
    if (op == "Shape" || op == "Gather" || op == "Concat" || op == "Cast" ||
        ((op == "Unsqueeze" || op == "Squeeze") && !n.inputs.empty() &&
         int_vecs_.count(n.inputs[0]))) {
      return foldShapeArithmetic(n);
    }
    if (op == "Pow") return rewritePow(std::move(n));
    if (op == "Softmax" || op == "LogSoftmax") {
      if (out_.opset < 13) return rewriteLegacySoftmax(std::move(n));
    }
    normalize(n);
    emit(std::move(n));
  }

  void removePassThrough(const Node& n) {
    if (n.op == "Identity") allowAttrs(n, {});
    if (n.op == "Dropout") {
      allowAttrs(n, {"ratio", "seed"});
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
        outs = evaluateNode(n, args);
      } catch (const InvalidArgument& e) {
        fail("folding constant node: ", e.what());
      }
      for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i) {
        out_.weights[n.outputs[i]] = std::move(outs[i]);
      }
      return;
    }
    for (const auto& o : n.outputs) defined_.insert(o);
    if (std::optional<Dims> s = inferShape(n)) shapes_[n.outputs[0]] = std::move(*s);
    out_.nodes.push_back(std::move(n));
  }

  // Checks a supported op's attributes and inputs and brings them to graph.h's conventions.
  void normalize(Node& n) {
    const std::string& op = n.op;
    auto outputs = [&](size_t max_used) {
      if (n.outputs.empty() || n.outputs[0].empty()) failNode(n, "has no output");
      for (size_t i = max_used; i < n.outputs.size(); ++i) {
        if (!n.outputs[i].empty()) unavailable_.insert(n.outputs[i]);
      }
      n.outputs.resize(max_used);
    };
    auto inputs = [&](size_t lo, size_t hi) {
      while (n.inputs.size() > lo && n.inputs.back().empty()) n.inputs.pop_back();
      if (n.inputs.size() < lo || n.inputs.size() > hi) {
        failNode(n, "has ", n.inputs.size(), " inputs, expected ", lo, lo == hi ? "" : " to ",
                 lo == hi ? "" : std::to_string(hi));
      }
    };
    outputs(1);
    if (op == "Conv") {
      inputs(2, 3);
      normalizeWindow(n, true);
    } else if (op == "MaxPool" || op == "AveragePool") {
      inputs(1, 1);
      normalizeWindow(n, false);
    } else if (op == "Gemm") {
      inputs(2, 3);
      allowAttrs(n, {"alpha", "beta", "transA", "transB"});
      requireInt(n, "transA", 0, "only transA = 0");
      const double alpha = n.attrFloat("alpha", 1.0), beta = n.attrFloat("beta", 1.0);
      const int64_t tb = n.attrInt("transB", 0);
      n.attrs = {{"alpha", alpha}, {"beta", beta}, {"transB", tb != 0 ? int64_t{1} : int64_t{0}}};
    } else if (op == "MatMul" || op == "Add" || op == "Sub" || op == "Mul") {
      inputs(2, 2);
      allowAttrs(n, {});
    } else if (op == "Div") {
      inputs(2, 2);
      allowAttrs(n, {});
      if (!isWeight(n.inputs[1])) {
        failNode(n, "only division by a constant is supported; the divisor '", n.inputs[1],
                 "' is computed (use Reciprocal and Mul)");
      }
      for (double v : out_.weights.at(n.inputs[1]).values) {
        if (v == 0) failNode(n, "the constant divisor '", n.inputs[1], "' holds a zero");
      }
    } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Exp" || op == "Log" ||
               op == "Reciprocal" || op == "Sqrt" || op == "Neg" || op == "GlobalAveragePool") {
      inputs(1, 1);
      allowAttrs(n, {});
      checkMathDomain(n);
    } else if (op == "BatchNormalization") {
      inputs(5, 5);
      allowAttrs(n, {"epsilon", "momentum", "training_mode"});
      requireInt(n, "training_mode", 0, "export the model in eval mode");
      for (size_t i = 1; i < 5; ++i) constInput(n, i, "the scale, bias, mean and variance");
      n.attrs = {{"epsilon", n.attrFloat("epsilon", 1e-5)}};
    } else if (op == "Flatten") {
      inputs(1, 1);
      allowAttrs(n, {"axis"});
      n.attrs = {{"axis", n.attrInt("axis", 1)}};
    } else if (op == "Reshape") {
      inputs(2, 2);
      allowAttrs(n, {"allowzero"});
      requireInt(n, "allowzero", 0, "only allowzero = 0");
      n.attrs.clear();
      resolveReshapeTarget(n);
    } else if (op == "Softmax" || op == "LogSoftmax") {
      inputs(1, 1);
      allowAttrs(n, {"axis"});
      n.attrs = {{"axis", n.attrInt("axis", -1)}};
    } else if (op == "Transpose") {
      inputs(1, 1);
      allowAttrs(n, {"perm"});
      if (!n.attrs.count("perm")) {
        const auto s = shapeOf(n.inputs[0]);
        if (!s) failNode(n, "has no perm and the input's rank is unknown");
        Dims perm;
        for (size_t i = s->size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
        n.attrs["perm"] = perm;
      }
    } else if (op == "Squeeze" || op == "Unsqueeze") {
      normalizeAxes(n);
    } else {
      failNode(n, "op '", op, "' is not supported; supported ops: ", opList());
    }
  }

  // Conv, MaxPool, AveragePool: 2-D window, symmetric pads, dilation 1, floor rounding.
  void normalizeWindow(Node& n, bool is_conv) {
    if (is_conv) {
      allowAttrs(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    } else if (n.op == "MaxPool") {
      allowAttrs(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order",
                     "strides"});
      requireInt(n, "storage_order", 0, "only storage_order = 0");
    } else {
      allowAttrs(n,
                 {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
    }
    const std::string auto_pad = n.attrString("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET") {
      failNode(n, "attribute 'auto_pad' = ", auto_pad,
               " is not supported: only NOTSET (explicit "
               "pads)");
    }
    requireInt(n, "ceil_mode", 0, "only ceil_mode = 0 (floor)");
    requireInts(n, "dilations", {1, 1}, "only dilations 1");
    Dims kernel = n.attrInts("kernel_shape", {});
    if (is_conv) {
      const auto ws = shapeOf(n.inputs[1]);
      if (ws && ws->size() != 4) {
        failNode(n, "only 2-D convolutions are supported; the weight has shape ", dimsStr(*ws));
      }
      if (kernel.empty() && ws) kernel = {(*ws)[2], (*ws)[3]};
      if (ws && kernel != Dims{(*ws)[2], (*ws)[3]}) {
        failNode(n, "kernel_shape ", dimsStr(kernel), " does not match the weight ", dimsStr(*ws));
      }
    }
    if (kernel.size() != 2) {
      failNode(n, "only 2-D windows are supported; kernel_shape is ", dimsStr(kernel));
    }
    const Dims strides = n.attrInts("strides", {1, 1});
    const Dims pads = n.attrInts("pads", {0, 0, 0, 0});
    if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1) {
      failNode(n, "attribute 'strides' = ", dimsStr(strides), " is not supported: two values >= 1");
    }
    if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3] || pads[0] < 0 ||
        pads[1] < 0) {
      failNode(n, "attribute 'pads' = ", dimsStr(pads),
               " is not supported: only symmetric pads [h, w, h, w] >= 0");
    }
    std::map<std::string, AttrValue> attrs = {
        {"kernel_shape", kernel}, {"strides", strides}, {"pads", pads}};
    if (is_conv) attrs["group"] = n.attrInt("group", 1);
    if (n.op == "AveragePool") {
      const int64_t cip = n.attrInt("count_include_pad", 0);
      if (cip != 0 && cip != 1) failNode(n, "attribute 'count_include_pad' = ", cip);
      attrs["count_include_pad"] = cip;
    }
    n.attrs = std::move(attrs);
  }

  // Squeeze / Unsqueeze: axes from the attribute (opset < 13) or a constant input, to an attribute.
  void normalizeAxes(Node& n) {
    allowAttrs(n, {"axes"});
    Dims axes = n.attrInts("axes", {});
    if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
      const PlainTensor& a = constInput(n, 1, "the axes input");
      axes.clear();
      for (double v : a.values) axes.push_back(static_cast<int64_t>(v));
    }
    n.inputs.resize(1);
    if (axes.empty()) {
      if (n.op == "Unsqueeze") failNode(n, "has no axes");
      const auto s = shapeOf(n.inputs[0]);
      if (!s) failNode(n, "has no axes and the input's shape is unknown");
      for (size_t i = 0; i < s->size(); ++i) {
        if (isSym((*s)[i]))
          failNode(n, "has no axes and the input's shape ", dimsStr(*s), " is symbolic");
        if ((*s)[i] == 1) axes.push_back(static_cast<int64_t>(i));
      }
    }
    n.attrs = {{"axes", axes}};
  }

  // A Reshape target computed from shapes becomes a weight (0 / -1 where it holds a symbol).
  void resolveReshapeTarget(Node& n) {
    if (isWeight(n.inputs[1])) return;
    auto it = int_vecs_.find(n.inputs[1]);
    if (it == int_vecs_.end()) {
      failNode(n, "the target shape '", n.inputs[1],
               "' is computed from data; it must be a "
               "constant or a shape computation that can be folded");
    }
    Dims target = it->second.v;
    const std::optional<Dims> data = shapeOf(n.inputs[0]);
    std::vector<size_t> unknown;
    for (size_t i = 0; i < target.size(); ++i) {
      if (!isSym(target[i])) continue;
      if (data && i < data->size() && (*data)[i] == target[i]) {
        target[i] = 0;  // the data's own dimension: copy it
      } else {
        unknown.push_back(i);
      }
    }
    const bool has_minus_one = std::count(target.begin(), target.end(), -1) > 0;
    if (unknown.size() == 1 && !has_minus_one) {
      target[unknown[0]] = -1;
    } else if (!unknown.empty()) {
      failNode(n, "cannot fold the target shape ", dimsStr(it->second.v),
               " computed from a symbolic input shape into a constant");
    }
    PlainTensor t;
    t.dims = {static_cast<int64_t>(target.size())};
    for (int64_t v : target) t.values.push_back(static_cast<double>(v));
    const std::string name = uniqueName(n.name + ".shape");
    out_.weights[name] = std::move(t);
    n.inputs[1] = name;
  }

  void rewritePow(Node n) {
    allowAttrs(n, {});
    if (n.inputs.size() != 2) failNode(n, "needs two inputs");
    const PlainTensor& e = constInput(n, 1, "the exponent");
    if (e.values.size() != 1 || e.values[0] != 2.0) {
      failNode(n, "only the exponent 2 is supported (rewritten as Mul(x, x)); got ",
               e.values.size() == 1 ? std::to_string(e.values[0]) : dimsStr(e.dims) + " values");
    }
    n.op = "Mul";
    n.inputs[1] = n.inputs[0];
    normalize(n);
    emit(std::move(n));
  }

  // Softmax before opset 13 works on the input coerced to 2-D at `axis` (default 1). Where that
  // is the same as one axis (every dimension after `axis` but the last is 1... or axis is last),
  // only the axis changes; otherwise Flatten -> Softmax(axis 1) -> Reshape back.
  void rewriteLegacySoftmax(Node n) {
    allowAttrs(n, {"axis"});
    if (n.inputs.size() != 1) failNode(n, "needs one input");
    const auto s = shapeOf(n.inputs[0]);
    if (!s) failNode(n, "opset ", out_.opset, " semantics need the input's rank, which is unknown");
    const int64_t r = static_cast<int64_t>(s->size());
    int64_t axis = n.attrInt("axis", 1);
    if (axis < -r || axis >= r) failNode(n, "axis ", axis, " is out of range for rank ", r);
    if (axis < 0) axis += r;
    bool single = true;
    for (int64_t i = axis; i + 1 < r; ++i) single = single && (*s)[i] == 1;
    if (single) {
      n.attrs = {{"axis", int64_t{r - 1}}};
      n.outputs.resize(1);
      emit(std::move(n));
      return;
    }
    Node flat{n.name + "/flatten",
              "Flatten",
              {n.inputs[0]},
              {uniqueName(n.name + "/flat")},
              {{"axis", axis}}};
    Node soft{
        n.name, n.op, {flat.outputs[0]}, {uniqueName(n.name + "/2d")}, {{"axis", int64_t{1}}}};
    Dims back = *s;
    int64_t syms = 0;
    for (auto& d : back) {
      if (isSym(d)) {
        d = -1;
        ++syms;
      }
    }
    if (syms > 1)
      failNode(n, "opset ", out_.opset, " semantics on the symbolic shape ", dimsStr(*s));
    PlainTensor shape;
    shape.dims = {r};
    for (int64_t d : back) shape.values.push_back(static_cast<double>(d));
    const std::string shape_name = uniqueName(n.name + ".shape");
    out_.weights[shape_name] = std::move(shape);
    Node reshape{n.name + "/reshape", "Reshape", {soft.outputs[0], shape_name}, {n.outputs[0]}, {}};
    emit(std::move(flat));
    emit(std::move(soft));
    emit(std::move(reshape));
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
                 n.inputs[i], "' is data. Supported ops: ", opList());
      }
      return *v;
    };
    IntVec r;
    if (op == "Shape") {
      allowAttrs(n, {"start", "end"});
      const auto s = shapeOf(n.inputs.at(0));
      if (!s) failNode(n, "the shape of '", n.inputs[0], "' is unknown, so it cannot be folded");
      const int64_t rank = static_cast<int64_t>(s->size());
      auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
      const int64_t start = clamp(n.attrInt("start", 0)), end = clamp(n.attrInt("end", rank));
      for (int64_t i = start; i < end; ++i) r.v.push_back((*s)[i]);
    } else if (op == "Gather") {
      allowAttrs(n, {"axis"});
      requireInt(n, "axis", 0, "only axis 0 when folding shape computations");
      const IntVec data = vec(0), idx = vec(1);
      if (data.scalar) failNode(n, "gathers from a scalar");
      r.scalar = idx.scalar;
      for (int64_t i : idx.v) {
        const int64_t size = static_cast<int64_t>(data.v.size());
        if (i < -size || i >= size) failNode(n, "index ", i, " out of range ", size);
        r.v.push_back(data.v[i < 0 ? i + size : i]);
      }
    } else if (op == "Concat") {
      allowAttrs(n, {"axis"});
      const int64_t axis = n.attrInt("axis", 0);
      if (axis != 0 && axis != -1) failNode(n, "axis ", axis, " on 1-D shape computations");
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const IntVec v = vec(i);
        if (v.scalar) failNode(n, "concatenates a scalar");
        r.v.insert(r.v.end(), v.v.begin(), v.v.end());
      }
    } else if (op == "Cast") {
      allowAttrs(n, {"to", "saturate"});
      r = vec(0);
    } else if (op == "Unsqueeze" || op == "Squeeze") {
      Node copy = n;
      normalizeAxes(copy);
      const Dims axes = copy.attrInts("axes", {});
      r = vec(0);
      const bool ok = op == "Unsqueeze"
                          ? (r.scalar && axes.size() == 1 && (axes[0] == 0 || axes[0] == -1))
                          : (!r.scalar && r.v.size() == 1 && axes.size() <= 1);
      if (!ok) failNode(n, "on a shape computation: only scalar <-> [1] is supported");
      r.scalar = op == "Squeeze";
    }
    setIntVec(n.outputs[0], std::move(r));
  }

  // ---- shape inference (best effort: nullopt where it cannot tell)
  // -------------------------------

  int64_t mergeBroadcast(const Node& n, int64_t a, int64_t b, const Dims& da, const Dims& db) {
    if (a == b || b == 1) return a;
    if (a == 1) return b;
    if (isSym(a) && isSym(b)) return fresh();
    if (isSym(a)) return b;
    if (isSym(b)) return a;
    failNode(n, "shapes ", dimsStr(da), " and ", dimsStr(db), " do not broadcast");
  }

  Dims broadcast(const Node& n, const Dims& a, const Dims& b) {
    const size_t r = std::max(a.size(), b.size());
    Dims out(r);
    for (size_t i = 0; i < r; ++i) {
      const int64_t x = i + a.size() >= r ? a[i + a.size() - r] : 1;
      const int64_t y = i + b.size() >= r ? b[i + b.size() - r] : 1;
      out[i] = mergeBroadcast(n, x, y, a, b);
    }
    return out;
  }

  int64_t fromProduct(const SymProduct& p) {
    if (p.syms.empty()) return p.k;
    if (p.syms.size() == 1 && p.k == 1) return *p.syms.begin();
    return fresh();
  }

  int64_t windowOut(int64_t in, int64_t k, int64_t s, int64_t pad) {
    if (isSym(in)) return fresh();
    return (in + 2 * pad - k) / s + 1;
  }

  std::optional<Dims> inferShape(const Node& n) {
    const std::string& op = n.op;
    std::vector<std::optional<Dims>> in;
    for (const auto& v : n.inputs) in.push_back(v.empty() ? std::nullopt : shapeOf(v));
    if (in.empty() || !in[0]) return std::nullopt;
    const Dims& x = *in[0];
    if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Exp" || op == "Log" ||
        op == "Reciprocal" || op == "Sqrt" || op == "Neg" || op == "Softmax" ||
        op == "LogSoftmax" || op == "BatchNormalization") {
      return x;
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      if (!in[1]) return std::nullopt;
      return broadcast(n, x, *in[1]);
    }
    if (op == "Conv" || op == "MaxPool" || op == "AveragePool") {
      if (x.size() != 4) failNode(n, "expects input [N, C, H, W], got ", dimsStr(x));
      const Dims k = n.attrInts("kernel_shape", {}), s = n.attrInts("strides", {}),
                 p = n.attrInts("pads", {});
      int64_t c = x[1];
      if (op == "Conv") {
        if (!in[1]) return std::nullopt;
        const Dims& w = *in[1];
        const int64_t g = n.attrInt("group", 1);
        if (!isSym(x[1]) && x[1] != w[1] * g) {
          failNode(n, "input ", dimsStr(x), " has ", x[1], " channels, the weight ", dimsStr(w),
                   " with group ", g, " expects ", w[1] * g);
        }
        c = w[0];
      }
      const Dims out{x[0], c, windowOut(x[2], k[0], s[0], p[0]), windowOut(x[3], k[1], s[1], p[1])};
      if ((!isSym(out[2]) && out[2] < 1) || (!isSym(out[3]) && out[3] < 1)) {
        failNode(n, "the window ", dimsStr(k), " does not fit the input ", dimsStr(x));
      }
      return out;
    }
    if (op == "GlobalAveragePool") {
      if (x.size() < 3) return std::nullopt;
      Dims out(x.size(), 1);
      out[0] = x[0];
      out[1] = x[1];
      return out;
    }
    if (op == "Gemm") {
      if (!in[1] || x.size() != 2 || in[1]->size() != 2) return std::nullopt;
      const Dims& b = *in[1];
      const bool tb = n.attrInt("transB", 0) != 0;
      const int64_t k = tb ? b[1] : b[0];
      if (!isSym(x[1]) && !isSym(k) && x[1] != k) {
        failNode(n, "A ", dimsStr(x), " and B ", dimsStr(b), (tb ? " (transposed)" : ""),
                 " have different inner dimensions");
      }
      return Dims{x[0], tb ? b[0] : b[1]};
    }
    if (op == "MatMul") {
      if (!in[1] || x.size() < 2 || in[1]->size() < 2) return std::nullopt;
      const Dims& b = *in[1];
      Dims out = broadcast(n, Dims(x.begin(), x.end() - 2), Dims(b.begin(), b.end() - 2));
      out.push_back(x[x.size() - 2]);
      out.push_back(b.back());
      return out;
    }
    if (op == "Flatten") {
      const int64_t r = static_cast<int64_t>(x.size());
      int64_t axis = n.attrInt("axis", 1);
      if (axis < 0) axis += r;
      if (axis < 0 || axis > r) failNode(n, "axis ", n.attrInt("axis", 1), " for rank ", r);
      SymProduct a, b;
      for (int64_t i = 0; i < r; ++i) (i < axis ? a : b).mul(x[i]);
      return Dims{fromProduct(a), fromProduct(b)};
    }
    if (op == "Reshape") {
      const PlainTensor& t = out_.weights.at(n.inputs[1]);
      Dims out;
      int64_t infer = -1;
      SymProduct known, total;
      for (int64_t d : x) total.mul(d);
      for (size_t i = 0; i < t.values.size(); ++i) {
        int64_t d = static_cast<int64_t>(t.values[i]);
        if (d == 0) {
          if (i >= x.size()) failNode(n, "target ", i, " is 0 but the input has rank ", x.size());
          d = x[i];
        }
        if (d == -1) {
          infer = static_cast<int64_t>(i);
        } else {
          known.mul(d);
        }
        out.push_back(d);
      }
      if (infer >= 0) {
        SymProduct rest;
        bool ok = known.k != 0 && total.k % known.k == 0;
        rest.k = ok ? total.k / known.k : 1;
        rest.syms = total.syms;
        for (int64_t s : known.syms) {
          auto it = rest.syms.find(s);
          if (it == rest.syms.end()) {
            ok = false;
            break;
          }
          rest.syms.erase(it);
        }
        out[infer] = ok ? fromProduct(rest) : fresh();
      }
      return out;
    }
    if (op == "Transpose") {
      const Dims perm = n.attrInts("perm", {});
      if (perm.size() != x.size()) failNode(n, "perm ", dimsStr(perm), " for input ", dimsStr(x));
      Dims out;
      for (int64_t p : perm) {
        if (p < 0 || p >= static_cast<int64_t>(x.size())) failNode(n, "bad perm ", dimsStr(perm));
        out.push_back(x[p]);
      }
      return out;
    }
    if (op == "Squeeze" || op == "Unsqueeze") {
      const Dims axes = n.attrInts("axes", {});
      const int64_t r = static_cast<int64_t>(x.size() + (op == "Unsqueeze" ? axes.size() : 0));
      std::set<int64_t> set;
      for (int64_t a : axes) {
        // Out of range or repeated axes would index past the input's dims below.
        if (a < -r || a >= r || !set.insert(a < 0 ? a + r : a).second)
          failNode(n, "axes ", dimsStr(axes), " for an input of rank ", x.size());
      }
      Dims out;
      if (op == "Squeeze") {
        for (int64_t i = 0; i < r; ++i) {
          if (!set.count(i)) out.push_back(x[i]);
        }
      } else {
        size_t j = 0;
        for (int64_t i = 0; i < r; ++i) out.push_back(set.count(i) ? 1 : x[j++]);
      }
      return out;
    }
    return std::nullopt;
  }

  // ---- final passes -----------------------------------------------------------------------------

  std::map<std::string, int> useCounts() const {
    std::map<std::string, int> uses;
    for (const Node& n : out_.nodes) {
      for (const auto& in : n.inputs) ++uses[in];
    }
    return uses;
  }

  // Conv -> BatchNormalization where the conv's output feeds only the BN: scale the conv's
  // weights and bias per output channel, W' = W·a, b' = (b - mean)·a + beta, a =
  // gamma/sqrt(var+eps).
  void foldBatchNorms() {
    std::set<std::string> graph_outputs;
    for (const auto& o : raw_.graph.outputs) {
      auto it = alias_.find(o);
      graph_outputs.insert(it == alias_.end() ? o : it->second);
    }
    for (size_t j = 0; j < out_.nodes.size(); ++j) {
      const Node& bn = out_.nodes[j];
      if (bn.op != "BatchNormalization") continue;
      const auto uses = useCounts();
      const std::string& x = bn.inputs[0];
      if (uses.at(x) != 1 || graph_outputs.count(x)) continue;
      auto conv = std::find_if(out_.nodes.begin(), out_.nodes.begin() + j,
                               [&](const Node& c) { return c.outputs[0] == x; });
      if (conv == out_.nodes.begin() + j || conv->op != "Conv" || !isWeight(conv->inputs[1]) ||
          (conv->inputs.size() > 2 && !isWeight(conv->inputs[2]))) {
        continue;
      }
      PlainTensor w = out_.weights.at(conv->inputs[1]);
      const int64_t o = w.dims[0], per = w.numel() / o;
      PlainTensor b;
      b.dims = {o};
      b.values.assign(o, 0.0);
      if (conv->inputs.size() > 2) b = out_.weights.at(conv->inputs[2]);
      const auto& gamma = out_.weights.at(bn.inputs[1]).values;
      const auto& beta = out_.weights.at(bn.inputs[2]).values;
      const auto& mean = out_.weights.at(bn.inputs[3]).values;
      const auto& var = out_.weights.at(bn.inputs[4]).values;
      if (static_cast<int64_t>(gamma.size()) != o || static_cast<int64_t>(beta.size()) != o ||
          static_cast<int64_t>(mean.size()) != o || static_cast<int64_t>(var.size()) != o ||
          b.numel() != o) {
        failNode(bn, "parameters do not match the ", o, " channels of conv '", conv->name, "'");
      }
      const double eps = bn.attrFloat("epsilon", 1e-5);
      for (int64_t c = 0; c < o; ++c) {
        const double a = gamma[c] / std::sqrt(var[c] + eps);
        for (int64_t i = 0; i < per; ++i) w.values[c * per + i] *= a;
        b.values[c] = (b.values[c] - mean[c]) * a + beta[c];
      }
      // Keep the conv's weight names where nothing else uses them.
      auto store = [&](const std::string& old, const std::string& base, PlainTensor t) {
        const std::string name =
            (!old.empty() && uses.count(old) && uses.at(old) == 1) ? old : uniqueName(base);
        out_.weights[name] = std::move(t);
        return name;
      };
      Node& c = *conv;
      const std::string old_b = c.inputs.size() > 2 ? c.inputs[2] : std::string();
      c.inputs[1] = store(c.inputs[1], c.inputs[1] + "_bn_folded", std::move(w));
      c.inputs.resize(3);
      c.inputs[2] =
          store(old_b, old_b.empty() ? c.name + ".bias" : old_b + "_bn_folded", std::move(b));
      c.outputs[0] = bn.outputs[0];
      out_.nodes.erase(out_.nodes.begin() + j);
      --j;
    }
  }

  // Graph outputs that Identity or Dropout produced: the node computing the value takes the
  // output's name where it can; otherwise the output is renamed to the value.
  void resolveOutputs() {
    std::set<std::string> names;
    for (const auto& o : raw_.graph.outputs) {
      std::string v = o;
      if (auto it = alias_.find(o); it != alias_.end()) v = it->second;
      if (unavailable_.count(v))
        fail("graph output '", o,
             "' is not supported (a Dropout mask or "
             "pooling indices)");
      if (int_vecs_.count(v))
        fail("graph output '", o,
             "' is a shape computation on a symbolic "
             "shape");
      if (!isWeight(v) && !defined_.count(v)) {
        fail("graph output '", o, "' is not produced by any node (truncated or corrupted file?)");
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
  Graph out_;
  std::map<std::string, std::string> alias_;  // removed node's output -> its input
  std::map<std::string, Dims> shapes_;
  std::map<std::string, IntVec> int_vecs_;  // shape computations with symbolic entries
  std::set<std::string> defined_;           // data inputs and node outputs
  std::set<std::string> unavailable_;       // outputs we drop (masks, indices)
  std::map<std::string, int64_t> named_syms_;
  int64_t next_sym_ = 0;
};

}  // namespace

Graph normalizeImport(RawModel raw) { return Normalizer(std::move(raw)).run(); }

}  // namespace sotto::nn::internal
