#include "sotto/model/zoo.h"

#include <cmath>

#include "sotto/crypto/prg.h"

namespace sotto::nn {
namespace {

// Builds a chain of layers; each node's output value carries the node's name. The weights are
// public, reproducible test data: a fixed-seed AES-CTR stream (sotto::Prg) is used only because it
// is deterministic everywhere, not for secrecy.
class ChainBuilder {
 public:
  ChainBuilder(uint64_t seed, std::vector<int64_t> input_dims) : prg_(seedOf(seed)) {
    graph_.opset = 13;
    graph_.inputs.push_back({"input", std::move(input_dims)});
  }

  void conv(const std::string& name, int64_t cin, int64_t cout, int64_t k, int64_t stride = 1,
            int64_t pad = 0) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(cin * k * k));
    weight(name + ".weight", {cout, cin, k, k}, bound);
    weight(name + ".bias", {cout}, bound);
    add(name, "Conv", {name + ".weight", name + ".bias"},
        {{"kernel_shape", std::vector<int64_t>{k, k}},
         {"strides", std::vector<int64_t>{stride, stride}},
         {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
         {"group", int64_t{1}}});
  }
  void relu(const std::string& name) { add(name, "Relu", {}, {}); }
  void maxPool(const std::string& name, int64_t k) {
    add(name, "MaxPool", {},
        {{"kernel_shape", std::vector<int64_t>{k, k}},
         {"strides", std::vector<int64_t>{k, k}},
         {"pads", std::vector<int64_t>{0, 0, 0, 0}}});
  }
  void flatten(const std::string& name) { add(name, "Flatten", {}, {{"axis", int64_t{1}}}); }
  void linear(const std::string& name, int64_t in, int64_t out) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    weight(name + ".weight", {out, in}, bound);  // [out, in]: Gemm with transB = 1
    weight(name + ".bias", {out}, bound);
    add(name, "Gemm", {name + ".weight", name + ".bias"},
        {{"alpha", 1.0}, {"beta", 1.0}, {"transB", int64_t{1}}});
  }

  Graph finish(const std::string& output) {
    graph_.nodes.back().outputs[0] = output;
    graph_.outputs = {output};
    return std::move(graph_);
  }

 private:
  static Prg::Seed seedOf(uint64_t seed) {
    Prg::Seed s{};
    for (int i = 0; i < 8; ++i) s[i] = static_cast<uint8_t>(seed >> (8 * i));
    s[8] = 'z';  // domain separation from other fixed-seed users of Prg
    return s;
  }

  void weight(const std::string& name, std::vector<int64_t> dims, double bound) {
    PlainTensor t;
    t.dims = std::move(dims);
    t.values.resize(static_cast<size_t>(t.numel()));
    for (double& v : t.values) {
      const double u = static_cast<double>(prg_.next() >> 11) * 0x1.0p-53;  // [0, 1)
      v = (2.0 * u - 1.0) * bound;
    }
    graph_.weights[name] = std::move(t);
  }

  void add(const std::string& name, const std::string& op, std::vector<std::string> params,
           std::map<std::string, AttrValue> attrs) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs.push_back(current_);
    n.inputs.insert(n.inputs.end(), params.begin(), params.end());
    n.outputs.push_back(name);
    n.attrs = std::move(attrs);
    graph_.nodes.push_back(std::move(n));
    current_ = name;
  }

  Graph graph_;
  Prg prg_;
  std::string current_ = "input";
};

}  // namespace

Graph lenet5Graph(uint64_t seed) {
  ChainBuilder b(seed, {-1, 1, 28, 28});
  b.conv("conv1", 1, 6, 5);
  b.relu("relu1");
  b.maxPool("pool1", 2);
  b.conv("conv2", 6, 16, 5);
  b.relu("relu2");
  b.maxPool("pool2", 2);
  b.flatten("flatten");
  b.linear("fc1", 256, 120);
  b.relu("relu3");
  b.linear("fc2", 120, 84);
  b.relu("relu4");
  b.linear("fc3", 84, 10);
  return b.finish("logits");
}

Graph alexnetCifarGraph(uint64_t seed) {
  ChainBuilder b(seed, {-1, 3, 32, 32});
  b.conv("conv1", 3, 64, 11, 4, 5);
  b.relu("relu1");
  b.maxPool("pool1", 2);
  b.conv("conv2", 64, 192, 5, 1, 2);
  b.relu("relu2");
  b.maxPool("pool2", 2);
  b.conv("conv3", 192, 384, 3, 1, 1);
  b.relu("relu3");
  b.conv("conv4", 384, 256, 3, 1, 1);
  b.relu("relu4");
  b.conv("conv5", 256, 256, 3, 1, 1);
  b.relu("relu5");
  b.maxPool("pool3", 2);
  b.flatten("flatten");
  b.linear("fc", 256, 10);
  return b.finish("logits");
}

}  // namespace sotto::nn
