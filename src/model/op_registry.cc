#include "sotto/model/op_registry.h"

#include <algorithm>
#include <sstream>

#include "ops/families.h"

namespace sotto::nn {
namespace {

// Symbols are encoded as numbers far below any real dimension: kSym0 + id.
constexpr int64_t kSym0 = std::numeric_limits<int64_t>::min();
constexpr int64_t kSymLimit = kSym0 + (int64_t{1} << 40);

OpRegistry makeBuiltin() {
  OpRegistry r;
  ops::addLinearOps(r);
  ops::addElementwiseOps(r);
  ops::addPoolingOps(r);
  ops::addActivationOps(r);
  ops::addShapeOps(r);
  ops::addRecurrentOps(r);
  ops::addPiecewiseOps(r);
  ops::addSlicingOps(r);
  ops::addReduceOps(r);
  return r;
}

}  // namespace

bool isSymbolicDim(int64_t d) { return d < kSymLimit; }

int64_t symbolicDim(int64_t id) { return kSym0 + id; }

std::string symbolicDimsStr(const std::vector<int64_t>& d) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < d.size(); ++i) {
    os << (i ? ", " : "");
    if (isSymbolicDim(d[i])) {
      os << "?";
    } else {
      os << d[i];
    }
  }
  os << "]";
  return os.str();
}

const OpRegistry& OpRegistry::builtin() {
  static const OpRegistry kBuiltin = makeBuiltin();
  return kBuiltin;
}

void OpRegistry::add(OpSchema s) {
  SOTTO_ENFORCE(!s.type.empty(), "op registry: an entry has no op type");
  SOTTO_ENFORCE(s.normalize && s.infer && s.evaluate, "op registry: entry '", s.type,
                "' misses its normalize, infer or evaluate hook");
  SOTTO_ENFORCE(s.min_opset <= s.max_opset && s.min_inputs <= s.max_inputs, "op registry: entry '",
                s.type, "' has an empty opset or input range");
  auto& list = by_type_[s.type];
  for (const OpSchema& o : list) {
    SOTTO_ENFORCE(s.max_opset < o.min_opset || o.max_opset < s.min_opset, "op registry: '", s.type,
                  "' is already registered for opsets ", o.min_opset, " to ", o.max_opset);
  }
  list.push_back(std::move(s));
  std::sort(list.begin(), list.end(),
            [](const OpSchema& a, const OpSchema& b) { return a.min_opset < b.min_opset; });
}

const OpSchema* OpRegistry::find(const std::string& type, int64_t opset) const {
  auto it = by_type_.find(type);
  if (it == by_type_.end() || it->second.empty()) return nullptr;
  if (opset == OpSchema::kAnyOpset) return &it->second.back();
  for (const OpSchema& s : it->second) {
    if (s.min_opset <= opset && opset <= s.max_opset) return &s;
  }
  return nullptr;
}

std::vector<std::string> OpRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, list] : by_type_) out.push_back(type);
  return out;
}

std::vector<const OpSchema*> OpRegistry::entries() const {
  std::vector<const OpSchema*> out;
  for (const auto& [type, list] : by_type_) {
    for (const OpSchema& s : list) out.push_back(&s);
  }
  return out;
}

std::string OpRegistry::typeList() const {
  std::string list;
  for (const auto& [type, entries] : by_type_) list += (list.empty() ? "" : ", ") + type;
  return list;
}

}  // namespace sotto::nn
