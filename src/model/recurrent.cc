#include "sotto/model/recurrent.h"

#include <Eigen/Core>
#include <cmath>
#include <sstream>

#include "ops/eval_helpers.h"
#include "sotto/error.h"

namespace sotto::nn {
namespace {

using ops::Dims;
using ops::dimsStr;
using ops::fail;
using ops::product;
using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat>;

// Input positions of the ONNX GRU/LSTM signatures.
enum Input { kX = 0, kW, kR, kB, kSeqLens, kInitialH, kInitialC, kPeepholes };
const char* const kInputNames[] = {"X",         "W",         "R", "B", "sequence_lens",
                                   "initial_h", "initial_c", "P"};

void expectDims(const Node& node, int which, const Dims& got, const Dims& want) {
  if (got != want) {
    fail(node, "input ", kInputNames[which], " has shape ", dimsStr(got), ", expected ",
         dimsStr(want), " (hidden_size, direction and layout given)");
  }
}

void checkAttributes(const Node& node, bool gru) {
  for (const char* a : {"activations", "activation_alpha", "activation_beta"}) {
    if (node.attrs.count(a)) {
      fail(node, "attribute '", a,
           "' is not supported (only the default activations: sigmoid gates, tanh)");
    }
  }
  if (node.attrs.count("clip")) fail(node, "attribute 'clip' is not supported");
  if (!gru && node.attrInt("input_forget", 0) != 0) {
    fail(node, "attribute 'input_forget' = ", node.attrInt("input_forget", 0),
         " is not supported (only 0)");
  }
  if (gru) {
    const int64_t lbr = node.attrInt("linear_before_reset", 0);
    if (lbr != 0 && lbr != 1) fail(node, "attribute 'linear_before_reset' must be 0 or 1");
  }
  const int64_t layout = node.attrInt("layout", 0);
  if (layout != 0 && layout != 1) fail(node, "attribute 'layout' must be 0 or 1, not ", layout);
}

}  // namespace

RecurrentSpec recurrentSpec(const Node& node, const std::vector<const Dims*>& dims,
                            const PlainTensor* sequence_lens) {
  const bool gru = node.op == "GRU";
  if (!gru && node.op != "LSTM") fail(node, "not a GRU or LSTM node");
  checkAttributes(node, gru);
  auto present = [&](int i) { return static_cast<int>(dims.size()) > i && dims[i] != nullptr; };
  if (!present(kX) || !present(kW) || !present(kR)) fail(node, "needs inputs X, W and R");
  if (present(kPeepholes)) fail(node, "input P (peepholes) is not supported");
  if (gru && present(kInitialC)) fail(node, "has more inputs than a GRU takes");
  if (node.outputs.empty() || node.outputs.size() > (gru ? 2u : 3u)) {
    fail(node, "has ", node.outputs.size(), " outputs (", gru ? "GRU: Y, Y_h" : "LSTM: Y, Y_h, Y_c",
         ")");
  }

  RecurrentSpec s;
  s.kind = gru ? RecurrentKind::kGru : RecurrentKind::kLstm;
  s.hidden = node.attrInt("hidden_size", 0);
  if (s.hidden <= 0) fail(node, "attribute 'hidden_size' is required and must be positive");
  const std::string direction = node.attrString("direction", "forward");
  if (direction == "bidirectional") {
    s.directions = 2;
  } else if (direction == "reverse") {
    s.reverse = true;
  } else if (direction != "forward") {
    fail(node, "attribute 'direction' = '", direction,
         "' (expected forward, reverse or bidirectional)");
  }
  s.batch_first = node.attrInt("layout", 0) == 1;
  s.linear_before_reset = gru && node.attrInt("linear_before_reset", 0) == 1;

  const Dims& x = *dims[kX];
  if (x.size() != 3) fail(node, "input X must be 3-D, got ", dimsStr(x));
  s.seq = s.batch_first ? x[1] : x[0];
  s.batch = s.batch_first ? x[0] : x[1];
  s.input = x[2];
  const int64_t g = s.gates(), h = s.hidden, d = s.directions;
  expectDims(node, kW, *dims[kW], {d, g * h, s.input});
  expectDims(node, kR, *dims[kR], {d, g * h, h});
  s.has_bias = present(kB);
  if (s.has_bias) expectDims(node, kB, *dims[kB], {d, 2 * g * h});
  const Dims state = s.batch_first ? Dims{s.batch, d, h} : Dims{d, s.batch, h};
  s.has_initial_h = present(kInitialH);
  if (s.has_initial_h) expectDims(node, kInitialH, *dims[kInitialH], state);
  s.has_initial_c = !gru && present(kInitialC);
  if (s.has_initial_c) expectDims(node, kInitialC, *dims[kInitialC], state);
  if (present(kSeqLens)) {
    expectDims(node, kSeqLens, *dims[kSeqLens], {s.batch});
    if (sequence_lens == nullptr || sequence_lens->values.empty()) {
      fail(node, "input sequence_lens must be a constant (every entry the sequence length)");
    }
    for (double v : sequence_lens->values) {
      if (v != static_cast<double>(s.seq)) {
        fail(node, "input sequence_lens holds ", v, ", shorter sequences than ", s.seq,
             " are not supported");
      }
    }
  }
  return s;
}

std::vector<Dims> recurrentOutputDims(const RecurrentSpec& s, size_t count) {
  const Dims y = s.batch_first ? Dims{s.batch, s.seq, s.directions, s.hidden}
                               : Dims{s.seq, s.directions, s.batch, s.hidden};
  const Dims state =
      s.batch_first ? Dims{s.batch, s.directions, s.hidden} : Dims{s.directions, s.batch, s.hidden};
  std::vector<Dims> out{y, state, state};
  out.resize(count);
  return out;
}

namespace {

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// One direction of the recurrence over X [seq, batch, input] (layout 0), in place into y
// (its [seq, batch, hidden] slab) and the final h, c. w, r: [g·H, in] and [g·H, H]; b: 2·g·H or
// empty.
struct Direction {
  ConstMap w, r;
  const double* b;  // nullptr: zero biases
};

void runDirection(const RecurrentSpec& s, const Direction& dir, bool backward,
                  const std::vector<RowMat>& x, RowMat& h, RowMat& c,
                  std::vector<RowMat>& y_steps) {
  const int64_t H = s.hidden, g = s.gates();
  Eigen::RowVectorXd wb = Eigen::RowVectorXd::Zero(g * H), rb = Eigen::RowVectorXd::Zero(g * H);
  if (dir.b != nullptr) {
    wb = Eigen::Map<const Eigen::RowVectorXd>(dir.b, g * H);
    rb = Eigen::Map<const Eigen::RowVectorXd>(dir.b + g * H, g * H);
  }
  for (int64_t k = 0; k < s.seq; ++k) {
    const int64_t t = backward ? s.seq - 1 - k : k;
    RowMat xw = x[t] * dir.w.transpose();
    xw.rowwise() += wb;
    if (s.kind == RecurrentKind::kGru) {
      RowMat hr = h * dir.r.topRows(2 * H).transpose();
      hr.rowwise() += rb.head(2 * H);
      const RowMat zr = (xw.leftCols(2 * H) + hr).unaryExpr(&sigmoid);
      const RowMat z = zr.leftCols(H), rg = zr.rightCols(H);
      const auto rh = dir.r.bottomRows(H).transpose();
      RowMat pre;
      if (s.linear_before_reset) {
        RowMat lin = h * rh;
        lin.rowwise() += rb.tail(H);
        pre = xw.rightCols(H) + rg.cwiseProduct(lin);
      } else {
        pre = xw.rightCols(H) + rg.cwiseProduct(h) * rh;
        pre.rowwise() += rb.tail(H);
      }
      const RowMat n = pre.array().tanh().matrix();
      h = n + z.cwiseProduct(h - n);
    } else {
      RowMat gates = xw + h * dir.r.transpose();
      gates.rowwise() += rb;
      const RowMat i = gates.leftCols(H).unaryExpr(&sigmoid);
      const RowMat o = gates.middleCols(H, H).unaryExpr(&sigmoid);
      const RowMat f = gates.middleCols(2 * H, H).unaryExpr(&sigmoid);
      const RowMat cand = gates.rightCols(H).array().tanh().matrix();
      c = f.cwiseProduct(c) + i.cwiseProduct(cand);
      h = o.cwiseProduct(c.array().tanh().matrix());
    }
    y_steps[t] = h;
  }
}

const PlainTensor& valued(const Node& node, const std::vector<const PlainTensor*>& in, int i) {
  if (in[i]->values.empty()) fail(node, "input ", kInputNames[i], " has no values");
  return *in[i];
}

}  // namespace

std::vector<PlainTensor> evaluateRecurrent(const Node& node,
                                           const std::vector<const PlainTensor*>& inputs) {
  std::vector<const Dims*> dims(inputs.size(), nullptr);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] != nullptr) dims[i] = &inputs[i]->dims;
  }
  const PlainTensor* lens = inputs.size() > kSeqLens ? inputs[kSeqLens] : nullptr;
  const RecurrentSpec s = recurrentSpec(node, dims, lens);
  const int64_t H = s.hidden, B = s.batch, I = s.input, g = s.gates();

  // x[t]: [batch, input] of step t, whatever the layout.
  const PlainTensor& X = valued(node, inputs, kX);
  std::vector<RowMat> x(s.seq, RowMat(B, I));
  for (int64_t t = 0; t < s.seq; ++t) {
    for (int64_t n = 0; n < B; ++n) {
      const int64_t row = s.batch_first ? n * s.seq + t : t * B + n;
      for (int64_t f = 0; f < I; ++f) x[t](n, f) = X.values[row * I + f];
    }
  }
  // State of direction d, batch n, unit j in either layout.
  auto stateIndex = [&](int64_t d, int64_t n, int64_t j) {
    return s.batch_first ? (n * s.directions + d) * H + j : (d * B + n) * H + j;
  };
  auto initial = [&](int which, int64_t d) {
    RowMat m = RowMat::Zero(B, H);
    if ((which == kInitialH && s.has_initial_h) || (which == kInitialC && s.has_initial_c)) {
      const PlainTensor& t = valued(node, inputs, which);
      for (int64_t n = 0; n < B; ++n) {
        for (int64_t j = 0; j < H; ++j) m(n, j) = t.values[stateIndex(d, n, j)];
      }
    }
    return m;
  };

  const auto outDims = recurrentOutputDims(s, node.outputs.size());
  std::vector<PlainTensor> out;
  for (const auto& d : outDims) {
    out.push_back(PlainTensor{d, std::vector<double>(product(d), 0.0)});
  }
  const PlainTensor& W = valued(node, inputs, kW);
  const PlainTensor& R = valued(node, inputs, kR);
  for (int64_t d = 0; d < s.directions; ++d) {
    const Direction dir{
        ConstMap(W.values.data() + d * g * H * I, g * H, I),
        ConstMap(R.values.data() + d * g * H * H, g * H, H),
        s.has_bias ? valued(node, inputs, kB).values.data() + d * 2 * g * H : nullptr};
    RowMat h = initial(kInitialH, d), c = initial(kInitialC, d);
    std::vector<RowMat> y_steps(s.seq);
    runDirection(s, dir, s.readsBackward(d), x, h, c, y_steps);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t j = 0; j < H; ++j) {
        for (int64_t t = 0; t < s.seq; ++t) {
          const int64_t yi = s.batch_first ? ((n * s.seq + t) * s.directions + d) * H + j
                                           : ((t * s.directions + d) * B + n) * H + j;
          out[0].values[yi] = y_steps[t](n, j);
        }
        if (out.size() > 1) out[1].values[stateIndex(d, n, j)] = h(n, j);
        if (out.size() > 2) out[2].values[stateIndex(d, n, j)] = c(n, j);
      }
    }
  }
  return out;
}

}  // namespace sotto::nn
