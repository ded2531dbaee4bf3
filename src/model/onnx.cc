// ONNX import, stage 1: protobuf -> RawModel. Checks what the file is (a model, its opset and
// domains, its tensors) and converts attributes; normalisation is onnx_normalize.cc.
#include "sotto/model/onnx.h"

#include <limits>

#include "onnx_import.h"
#include "onnx_tensor.h"
#include "sotto/error.h"
#include "sotto/model/npy.h"

namespace sotto::nn {
namespace {

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 21;

class Decoder {
 public:
  explicit Decoder(std::string source) { raw_.source = std::move(source); }

  internal::RawModel run(const onnx::ModelProto& model) {
    if (!model.has_graph() || model.opset_import_size() == 0) {
      fail("not an ONNX model (", model.has_graph() ? "no opset_import" : "no graph",
           "): the file is truncated, corrupted or in another format");
    }
    readOpset(model);
    const onnx::GraphProto& g = model.graph();
    if (g.sparse_initializer_size() > 0) fail("sparse initializers are not supported");
    for (const auto& t : g.initializer()) addWeight(t.name(), t, "initializer");
    for (const auto& vi : g.input()) {
      if (raw_.graph.isWeight(vi.name())) continue;  // an initializer listed as an input
      addInput(vi);
    }
    for (const auto& vi : g.output()) raw_.graph.outputs.push_back(vi.name());
    if (raw_.graph.outputs.empty()) fail("the graph has no outputs (truncated or corrupted?)");
    for (int i = 0; i < g.node_size(); ++i) addNode(g.node(i), i);
    return std::move(raw_);
  }

 private:
  template <typename... Args>
  [[noreturn]] void fail(Args&&... args) {
    throw InvalidArgument(detail::concat(raw_.source, ": ", std::forward<Args>(args)...));
  }

  void readOpset(const onnx::ModelProto& model) {
    int64_t opset = -1;
    for (const auto& op : model.opset_import()) {
      if (op.domain().empty() || op.domain() == "ai.onnx") opset = op.version();
    }
    if (opset < 0) fail("the model imports no opset of the default ONNX domain");
    if (opset < kMinOpset || opset > kMaxOpset) {
      fail("opset ", opset, " is not supported (supported: ", kMinOpset, " to ", kMaxOpset,
           "); re-export the model with opset_version between them");
    }
    raw_.graph.opset = opset;
  }

  void addWeight(const std::string& name, const onnx::TensorProto& t, const char* what) {
    if (name.empty()) fail("an ", what, " has no name");
    PlainTensor value = internal::fromTensorProto(t, raw_.source + ": " + what + " '" + name + "'");
    if (!raw_.graph.weights.emplace(name, std::move(value)).second) {
      fail("the name '", name, "' is defined twice");
    }
  }

  void addInput(const onnx::ValueInfoProto& vi) {
    ValueInfo in{vi.name(), {}};
    std::vector<std::string> params;
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) {
      fail("graph input '", vi.name(), "' has no tensor shape; re-export it with one");
    }
    for (const auto& d : vi.type().tensor_type().shape().dim()) {
      in.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      params.push_back(d.has_dim_param() ? d.dim_param() : "");
      if (d.has_dim_value() && d.dim_value() < 0) {
        fail("graph input '", vi.name(), "' has a negative dimension ", d.dim_value());
      }
    }
    raw_.dim_params[in.name] = std::move(params);
    raw_.graph.inputs.push_back(std::move(in));
  }

  void addNode(const onnx::NodeProto& n, int index) {
    Node node;
    node.op = n.op_type();
    node.name = n.name().empty() ? node.op + "_" + std::to_string(index) : n.name();
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      fail("node '", node.name, "' (", node.op, ") is in domain '", n.domain(),
           "'; only the default ONNX domain is supported");
    }
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    if (node.op == "Constant") {
      addConstant(n, node.name);
      return;
    }
    for (const auto& a : n.attribute()) {
      switch (a.type()) {
        case onnx::AttributeProto::INT:
          node.attrs[a.name()] = static_cast<int64_t>(a.i());
          break;
        case onnx::AttributeProto::FLOAT:
          node.attrs[a.name()] = static_cast<double>(a.f());
          break;
        case onnx::AttributeProto::STRING:
          node.attrs[a.name()] = a.s();
          break;
        case onnx::AttributeProto::INTS:
          node.attrs[a.name()] = std::vector<int64_t>(a.ints().begin(), a.ints().end());
          break;
        case onnx::AttributeProto::FLOATS:
          node.attrs[a.name()] = std::vector<double>(a.floats().begin(), a.floats().end());
          break;
        case onnx::AttributeProto::STRINGS: {
          // Only recurrent ops' `activations` use them: kept as one comma-separated string.
          std::string joined;
          for (const auto& v : a.strings()) joined += (joined.empty() ? "" : ",") + v;
          node.attrs[a.name()] = joined;
          break;
        }
        case onnx::AttributeProto::TENSOR: {
          // ConstantOfShape's fill value: a one-element tensor, kept as a float attribute.
          const PlainTensor v = internal::fromTensorProto(
              a.t(), raw_.source + ": node '" + node.name + "' attribute '" + a.name() + "'");
          if (node.op != "ConstantOfShape" || v.values.size() != 1) {
            fail("node '", node.name, "' (", node.op, "): attribute '", a.name(),
                 "' of type TENSOR is not supported (only ConstantOfShape's one-element value)");
          }
          node.attrs[a.name()] = v.values[0];
          break;
        }
        default:
          fail("node '", node.name, "' (", node.op, "): attribute '", a.name(), "' of type ",
               onnx::AttributeProto::AttributeType_Name(a.type()),
               " is not supported (int, float, string, ints, floats)");
      }
    }
    raw_.graph.nodes.push_back(std::move(node));
  }

  void addConstant(const onnx::NodeProto& n, const std::string& name) {
    if (n.output_size() != 1 || n.attribute_size() != 1) {
      fail("Constant node '", name, "' must have one output and one attribute");
    }
    const onnx::AttributeProto& a = n.attribute(0);
    const std::string& out = n.output(0);
    PlainTensor t;
    if (a.name() == "value" && a.has_t()) {
      addWeight(out, a.t(), "Constant");
      return;
    } else if (a.name() == "value_float") {
      t.values = {a.f()};
    } else if (a.name() == "value_floats") {
      t.dims = {a.floats_size()};
      t.values.assign(a.floats().begin(), a.floats().end());
    } else if (a.name() == "value_int") {
      t.values = {static_cast<double>(a.i())};
    } else if (a.name() == "value_ints") {
      t.dims = {a.ints_size()};
      for (int64_t v : a.ints()) t.values.push_back(static_cast<double>(v));
    } else {
      fail("Constant node '", name, "': attribute '", a.name(),
           "' is not supported (value, value_float(s), value_int(s))");
    }
    if (!raw_.graph.weights.emplace(out, std::move(t)).second) {
      fail("the name '", out, "' is defined twice");
    }
  }

  internal::RawModel raw_;
};

}  // namespace

Graph parseOnnx(std::span<const uint8_t> bytes, const std::string& source) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw InvalidArgument(detail::concat(source, ": not a valid ONNX model (", bytes.size(),
                                         " bytes that protobuf cannot parse: the file is "
                                         "corrupted, truncated or in another format)"));
  }
  return internal::normalizeImport(Decoder(source).run(model));
}

Graph loadOnnx(const std::string& path) {
  const std::vector<uint8_t> bytes = readFileBytes(path);
  return parseOnnx(bytes, path);
}

}  // namespace sotto::nn
