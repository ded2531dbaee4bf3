#include "sotto/model/graph.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

#include "sotto/error.h"
#include "sotto/model/op_registry.h"

namespace sotto::nn {

int64_t PlainTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// ---- attributes -------------------------------------------------------------------------------

namespace {

const char* attrTypeName(const AttrValue& v) {
  switch (v.index()) {
    case 0:
      return "int";
    case 1:
      return "float";
    case 2:
      return "string";
    case 3:
      return "ints";
    default:
      return "floats";
  }
}

template <typename T>
T attrAs(const Node& node, const std::string& key, T fallback, const char* wanted) {
  auto it = node.attrs.find(key);
  if (it == node.attrs.end()) return fallback;
  const T* value = std::get_if<T>(&it->second);
  SOTTO_ENFORCE(value != nullptr, "node '", node.name, "' (", node.op, "): attribute '", key,
                "' is ", attrTypeName(it->second), ", expected ", wanted);
  return *value;
}

}  // namespace

int64_t Node::attrInt(const std::string& key, int64_t fallback) const {
  return attrAs<int64_t>(*this, key, fallback, "int");
}

double Node::attrFloat(const std::string& key, double fallback) const {
  return attrAs<double>(*this, key, fallback, "float");
}

std::vector<int64_t> Node::attrInts(const std::string& key, std::vector<int64_t> fallback) const {
  return attrAs<std::vector<int64_t>>(*this, key, std::move(fallback), "ints");
}

std::string Node::attrString(const std::string& key, std::string fallback) const {
  return attrAs<std::string>(*this, key, std::move(fallback), "string");
}

// ---- graph ------------------------------------------------------------------------------------

Graph Graph::architecture() const {
  Graph g = *this;
  for (auto& [name, w] : g.weights) {
    w.values.clear();
    w.values.shrink_to_fit();
  }
  return g;
}

int64_t Graph::parameterCount() const {
  int64_t n = 0;
  for (const auto& [name, w] : weights) n += w.numel();
  return n;
}

const std::vector<std::string>& supportedOps() {
  static const std::vector<std::string> kOps = OpRegistry::builtin().types();
  return kOps;
}

// ---- serialization ----------------------------------------------------------------------------
// Layout (all integers little-endian): "SOTTOGR1", i64 opset, inputs (u32 count; each name,
// dims), outputs (u32 count; names), nodes (u32 count; each name, op, inputs, outputs, attrs as
// u32 count of (key, u8 kind, value)), weights (u32 count; each name, dims, u8 has_values, then
// numel f64 values if it has them). A string is u32 length + bytes; dims are u32 rank + i64s.

namespace {

constexpr char kMagic[8] = {'S', 'O', 'T', 'T', 'O', 'G', 'R', '1'};

class Writer {
 public:
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  template <typename T>
  void num(T v) {
    static_assert(std::is_arithmetic_v<T>);
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(T));
    raw(b, sizeof(T));
  }
  void count(size_t n) {
    SOTTO_ENFORCE(n <= std::numeric_limits<uint32_t>::max(), "serialize: ", n,
                  " elements exceed the format's 2^32 limit");
    num<uint32_t>(static_cast<uint32_t>(n));
  }
  void str(const std::string& s) {
    count(s.size());
    raw(s.data(), s.size());
  }
  void ints(const std::vector<int64_t>& v) {
    count(v.size());
    for (int64_t x : v) num(x);
  }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}

  void need(size_t n, const char* what) {
    SOTTO_ENFORCE(n <= bytes_.size() - pos_, "deserialize: truncated graph: ", what, " at byte ",
                  pos_, " needs ", n, " bytes, only ", bytes_.size() - pos_, " left");
  }
  template <typename T>
  T num(const char* what) {
    need(sizeof(T), what);
    uint8_t b[sizeof(T)];
    std::memcpy(b, bytes_.data() + pos_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(T));
    pos_ += sizeof(T);
    T v;
    std::memcpy(&v, b, sizeof(T));
    return v;
  }
  // A count of items of at least `min_item_bytes` each: checked against what is left so that a
  // corrupted length cannot ask for a huge allocation.
  size_t count(const char* what, size_t min_item_bytes) {
    const size_t n = num<uint32_t>(what);
    SOTTO_ENFORCE(n <= (bytes_.size() - pos_) / std::max<size_t>(min_item_bytes, 1),
                  "deserialize: truncated or corrupted graph: ", what, " count ", n, " at byte ",
                  pos_ - 4, " does not fit in the ", bytes_.size() - pos_, " bytes left");
    return n;
  }
  std::string str(const char* what) {
    const size_t n = count(what, 1);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  std::vector<int64_t> ints(const char* what) {
    const size_t n = count(what, 8);
    std::vector<int64_t> v(n);
    for (auto& x : v) x = num<int64_t>(what);
    return v;
  }
  std::vector<std::string> strs(const char* what) {
    const size_t n = count(what, 4);
    std::vector<std::string> v(n);
    for (auto& s : v) s = str(what);
    return v;
  }
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

 private:
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
};

void writeAttr(Writer& w, const AttrValue& v) {
  w.num<uint8_t>(static_cast<uint8_t>(v.index()));
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          w.num(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          w.str(x);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          w.ints(x);
        } else {
          w.count(x.size());
          for (double d : x) w.num(d);
        }
      },
      v);
}

AttrValue readAttr(Reader& r) {
  const auto kind = r.num<uint8_t>("attribute kind");
  switch (kind) {
    case 0:
      return r.num<int64_t>("int attribute");
    case 1:
      return r.num<double>("float attribute");
    case 2:
      return r.str("string attribute");
    case 3:
      return r.ints("ints attribute");
    case 4: {
      std::vector<double> v(r.count("floats attribute", 8));
      for (auto& d : v) d = r.num<double>("floats attribute");
      return v;
    }
    default:
      SOTTO_ENFORCE(false, "deserialize: corrupted graph: unknown attribute kind ",
                    static_cast<int>(kind), " at byte ", r.pos() - 1);
  }
  return int64_t{0};
}

}  // namespace

std::vector<uint8_t> serialize(const Graph& graph) {
  Writer w;
  w.raw(kMagic, sizeof(kMagic));
  w.num<int64_t>(graph.opset);
  w.count(graph.inputs.size());
  for (const auto& in : graph.inputs) {
    w.str(in.name);
    w.ints(in.dims);
  }
  w.count(graph.outputs.size());
  for (const auto& o : graph.outputs) w.str(o);
  w.count(graph.nodes.size());
  for (const auto& n : graph.nodes) {
    w.str(n.name);
    w.str(n.op);
    w.count(n.inputs.size());
    for (const auto& s : n.inputs) w.str(s);
    w.count(n.outputs.size());
    for (const auto& s : n.outputs) w.str(s);
    w.count(n.attrs.size());
    for (const auto& [key, value] : n.attrs) {
      w.str(key);
      writeAttr(w, value);
    }
  }
  w.count(graph.weights.size());
  for (const auto& [name, t] : graph.weights) {
    const bool has_values = !t.values.empty();
    SOTTO_ENFORCE(!has_values || static_cast<int64_t>(t.values.size()) == t.numel(),
                  "serialize: weight '", name, "' has ", t.values.size(), " values for ", t.numel(),
                  " elements");
    w.str(name);
    w.ints(t.dims);
    w.num<uint8_t>(has_values ? 1 : 0);
    for (double d : t.values) w.num(d);
  }
  return w.take();
}

Graph deserialize(const std::vector<uint8_t>& bytes) {
  SOTTO_ENFORCE(
      bytes.size() >= sizeof(kMagic) && std::memcmp(bytes.data(), kMagic, sizeof(kMagic) - 1) == 0,
      "deserialize: not a serialized Sotto graph (no \"SOTTOGR\" magic in the first ",
      bytes.size() < sizeof(kMagic) ? bytes.size() : sizeof(kMagic), " bytes)");
  SOTTO_ENFORCE(bytes[sizeof(kMagic) - 1] == '1', "deserialize: serialized graph version '",
                static_cast<char>(bytes[sizeof(kMagic) - 1]),
                "' is not supported (this build reads version 1)");
  Reader r(bytes);
  r.need(sizeof(kMagic), "magic");
  for (size_t i = 0; i < sizeof(kMagic); ++i) r.num<uint8_t>("magic");
  Graph g;
  g.opset = r.num<int64_t>("opset");
  g.inputs.resize(r.count("input", 8));
  for (auto& in : g.inputs) {
    in.name = r.str("input name");
    in.dims = r.ints("input dims");
  }
  g.outputs = r.strs("outputs");
  g.nodes.resize(r.count("node", 20));
  for (auto& n : g.nodes) {
    n.name = r.str("node name");
    n.op = r.str("node op");
    n.inputs = r.strs("node inputs");
    n.outputs = r.strs("node outputs");
    const size_t n_attrs = r.count("node attributes", 5);
    for (size_t i = 0; i < n_attrs; ++i) {
      std::string key = r.str("attribute name");
      n.attrs[key] = readAttr(r);
    }
  }
  const size_t n_weights = r.count("weight", 9);
  for (size_t i = 0; i < n_weights; ++i) {
    std::string name = r.str("weight name");
    PlainTensor t;
    t.dims = r.ints("weight dims");
    for (int64_t d : t.dims) {
      SOTTO_ENFORCE(d >= 0, "deserialize: corrupted graph: weight '", name, "' has dimension ", d);
    }
    const auto has_values = r.num<uint8_t>("weight flag");
    SOTTO_ENFORCE(has_values <= 1, "deserialize: corrupted graph: weight '", name, "' flag ",
                  static_cast<int>(has_values));
    if (has_values) {
      // Overflow-safe numel against what is left.
      uint64_t numel = 1;
      for (int64_t d : t.dims) {
        SOTTO_ENFORCE(d == 0 || numel <= r.left() / 8 / static_cast<uint64_t>(d),
                      "deserialize: truncated graph: weight '", name,
                      "' needs more bytes than the ", r.left(), " left");
        numel *= static_cast<uint64_t>(d);
      }
      r.need(numel * 8, "weight values");
      t.values.resize(numel);
      for (auto& v : t.values) v = r.num<double>("weight values");
    }
    SOTTO_ENFORCE(g.weights.emplace(std::move(name), std::move(t)).second,
                  "deserialize: corrupted graph: a weight name occurs twice");
  }
  SOTTO_ENFORCE(r.left() == 0, "deserialize: ", r.left(),
                " unexpected trailing bytes after the serialized graph");
  return g;
}

}  // namespace sotto::nn
