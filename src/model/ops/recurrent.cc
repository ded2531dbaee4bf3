// The recurrent family: GRU and LSTM (sotto/model/recurrent.h), opsets 7 on (`layout` from 14).
// Their checks, shapes and plaintext evaluation are recurrent.h's; the import hooks report its
// errors with the model's name in front.
#include "sotto/model/recurrent.h"

#include "ops/eval_helpers.h"
#include "ops/families.h"
#include "ops/import_helpers.h"

namespace sotto::nn::ops {
namespace {

// recurrentSpec on import shapes; its errors (which name the node) get the model's name.
RecurrentSpec specOf(ImportContext& ctx, const Node& n, const std::vector<MaybeDims>& in) {
  std::vector<const Dims*> dims;
  for (const auto& d : in) dims.push_back(d ? &*d : nullptr);
  const PlainTensor* lens = nullptr;
  if (n.inputs.size() > 4 && !n.inputs[4].empty()) lens = &ctx.constInput(n, 4, "sequence_lens");
  try {
    return recurrentSpec(n, dims, lens);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(ctx.source() + ": " + e.what());
  }
}

OpSchema recurrent(const char* type, size_t inputs, size_t outputs) {
  return {.type = type,
          .min_opset = 7,
          .min_inputs = 3,
          .max_inputs = inputs,
          .num_outputs = outputs,
          .normalize =
              [](ImportContext& ctx, Node n) {
                allowAttrs(
                    ctx, n,
                    {"hidden_size", "direction", "layout", "linear_before_reset", "activations",
                     "activation_alpha", "activation_beta", "clip", "input_forget"});
                if (n.op == "LSTM" && n.attrs.count("linear_before_reset")) {
                  ctx.failNode(n, "attribute 'linear_before_reset' is GRU's, not LSTM's");
                }
                if (ctx.opset() < 14 && n.attrs.count("layout")) {
                  ctx.failNode(n, "attribute 'layout' needs opset 14 (the model has ", ctx.opset(),
                               ")");
                }
                return keep(std::move(n));
              },
          .infer =
              [](ImportContext& ctx, const Node& n, const std::vector<MaybeDims>& in) {
                if (!in[0] || in[0]->size() != 3) {
                  ctx.failNode(n, "input X must be 3-D with a known rank");
                }
                const RecurrentSpec s = specOf(ctx, n, in);
                std::vector<MaybeDims> out;
                for (auto& d : recurrentOutputDims(s, n.outputs.size())) out.emplace_back(d);
                return out;
              },
          .evaluate = [](const Node& n, const Inputs& in) { return evaluateRecurrent(n, in); }};
}

}  // namespace

void addRecurrentOps(OpRegistry& r) {
  r.add(recurrent("GRU", 6, 2));
  r.add(recurrent("LSTM", 8, 3));
}

}  // namespace sotto::nn::ops
