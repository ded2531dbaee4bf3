#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "function_tables_generator.h"
#include "sotto/error.h"

namespace sotto {
namespace {

namespace ft = function_tables;

uint64_t mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

uint64_t bitsOf(double v) {
  uint64_t w;
  std::memcpy(&w, &v, sizeof w);
  return w;
}
double doubleOf(uint64_t w) {
  double v;
  std::memcpy(&v, &w, sizeof v);
  return v;
}

constexpr int kWindowFields = 13;  // words per window before its coefficients

}  // namespace

// ---- Spec ------------------------------------------------------------------------------------

void FunctionTableSpec::validate() const {
  const int w_count = static_cast<int>(windows.size());
  SOTTO_ENFORCE(w_count <= ft::kMaxWindows, "function tables: at most ", ft::kMaxWindows,
                " windows, got ", w_count);
  for (int w = 0; w < w_count; ++w) {
    const PolyWindow& p = windows[w];
    SOTTO_ENFORCE(p.mid_bits >= 1 && p.mid_bits <= 12, "function tables: window ", w,
                  " row digit of ", p.mid_bits, " bits (1..12)");
    SOTTO_ENFORCE(p.low_bits >= 1 && p.low_bits + p.mid_bits >= 8 && p.low_bits + p.mid_bits <= 63,
                  "function tables: window ", w, " spans bits [", p.low_bits, ", ",
                  p.low_bits + p.mid_bits, "): need low bits >= 1 and 8 <= top <= 63");
    SOTTO_ENFORCE(p.drop_bits >= 0 && p.drop_bits < p.low_bits, "function tables: window ", w,
                  " drops ", p.drop_bits, " of its ", p.low_bits, " low bits (0..low bits - 1)");
    SOTTO_ENFORCE(p.degree >= 0 && p.degree <= 3, "function tables: window ", w, " degree ",
                  p.degree, " (0..3)");
    SOTTO_ENFORCE(p.fine_bits >= 0 && p.fine_bits <= 62 &&
                      (p.fine_bits == 0 || (p.low_bits - p.drop_bits - 1) * p.degree <= 62),
                  "function tables: window ", w, " holds columns 2^", p.fine_bits,
                  " finer (0..62, and only if its variable's powers fit 63 bits: ",
                  p.low_bits - p.drop_bits, " bits, degree ", p.degree, ")");
    SOTTO_ENFORCE(p.grid_step >= 0 && p.grid_step <= p.low_bits, "function tables: window ", w,
                  " grid step 2^", p.grid_step, " is not within 2^0..2^", p.low_bits);
    const size_t per_point = static_cast<size_t>(p.degree) + 1;
    SOTTO_ENFORCE(!p.coefficients.empty() && p.coefficients.size() % per_point == 0,
                  "function tables: window ", w, " has ", p.coefficients.size(),
                  " coefficients, not a positive multiple of degree + 1 = ", per_point);
    for (double c : p.coefficients) {
      SOTTO_ENFORCE(std::isfinite(c), "function tables: window ", w,
                    " has a non-finite coefficient");
    }
    SOTTO_ENFORCE(p.scale_bits >= 0 && p.scale_bits <= 62, "function tables: window ", w,
                  " scale 2^", p.scale_bits, " (0..62)");
    SOTTO_ENFORCE(p.trunc_shift >= 0 && p.trunc_shift <= 61 && p.trunc_width >= p.trunc_shift + 2 &&
                      p.trunc_width <= 63,
                  "function tables: window ", w, " truncation by ", p.trunc_shift, " bits in 2^",
                  p.trunc_width, " (need shift + 2 <= width <= 63)");
  }
  for (int w = 1; w < w_count; ++w) {
    const int top = windows[w].low_bits + windows[w].mid_bits;
    const int below = windows[w - 1].low_bits + windows[w - 1].mid_bits;
    SOTTO_ENFORCE(windows[w - 1].chain_end ? top >= below : top > below, "function tables: window ",
                  w, " must reach above window ", w - 1,
                  windows[w - 1].chain_end ? " (or as far)" : "");
  }
  SOTTO_ENFORCE(exact_shift >= 0 && exact_shift <= 12, "function tables: exact rounding by ",
                exact_shift, " bits (0..12)");
  if (exact_shift > 0) {
    SOTTO_ENFORCE(exact_width >= exact_shift + 2 && exact_width <= 63,
                  "function tables: exact rounding in 2^", exact_width, " (", exact_shift + 2,
                  "..63)");
  }
}

std::vector<uint64_t> FunctionTableSpec::encode() const {
  validate();
  size_t words = 4;
  for (const PolyWindow& p : windows) words += kWindowFields + p.coefficients.size();
  std::vector<uint64_t> w;
  w.reserve(words);
  w.insert(w.end(),
           {windows.size(), static_cast<uint64_t>(exact_shift), static_cast<uint64_t>(exact_width),
            (sign_select ? 1u : 0u) | (delta_outside ? 2u : 0u)});
  for (const PolyWindow& p : windows) {
    w.push_back(static_cast<uint64_t>(p.low_bits));
    w.push_back(static_cast<uint64_t>(p.mid_bits));
    w.push_back(p.offset);
    w.push_back(static_cast<uint64_t>(p.degree));
    w.push_back(static_cast<uint64_t>(p.grid_step));
    w.push_back(static_cast<uint64_t>(p.grid_start));
    w.push_back(static_cast<uint64_t>(p.scale_bits));
    w.push_back(static_cast<uint64_t>(p.trunc_width));
    w.push_back(static_cast<uint64_t>(p.trunc_shift));
    w.push_back(static_cast<uint64_t>(p.drop_bits));
    w.push_back(static_cast<uint64_t>(p.fine_bits));
    w.push_back(p.chain_end ? 1u : 0u);
    w.push_back(p.coefficients.size());
    for (double c : p.coefficients) w.push_back(bitsOf(c));
  }
  return w;
}

FunctionTableSpec FunctionTableSpec::decode(std::span<const uint64_t> w) {
  auto need = [&](size_t n) {
    if (w.size() < n) throw ProtocolError("malformed function-table spec (truncated)");
  };
  auto small = [](uint64_t v) {
    if (v > 1024) throw ProtocolError("malformed function-table spec (field out of range)");
    return static_cast<int>(v);
  };
  need(4);
  FunctionTableSpec s;
  if (w[0] > ft::kMaxWindows) throw ProtocolError("malformed function-table spec (windows)");
  s.exact_shift = small(w[1]);
  s.exact_width = small(w[2]);
  if (w[3] > 3) throw ProtocolError("malformed function-table spec (flags)");
  s.sign_select = (w[3] & 1) != 0;
  s.delta_outside = (w[3] & 2) != 0;
  size_t at = 4;
  for (uint64_t i = 0; i < w[0]; ++i) {
    need(at + kWindowFields);
    PolyWindow p;
    p.low_bits = small(w[at]);
    p.mid_bits = small(w[at + 1]);
    p.offset = w[at + 2];
    p.degree = small(w[at + 3]);
    p.grid_step = small(w[at + 4]);
    p.grid_start = static_cast<int64_t>(w[at + 5]);
    p.scale_bits = small(w[at + 6]);
    p.trunc_width = small(w[at + 7]);
    p.trunc_shift = small(w[at + 8]);
    p.drop_bits = small(w[at + 9]);
    p.fine_bits = small(w[at + 10]);
    p.chain_end = w[at + 11] != 0;
    const uint64_t count = w[at + 12];
    at += kWindowFields;
    if (count > w.size() - at) throw ProtocolError("malformed function-table spec (coefficients)");
    p.coefficients.resize(count);
    for (uint64_t k = 0; k < count; ++k) p.coefficients[k] = doubleOf(w[at + k]);
    at += count;
    s.windows.push_back(std::move(p));
  }
  try {
    s.validate();
  } catch (const InvalidArgument& e) {
    throw ProtocolError(std::string("malformed function-table spec: ") + e.what());
  }
  return s;
}

RingTensor FunctionTableMaterial::sharesAt(int table, std::span<const uint64_t> rows) const {
  RingTensor out(Shape{static_cast<int64_t>(rows.size()), columns(table)});
  sharesAt(table, 0, rows, out.data().data());
  return out;
}

int function_tables::inWindowBits(const FunctionTableSpec& spec, int w) {
  const PolyWindow& p = spec.windows[static_cast<size_t>(w)];
  const int d1 = digitsAbove(p.low_bits + p.mid_bits) + 1;
  return std::bit_width(static_cast<unsigned>(2 * d1 * d1 - 1));
}

int function_tables::digitWindows(const FunctionTableSpec& spec, int d) {
  int k = 0;
  const int end = ft::digitStart(d) + ft::digitBits(d);
  for (const PolyWindow& p : spec.windows) k += p.low_bits + p.mid_bits < end ? 1 : 0;
  return k;
}

int function_tables::coefficientShift(const PolyWindow& p, int j) {
  const int s = p.trunc_shift, pe = p.low_bits - p.drop_bits;
  if (j == 0) return std::max(0, s - 15);
  const int h = s - 7 - (pe - 1) * j;  // the rounding within 2^-8 of the value's last bit
  if (h >= 0 || p.fine_bits == 0) return std::max(0, h);
  return std::max(-p.fine_bits, std::min(0, h + 3));  // held finer: within 2^-5
}

int function_tables::columnBits(const FunctionTableSpec& spec, int table, int col) {
  const int W = static_cast<int>(spec.windows.size());
  if (table < kDigits) {
    return col < digitWindows(spec, table) ? inWindowBits(spec, col) : kSignBits;
  }
  if (table < kDigits + W) {
    const PolyWindow& p = spec.windows[static_cast<size_t>(table - kDigits)];
    const int bits = p.trunc_width - std::max(0, coefficientShift(p, col));
    return col == 0 ? std::max(bits, kInWindowBits) : bits;
  }
  return 64;
}

int64_t functionTableWords(const FunctionTableSpec& spec) {
  return detail::FunctionTableGenerator(spec).totalWords();
}

double functionTableBytes(const FunctionTableSpec& spec) {
  const detail::FunctionTableGenerator g(spec);
  double bits = 64.0 * g.numWords();
  for (int t = 0; t < g.numTables(); ++t) {
    for (int col = 0; col < g.cols(t); ++col) {
      bits += static_cast<double>(g.rows(t)) * ft::columnBits(spec, t, col);
    }
  }
  return bits / 8;
}

namespace detail {

// ---- Generator -------------------------------------------------------------------------------

FunctionTableGenerator::FunctionTableGenerator(FunctionTableSpec spec) : spec_(std::move(spec)) {
  spec_.validate();
  // In-window index J = n0 + (D + 1)·n1 + (D + 1)^2·beta (D digits above the window): inside iff
  // the equality count with the target the borrow selects is D.
  for (int w = 0; w < windows(); ++w) {
    const uint64_t d1 = static_cast<uint64_t>(digitsAbove(w)) + 1;
    std::vector<uint8_t> in(uint64_t{1} << ft::inWindowBits(spec_, w), 0);
    for (uint64_t j = 0; j < 2 * d1 * d1 && j < in.size(); ++j) {
      const uint64_t beta = j / (d1 * d1), rem = j % (d1 * d1);
      in[j] = (beta == 1 ? rem / d1 : rem % d1) == d1 - 1 ? 1 : 0;
    }
    in_window_.push_back(std::move(in));
  }
}

int64_t FunctionTableGenerator::totalWords() const {
  int64_t total = numWords();
  for (int t = 0; t < numTables(); ++t) total += rows(t) * cols(t);
  return total;
}

int FunctionTableGenerator::digitsAbove(int w) const {
  const PolyWindow& p = spec_.windows[w];
  int k = 0;  // digits ending above the window's top
  for (int d = 0; d < ft::kDigits; ++d) {
    k += ft::digitStart(d) + ft::digitBits(d) > p.low_bits + p.mid_bits ? 1 : 0;
  }
  return k;
}

int64_t FunctionTableGenerator::rows(int t) const {
  const int W = windows();
  if (t < ft::kDigits) return int64_t{1} << ft::digitBits(t);
  if (t < ft::kDigits + W) return int64_t{1} << spec_.windows[t - ft::kDigits].mid_bits;
  if (t < ft::kDigits + 2 * W) return int64_t{1} << ft::inWindowBits(spec_, t - ft::kDigits - W);
  if (t == ft::tableSign(W)) return int64_t{1} << ft::kSignBits;
  return int64_t{1} << spec_.exact_shift;  // carry
}

int64_t FunctionTableGenerator::cols(int t) const {
  const int W = windows();
  if (t < ft::kDigits) return ft::digitWindows(spec_, t) + 1;
  if (t < ft::kDigits + W) return spec_.windows[t - ft::kDigits].degree + 1;
  if (t < ft::kDigits + 2 * W) return ft::hasNext(spec_, t - ft::kDigits - W) ? 5 : 3;
  if (t == ft::tableSign(W)) return ft::signColumns(spec_.sign_select, spec_.delta_outside);
  return 1;
}

std::vector<uint64_t> FunctionTableGenerator::drawSecrets(Prg& prg, int64_t n) const {
  const int W = windows(), drawn = numDrawn();
  std::vector<uint64_t> s(static_cast<size_t>(n) * numSecrets());  // [kind][element]
  prg.fill(std::span(s.data(), static_cast<size_t>(n) * drawn));
  for (int w = 0; w < W; ++w) {  // derived: q0 = r_y >> top and q1 = q0 + 1 (mod 2^(64 - top))
    const PolyWindow& p = spec_.windows[w];
    const int top = p.low_bits + p.mid_bits;
    uint64_t* q0 = s.data() + (drawn + 2 * w) * n;
    uint64_t* q1 = q0 + n;
    for (int64_t e = 0; e < n; ++e) {
      q0[e] = (s[e] - p.offset) >> top;
      q1[e] = (q0[e] + 1) & mask(64 - top);
    }
  }
  return s;
}

// Secrets: [0] r, [1 + w] r_A[w], [1 + W] r_B, [2 + W + w] r_T[w], [2 + 2W] r_E, then a.
void FunctionTableGenerator::words(const uint64_t* secrets, int64_t n, int64_t e,
                                   uint64_t* out) const {
  const int W = windows();
  uint64_t s[2 + 2 * ft::kMaxWindows + 2] = {};  // this element's drawn secrets
  for (int k = 0; k < numDrawn(); ++k) s[k] = secrets[k * n + e];
  out[ft::wordR()] = s[0];
  for (int w = 0; w < W; ++w) {
    out[ft::wordInWindowMask(w)] = s[1 + w] & mask(ft::inWindowBits(spec_, w));
  }
  out[ft::wordSignMask(W)] = s[1 + W] & mask(ft::kSignBits);
  for (int w = 0; w < W; ++w) {
    const PolyWindow& p = spec_.windows[w];
    const uint64_t rt = s[2 + W + w] & mask(p.trunc_width);
    out[ft::wordTrunc(W, w)] = rt;
    out[ft::wordTrunc(W, w) + 1] = rt >> p.trunc_shift;
    out[ft::wordTrunc(W, w) + 2] = rt >> (p.trunc_width - 1);
  }
  if (exact()) {
    const uint64_t re = s[2 + 2 * W] & mask(spec_.exact_width);
    out[ft::wordExact(W)] = re;
    out[ft::wordExact(W) + 1] = re >> spec_.exact_shift;
    out[ft::wordExact(W) + 2] = re >> (spec_.exact_width - 1);
  }
  if (spec_.delta_outside) out[ft::wordProductBit(W, exact())] = s[numDrawn() - 1] & 1;
}

template <typename RowOf, typename SecretOf>
void FunctionTableGenerator::entriesImpl(int t, int64_t count, RowOf row_of, SecretOf sec,
                                         uint64_t* out) const {
  const int W = windows();
  const int64_t cs = cols(t);
  if (t < ft::kDigits) {
    const int d = t;
    // In-window index contributions: c's bits of this digit above window w's top, equal to the
    // same bits of q0 = r_y >> top, and of q1 = q0 + 1 (weighted by digits + 1).
    const int wd = ft::digitWindows(spec_, d), drawn = numDrawn();
    for (int w = 0; w < wd; ++w) {
      const PolyWindow& p = spec_.windows[w];
      const int top = p.low_bits + p.mid_bits;
      const int start = ft::digitStart(d), lo = std::max(start, top);
      const int width = start + ft::digitBits(d) - lo;
      const uint64_t m = mask(width);
      const uint64_t d1 = static_cast<uint64_t>(digitsAbove(w)) + 1;
      const int row_shift = lo - start, q_shift = lo - top;
      for (int64_t i = 0; i < count; ++i) {
        const uint64_t cb = row_of(i) >> row_shift;
        const uint64_t q0 = sec(i, drawn + 2 * w), q1 = sec(i, drawn + 2 * w + 1);
        out[i * cs + w] = (((cb ^ (q0 >> q_shift)) & m) == 0 ? 1 : 0) +
                          (((cb ^ (q1 >> q_shift)) & m) == 0 ? d1 : 0);
      }
    }
    // Sign: 2^d·sign(c_d - r_d) over bits 0..62, negated if r's top bit is set; digit 0 counts
    // equality as greater (+1 or -1), so the sum is never 0 and its sign is [c mod 2^63 >= r mod
    // 2^63] even for x = -2^63 (where a zero sum would lose the top bits' negation).
    const int start = ft::digitStart(d);
    const uint64_t m = mask(std::min(ft::digitBits(d), 63 - start)), unit = uint64_t{1} << d;
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t r = sec(i, 0);
      const uint64_t cb = row_of(i) & m, rb = (r >> start) & m;
      const uint64_t v =
          d == 0 ? (cb >= rb ? unit : 0 - unit) : (cb > rb ? unit : 0) - (cb < rb ? unit : 0);
      const uint64_t neg = 0 - (r >> 63);
      out[i * cs + wd] = (v ^ neg) - neg;
    }
    return;
  }
  if (t < ft::kDigits + W) {
    const int w = t - ft::kDigits;
    const PolyWindow& p = spec_.windows[w];
    const int P = p.low_bits, a = p.mid_bits, D = p.degree;
    const int64_t step = int64_t{1} << p.grid_step;
    const int64_t points = static_cast<int64_t>(p.coefficients.size()) / (D + 1);
    const double scale = std::ldexp(1.0, p.scale_bits);
    constexpr double kLimit = 4.611686018427387904e18;  // 2^62
    const uint64_t d1 = static_cast<uint64_t>(digitsAbove(w)) + 1;
    const uint64_t m_low = mask(P), m_mid = mask(a);
    const int64_t half = int64_t{1} << (P - 1);
    const int gs = p.grid_step;
    int shifts[4];
    for (int j = 0; j <= D; ++j) shifts[j] = ft::coefficientShift(p, j);
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t ry = sec(i, 0) - p.offset;
      const uint64_t r_low = ry & m_low, r_mid = (ry >> P) & m_mid;
      const uint64_t row = row_of(i);
      const uint64_t z = (row - r_mid) & m_mid;
      // y at the centre of the public low digit: y = y0 + tau, tau = (c mod 2^P) - 2^(P-1); with
      // g dropped bits the polynomial is in tau >> g: y ≈ y0 + 2^(g-1) + (tau >> g)·2^g.
      // (Unsigned: a window may reach 2^63; y0 - grid_start >= 0.)
      const uint64_t y0 = (z << P) - r_low + static_cast<uint64_t>(half) +
                          (p.drop_bits > 0 ? uint64_t{1} << (p.drop_bits - 1) : 0);
      const uint64_t from_start = y0 - static_cast<uint64_t>(p.grid_start);
      // (Clamped to the grid both ways: a spec whose grid falls short of the window gets its end
      // points' pieces, not a read outside the coefficients.)
      const int64_t g = static_cast<int64_t>(std::min<uint64_t>(
          (from_start + static_cast<uint64_t>(step / 2)) >> gs, static_cast<uint64_t>(points - 1)));
      const double delta =
          static_cast<double>(static_cast<int64_t>(from_start - (static_cast<uint64_t>(g) << gs)));
      const double* c = p.coefficients.data() + g * (D + 1);
      // Coefficients of the polynomial in tau: B_j = Σ_{k >= j} c_k·C(k, j)·delta^(k - j).
      double b[4];
      switch (D) {
        case 0:
          b[0] = c[0];
          break;
        case 1:
          b[0] = c[0] + delta * c[1];
          b[1] = c[1];
          break;
        case 2:
          b[0] = c[0] + delta * (c[1] + delta * c[2]);
          b[1] = c[1] + 2 * delta * c[2];
          b[2] = c[2];
          break;
        default:
          b[0] = c[0] + delta * (c[1] + delta * (c[2] + delta * c[3]));
          b[1] = c[1] + delta * (2 * c[2] + 3 * delta * c[3]);
          b[2] = c[2] + 3 * delta * c[3];
          b[3] = c[3];
      }
      uint64_t* o = out + i * cs;
      for (int j = 0; j <= D; ++j) {  // at 2^(scale_bits - h_j)
        const double v =
            std::clamp(std::ldexp(b[j], p.drop_bits * j - shifts[j]) * scale, -kLimit, kLimit);
        o[j] = static_cast<uint64_t>(static_cast<int64_t>(std::nearbyint(v)));
      }
      // B_0 rounded to a multiple of 2^7, plus the weighted borrow.
      o[0] = ((o[0] + 64) & ~mask(ft::kInWindowBits)) + (row < r_mid ? 1 : 0) * d1 * d1;
    }
    return;
  }
  if (t < ft::kDigits + 2 * W) {
    const int w = t - ft::kDigits - W;
    const int last = ft::hasNext(spec_, w) ? w + 1 : w;
    const uint8_t* inside = in_window_[w].data();
    const uint64_t index_mask = mask(ft::inWindowBits(spec_, w));
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t in = inside[(row_of(i) - sec(i, 1 + w)) & index_mask];
      uint64_t* o = out + i * cs;
      o[0] = in;
      for (int k = w; k <= last; ++k) {
        const PolyWindow& p = spec_.windows[k];
        const uint64_t rt = sec(i, 2 + W + k) & mask(p.trunc_width);
        const int at = k == w ? 1 : 3;
        o[at] = in * (rt >> p.trunc_shift);
        o[at + 1] = in * (rt >> (p.trunc_width - 1));
      }
    }
    return;
  }
  if (t == ft::tableSign(W)) {
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t j = (row_of(i) - sec(i, 1 + W)) & mask(ft::kSignBits);
      const uint64_t pos = j < (uint64_t{1} << (ft::kSignBits - 1)) ? 1 : 0;  // S_eff >= 0
      uint64_t* o = out + i * cs;
      *o++ = pos;
      if (spec_.sign_select) *o++ = pos * sec(i, 0);
      if (spec_.delta_outside) *o = pos * (sec(i, numDrawn() - 1) & 1);
    }
    return;
  }
  // Carry of the exact rounding: [row < r_E mod 2^e].
  for (int64_t i = 0; i < count; ++i) {
    const uint64_t re = sec(i, 2 + 2 * W) & mask(spec_.exact_shift);
    out[i] = row_of(i) < re ? 1 : 0;
  }
}

void FunctionTableGenerator::entries(int table, int64_t count, const uint64_t* rows,
                                     const uint64_t* secrets, int64_t n, int64_t first,
                                     uint64_t* out) const {
  const uint64_t* base = secrets + first;
  entriesImpl(
      table, count, [rows](int64_t i) { return rows[i]; },
      [base, n](int64_t i, int k) { return base[k * n + i]; }, out);
}

void FunctionTableGenerator::allEntries(int table, const uint64_t* secrets, int64_t n, int64_t e,
                                        uint64_t* out) const {
  const uint64_t* base = secrets + e;
  entriesImpl(
      table, rows(table), [](int64_t i) { return static_cast<uint64_t>(i); },
      [base, n](int64_t, int k) { return base[k * n]; }, out);
}

std::vector<Shape> FunctionTableGenerator::outputShapes(int64_t n) const {
  std::vector<Shape> shapes = {Shape{n, numWords()}};
  for (int t = 0; t < numTables(); ++t) shapes.push_back(Shape{n, rows(t) * cols(t)});
  return shapes;
}

std::vector<RingTensor> FunctionTableGenerator::generate(int64_t n, Prg& prg) const {
  const std::vector<uint64_t> secrets = drawSecrets(prg, n);
  std::vector<RingTensor> out;
  RingTensor words_t(Shape{n, numWords()});
  for (int64_t e = 0; e < n; ++e)
    words(secrets.data(), n, e, words_t.data().data() + e * numWords());
  out.push_back(std::move(words_t));
  for (int t = 0; t < numTables(); ++t) {
    const int64_t rs = rows(t), cs = cols(t);
    RingTensor table(Shape{n, rs * cs});
    uint64_t* data = table.data().data();
    for (int64_t e = 0; e < n; ++e) allEntries(t, secrets.data(), n, e, data + e * rs * cs);
    out.push_back(std::move(table));
  }
  return out;
}

// ---- Materials -------------------------------------------------------------------------------

namespace {

// AES-128-ECB under a 2-word key: the PRF of sotto::Prf (word(hi, lo) = first 8 bytes of
// AES_key(lo || hi)) evaluated on blocks built in place.
class AesEcb {
 public:
  explicit AesEcb(const RingTensor& key) : ctx_(EVP_CIPHER_CTX_new()) {
    SOTTO_ENFORCE(key.numel() == 2, "function tables: a PRF key is 2 words, got ", key.numel());
    unsigned char k[16];
    std::memcpy(k, key.data().data(), 16);
    if (ctx_ == nullptr || EVP_EncryptInit_ex(ctx_, EVP_aes_128_ecb(), nullptr, k, nullptr) != 1) {
      throw Error("function tables: cannot initialise AES-128-ECB (OpenSSL)");
    }
    EVP_CIPHER_CTX_set_padding(ctx_, 0);
  }
  ~AesEcb() { EVP_CIPHER_CTX_free(ctx_); }
  AesEcb(const AesEcb&) = delete;
  AesEcb& operator=(const AesEcb&) = delete;
  void encrypt(uint64_t* blocks, size_t count) {
    int len = 0;
    auto* p = reinterpret_cast<unsigned char*>(blocks);
    if (EVP_EncryptUpdate(ctx_, p, &len, p, static_cast<int>(16 * count)) != 1 ||
        static_cast<size_t>(len) != 16 * count) {
      throw Error("function tables: AES-ECB encryption failed (OpenSSL)");
    }
  }

 private:
  EVP_CIPHER_CTX* ctx_;
};

enum class Combine { kAssign, kAdd, kSubtract };

// out[i, col] (=, +=, -=) Σ over keys of the kPrfPairs word at (e = first + i, t = row_i·cols +
// col): each key's share of the entries read (the words prfPairsTable(key, n, rows·cols) holds
// there). A row's words take ceil(cols / 2) blocks (odd cols: either start parity fits).
void prfAt(const std::vector<RingTensor>& keys, int64_t first, std::span<const uint64_t> rows,
           int64_t cols, Combine how, uint64_t* out) {
  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t per = (cols + 1) / 2;
  constexpr int64_t kChunk = 1024;  // elements per AES call
  thread_local std::vector<uint64_t> blocks;
  blocks.resize(static_cast<size_t>(2 * kChunk * per));
  if (keys.empty() && how == Combine::kAssign) std::fill(out, out + n * cols, 0);
  for (size_t key_index = 0; key_index < keys.size(); ++key_index) {
    AesEcb aes(keys[key_index]);
    const Combine op = key_index > 0 && how == Combine::kAssign ? Combine::kAdd : how;
    for (int64_t at = 0; at < n; at += kChunk) {
      const int64_t m = std::min(kChunk, n - at);
      uint64_t* b = blocks.data();
      for (int64_t i = at; i < at + m; ++i) {
        const uint64_t start = (rows[i] * static_cast<uint64_t>(cols)) >> 1;
        const uint64_t e = static_cast<uint64_t>(first + i);
        for (int64_t k = 0; k < per; ++k) {
          *b++ = start + static_cast<uint64_t>(k);  // lo
          *b++ = e;                                 // hi
        }
      }
      aes.encrypt(blocks.data(), static_cast<size_t>(m * per));
      for (int64_t i = at; i < at + m; ++i) {
        const uint64_t* w = blocks.data() + 2 * per * (i - at) + ((rows[i] * cols) & 1);
        uint64_t* o = out + i * cols;
        switch (op) {
          case Combine::kAssign:
            for (int64_t col = 0; col < cols; ++col) o[col] = w[col];
            break;
          case Combine::kAdd:
            for (int64_t col = 0; col < cols; ++col) o[col] += w[col];
            break;
          case Combine::kSubtract:
            for (int64_t col = 0; col < cols; ++col) o[col] -= w[col];
            break;
        }
      }
    }
  }
}

// Rows beyond a table are only an error where they would be read from memory (full tables); the
// generator and the PRF accept any row.
void checkRange(const FunctionTableGenerator& g, int table, int64_t first,
                std::span<const uint64_t> rows, int64_t n, bool bounds) {
  SOTTO_ENFORCE(table >= 0 && table < g.numTables(), "function tables: no table ", table);
  SOTTO_ENFORCE(first >= 0 && first + static_cast<int64_t>(rows.size()) <= n,
                "function tables: elements [", first, ", ", first + rows.size(), ") of ", n);
  if (!bounds) return;
  const uint64_t limit = static_cast<uint64_t>(g.rows(table));
  for (uint64_t r : rows) {
    SOTTO_ENFORCE(r < limit, "function tables: row ", r, " of a ", limit, "-row table");
  }
}

class FullTables final : public FunctionTableMaterial {
 public:
  FullTables(std::shared_ptr<const FunctionTableGenerator> g, std::vector<RingTensor> outputs)
      : keep_(std::move(g)), g_(*keep_) {
    words = std::move(outputs[0]);
    tables_.assign(std::make_move_iterator(outputs.begin() + 1),
                   std::make_move_iterator(outputs.end()));
  }
  int64_t columns(int table) const override { return g_.cols(table); }
  void sharesAt(int table, int64_t first, std::span<const uint64_t> rows,
                uint64_t* out) const override {
    checkRange(g_, table, first, rows, words.dim(0), true);
    const int64_t cs = g_.cols(table), rs = g_.rows(table);
    const uint64_t* t = tables_[table].data().data();
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t e = first + static_cast<int64_t>(i);
      const uint64_t* src = t + (e * rs + static_cast<int64_t>(rows[i])) * cs;
      std::copy(src, src + cs, out + static_cast<int64_t>(i) * cs);
    }
  }

 private:
  std::shared_ptr<const FunctionTableGenerator> keep_;
  const FunctionTableGenerator& g_;
  std::vector<RingTensor> tables_;
};

class PrfTables final : public FunctionTableMaterial {
 public:
  PrfTables(std::shared_ptr<const FunctionTableGenerator> g, std::vector<RingTensor> outputs)
      : keep_(std::move(g)), g_(*keep_) {
    words = std::move(outputs[0]);
    keys_.assign(std::make_move_iterator(outputs.begin() + 1),
                 std::make_move_iterator(outputs.end()));
  }
  int64_t columns(int table) const override { return g_.cols(table); }
  void sharesAt(int table, int64_t first, std::span<const uint64_t> rows,
                uint64_t* out) const override {
    checkRange(g_, table, first, rows, words.dim(0), false);
    prfAt({keys_[table]}, first, rows, g_.cols(table), Combine::kAssign, out);
  }

 private:
  std::shared_ptr<const FunctionTableGenerator> keep_;
  const FunctionTableGenerator& g_;
  std::vector<RingTensor> keys_;
};

class LazyTables final : public FunctionTableMaterial {
 public:
  LazyTables(std::shared_ptr<const FunctionTableGenerator> g, RingTensor words_share,
             std::vector<uint64_t> secrets, std::vector<std::vector<RingTensor>> keys)
      : keep_(std::move(g)), g_(*keep_), secrets_(std::move(secrets)), keys_(std::move(keys)) {
    words = std::move(words_share);
  }
  int64_t columns(int table) const override { return g_.cols(table); }
  void sharesAt(int table, int64_t first, std::span<const uint64_t> rows,
                uint64_t* out) const override {
    checkRange(g_, table, first, rows, words.dim(0), false);
    g_.entries(table, static_cast<int64_t>(rows.size()), rows.data(), secrets_.data(), words.dim(0),
               first, out);
    prfAt(keys_[table], first, rows, g_.cols(table), Combine::kSubtract, out);
  }

 private:
  std::shared_ptr<const FunctionTableGenerator> keep_;
  const FunctionTableGenerator& g_;
  std::vector<uint64_t> secrets_;
  std::vector<std::vector<RingTensor>> keys_;
};

class JoinedTables final : public FunctionTableMaterial {
 public:
  JoinedTables(std::vector<std::unique_ptr<FunctionTableMaterial>> parts,
               std::vector<int64_t> sizes)
      : parts_(std::move(parts)), sizes_(std::move(sizes)) {
    std::vector<RingTensor> w;
    for (const auto& p : parts_) w.push_back(p->words);
    words = sotto::concat(w, 0);
  }
  int64_t columns(int table) const override { return parts_[0]->columns(table); }
  void sharesAt(int table, int64_t first, std::span<const uint64_t> rows,
                uint64_t* out) const override {
    const int64_t cs = columns(table), end = first + static_cast<int64_t>(rows.size());
    int64_t base = 0;
    for (size_t p = 0; p < parts_.size() && base < end; base += sizes_[p], ++p) {
      const int64_t lo = std::max(first, base), hi = std::min(end, base + sizes_[p]);
      if (lo >= hi) continue;
      parts_[p]->sharesAt(table, lo - base, rows.subspan(lo - first, hi - lo),
                          out + (lo - first) * cs);
    }
  }

 private:
  std::vector<std::unique_ptr<FunctionTableMaterial>> parts_;
  std::vector<int64_t> sizes_;
};

}  // namespace

RingTensor prfPairsTable(const RingTensor& key, int64_t n, int64_t m) {
  RingTensor out(Shape{n, m});
  AesEcb aes(key);
  const int64_t blocks = (m + 1) / 2;
  std::vector<uint64_t> b(static_cast<size_t>(2 * blocks));
  for (int64_t e = 0; e < n; ++e) {
    for (int64_t k = 0; k < blocks; ++k) {
      b[2 * k] = static_cast<uint64_t>(k);
      b[2 * k + 1] = static_cast<uint64_t>(e);
    }
    aes.encrypt(b.data(), static_cast<size_t>(blocks));
    std::copy_n(b.data(), m, out.data().data() + e * m);
  }
  return out;
}

std::unique_ptr<FunctionTableMaterial> makeFetchedFunctionTables(
    std::shared_ptr<const FunctionTableGenerator> shared, std::vector<RingTensor> outputs) {
  const FunctionTableGenerator& generator = *shared;
  SOTTO_ENFORCE(static_cast<int>(outputs.size()) == 1 + generator.numTables(),
                "function tables: ", outputs.size(), " outputs for ", generator.numTables(),
                " tables");
  if (generator.numTables() > 0 && outputs[1].shape().rank() == 1) {  // PRF keys
    return std::make_unique<PrfTables>(std::move(shared), std::move(outputs));
  }
  return std::make_unique<FullTables>(std::move(shared), std::move(outputs));
}

std::unique_ptr<FunctionTableMaterial> makeLazyFunctionTables(
    std::shared_ptr<const FunctionTableGenerator> generator, RingTensor words_share,
    std::vector<uint64_t> secrets, std::vector<std::vector<RingTensor>> keys) {
  return std::make_unique<LazyTables>(std::move(generator), std::move(words_share),
                                      std::move(secrets), std::move(keys));
}

std::unique_ptr<FunctionTableMaterial> joinFunctionTables(
    std::vector<std::unique_ptr<FunctionTableMaterial>> parts, std::vector<int64_t> sizes) {
  if (parts.size() == 1) return std::move(parts[0]);
  return std::make_unique<JoinedTables>(std::move(parts), std::move(sizes));
}

}  // namespace detail
}  // namespace sotto
