#include "private_recurrent.h"

#include "layer_parts.h"
#include "sotto/error.h"
#include "sotto/math/functions.h"
#include "sotto/tensor/fixed_point.h"

namespace sotto::nn {
namespace {

using Dims = std::vector<int64_t>;

// Rows [row0, row0 + rows) of direction d's [g·H, cols] block of an ONNX weight, transposed:
// the [cols, rows] matrix FixedWeight multiplies from the right.
std::vector<double> transposedRows(std::span<const double> m, int64_t d, int64_t gh, int64_t cols,
                                   int64_t row0, int64_t rows) {
  if (m.empty()) return {};
  std::vector<double> t(static_cast<size_t>(rows * cols));
  const double* base = m.data() + d * gh * cols;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = base[(row0 + r) * cols + c];
  }
  return t;
}

// Direction d's [batch, H] block of an initial state in the node's layout.
std::vector<double> stateOf(std::span<const double> s, const RecurrentSpec& spec, int64_t d) {
  if (s.empty()) return {};
  const int64_t B = spec.batch, H = spec.hidden;
  std::vector<double> out(static_cast<size_t>(B * H));
  for (int64_t n = 0; n < B; ++n) {
    const int64_t at = spec.batch_first ? (n * spec.directions + d) * H : (d * B + n) * H;
    for (int64_t j = 0; j < H; ++j) out[n * H + j] = s[at + j];
  }
  return out;
}

}  // namespace

PrivateRecurrent::PrivateRecurrent(const Party& party, int owner, const RecurrentSpec& spec,
                                   const RecurrentWeights& weights, MathMethod math)
    : spec_(spec), math_(math) {
  const int64_t H = spec.hidden, g = spec.gates(), gh = g * H, I = spec.input;
  const bool is_owner = party.id() == owner;
  const bool gru = spec.kind == RecurrentKind::kGru;
  if (is_owner) {
    const auto want = [&](std::span<const double> v, int64_t n, const char* what) {
      SOTTO_ENFORCE(static_cast<int64_t>(v.size()) == n, "recurrent weights: ", what, " has ",
                    v.size(), " values, expected ", n);
    };
    want(weights.w, spec.directions * gh * I, "W");
    want(weights.r, spec.directions * gh * H, "R");
    if (spec.has_bias) want(weights.b, spec.directions * 2 * gh, "B");
    if (spec.has_initial_h) want(weights.initial_h, spec.directions * spec.batch * H, "initial_h");
    if (spec.has_initial_c) want(weights.initial_c, spec.directions * spec.batch * H, "initial_c");
  }
  auto fixed = [&](std::vector<double> v, int64_t rows, int64_t cols) {
    return std::make_unique<FixedWeight>(FixedWeight::load(party, owner, v, Shape({rows, cols})));
  };
  auto shared = [&](std::vector<double> v, Dims dims) {
    return ArithTensor::share(party, owner, v, Shape(std::move(dims)));
  };
  // A GRU with linear_before_reset = 0 multiplies (r ⊙ h) by Rh, after r is known: its Rh is a
  // product of its own.
  const bool split_rh = gru && !spec.linear_before_reset;
  for (int64_t d = 0; d < spec.directions; ++d) {
    Direction dir;
    dir.wt = fixed(transposedRows(weights.w, d, gh, I, 0, gh), I, gh);
    const int64_t r_rows = split_rh ? 2 * H : gh;
    dir.rt = fixed(transposedRows(weights.r, d, gh, H, 0, r_rows), H, r_rows);
    if (split_rh) dir.rht = fixed(transposedRows(weights.r, d, gh, H, 2 * H, H), H, H);
    if (spec.has_bias) {
      std::vector<double> bx, bh;
      if (is_owner) {
        const double* wb = weights.b.data() + d * 2 * gh;
        const double* rb = wb + gh;
        bx.resize(static_cast<size_t>(gh));
        for (int64_t k = 0; k < gh; ++k) bx[k] = wb[k] + rb[k];
        if (gru && spec.linear_before_reset) {  // Rbh goes inside r ⊙ (h·Rhᵀ + Rbh)
          bh.assign(rb + 2 * H, rb + 3 * H);
          for (int64_t k = 2 * H; k < 3 * H; ++k) bx[k] = wb[k];
        }
      }
      dir.bias_x = shared(bx, {gh});
      if (gru && spec.linear_before_reset) dir.bias_h = shared(bh, {H});
    }
    if (spec.has_initial_h) dir.h0 = shared(stateOf(weights.initial_h, spec, d), {spec.batch, H});
    if (spec.has_initial_c) dir.c0 = shared(stateOf(weights.initial_c, spec, d), {spec.batch, H});
    dirs_.push_back(std::move(dir));
  }
}

void PrivateRecurrent::step(const Direction& d, const ArithTensor& xw, ArithTensor& h,
                            ArithTensor& c, LayerStats* activations) const {
  const int64_t H = spec_.hidden;
  // The table sigmoid and tanh, their cost added to `activations` if given.
  auto measured = [&](ArithTensor (*fn)(const ArithTensor&, MathMethod), const ArithTensor& v) {
    if (!activations) return fn(v, math_);
    const PartMeter meter(v.party());
    ArithTensor out = fn(v, math_);
    meter.addTo(*activations);
    return out;
  };
  ArithTensor hr = d.rt->matmulFrom(h);
  if (spec_.kind == RecurrentKind::kGru) {
    // z, r = σ(x·W + h·R + biases); n = tanh(x·Wh + r ⊙ (h·Rh + Rbh)) (or (r ⊙ h)·Rh); h' = n + z ⊙
    // (h - n)
    const ArithTensor zr = measured(sigmoid, xw.slice(1, 0, 2 * H) + hr.slice(1, 0, 2 * H));
    const ArithTensor z = zr.slice(1, 0, H), r = zr.slice(1, H, 2 * H);
    const ArithTensor lin = [&] {
      if (d.rht) return d.rht->matmulFrom(r.mul(h));  // linear_before_reset = 0: (r ⊙ h)·Rhᵀ
      ArithTensor hn = hr.slice(1, 2 * H, 3 * H);
      if (d.bias_h) hn = hn + *d.bias_h;
      return r.mul(hn);
    }();
    const ArithTensor n = measured(tanh, xw.slice(1, 2 * H, 3 * H) + lin);
    h = n + z.mul(h - n);
    return;
  }
  // LSTM: one sigmoid over [i, o, f, 2·a_c]; g = 2·σ(2·a_c) - 1 = tanh(a_c).
  const ArithTensor a = xw + hr;
  const ArithTensor s = measured(
      sigmoid, concat({a.slice(1, 0, 3 * H), a.slice(1, 3 * H, 4 * H).mulPublicInt(2)}, 1));
  const ArithTensor i = s.slice(1, 0, H), o = s.slice(1, H, 2 * H), f = s.slice(1, 2 * H, 3 * H);
  const ArithTensor s2 = s.slice(1, 3 * H, 4 * H).mulPublicInt(2);
  const ArithTensor g = s2.addPublic(RingTensor::full(s2.shape(), encode(-1.0, s.fracBits())));
  // c' = f ⊙ c + i ⊙ g: both products in one call
  const ArithTensor fc_ig = concat({f, i}, 1).mul(concat({c, g}, 1));
  c = fc_ig.slice(1, 0, H) + fc_ig.slice(1, H, 2 * H);
  h = o.mul(measured(tanh, c));
}

std::vector<ArithTensor> PrivateRecurrent::run(const ArithTensor& x, size_t outputs) const {
  const RecurrentSpec& s = spec_;
  const Shape& xs = x.shape();
  SOTTO_ENFORCE(xs.rank() == 3, "recurrent input must be 3-D, got ", xs.toString());
  const int64_t seq = s.batch_first ? xs[1] : xs[0], batch = s.batch_first ? xs[0] : xs[1];
  SOTTO_ENFORCE(xs[2] == s.input, "recurrent input ", xs.toString(), ": expected ", s.input,
                " features per step");
  SOTTO_ENFORCE(!(s.has_initial_h || s.has_initial_c) || batch == s.batch, "recurrent input ",
                xs.toString(), ": batch ", batch, " differs from the initial state's ", s.batch);
  const int64_t H = s.hidden;
  // Steps first: [seq, batch, input] -> [seq·batch, input], one product for every step.
  const ArithTensor xt = s.batch_first ? x.transpose({1, 0, 2}) : x;
  const ArithTensor flat = xt.reshape({seq * batch, s.input});
  std::vector<ArithTensor> ys, hs, cs;
  // With a profile: the input products, the steps and their sigmoid/tanh as the layer's parts.
  std::vector<LayerStats>* parts = LayerParts::current();
  const char* kind = s.kind == RecurrentKind::kGru ? "GRU part" : "LSTM part";
  auto part = [kind](std::string name) {
    LayerStats st;
    st.name = std::move(name);
    st.op = kind;
    return st;
  };
  LayerStats inputs = part("input products"), activations = part("sigmoid, tanh (all)"),
             steps = part("step (mean of " + std::to_string(seq * s.directions) + ")");
  PartMeter meter(x.party());
  for (int64_t d = 0; d < s.directions; ++d) {
    const Direction& dir = dirs_[d];
    meter.restart();
    ArithTensor xw = dir.wt->matmulFrom(flat);
    if (dir.bias_x) xw = xw + *dir.bias_x;
    meter.addTo(inputs);
    meter.restart();
    const ArithTensor zero(x.party(), RingTensor::zeros(Shape({batch, H})), x.fracBits());
    ArithTensor h = dir.h0 ? *dir.h0 : zero;
    ArithTensor c = dir.c0 ? *dir.c0 : zero;
    std::vector<ArithTensor> per_step(static_cast<size_t>(seq), zero);
    for (int64_t k = 0; k < seq; ++k) {
      const int64_t t = s.readsBackward(d) ? seq - 1 - k : k;
      step(dir, xw.slice(0, t * batch, (t + 1) * batch), h, c, parts ? &activations : nullptr);
      per_step[t] = h;
    }
    meter.addTo(steps);
    ys.push_back(concat(per_step, 0).reshape({seq, 1, batch, H}));
    hs.push_back(h.reshape({1, batch, H}));
    cs.push_back(c.reshape({1, batch, H}));
  }
  if (parts && seq > 0) {
    const auto n = static_cast<uint64_t>(seq * s.directions);
    steps.seconds /= static_cast<double>(n);
    steps.rounds = (steps.rounds + n / 2) / n;
    steps.online_bytes = (steps.online_bytes + n / 2) / n;
    steps.dealer_bytes = (steps.dealer_bytes + n / 2) / n;
    parts->insert(parts->end(), {inputs, steps, activations});
  }
  std::vector<ArithTensor> out{concat(ys, 1), concat(hs, 0), concat(cs, 0)};
  if (s.batch_first) {
    out[0] = out[0].transpose({2, 0, 1, 3});
    out[1] = out[1].transpose({1, 0, 2});
    out[2] = out[2].transpose({1, 0, 2});
  }
  out.resize(outputs, out[0]);
  return out;
}

}  // namespace sotto::nn
