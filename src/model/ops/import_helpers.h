#pragma once
// Helpers shared by the import hooks of the op families (src/model/ops/*.cc): attribute checks
// and shape arithmetic on possibly symbolic dimensions (op_registry.h).
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "sotto/model/op_registry.h"

namespace sotto::nn::ops {

// Fails naming the first attribute not in `allowed` and the ones the op takes.
void allowAttrs(const ImportContext& ctx, const Node& n,
                std::initializer_list<const char*> allowed);
// Attribute `key` must equal `want` (or be absent, when the default is `want`).
void requireInts(const ImportContext& ctx, const Node& n, const char* key,
                 const std::vector<int64_t>& want, const char* why);
void requireInt(const ImportContext& ctx, const Node& n, const char* key, int64_t want,
                const char* why);

// A product of dimensions: a number times symbols.
struct SymProduct {
  int64_t k = 1;
  std::multiset<int64_t> syms;
  void mul(int64_t d);
};
// The product as one dimension (a fresh symbol where it is not a number or a single symbol).
int64_t fromProduct(ImportContext& ctx, const SymProduct& p);

// NumPy broadcasting of two symbolic shapes; fails if they cannot broadcast.
std::vector<int64_t> broadcastShape(ImportContext& ctx, const Node& n,
                                    const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// Before opset `since`, an op took `what` as attributes: inputs past the first are an error.
void attributesBefore(const ImportContext& ctx, const Node& n, int64_t since, const char* what);

// The node unchanged (what most normalize hooks return).
inline std::vector<Node> keep(Node n) {
  std::vector<Node> out;
  out.push_back(std::move(n));
  return out;
}

// The normalize hook of an op without attributes.
inline std::vector<Node> noAttrs(ImportContext& ctx, Node n) {
  allowAttrs(ctx, n, {});
  return keep(std::move(n));
}

// Shape inference of ops whose output has the shape of input 0.
inline std::vector<MaybeDims> sameShape(ImportContext&, const Node&,
                                        const std::vector<MaybeDims>& in) {
  return {in[0]};
}

}  // namespace sotto::nn::ops
