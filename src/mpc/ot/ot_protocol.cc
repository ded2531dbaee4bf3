// The OT family's kernels (ot_protocol.h): OtKernels and HeMatmul behind the protocol seam.
#include "sotto/mpc/ot/ot_protocol.h"

#include <string>
#include <vector>

#include "ot_weight.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/he_session.h"
#include "sotto/mpc/ot/ot_kernels.h"
#include "sotto/mpc/party.h"

namespace sotto {
namespace {

// A kernel this family does not have yet.
[[noreturn]] void unavailable(const std::string& what) {
  throw NotImplemented(what + " is not yet available with --dealer none (the OT family)");
}

RingTensor fromVector(const Shape& shape, std::vector<uint64_t> values) {
  return RingTensor(shape, std::move(values));
}

// 64 XOR-shared bits per word, bit k of word i at position 64·i + k.
BitShares unpackBits(std::span<const uint64_t> words, size_t count) {
  BitShares bits(count);
  for (size_t i = 0; i < count; ++i)
    bits[i] = static_cast<uint8_t>((words[i / 64] >> (i % 64)) & 1);
  return bits;
}

// The inverse: bits into words of `shape` (64 per word, the unused bits 0).
RingTensor packBits(const BitShares& bits, const Shape& shape) {
  RingTensor out(shape);
  auto os = out.data();
  for (size_t i = 0; i < bits.size(); ++i) os[i / 64] |= uint64_t{bits[i]} << (i % 64);
  return out;
}

// m·k·n products of a [m, k] and b [k, n], summed over k: shares of a @ b.
std::vector<uint64_t> sharedMatmul(OtKernels& kernels, const uint64_t* a, const uint64_t* b,
                                   size_t m, size_t k, size_t n) {
  std::vector<uint64_t> ae(m * k * n), be(m * k * n);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < k; ++j)
      for (size_t l = 0; l < n; ++l) {
        ae[(i * k + j) * n + l] = a[i * k + j];
        be[(i * k + j) * n + l] = b[j * n + l];
      }
  const std::vector<uint64_t> prod = kernels.mul(ae, be);
  std::vector<uint64_t> out(m * n, 0);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < k; ++j)
      for (size_t l = 0; l < n; ++l) out[i * n + l] += prod[(i * k + j) * n + l];  // Σ_j a_ij·b_jl
  return out;
}

// The [N·OH·OW, C·kh·kw] rows of x's patches (im2col, transposed per image).
RingTensor patchRows(const RingTensor& x, int64_t kh, int64_t kw, const Conv2dOptions& options) {
  const RingTensor cols = im2col(x, kh, kw, options);  // [N, C·kh·kw, OH·OW]
  return cols.transpose({0, 2, 1}).reshape({cols.dim(0) * cols.dim(2), cols.dim(1)});
}

// [N·OH·OW, O] rows back to [N, O, OH, OW].
RingTensor rowsToImage(const RingTensor& rows, const Shape& out) {
  return rows.reshape({out[0], out[2] * out[3], out[1]}).transpose({0, 2, 1}).reshape(out.dims());
}

// x with the wrap of its shares computed once (OtKernels::narrowWrap).
class OtNarrow final : public NarrowOperand {
 public:
  OtNarrow(OtKernels& kernels, RingTensor x, int x_bits, BitShares wrap)
      : kernels_(kernels), x_(std::move(x)), x_bits_(x_bits), wrap_(std::move(wrap)) {}
  RingTensor mul(const Party&, const RingTensor& y) override {
    SOTTO_ENFORCE(x_.shape() == y.shape(), "NarrowOperand::mul: shapes ", x_.shape().toString(),
                  " and ", y.shape().toString());
    return RingTensor(y.shape(), kernels_.mulMixedByWrap(x_.data(), x_bits_, wrap_, y.data()));
  }

 private:
  OtKernels& kernels_;
  RingTensor x_;
  int x_bits_;
  BitShares wrap_;
};

// The weight products by OT alone, for comparison with the RLWE layers (WeightProducts::kOt): W
// as a sharing (party 0's share W, party 1's zero) multiplied by the family's shared products
// (Gilboa's, 268 B per scalar product each way: ~30 MB for LeNet5's first convolution).
class OtSharedWeight final : public WeightKernel {
 public:
  OtSharedWeight(Protocol& protocol, RingTensor share)
      : protocol_(protocol), w_(std::move(share)) {}

  RingTensor matmul(const Party& party, const RingTensor& x) const override {
    SOTTO_ENFORCE(x.rank() >= 1 && x.dim(x.rank() - 1) == w_.dim(0), "matmul with a weight: x ",
                  x.shape().toString(), " and W ", w_.shape().toString(), " do not chain");
    std::vector<int64_t> dims = x.shape().dims();
    dims.back() = w_.dim(1);
    const RingTensor rows = x.reshape({x.numel() / w_.dim(0), w_.dim(0)});
    return protocol_.matmul(party, rows, w_).reshape(dims);
  }
  RingTensor conv2d(const Party& party, const RingTensor& x,
                    const Conv2dOptions& options) const override {
    return protocol_.conv2d(party, x, w_, options);
  }

 private:
  Protocol& protocol_;
  RingTensor w_;
};

class OtProtocol final : public Protocol {
 public:
  OtProtocol(Communicator& comm, const ot::OtOptions& options, std::shared_ptr<HeSession> session,
             const HeRingOptions& he, WeightProducts products)
      : comm_(comm),
        kernels_(comm, options),
        session_(std::move(session)),
        he_(he),
        products_(products) {}

  std::string name() const override { return "none"; }
  bool secure() const override { return true; }
  uint64_t offlineBytes() const override { return 0; }

  RingTensor mul(const Party&, const RingTensor& x, const RingTensor& y) override {
    SOTTO_ENFORCE(x.shape() == y.shape(), "mul: shapes ", x.shape().toString(), " and ",
                  y.shape().toString(), " differ");
    return fromVector(x.shape(), kernels_.mul(x.data(), y.data()));
  }

  RingTensor matmul(const Party&, const RingTensor& x, const RingTensor& y) override {
    SOTTO_ENFORCE(x.rank() >= 2 && y.rank() >= 2 && x.dim(x.rank() - 1) == y.dim(y.rank() - 2),
                  "matmul: shapes ", x.shape().toString(), " and ", y.shape().toString(),
                  " do not chain");
    const auto m = static_cast<size_t>(x.dim(x.rank() - 2)),
               k = static_cast<size_t>(x.dim(x.rank() - 1)),
               n = static_cast<size_t>(y.dim(y.rank() - 1));
    std::vector<int64_t> dims = x.shape().dims();
    dims.back() = static_cast<int64_t>(n);
    const size_t batches = static_cast<size_t>(x.numel()) / (m * k);
    const bool shared_y = y.rank() == 2;
    SOTTO_ENFORCE(shared_y || static_cast<size_t>(y.numel()) == batches * k * n,
                  "matmul: batch dims of ", x.shape().toString(), " and ", y.shape().toString(),
                  " differ (the OT family broadcasts only a 2-D right operand)");
    // A 2-D right operand: the batch is m·batches rows of one product.
    if (shared_y) {
      return fromVector(
          Shape(dims), sharedMatmul(kernels_, x.data().data(), y.data().data(), m * batches, k, n));
    }
    std::vector<uint64_t> out;
    for (size_t b = 0; b < batches; ++b) {
      auto part =
          sharedMatmul(kernels_, x.data().data() + b * m * k, y.data().data() + b * k * n, m, k, n);
      out.insert(out.end(), part.begin(), part.end());
    }
    return fromVector(Shape(dims), std::move(out));
  }

  // Groups one at a time: conv(x[:, g·cg : (g+1)·cg], w[g·og : (g+1)·og]) concatenated on O.
  RingTensor conv2d(const Party& party, const RingTensor& x, const RingTensor& w,
                    const Conv2dOptions& options) override {
    const Shape out = conv2dOutputShape(x.shape(), w.shape(), options);  // validates the shapes
    if (options.groups != 1) {
      const int64_t cg = w.dim(1), og = w.dim(0) / options.groups;
      Conv2dOptions one = options;
      one.groups = 1;
      std::vector<RingTensor> parts;
      for (int64_t g = 0; g < options.groups; ++g)
        parts.push_back(
            conv2d(party, x.slice(1, g * cg, (g + 1) * cg), w.slice(0, g * og, (g + 1) * og), one));
      return concat(parts, 1);
    }
    const RingTensor rows = patchRows(x, w.dim(2), w.dim(3), options);
    const RingTensor wt = w.reshape({w.dim(0), w.numel() / w.dim(0)}).transpose({1, 0});
    RingTensor y =
        fromVector(Shape{rows.dim(0), w.dim(0)},
                   sharedMatmul(kernels_, rows.data().data(), wt.data().data(),
                                static_cast<size_t>(rows.dim(0)), static_cast<size_t>(rows.dim(1)),
                                static_cast<size_t>(w.dim(0))));
    return rowsToImage(y, out);
  }

  std::unique_ptr<WeightKernel> loadWeight(const Party& party, int owner, const RingTensor& encoded,
                                           const Shape& shape, int) override {
    SOTTO_ENFORCE(owner == 0,
                  "a product with a plaintext weight under --dealer none needs the "
                  "model owner to be party 0, got party ",
                  owner);
    if (products_ == WeightProducts::kOt)
      return std::make_unique<OtSharedWeight>(*this,
                                              party.id() == 0 ? encoded : RingTensor::zeros(shape));
    if (!session_) session_ = std::make_shared<HeSession>(comm_, true, he_);  // the key, once
    return detail::makeOtWeight(session_, party.id() == 0 ? encoded : RingTensor(), shape,
                                [this](const RingTensor& y, int l) {
                                  return fromVector(y.shape(), kernels_.extendSigned(y.data(), l));
                                });
  }

  RingTensor mulNarrow(const Party&, const RingTensor& x, int x_bits,
                       const RingTensor& y) override {
    SOTTO_ENFORCE(x.shape() == y.shape(), "mulNarrow: shapes ", x.shape().toString(), " and ",
                  y.shape().toString());
    SOTTO_ENFORCE(x_bits >= 1 && x_bits <= 64, "mulNarrow: x_bits = ", x_bits, " not in [1, 64]");
    return fromVector(x.shape(), kernels_.mulMixed(x.data(), x_bits, y.data(), 64));
  }

  std::unique_ptr<NarrowOperand> narrowOperand(const Party& party, const RingTensor& x,
                                               int x_bits) override {
    if (x_bits == 64) return Protocol::narrowOperand(party, x, x_bits);  // no wrap to share
    SOTTO_ENFORCE(x_bits >= 1 && x_bits <= 64, "narrowOperand: x_bits = ", x_bits,
                  " not in [1, 64]");
    return std::make_unique<OtNarrow>(kernels_, x, x_bits, kernels_.narrowWrap(x.data(), x_bits));
  }

  RingTensor truncate(const Party&, const RingTensor& x, int bits) override {
    return fromVector(x.shape(), kernels_.truncate(x.data(), bits));
  }

  RingTensor truncatePositive(const Party&, const RingTensor& x, int bits) override {
    return fromVector(x.shape(), kernels_.truncatePositive(x.data(), bits));
  }

  void setup(const Party&) override { kernels_.setup(); }

  bool positiveTruncationPays() const override { return true; }
  bool exactTruncation() const override { return true; }
  bool preferWeightKernels() const override { return true; }

  SignResult sign(const Party&, const RingTensor& x, bool nonneg,
                  const RingTensor* values) override {
    const BitShares bits = nonneg ? kernels_.drelu(x.data()) : kernels_.msb(x.data());
    SignResult out;
    if (values == nullptr) {
      out.bit = fromVector(x.shape(), kernels_.b2a(bits, 64));
      return out;
    }
    out.selected = selectEach(bits, *values);
    return out;
  }

  bool hasSignBits() const override { return true; }

  RingTensor signBits(const Party&, const RingTensor& x, bool nonneg) override {
    const BitShares bits = nonneg ? kernels_.drelu(x.data()) : kernels_.msb(x.data());
    return packBits(bits, Shape{(x.numel() + 63) / 64});
  }

  RingTensor selectBits(const Party&, const RingTensor& packed, int64_t bits_count,
                        const RingTensor& values, int shift) override {
    SOTTO_ENFORCE(bits_count >= 0 && packed.numel() * 64 >= bits_count &&
                      (bits_count > 0 ? values.numel() % bits_count == 0 : values.numel() == 0),
                  "selectBits: ", values.numel(), " values for ", bits_count, " bits in ",
                  packed.numel(), " words");
    SOTTO_ENFORCE(shift >= 0 && shift <= 63, "selectBits: shift ", shift, " not in [0, 63]");
    if (bits_count == 0) return RingTensor(values.shape());  // no bits, no values: no exchange
    return selectEach(unpackBits(packed.data(), static_cast<size_t>(bits_count)), values, shift);
  }

  RingTensor selectBitsShifted(const Party& party, const RingTensor& packed, int64_t bits_count,
                               const RingTensor& values, std::span<const int> shifts) override {
    SOTTO_ENFORCE(static_cast<int64_t>(shifts.size()) == values.numel(),
                  "selectBitsShifted: ", shifts.size(), " shifts for ", values.numel(), " values");
    if (bits_count == 0) return selectBits(party, packed, bits_count, values, 0);  // checks it
    SOTTO_ENFORCE(
        bits_count > 0 && values.numel() % bits_count == 0 && packed.numel() * 64 >= bits_count,
        "selectBitsShifted: ", values.numel(), " values for ", bits_count, " bits in ",
        packed.numel(), " words");
    const BitShares bits = unpackBits(packed.data(), static_cast<size_t>(bits_count));
    return fromVector(values.shape(), kernels_.selectTruncatePositive(spreadOver(bits, values),
                                                                      values.data(), shifts));
  }

  RingTensor andWords(const Party&, const RingTensor& x, const RingTensor& y) override {
    const auto n = static_cast<size_t>(x.numel());
    return packBits(kernels_.andBits(unpackBits(x.data(), 64 * n), unpackBits(y.data(), 64 * n)),
                    x.shape());
  }

  RingTensor b2a(const Party&, const RingTensor& packed, const Shape& bits_shape) override {
    const BitShares bits = unpackBits(packed.data(), static_cast<size_t>(bits_shape.numel()));
    return fromVector(bits_shape, kernels_.b2a(bits, 64));
  }

  RingTensor lookup(const Party&, const RingTensor& index, int index_bits, int columns,
                    std::span<const uint64_t> table, int out_bits) override {
    return fromVector(Shape{index.numel(), columns},
                      kernels_.lookup(index.data(), index_bits, columns, table, out_bits));
  }

  bool hasFunctionTables() const override { return false; }

  std::unique_ptr<FunctionTableMaterial> functionTables(const Party&, const FunctionTableSpec&,
                                                        const Shape&) override {
    unavailable(
        "function tables (the table math composes its functions from the other kernels "
        "here: hasFunctionTables() is false)");
  }

 private:
  // Each bit repeated for its values.numel() / bits.size() consecutive values.
  static BitShares spreadOver(const BitShares& bits, const RingTensor& values) {
    const size_t n = bits.size(), per = n == 0 ? 0 : static_cast<size_t>(values.numel()) / n;
    BitShares spread(n * per);
    for (size_t i = 0; i < n * per; ++i) spread[i] = bits[i / per];
    return spread;
  }

  // b_i·v (or b_i·⌊v / 2^shift⌋, shift > 0) for the values.numel() / bits.size() consecutive
  // values of each bit (the multiplexer).
  RingTensor selectEach(const BitShares& bits, const RingTensor& values, int shift = 0) {
    const BitShares spread = spreadOver(bits, values);
    return fromVector(values.shape(),
                      shift > 0 ? kernels_.selectTruncatePositive(spread, values.data(), shift)
                                : kernels_.select(spread, values.data()));
  }

  Communicator& comm_;
  OtKernels kernels_;
  std::shared_ptr<HeSession> session_;  // the RLWE key: given, or made at the first loadWeight
  HeRingOptions he_;                    // the session's ring and weight bound, if made here
  WeightProducts products_;
};

}  // namespace

std::unique_ptr<Protocol> makeOtProtocol(Communicator& comm, const ot::OtOptions& options,
                                         std::shared_ptr<HeSession> session,
                                         const HeRingOptions& he, WeightProducts products) {
  SOTTO_ENFORCE(comm.worldSize() == 2,
                "--dealer none (the two-party OT family) needs exactly 2 "
                "parties, the world has ",
                comm.worldSize());
  return std::make_unique<OtProtocol>(comm, options, std::move(session), he, products);
}

}  // namespace sotto
