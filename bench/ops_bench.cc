// ops_bench: MPC operations for 2 parties at CrypTen's sizes (notes/anchors.md), with online
// rounds and bytes, dealer bytes and the error against a double-precision reference.
//
//   build/bench/ops_bench                                  (2 parties as threads, inproc)
//   scripts/mpirun-local -np 2 build/bench/ops_bench --backend mpi   (or gloo, hybrid)
//   build/bench/ops_bench --runs 3                         (fewer timed runs, e.g. slow links)
//
// Names: ops/<op>/<variant>/<elements>. Counters: rounds and bytes_per_party (online, party 0,
// sent + received, dealer traffic excluded), dealer_bytes (party 0), max_abs_err, online_ms,
// min_ms, max_ms. Time: the median of 15 runs (--runs N to change) of the operation on party 0
// (after one warm-up), reported as manual time, min_ms and max_ms the fastest and slowest run,
// correlations included; online_ms is the median of the same runs less party 0's time spent
// obtaining correlations (with this dealer: generating them).
// Protocol: the seeded trusted-first-party dealer (insecure; correlations generated locally) by
// default; --protocol ttp (a third thread as the dealer) or --protocol none (the OT family, two
// parties alone; --ot ferret for Ferret's COTs). mul/raw is the product without its truncation.
// Under none: mul (Gilboa triples), relu, drelu, lt (millionaires'), truncate (exact; local:
// SecureML's), matmul_fixed and conv2d_fixed (the weight owner's RLWE products), lookup (SiRnn's:
// one 1-of-256 OT per element); a row the family cannot run is skipped with a note:
//   build/bench/ops_bench --protocol none
//       --benchmark_filter='ops/(mul|relu|drelu|lt|truncate|matmul_fixed|lookup)/'   (one line)

#include <algorithm>
#include <cmath>
#include <functional>

#include "mpc_bench.h"
#include "sotto/mpc/arith_tensor.h"
#include "sotto/mpc/compare.h"
#include "sotto/mpc/crypten_compare.h"
#include "sotto/mpc/fixed_weight.h"
#include "sotto/mpc/lut.h"

namespace {

using namespace sotto;
using sotto::bench::Op;
using sotto::bench::uniform;

// ---- The operations --------------------------------------------------------------------------

// raw: the protocol's product alone, at scale 2^(2f) (no truncation); else a.mul(b).
Op mulOp(int64_t n, bool raw = false) {
  auto x = uniform(n, -10, 10, 1), y = uniform(n, -10, 10, 2);
  Op op;
  for (int64_t i = 0; i < n; ++i) op.reference.push_back(x[i] * y[i]);
  op.prepare = [x, y, n, raw](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    auto b = ArithTensor::share(p, 1, y, Shape{n});
    if (raw) {
      return std::function<ArithTensor()>([a, b] {
        const Party& q = a.party();
        return ArithTensor(q, q.protocol().mul(q, a.share(), b.share()), 2 * kDefaultFracBits);
      });
    }
    return std::function<ArithTensor()>([a, b] { return a.mul(b); });
  };
  return op;
}

std::vector<double> matmulRef(const std::vector<double>& x, const std::vector<double>& y, int64_t m,
                              int64_t k, int64_t n) {
  std::vector<double> out(m * n, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t l = 0; l < k; ++l)
      for (int64_t j = 0; j < n; ++j) out[i * n + j] += x[i * k + l] * y[l * n + j];
  return out;
}

Op matmulOp(int64_t s, bool fixed) {
  auto x = uniform(s * s, -1, 1, 3), y = uniform(s * s, -1, 1, 4);
  Op op;
  op.reference = matmulRef(x, y, s, s, s);
  op.prepare = [x, y, s, fixed](Party& p) {
    auto a = ArithTensor::share(p, 1, x, Shape{s, s});  // the data owner's input
    if (fixed) {
      auto w = std::make_shared<FixedWeight>(FixedWeight::load(p, 0, y, Shape{s, s}));
      return std::function<ArithTensor()>([a, w] { return w->matmulFrom(a); });
    }
    auto b = ArithTensor::share(p, 0, y, Shape{s, s});
    return std::function<ArithTensor()>([a, b] { return a.matmul(b); });
  };
  return op;
}

Op conv2dOp(bool fixed) {
  const Shape in{1, 16, 32, 32}, ws{16, 16, 5, 5};
  auto x = uniform(in.numel(), -1, 1, 5), y = uniform(ws.numel(), -0.2, 0.2, 6);
  Op op;
  const Shape os = conv2dOutputShape(in, ws);
  op.reference.assign(os.numel(), 0);
  for (int64_t o = 0; o < 16; ++o)
    for (int64_t oh = 0; oh < os[2]; ++oh)
      for (int64_t ow = 0; ow < os[3]; ++ow) {
        double acc = 0;
        for (int64_t c = 0; c < 16; ++c)
          for (int64_t i = 0; i < 5; ++i)
            for (int64_t j = 0; j < 5; ++j)
              acc += x[(c * 32 + oh + i) * 32 + ow + j] * y[((o * 16 + c) * 5 + i) * 5 + j];
        op.reference[(o * os[2] + oh) * os[3] + ow] = acc;
      }
  op.prepare = [x, y, in, ws, fixed](Party& p) {
    auto a = ArithTensor::share(p, 1, x, in);
    if (fixed) {
      auto w = std::make_shared<FixedWeight>(FixedWeight::load(p, 0, y, ws));
      return std::function<ArithTensor()>([a, w] { return w->conv2dFrom(a); });
    }
    auto b = ArithTensor::share(p, 0, y, ws);
    return std::function<ArithTensor()>([a, b] { return a.conv2d(b); });
  };
  return op;
}

Op truncateOp(int64_t n) {
  auto x = uniform(n, -1000, 1000, 7);
  Op op;
  op.reference = x;
  op.prepare = [x, n](Party& p) {
    // Shares of x at scale 2^32, truncated back to 2^16.
    auto a = ArithTensor::share(p, 0, x, Shape{n}).mulPublicInt(int64_t{1} << 16);
    return std::function<ArithTensor()>([a] { return a.truncate(16); });
  };
  return op;
}

Op reluOp(int64_t n, bool crypten) {
  auto x = uniform(n, -10, 10, 8);
  Op op;
  for (double v : x) op.reference.push_back(std::max(v, 0.0));
  op.prepare = [x, n, crypten](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    if (crypten) return std::function<ArithTensor()>([a] { return crypten_style::relu(a); });
    return std::function<ArithTensor()>([a] { return relu(a); });
  };
  return op;
}

// DReLU, [x >= 0] = 1 - [x < 0]: the comparison a ReLU makes before its select.
Op dreluOp(int64_t n) {
  auto x = uniform(n, -10, 10, 14);
  for (int64_t i = 0; i < n; i += 5) x[i] = 0;  // the boundary: DReLU(0) = 1
  Op op;
  for (double v : x) op.reference.push_back(v >= 0 ? 1.0 : 0.0);
  op.prepare = [x, n](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    const RingTensor one(Shape{n}, std::vector<uint64_t>(n, encode(1.0)));
    return std::function<ArithTensor()>([a, one] { return (-ltz(a)).addPublic(one); });
  };
  return op;
}

Op ltOp(int64_t n, bool crypten) {
  auto x = uniform(n, -10, 10, 9), y = uniform(n, -10, 10, 10);
  for (int64_t i = 0; i < n; i += 7) y[i] = x[i] + (i % 2 ? 1.0 : -1.0) / 65536;  // 1 ULP apart
  Op op;
  for (int64_t i = 0; i < n; ++i) op.reference.push_back(x[i] < y[i] ? 1.0 : 0.0);
  op.prepare = [x, y, n, crypten](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{n});
    auto b = ArithTensor::share(p, 1, y, Shape{n});
    if (crypten) return std::function<ArithTensor()>([a, b] { return crypten_style::lt(a, b); });
    return std::function<ArithTensor()>([a, b] { return lt(a, b); });
  };
  return op;
}

Op maxRowsOp(bool with_argmax) {
  const int64_t rows = 6554, cols = 10;
  auto x = uniform(rows * cols, -8, 8, 11);
  Op op;
  for (int64_t i = 0; i < rows; ++i) {
    op.reference.push_back(*std::max_element(x.begin() + i * cols, x.begin() + (i + 1) * cols));
  }
  op.prepare = [x, with_argmax](Party& p) {
    auto a = ArithTensor::share(p, 0, x, Shape{rows, cols});
    if (with_argmax) {
      return std::function<ArithTensor()>([a] { return argmax(a, 1).first; });
    }
    return std::function<ArithTensor()>([a] { return max(a, 1); });
  };
  return op;
}

// Elementwise ops of one private operand: square, eq (against a second), pooling.
Op unaryOp(const std::string& which) {
  const Shape s{16, 16, 16, 16};  // 65536 elements, [N, C, H, W] for pooling
  auto x = uniform(s.numel(), -10, 10, 12), y = uniform(s.numel(), -10, 10, 13);
  for (int64_t i = 0; i < s.numel(); i += 3) y[i] = x[i];  // a third equal
  Op op;
  if (which == "square") {
    for (double v : x) op.reference.push_back(v * v);
  } else if (which == "eq") {
    for (int64_t i = 0; i < s.numel(); ++i) op.reference.push_back(x[i] == y[i] ? 1.0 : 0.0);
  } else {  // 2x2 pooling, stride 2
    for (int64_t b = 0; b < 256; ++b)
      for (int64_t i = 0; i < 8; ++i)
        for (int64_t j = 0; j < 8; ++j) {
          const double* p = &x[b * 256 + i * 32 + j * 2];
          const double v[4] = {p[0], p[1], p[16], p[17]};
          op.reference.push_back(which == "maxpool" ? std::max({v[0], v[1], v[2], v[3]})
                                                    : (v[0] + v[1] + v[2] + v[3]) / 4);
        }
  }
  op.prepare = [x, y, s, which](Party& p) {
    auto a = ArithTensor::share(p, 0, x, s);
    auto b = ArithTensor::share(p, 1, y, s);
    if (which == "square") return std::function<ArithTensor()>([a] { return a.square(); });
    if (which == "eq") return std::function<ArithTensor()>([a, b] { return eq(a, b); });
    if (which == "maxpool") {
      return std::function<ArithTensor()>([a] { return maxPool2d(a, {2, 2}, {2, 2}); });
    }
    return std::function<ArithTensor()>([a] { return avgPool2d(a, {2, 2}, {2, 2}); });
  };
  return op;
}

// A 256-entry lookup of a fixed-point function on 8-bit shared indices.
Op lookupOp(int64_t n) {
  std::vector<uint64_t> idx(n);
  Op op;
  for (int64_t i = 0; i < n; ++i) {
    idx[i] = static_cast<uint64_t>(i * 37) & 255;
    op.reference.push_back(decode(encode(std::exp(-static_cast<double>(idx[i]) / 32))));
  }
  op.prepare = [idx, n](Party& p) {
    auto table = std::make_shared<LookupTable>(LookupTable::fromFunction(
        8, 1, [](uint64_t row, int) { return encode(std::exp(-static_cast<double>(row) / 32)); }));
    auto x = ArithTensor::shareEncoded(p, 1, RingTensor(Shape{n}, idx), Shape{n}, 0);
    return std::function<ArithTensor()>(
        [x, table] { return lookup(x, *table, kDefaultFracBits)[0]; });
  };
  return op;
}

}  // namespace

int main(int argc, char** argv) {
  const PartyOptions exact{kDefaultFracBits, Truncation::kDealer};
  const PartyOptions local{kDefaultFracBits, Truncation::kLocal};
  const std::vector<sotto::bench::Entry> entries = {
      {"ops/mul/exact/65536", [] { return mulOp(65536); }, exact},
      {"ops/mul/local/65536", [] { return mulOp(65536); }, local},
      {"ops/mul/raw/65536", [] { return mulOp(65536, true); }, exact},
      {"ops/matmul/exact/65536", [] { return matmulOp(256, false); }, exact},
      {"ops/matmul/local/65536", [] { return matmulOp(256, false); }, local},
      {"ops/matmul_fixed/exact/65536", [] { return matmulOp(256, true); }, exact},
      {"ops/matmul_fixed/local/65536", [] { return matmulOp(256, true); }, local},
      {"ops/conv2d/exact/12544", [] { return conv2dOp(false); }, exact},
      {"ops/conv2d_fixed/exact/12544", [] { return conv2dOp(true); }, exact},
      {"ops/relu/fast/65536", [] { return reluOp(65536, false); }, exact},
      {"ops/relu/fast/1024", [] { return reluOp(1024, false); }, exact},  // the smoke test's
      {"ops/drelu/fast/65536", [] { return dreluOp(65536); }, exact},
      {"ops/relu/crypten/65536", [] { return reluOp(65536, true); }, exact},
      {"ops/lt/fast/65536", [] { return ltOp(65536, false); }, exact},
      {"ops/lt/crypten/65536", [] { return ltOp(65536, true); }, exact},
      {"ops/max_rows/fast/65540", [] { return maxRowsOp(false); }, exact},
      {"ops/argmax_rows/fast/65540", [] { return maxRowsOp(true); }, exact},
      {"ops/square/exact/65536", [] { return unaryOp("square"); }, exact},
      {"ops/eq/fast/65536", [] { return unaryOp("eq"); }, exact},
      {"ops/maxpool2x2/fast/65536", [] { return unaryOp("maxpool"); }, exact},
      {"ops/avgpool2x2/exact/65536", [] { return unaryOp("avgpool"); }, exact},
      {"ops/lookup/lut8/65536", [] { return lookupOp(65536); }, exact},
      {"ops/truncate/dealer/65536", [] { return truncateOp(65536); }, exact},
      {"ops/truncate/local/65536", [] { return truncateOp(65536); }, local},
  };
  return sotto::bench::benchMain(argc, argv, "ops_bench", entries);
}
