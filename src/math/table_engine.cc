#include "table_engine.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "sotto/error.h"

namespace sotto::math_detail {
namespace {

namespace ft = function_tables;

uint64_t mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

__extension__ using U128 = unsigned __int128;
__extension__ using I128 = __int128;

// LSB-first packing of one group of values of `bits` bits each, appended at a byte boundary.
void pack(const std::vector<uint64_t>& values, int bits, std::vector<uint8_t>& out) {
  const size_t at = out.size(), bytes = (values.size() * bits + 7) / 8;
  out.resize(at + bytes + 16);
  uint8_t* o = out.data() + at;
  if (bits == 64) {
    std::memcpy(o, values.data(), 8 * values.size());
  } else {
    const uint64_t m = mask(bits);
    U128 acc = 0;
    int fill = 0;
    for (uint64_t v : values) {
      acc |= static_cast<U128>(v & m) << fill;
      fill += bits;
      if (fill >= 64) {
        const uint64_t low = static_cast<uint64_t>(acc);
        std::memcpy(o, &low, 8);
        o += 8;
        acc >>= 64;
        fill -= 64;
      }
    }
    const uint64_t low = static_cast<uint64_t>(acc);
    std::memcpy(o, &low, 8);
  }
  out.resize(at + bytes);
}

// Adds the values packed at in (as pack wrote them) to `values`, mod 2^bits; returns the bytes
// read.
size_t unpackAdd(const uint8_t* in, size_t available, int bits, std::vector<uint64_t>& values) {
  const size_t bytes = (values.size() * bits + 7) / 8;
  SOTTO_ENFORCE(bytes <= available, "openBits: short message");
  const uint64_t m = mask(bits);
  if (bits == 64) {
    for (size_t i = 0; i < values.size(); ++i) {
      uint64_t v;
      std::memcpy(&v, in + 8 * i, 8);
      values[i] += v;
    }
    return bytes;
  }
  U128 acc = 0;
  int fill = 0;
  size_t pos = 0;
  for (uint64_t& v : values) {
    if (fill < bits) {
      uint64_t word = 0;
      std::memcpy(&word, in + pos, std::min<size_t>(8, bytes - pos));
      pos += std::min<size_t>(8, bytes - pos);
      acc |= static_cast<U128>(word) << fill;
      fill += 64;
    }
    v = (v + static_cast<uint64_t>(acc)) & m;
    acc >>= bits;
    fill -= bits;
  }
  return bytes;
}

// round(v / 2^t) for the signed v (|v| < 2^62 where a window holds its columns finer: τ^j,
// function_tables::coefficientShift), half up.
uint64_t roundedShift(uint64_t v, int t) {
  return static_cast<uint64_t>((static_cast<int64_t>(v) + (int64_t{1} << (t - 1))) >> t);
}

int bitWidth(double v) {  // bits of the smallest power of two above v >= 0
  return std::bit_width(static_cast<uint64_t>(std::ceil(std::max(v, 1.0))));
}

// A window holding columns finer (fine_bits): every column's entries, round(2^(scale_bits -
// h_j)·B_j), stay below 2^52, where doubles round them exactly (the generator computes them in
// doubles). |B_j| <= Σ_{k >= j} |c_k|·C(k, j)·(step/2)^(k - j) at the nearest grid point.
void checkFineColumns(const PolyWindow& p) {
  if (p.fine_bits == 0) return;
  const int D = p.degree;
  const double half_step = std::ldexp(1.0, p.grid_step - 1);
  for (int j = 1; j <= D; ++j) {
    double b_max = 0;
    for (size_t at = 0; at < p.coefficients.size(); at += D + 1) {
      double b = 0, binom = 1, power = 1;  // C(k, j), (step/2)^(k - j)
      for (int k = j; k <= D; ++k) {
        b += std::fabs(p.coefficients[at + k]) * binom * power;
        binom = binom * (k + 1) / (k + 1 - j);
        power *= half_step;
      }
      b_max = std::max(b_max, b);
    }
    const int h = ft::coefficientShift(p, j);
    SOTTO_ENFORCE(std::ldexp(b_max, p.scale_bits - h + p.drop_bits * j) < 0x1p52,
                  "table function: column ", j, " held 2^", -h, " finer does not fit 2^52");
  }
}

}  // namespace

std::vector<std::vector<uint64_t>> openBits(
    const Party& party, std::vector<std::pair<std::vector<uint64_t>, int>> groups) {
  Communicator& comm = party.comm();
  if (comm.worldSize() == 2) {
    std::vector<uint8_t> mine;
    for (const auto& [values, bits] : groups) pack(values, bits, mine);
    std::vector<uint8_t> theirs(mine.size());
    comm.exchange(1 - comm.rank(), std::as_bytes(std::span(mine)),
                  std::as_writable_bytes(std::span(theirs)));
    std::vector<std::vector<uint64_t>> out;
    size_t at = 0;
    for (auto& [values, bits] : groups) {
      at += unpackAdd(theirs.data() + at, theirs.size() - at, bits, values);
      out.push_back(std::move(values));
    }
    return out;
  }
  std::vector<uint64_t> all;
  for (const auto& [values, bits] : groups) {
    for (uint64_t v : values) all.push_back(v & mask(bits));
  }
  comm.allReduce(all, ReduceOp::kAdd);
  std::vector<std::vector<uint64_t>> out;
  size_t at = 0;
  for (auto& [values, bits] : groups) {
    for (uint64_t& v : values) v = all[at++] & mask(bits);
    out.push_back(std::move(values));
  }
  return out;
}

TableFunction buildTableFunction(const TaylorFn& f_default, const std::vector<WindowPlan>& windows,
                                 const TableFunctionOptions& o) {
  const int comb = o.out_frac + o.exact_shift;  // scale of the windows' truncated values
  const double to_comb = std::ldexp(1.0, comb);
  TableFunction tf;
  tf.out_frac = o.out_frac;
  tf.f_below = std::llround(o.f_below * to_comb);
  // ΔF in the ring (it may reach 2^63 - 1: exp saturating at the largest representable value).
  const double above = o.f_above * to_comb;
  const int64_t f_above =
      above >= 0x1p63 ? std::numeric_limits<int64_t>::max() : std::llround(above);
  tf.delta_f =
      static_cast<int64_t>(static_cast<uint64_t>(f_above) - static_cast<uint64_t>(tf.f_below));
  double f_min = std::min(o.f_below, o.f_above), f_max = std::max(o.f_below, o.f_above);
  for (const WindowPlan& plan : windows) {
    const TaylorFn& f = plan.f ? plan.f : f_default;
    const int D = plan.degree, e = plan.out_shift;
    const int comb_w = comb - e;
    const double to_w = std::ldexp(1.0, comb_w);
    // ΔF rounded to the window's scale (what is lost, at most 2^(e-1) ring units, is an error of
    // the window's values for x >= 0).
    const int64_t delta_w =
        o.delta_outside ? 0
        : e == 0
            ? tf.delta_f
            : static_cast<int64_t>((static_cast<I128>(tf.delta_f) + (I128{1} << (e - 1))) >> e);
    const long double delta = static_cast<long double>(delta_w) / to_w;
    std::vector<double> d(static_cast<size_t>(D) + 1);
    PolyWindow p;
    const int P = plan.low_bits, a = plan.mid_bits, q = P + a;
    p.low_bits = P;
    p.mid_bits = a;
    p.offset = static_cast<uint64_t>(plan.offset);
    p.degree = D;
    p.chain_end = plan.chain_end;
    p.grid_step = std::max(0, P - 2);
    const int64_t step = int64_t{1} << p.grid_step;
    p.grid_start = -(int64_t{1} << (P - 1)) - 2 * step;
    const int64_t points =
        (int64_t{1} << (q - p.grid_step)) + ((int64_t{1} << (P - 1)) + 4 * step) / step + 1;
    p.coefficients.resize(static_cast<size_t>(points * (D + 1)));
    long double lo = std::numeric_limits<long double>::infinity(), hi = -lo;
    double vmax = 0;
    const double top = std::ldexp(1.0, q);
    for (int64_t i = 0; i < points; ++i) {
      // In doubles: a window may reach 2^63 ring units (exact: multiples of the step).
      const double y =
          static_cast<double>(p.grid_start) + static_cast<double>(i) * static_cast<double>(step);
      const double x_units = y - static_cast<double>(plan.offset);
      f(std::ldexp(x_units, -o.in_frac), D, d.data());
      for (int k = 0; k <= D; ++k) {
        p.coefficients[i * (D + 1) + k] = std::ldexp(d[k], -o.in_frac * k);
      }
      vmax = std::max(vmax, std::fabs(d[0]));
      if (y > -std::ldexp(1.0, P) && y < top) {  // the window's domain
        // V' = V - [x >= 0]·ΔF. Below the window (one row, which the in-window test may take
        // for inside) both signs: x < 0 there, but V continues the window's values.
        const long double v = d[0] - (x_units >= 0 || y < 0 ? delta : 0.0L);
        const long double v_neg = d[0];
        lo = std::min({lo, v, y < 0 ? v_neg : v});
        hi = std::max({hi, v, y < 0 ? v_neg : v});
        f_min = std::min(f_min, d[0]);
        f_max = std::max(f_max, d[0]);
      }
    }
    const long double margin = 0.01L * (hi - lo) + 8 / to_w;
    lo -= margin;
    hi += margin;
    // x' = V' + (N - 1)·2^(s-1) + K·2^s must lie in [N·2^s, 2^(m-1)) for every in-window value
    // (K may pass 2^63 when V' is near -2^63: it is used mod 2^64).
    const long double k_real = o.parties + 2 - std::floor(lo * to_w);
    const uint64_t k = k_real >= 0x1p63L
                           ? static_cast<uint64_t>(k_real - 0x1p63L) + (uint64_t{1} << 63)
                           : static_cast<uint64_t>(static_cast<int64_t>(k_real));
    const int range_bits = bitWidth(static_cast<double>(hi * to_w + k_real + o.parties) + 2);
    // Coefficient rounding: Σ_j |τ|^j / 2 <= 2^((P-g-1)·D) units; keep it below 2^-4 output ULP.
    // Where the ring cannot hold that (coefficients or the truncation ring 2^(range + s + 1)),
    // drop low bits of τ (g) until it holds 2^-1 ULP, or (fine_columns) hold the top columns
    // 2^t finer so that each still errs by at most 2^-5 ULP (PolyWindow::fine_bits).
    int g = plan.drop_bits;
    const int s_max = std::min(
        {62 - comb_w, 62 - range_bits,
         static_cast<int>(std::floor(60.99 - std::log2(std::max(vmax, 1e-300)))) - comb_w});
    while (!plan.fine_columns && D > 0 && g < P - 1 && (P - g - 1) * D + 1 > s_max) ++g;
    p.drop_bits = g;
    const int pe = P - g;
    // (At least 11: B_0 is rounded to a multiple of 2^7 to carry the in-window borrow.)
    // (At least -comb_w too: the tables' scale 2^(comb_w + s) is never below 1.)
    int s = std::min({std::max({11, (pe - 1) * D + 4, -comb_w}), 62 - comb_w, 62 - range_bits});
    while (s > 1 && std::ldexp(vmax, comb_w + s) >= std::ldexp(1.0, 61)) --s;
    p.fine_bits = plan.fine_columns && D > 0 ? std::max(0, (pe - 1) * D + 4 - s) : 0;
    SOTTO_ENFORCE((p.fine_bits > 0 || s >= (pe - 1) * D + 1) && comb_w + s <= 62,
                  "table function: values up to ", vmax, " do not fit the ring at 2^", comb_w,
                  " with ", pe, " low bits");
    p.scale_bits = comb_w + s;
    p.trunc_shift = s;
    checkFineColumns(p);
    p.trunc_width = range_bits + s + 1;
    SOTTO_ENFORCE(p.trunc_width <= 63, "table function: truncation ring 2^", p.trunc_width,
                  " too wide");
    tf.trunc_offset.push_back(static_cast<int64_t>(k));
    tf.out_shift.push_back(e);
    tf.window_delta.push_back(delta_w);
    tf.spec.windows.push_back(std::move(p));
  }
  if (o.exact_shift > 0) {
    const double to_out = std::ldexp(1.0, o.out_frac);
    const double margin = 0.01 * (f_max - f_min) + 8 / to_out;
    const double lo = f_min - margin, hi = f_max + margin;
    tf.exact_offset = 1 - static_cast<int64_t>(std::floor(lo * to_out));
    tf.spec.exact_shift = o.exact_shift;
    tf.spec.exact_width =
        bitWidth(hi * to_out + static_cast<double>(tf.exact_offset) + 2) + o.exact_shift + 1;
  }
  tf.spec.delta_outside = o.delta_outside;
  tf.spec.validate();
  return tf;
}

ArithTensor evaluate(const ArithTensor& x, const TableFunction& tf) {
  const Party& p = x.party();
  const int64_t n = x.numel();
  const int W = static_cast<int>(tf.spec.windows.size());
  const bool first = p.id() == 0;
  if (n == 0) return ArithTensor(p, RingTensor(x.shape()), tf.out_frac);
  auto mat = p.protocol().functionTables(p, tf.spec, Shape{n});
  const int nw = static_cast<int>(mat->words.dim(1));
  const uint64_t* words = mat->words.data().data();
  auto word = [&](int64_t e, int k) { return words[e * nw + k]; };
  const auto xs = x.share().data();

  // Round 1: c = x + r.
  std::vector<uint64_t> cm(n);
  for (int64_t e = 0; e < n; ++e) cm[e] = xs[e] + word(e, ft::wordR());
  const std::vector<uint64_t> c = std::move(openBits(p, {{std::move(cm), 64}})[0]);

  // Local reads, in blocks of elements that stay in cache: digit tables (in-window indices and
  // the weighted sign index) and coefficient tables (V_w = Σ_j τ^j·B_j, τ = (c mod 2^P) -
  // 2^(P-1) public; B_0's low 7 bits carry the row digit's weighted borrow).
  std::vector<std::vector<uint64_t>> ja(W, std::vector<uint64_t>(n));
  std::vector<std::vector<uint64_t>> v(W, std::vector<uint64_t>(n));
  std::vector<uint64_t> jb(n), rows(n);
  constexpr int64_t kBlock = 1024;
  // Entries of one block: digit tables have up to W + 1 columns, coefficient tables up to 4.
  std::vector<uint64_t> buf(static_cast<size_t>(kBlock) * std::max(W + 1, 4));
  for (int64_t at = 0; at < n; at += kBlock) {
    const int64_t m = std::min(kBlock, n - at);
    const std::span<const uint64_t> block_rows(rows.data() + at, static_cast<size_t>(m));
    for (int d = 0; d < ft::kDigits; ++d) {
      const uint64_t digit_mask = mask(ft::digitBits(d));
      for (int64_t e = at; e < at + m; ++e) rows[e] = (c[e] >> ft::digitStart(d)) & digit_mask;
      mat->sharesAt(ft::tableDigit(d), at, block_rows, buf.data());
      const int wd = ft::digitWindows(tf.spec, d);
      for (int64_t i = 0; i < m; ++i) {
        const uint64_t* t = buf.data() + i * (wd + 1);
        for (int w = 0; w < wd; ++w) ja[w][at + i] += t[w];
        jb[at + i] += t[wd];
      }
    }
    for (int w = 0; w < W; ++w) {
      const PolyWindow& pw = tf.spec.windows[w];
      const int P = pw.low_bits, D = pw.degree;
      for (int64_t e = at; e < at + m; ++e) rows[e] = (c[e] >> P) & mask(pw.mid_bits);
      mat->sharesAt(ft::tableCoefficients(w), at, block_rows, buf.data());
      const int g = pw.drop_bits;
      int shifts[4];
      for (int j = 0; j <= D; ++j) shifts[j] = ft::coefficientShift(pw, j);
      for (int64_t i = 0; i < m; ++i) {
        // tau >> g, tau = (c mod 2^P) - 2^(P-1) (2^(P-1) is a multiple of 2^g).
        const uint64_t tau = ((c[at + i] & mask(P)) >> g) - (uint64_t{1} << (P - 1 - g));
        const uint64_t* b = buf.data() + i * (D + 1);
        uint64_t acc = 0, pw_tau = 1;
        for (int j = 0; j <= D; ++j) {  // column j holds B_j / 2^h_j
          acc += shifts[j] >= 0 ? (pw_tau * b[j]) << shifts[j]
                                : roundedShift(pw_tau, -shifts[j]) * b[j];  // h_j < 0
          pw_tau *= tau;
        }
        v[w][at + i] = acc;
        ja[w][at + i] += b[0];
      }
    }
  }
  for (int64_t e = 0; e < n; ++e) {  // S_eff = (-1)^(c_63 ^ r_63)·S (r_63 is in the tables)
    const uint64_t neg = 0 - (c[e] >> 63);
    jb[e] = (jb[e] ^ neg) - neg;
  }

  // Round 2: the masked in-window and sign indices.
  std::vector<std::pair<std::vector<uint64_t>, int>> groups;
  for (int w = 0; w < W; ++w) {
    std::vector<uint64_t> u(n);
    for (int64_t e = 0; e < n; ++e) u[e] = ja[w][e] + word(e, ft::wordInWindowMask(w));
    groups.emplace_back(std::move(u), ft::inWindowBits(tf.spec, w));
  }
  {
    std::vector<uint64_t> u(n);
    for (int64_t e = 0; e < n; ++e) u[e] = jb[e] + word(e, ft::wordSignMask(W));
    groups.emplace_back(std::move(u), ft::kSignBits);
  }
  auto opened = openBits(p, std::move(groups));
  std::vector<RingTensor> in_t;
  for (int w = 0; w < W; ++w) in_t.push_back(mat->sharesAt(ft::tableInWindow(W, w), opened[w]));
  const RingTensor sign_t = mat->sharesAt(ft::tableSign(W), opened[W]);
  const int64_t sc = ft::signColumns(tf.spec.sign_select, tf.spec.delta_outside);

  // Round 3: truncate V'_w = V_w - pos·ΔF·2^s by s bits, top bits only.
  groups.clear();
  for (int w = 0; w < W; ++w) {
    const PolyWindow& pw = tf.spec.windows[w];
    const int s = pw.trunc_shift, m = pw.trunc_width;
    const uint64_t shifted_delta = static_cast<uint64_t>(tf.window_delta[w]) << s;
    // Rounding offset (N - 1)/2 ULP: the top-bits truncation then errs by at most N/2 + 1/2 ULP
    // either way (the parties' low-bit carries lose up to N - 1, the mask's carry adds up to 1).
    const uint64_t add = (static_cast<uint64_t>(p.numParties() - 1) << (s - 1)) +
                         (static_cast<uint64_t>(tf.trunc_offset[w]) << s);
    std::vector<uint64_t> u(n);
    for (int64_t e = 0; e < n; ++e) {
      uint64_t xp = v[w][e] - sign_t[e * sc] * shifted_delta + word(e, ft::wordTrunc(W, w));
      if (first) xp += add;
      u[e] = (xp & mask(m)) >> s;
    }
    groups.emplace_back(std::move(u), m - s);
  }
  // delta_outside: f = in_top + a mod 2 (in_top summed over the chains: at most one holds x).
  const bool outside = tf.spec.delta_outside;
  if (outside) {
    std::vector<uint64_t> u(n);
    const int wp = ft::wordProductBit(W, tf.spec.exact_shift > 0);
    for (int64_t e = 0; e < n; ++e) {
      uint64_t in_top = 0;
      for (int w = 0; w < W; ++w) {
        if (!ft::hasNext(tf.spec, w)) in_top += in_t[w][e * 3];
      }
      u[e] = (in_top + word(e, wp)) & 1;
    }
    groups.emplace_back(std::move(u), 1);
  }
  std::vector<std::vector<uint64_t>> top =
      W > 0 || outside ? openBits(p, std::move(groups)) : std::vector<std::vector<uint64_t>>{};

  // out = Σ_w in_w·(T'_w - T'_{next(w)})·2^(e_w) + (1 - Σ_chains in_top)·F_below + pos·ΔF, with
  // in·T' = (C' - K)·in - in·R + (1 - C'_top)·2^(m-s)·in·r_top.
  RingTensor out(x.shape());
  for (int64_t e = 0; e < n; ++e) {
    uint64_t acc = 0;
    for (int w = 0; w < W; ++w) {
      const bool next = ft::hasNext(tf.spec, w);
      const uint64_t* it = in_t[w].data().data() + e * (next ? 5 : 3);
      if (!next) acc -= it[0] * static_cast<uint64_t>(tf.f_below);  // in_top·F_below per chain
      for (int k = w; k <= (next ? w + 1 : w); ++k) {
        const PolyWindow& pk = tf.spec.windows[k];
        const int bits = pk.trunc_width - pk.trunc_shift;
        const uint64_t cp = top[k][e];
        const uint64_t not_top = 1 - (cp >> (bits - 1));
        const uint64_t col = k == w ? 1 : 3;
        const uint64_t t = ((cp - static_cast<uint64_t>(tf.trunc_offset[k])) * it[0] - it[col] +
                            (not_top << bits) * it[col + 1])
                           << tf.out_shift[k];
        acc += k == w ? t : 0 - t;
      }
    }
    if (first) acc += static_cast<uint64_t>(tf.f_below);
    const uint64_t pos = sign_t[e * sc];
    acc += pos * static_cast<uint64_t>(tf.delta_f);
    if (outside) {  // - pos·in_top·ΔF, pos·in_top = pos·a + f·(pos - 2·pos·a)
      const uint64_t pa = sign_t[e * sc + sc - 1];
      const uint64_t prod = pa + top[W][e] * (pos - 2 * pa);
      acc -= prod * static_cast<uint64_t>(tf.delta_f);
    }
    out[e] = acc;
  }
  if (tf.spec.exact_shift == 0) return ArithTensor(p, std::move(out), tf.out_frac);

  // Round 4: exact rounding by e bits: open x'' + r_E in full, the low bits' carry from a table.
  const int es = tf.spec.exact_shift, me = tf.spec.exact_width;
  const uint64_t add = (uint64_t{1} << (es - 1)) + (static_cast<uint64_t>(tf.exact_offset) << es);
  std::vector<uint64_t> u(n);
  for (int64_t e = 0; e < n; ++e) {
    u[e] = out[e] + word(e, ft::wordExact(W)) + (first ? add : 0);
  }
  const std::vector<uint64_t> ce = std::move(openBits(p, {{std::move(u), me}})[0]);
  for (int64_t e = 0; e < n; ++e) rows[e] = ce[e] & mask(es);
  const RingTensor carry = mat->sharesAt(ft::tableCarry(W), rows);
  for (int64_t e = 0; e < n; ++e) {
    const uint64_t not_top = 1 - (ce[e] >> (me - 1));
    uint64_t val = (not_top << (me - es)) * word(e, ft::wordExact(W) + 2) -
                   word(e, ft::wordExact(W) + 1) - carry[e];
    if (first) val += (ce[e] >> es) - static_cast<uint64_t>(tf.exact_offset);
    out[e] = val;
  }
  return ArithTensor(p, std::move(out), tf.out_frac);
}

ArithTensor tableMaximum(const ArithTensor& a, const ArithTensor& b) {
  SOTTO_ENFORCE(&a.party() == &b.party() && a.fracBits() == b.fracBits() && a.shape() == b.shape(),
                "maximum: operands of shapes ", a.shape().toString(), " and ", b.shape().toString(),
                " (scales 2^", a.fracBits(), ", 2^", b.fracBits(), ") do not match");
  const Party& p = a.party();
  const int64_t n = a.numel();
  if (n == 0) return b;
  static const FunctionTableSpec kSignOnly{{}, 0, 0, /*sign_select=*/true};
  auto mat = p.protocol().functionTables(p, kSignOnly, Shape{n});
  const int nw = static_cast<int>(mat->words.dim(1));
  const RingTensor d = a.share() - b.share();
  std::vector<uint64_t> cm(n);
  for (int64_t e = 0; e < n; ++e) cm[e] = d[e] + mat->words[e * nw + ft::wordR()];
  const std::vector<uint64_t> c = std::move(openBits(p, {{std::move(cm), 64}})[0]);
  std::vector<uint64_t> jb(n), rows(n);
  for (int dg = 0; dg < ft::kDigits; ++dg) {
    for (int64_t e = 0; e < n; ++e)
      rows[e] = (c[e] >> ft::digitStart(dg)) & mask(ft::digitBits(dg));
    const RingTensor t = mat->sharesAt(ft::tableDigit(dg), rows);
    for (int64_t e = 0; e < n; ++e) jb[e] += t[e];
  }
  for (int64_t e = 0; e < n; ++e) {
    const uint64_t neg = 0 - (c[e] >> 63);
    jb[e] = ((jb[e] ^ neg) - neg) + mat->words[e * nw + ft::wordSignMask(0)];
  }
  const std::vector<uint64_t> u = std::move(openBits(p, {{std::move(jb), ft::kSignBits}})[0]);
  const RingTensor s = mat->sharesAt(ft::tableSign(0), u);
  // max = b + pos·(a - b) = b + c·pos - pos·r.
  RingTensor out = b.share();
  for (int64_t e = 0; e < n; ++e) out[e] += c[e] * s[e * 2] - s[e * 2 + 1];
  return ArithTensor(p, std::move(out), a.fracBits());
}

}  // namespace sotto::math_detail
