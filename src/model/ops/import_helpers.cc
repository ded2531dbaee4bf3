#include "ops/import_helpers.h"

#include <algorithm>

namespace sotto::nn::ops {

void allowAttrs(const ImportContext& ctx, const Node& n,
                std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : n.attrs) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      ctx.failNode(n, "attribute '", key, "' is not supported (", n.op, " takes ",
                   list.empty() ? "no attributes" : list, ")");
    }
  }
}

void requireInts(const ImportContext& ctx, const Node& n, const char* key,
                 const std::vector<int64_t>& want, const char* why) {
  if (!n.attrs.count(key)) return;
  const std::vector<int64_t> v = n.attrInts(key, want);
  if (v != want) {
    ctx.failNode(n, "attribute '", key, "' = ", symbolicDimsStr(v), " is not supported: ", why);
  }
}

void requireInt(const ImportContext& ctx, const Node& n, const char* key, int64_t want,
                const char* why) {
  const int64_t v = n.attrInt(key, want);
  if (v != want) ctx.failNode(n, "attribute '", key, "' = ", v, " is not supported: ", why);
}

void SymProduct::mul(int64_t d) {
  if (isSymbolicDim(d)) {
    syms.insert(d);
  } else {
    k *= d;
  }
}

int64_t fromProduct(ImportContext& ctx, const SymProduct& p) {
  if (p.syms.empty()) return p.k;
  if (p.syms.size() == 1 && p.k == 1) return *p.syms.begin();
  return ctx.freshDim();
}

std::vector<int64_t> broadcastShape(ImportContext& ctx, const Node& n,
                                    const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t x = i + a.size() >= r ? a[i + a.size() - r] : 1;
    const int64_t y = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (x == y || y == 1) {
      out[i] = x;
    } else if (x == 1) {
      out[i] = y;
    } else if (isSymbolicDim(x) && isSymbolicDim(y)) {
      out[i] = ctx.freshDim();
    } else if (isSymbolicDim(x)) {
      out[i] = y;
    } else if (isSymbolicDim(y)) {
      out[i] = x;
    } else {
      ctx.failNode(n, "shapes ", symbolicDimsStr(a), " and ", symbolicDimsStr(b),
                   " do not broadcast");
    }
  }
  return out;
}

void attributesBefore(const ImportContext& ctx, const Node& n, int64_t since, const char* what) {
  if (ctx.opset() < since && n.inputs.size() > 1) {
    ctx.failNode(n, "has ", n.inputs.size(), " inputs: before opset ", since, " ", what,
                 " are attributes (the model has opset ", ctx.opset(), ")");
  }
}

}  // namespace sotto::nn::ops
