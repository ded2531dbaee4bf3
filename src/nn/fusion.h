#pragma once
// The executor's fusion patterns: groups of nodes planned as one step (private_model.h). They
// name the ops they match; each op's own plan is in the plan registry (plan_registry.h).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sotto/model/graph.h"

namespace sotto::nn {

// x*x*a + x*b + c as an exporter writes it: Mul(x, x) -> t1, Mul(t1, a) -> t2, Mul(x, b) -> t3,
// Add(t2, t3) -> t4, Add(t4, c) -> y (either operand order), t1..t4 used once.
struct PolyMatch {
  std::string x, a, b, c, out, name;
  std::vector<size_t> nodes;
};

// The fusions found in a graph (node indices into g.nodes).
struct Fusions {
  std::map<std::string, std::vector<size_t>> consumers;  // value -> the nodes reading it
  std::map<size_t, PolyMatch> polys;                     // by the index of their x*x node
  std::map<std::string, size_t> poly_of;                 // x -> that index
  // A ReLU whose only consumer is a MaxPool runs after it instead: relu(maxpool(x)) equals
  // maxpool(relu(x)) exactly (both monotone; max-pool's padding copies in-bounds values), and the
  // pooled tensor is kh·kw times smaller (LeNet5: 4x fewer ReLU elements and their dealer
  // material). relu_after[pool node] = the ReLU node; relus_absorbed: those ReLU nodes.
  std::map<size_t, size_t> relu_after;
  std::set<size_t> relus_absorbed;
  // A node whose output only a ReLU reads (and no graph output is): relu_on[node] = the ReLU.
  // With a protocol whose positive truncation pays (Protocol::positiveTruncationPays), a
  // fixed-weight linear layer leaves such an output untruncated and the ReLU (or the MaxPool it
  // was moved after) truncates with the positive fast path (Cheetah's truncation with a known
  // sign).
  std::map<size_t, size_t> relu_on;
};

Fusions findFusions(const Graph& g);

}  // namespace sotto::nn
