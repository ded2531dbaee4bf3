#include "sotto/mpc/dealer/dealer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "compare_tables.h"
#include "mpc/function_tables_generator.h"
#include "sotto/crypto/prf.h"
#include "sotto/crypto/prg.h"
#include "sotto/tensor/heap.h"

namespace sotto {
namespace {

using Kind = CorrelationRequest::Kind;

// [.., m, k] x [.., k, n] -> [broadcast(..), m, n], as matmul() computes it.
Shape matmulOutputShape(const Shape& a, const Shape& b) {
  SOTTO_ENFORCE(a.rank() >= 2 && b.rank() >= 2 && a.dim(-1) == b.dim(-2), "matmul triple: shapes ",
                a.toString(), " and ", b.toString(), " do not multiply");
  std::vector<int64_t> ba(a.dims().begin(), a.dims().end() - 2);
  std::vector<int64_t> bb(b.dims().begin(), b.dims().end() - 2);
  std::vector<int64_t> out = broadcastShapes(Shape(ba), Shape(bb)).dims();
  out.push_back(a.dim(-2));
  out.push_back(b.dim(-1));
  return Shape(out);
}

void expectShapes(const CorrelationRequest& r, size_t n) {
  if (r.shapes.size() != n) {
    throw ProtocolError("correlation request of kind " +
                        std::to_string(static_cast<uint32_t>(r.kind)) + " needs " +
                        std::to_string(n) + " shapes, got " + std::to_string(r.shapes.size()));
  }
}

}  // namespace

namespace {
// A kCompareTables request's digits: index_bits wide (0: the 8 of requests that name none).
CompareDigits compareDigitsOf(const CorrelationRequest& r) {
  return CompareDigits{r.index_bits == 0 ? 8 : r.index_bits};
}
}  // namespace

std::vector<Shape> CorrelationRequest::outputShapes() const {
  switch (kind) {
    case Kind::kMul:
    case Kind::kTruncation:
      expectShapes(*this, 1);
      return {shapes[0], shapes[0], shapes[0]};
    case Kind::kMatmul:
      expectShapes(*this, 2);
      return {shapes[0], shapes[1], matmulOutputShape(shapes[0], shapes[1])};
    case Kind::kConv2d:
      expectShapes(*this, 2);
      return {shapes[0], shapes[1], conv2dOutputShape(shapes[0], shapes[1], conv)};
    case Kind::kFixedMask:
      expectShapes(*this, 1);
      return {shapes[0]};
    case Kind::kFixedMatmul:
      expectShapes(*this, 2);
      return {shapes[0], matmulOutputShape(shapes[0], shapes[1])};
    case Kind::kFixedConv2d:
      expectShapes(*this, 2);
      return {shapes[0], conv2dOutputShape(shapes[0], shapes[1], conv)};
    case Kind::kBinaryTriple:
      expectShapes(*this, 1);
      return {shapes[0], shapes[0], shapes[0]};
    case Kind::kCompareTables:
      return detail::compareTablesShapes(shapes, compareDigitsOf(*this));
    case Kind::kLookup: {
      expectShapes(*this, 1);
      SOTTO_ENFORCE(index_bits >= 1 && index_bits <= 16 && columns >= 1 &&
                        table.size() == (size_t{1} << index_bits) * static_cast<size_t>(columns),
                    "lookup: a table of ", table.size(), " words is not 2^", index_bits,
                    " rows of ", columns, " columns (index bits must be 1..16)");
      return {shapes[0], Shape{shapes[0].numel(), (int64_t{1} << index_bits) * columns}};
    }
    case Kind::kLookupOneHot:
      expectShapes(*this, 1);
      SOTTO_ENFORCE(index_bits >= 1 && index_bits <= 16,
                    "lookup (one-hot): index bits must be 1..16, not ", index_bits);
      return {shapes[0], Shape{shapes[0].numel(), int64_t{1} << index_bits}};
    case Kind::kFunctionTables:
      expectShapes(*this, 1);
      return detail::generatorOf(payload)->outputShapes(shapes[0].numel());
    case Kind::kBitSelect: {
      // shapes: the bits' shape (n elements) and the selected values' shape (n·w elements, w per
      // bit, consecutive); one shape means w = 1.
      SOTTO_ENFORCE(shapes.size() == 1 || shapes.size() == 2, "bit select needs 1 or 2 shapes");
      const Shape& target = shapes.back();
      const int64_t n = shapes[0].numel();
      SOTTO_ENFORCE(n == 0 ? target.numel() == 0 : target.numel() % n == 0,
                    "bit select: ", target.toString(),
                    " is not a whole number of values per bit of ", shapes[0].toString());
      return {target, Shape{(n + 63) / 64}, shapes[0], target};
    }
  }
  throw ProtocolError("unknown correlation kind " + std::to_string(static_cast<uint32_t>(kind)));
}

std::vector<Sharing> CorrelationRequest::outputSharings() const {
  const size_t n = outputShapes().size();
  switch (kind) {
    case Kind::kBinaryTriple:
      return std::vector<Sharing>(n, Sharing::kXor);
    case Kind::kCompareTables:  // r, tables, bits, mono, a, a_mono
      return {Sharing::kAdditive, Sharing::kXor,      Sharing::kXor,
              Sharing::kAdditive, Sharing::kAdditive, Sharing::kAdditive};
    case Kind::kBitSelect:
      return {Sharing::kAdditive, Sharing::kXor, Sharing::kAdditive, Sharing::kAdditive};
    case Kind::kLookup:
    case Kind::kLookupOneHot:
      return {Sharing::kAdditive, Sharing::kPrfTable};
    case Kind::kFunctionTables: {
      std::vector<Sharing> s(n, Sharing::kPrfPairs);
      s[0] = Sharing::kAdditive;
      return s;
    }
    default:
      return std::vector<Sharing>(n, Sharing::kAdditive);
  }
}

std::vector<std::vector<int>> CorrelationRequest::outputBits() const {
  std::vector<std::vector<int>> bits(outputShapes().size());
  if (kind == Kind::kFunctionTables) {  // every table's columns (the words in full)
    const auto generator = detail::generatorOf(payload);
    const detail::FunctionTableGenerator& g = *generator;
    const FunctionTableSpec& spec = g.spec();
    for (int t = 0; t < g.numTables(); ++t) {
      for (int col = 0; col < g.cols(t); ++col) {
        bits[1 + static_cast<size_t>(t)].push_back(function_tables::columnBits(spec, t, col));
      }
    }
  }
  return bits;
}

std::vector<bool> CorrelationRequest::freeOutputs() const {
  std::vector<bool> free(outputShapes().size(), false);
  auto mark = [&](std::initializer_list<size_t> ks) {
    for (size_t k : ks) free[k] = true;
  };
  switch (kind) {
    case Kind::kMul:
    case Kind::kMatmul:
    case Kind::kConv2d:
    case Kind::kBinaryTriple:
      mark({0, 1});
      break;
    case Kind::kTruncation:
    case Kind::kFixedMask:
    case Kind::kFixedMatmul:
    case Kind::kFixedConv2d:
    case Kind::kLookup:
    case Kind::kLookupOneHot:
    case Kind::kBitSelect:
      mark({0});
      break;
    case Kind::kCompareTables:  // r and a (the packed bits have their unused bits 0)
      mark({0, 4});
      break;
    case Kind::kFunctionTables:
      break;
  }
  return free;
}

RingTensor prfTable(const RingTensor& key, int64_t n, int64_t m) {
  SOTTO_ENFORCE(key.numel() == 2, "a PRF-table share is a 2-word key, got ", key.numel(), " words");
  Prg::Seed seed{};
  std::memcpy(seed.data(), key.data().data(), 16);
  Prf prf(seed);
  RingTensor out(Shape{n, m});
  std::vector<uint64_t> hi(static_cast<size_t>(m)), lo(static_cast<size_t>(m));
  for (int64_t t = 0; t < m; ++t) lo[t] = static_cast<uint64_t>(t);
  for (int64_t e = 0; e < n; ++e) {
    std::fill(hi.begin(), hi.end(), static_cast<uint64_t>(e));
    prf.eval(hi, lo, out.data().subspan(e * m, m));
  }
  return out;
}

RingTensor drawUniform(const Shape& shape, Prg& prg) {
  RingTensor t = RingTensor::uninitialized(shape);
  prg.fill(t.data());  // writes every word
  return t;
}

RingTensor drawShare(const Shape& shape, Sharing sharing, Prg& stream) {
  const bool key = sharing == Sharing::kPrfTable || sharing == Sharing::kPrfPairs;
  return drawUniform(key ? Shape{2} : shape, stream);
}

void removeStream(RingTensor& value, Prg& stream, Sharing sharing) {
  if (sharing == Sharing::kPrfTable) {
    const RingTensor key = drawShare(value.shape(), sharing, stream);
    value -= prfTable(key, value.shape()[0], value.shape()[1]);
    return;
  }
  if (sharing == Sharing::kPrfPairs) {
    const RingTensor key = drawShare(value.shape(), sharing, stream);
    value -= detail::prfPairsTable(key, value.shape()[0], value.shape()[1]);
    return;
  }
  constexpr size_t kChunk = 8192;  // words: 64 KiB, stays in cache
  std::array<uint64_t, kChunk> buf;
  auto v = value.data();
  for (size_t at = 0; at < v.size(); at += kChunk) {
    const size_t n = std::min(kChunk, v.size() - at);
    stream.fill(std::span(buf.data(), n));
    if (sharing == Sharing::kXor) {
      for (size_t i = 0; i < n; ++i) v[at + i] ^= buf[i];
    } else {
      for (size_t i = 0; i < n; ++i) v[at + i] -= buf[i];
    }
  }
}

void removeShare(RingTensor& value, const RingTensor& other, Sharing sharing) {
  if (sharing == Sharing::kXor) {
    value ^= other;
  } else {
    value -= other;
  }
}

std::vector<uint64_t> CorrelationRequest::encode() const {
  std::vector<uint64_t> w = {static_cast<uint64_t>(kind),
                             static_cast<uint64_t>(frac_bits),
                             mask_id,
                             static_cast<uint64_t>(conv.stride[0]),
                             static_cast<uint64_t>(conv.stride[1]),
                             static_cast<uint64_t>(conv.padding[0]),
                             static_cast<uint64_t>(conv.padding[1]),
                             static_cast<uint64_t>(conv.dilation[0]),
                             static_cast<uint64_t>(conv.dilation[1]),
                             static_cast<uint64_t>(conv.groups),
                             shapes.size()};
  for (const auto& s : shapes) {
    w.push_back(static_cast<uint64_t>(s.rank()));
    for (int64_t d : s.dims()) w.push_back(static_cast<uint64_t>(d));
  }
  if (kind == Kind::kCompareTables) w.push_back(static_cast<uint64_t>(index_bits));
  if (kind == Kind::kLookup || kind == Kind::kLookupOneHot) {
    w.push_back(static_cast<uint64_t>(index_bits));
    w.push_back(static_cast<uint64_t>(columns));
    w.push_back(table.size());
    w.insert(w.end(), table.begin(), table.end());
  }
  if (kind == Kind::kFunctionTables) {
    w.push_back(payload.size());
    w.insert(w.end(), payload.begin(), payload.end());
  }
  return w;
}

CorrelationRequest CorrelationRequest::decode(std::span<const uint64_t> w) {
  auto need = [&](size_t n) {
    if (w.size() < n) throw ProtocolError("malformed correlation request (truncated)");
  };
  need(11);
  CorrelationRequest r;
  if (w[0] < 1 || w[0] > static_cast<uint64_t>(Kind::kLookupOneHot)) {
    throw ProtocolError("malformed correlation request: kind " + std::to_string(w[0]));
  }
  r.kind = static_cast<Kind>(w[0]);
  r.frac_bits = static_cast<int>(w[1]);
  r.mask_id = w[2];
  r.conv.stride = {static_cast<int64_t>(w[3]), static_cast<int64_t>(w[4])};
  r.conv.padding = {static_cast<int64_t>(w[5]), static_cast<int64_t>(w[6])};
  r.conv.dilation = {static_cast<int64_t>(w[7]), static_cast<int64_t>(w[8])};
  r.conv.groups = static_cast<int64_t>(w[9]);
  size_t at = 11;
  for (uint64_t i = 0; i < w[10]; ++i) {
    need(at + 1);
    const uint64_t rank = w[at++];
    need(at + rank);
    std::vector<int64_t> dims(rank);
    for (uint64_t d = 0; d < rank; ++d) dims[d] = static_cast<int64_t>(w[at++]);
    r.shapes.emplace_back(dims);
  }
  if (r.kind == Kind::kCompareTables) {
    need(at + 1);
    r.index_bits = static_cast<int>(w[at++]);
  }
  if (r.kind == Kind::kLookup || r.kind == Kind::kLookupOneHot) {
    need(at + 3);
    r.index_bits = static_cast<int>(w[at]);
    r.columns = static_cast<int>(w[at + 1]);
    const uint64_t len = w[at + 2];
    at += 3;
    need(at + len);
    r.table.assign(w.begin() + static_cast<int64_t>(at),
                   w.begin() + static_cast<int64_t>(at + len));
  }
  if (r.kind == Kind::kFunctionTables) {
    need(at + 1);
    const uint64_t len = w[at++];
    need(at + len);
    r.payload.assign(w.begin() + static_cast<int64_t>(at),
                     w.begin() + static_cast<int64_t>(at + len));
  }
  return r;
}

void FixedMaskStore::put(uint64_t id, RingTensor b) { masks_.emplace_back(id, std::move(b)); }

const RingTensor& FixedMaskStore::get(uint64_t id) const {
  for (const auto& [i, b] : masks_) {
    if (i == id) return b;
  }
  throw ProtocolError("dealer: unknown fixed mask id " + std::to_string(id));
}

std::vector<RingTensor> generateCorrelation(const CorrelationRequest& req, Prg& prg,
                                            FixedMaskStore& masks, std::vector<RingTensor>* given) {
  const auto shapes = req.outputShapes();
  SOTTO_ENFORCE(given == nullptr || given->size() == shapes.size(),
                "correlation: ", given == nullptr ? 0 : given->size(), " given outputs for ",
                shapes.size());
  const std::vector<bool> free = given == nullptr ? std::vector<bool>() : req.freeOutputs();
  auto uniform = [&](size_t k) {  // output k's uniform words: given (a free output) or drawn
    if (given == nullptr || !free[k]) return drawUniform(shapes[k], prg);
    SOTTO_ENFORCE((*given)[k].shape() == shapes[k], "correlation: given output ", k, " has shape ",
                  (*given)[k].shape().toString(), ", not ", shapes[k].toString());
    return std::move((*given)[k]);
  };
  switch (req.kind) {
    case Kind::kMul: {
      RingTensor a = uniform(0), b = uniform(1);
      RingTensor c = a * b;  // c = a·b elementwise
      return {std::move(a), std::move(b), std::move(c)};
    }
    case Kind::kMatmul: {
      RingTensor a = uniform(0), b = uniform(1);
      RingTensor c = matmul(a, b);
      return {std::move(a), std::move(b), std::move(c)};
    }
    case Kind::kConv2d: {
      RingTensor a = uniform(0), b = uniform(1);
      RingTensor c = conv2d(a, b, req.conv);
      return {std::move(a), std::move(b), std::move(c)};
    }
    case Kind::kTruncation: {
      SOTTO_ENFORCE(req.frac_bits > 0 && req.frac_bits < 62, "truncation by ", req.frac_bits,
                    " bits is outside (0, 62)");
      RingTensor r = uniform(0);
      RingTensor shifted = r.shiftRightLogical(req.frac_bits);
      RingTensor top = r.shiftRightLogical(63);
      return {std::move(r), std::move(shifted), std::move(top)};
    }
    case Kind::kFixedMask: {
      RingTensor b = uniform(0);
      masks.put(req.mask_id, b);
      return {std::move(b)};
    }
    case Kind::kFixedMatmul: {
      RingTensor a = uniform(0);
      RingTensor c = matmul(a, masks.get(req.mask_id));
      return {std::move(a), std::move(c)};
    }
    case Kind::kFixedConv2d: {
      RingTensor a = uniform(0);
      RingTensor c = conv2d(a, masks.get(req.mask_id), req.conv);
      return {std::move(a), std::move(c)};
    }
    case Kind::kBinaryTriple: {
      RingTensor a = uniform(0), b = uniform(1);
      RingTensor c = a & b;
      return {std::move(a), std::move(b), std::move(c)};
    }
    case Kind::kCompareTables:
      return detail::generateCompareTables(shapes, compareDigitsOf(req), prg, given);
    case Kind::kLookup: {
      // S_e[j] = T[(j - r_e) mod 2^k]: the table rotated by each element's mask.
      RingTensor r = uniform(0);
      RingTensor rotated(shapes[1]);
      const uint64_t rows = uint64_t{1} << req.index_bits, mask = rows - 1;
      const auto c = static_cast<uint64_t>(req.columns);
      for (int64_t e = 0; e < r.numel(); ++e) {
        uint64_t* row = rotated.data().data() + e * rows * c;
        for (uint64_t j = 0; j < rows; ++j) {
          const uint64_t src = ((j - r[e]) & mask) * c;
          for (uint64_t col = 0; col < c; ++col) row[j * c + col] = req.table[src + col];
        }
      }
      return {std::move(r), std::move(rotated)};
    }
    case Kind::kLookupOneHot: {
      RingTensor r = uniform(0);
      RingTensor one_hot(shapes[1]);  // zeros
      const uint64_t rows = uint64_t{1} << req.index_bits;
      for (int64_t e = 0; e < r.numel(); ++e) {
        one_hot[e * static_cast<int64_t>(rows) + static_cast<int64_t>(r[e] & (rows - 1))] = 1;
      }
      return {std::move(r), std::move(one_hot)};
    }
    case Kind::kFunctionTables:
      return detail::generatorOf(req.payload)->generate(shapes[0].dim(0), prg);
    case Kind::kBitSelect: {
      RingTensor a = uniform(0);
      RingTensor bits = uniform(1);
      const int64_t n = shapes[2].numel();
      if (n % 64 != 0) bits[bits.numel() - 1] &= (uint64_t{1} << (n % 64)) - 1;  // unused bits 0
      RingTensor rho(shapes[2]);
      for (int64_t i = 0; i < n; ++i) rho[i] = (bits[i / 64] >> (i % 64)) & 1;
      RingTensor a_rho(shapes[0]);
      const int64_t w = n == 0 ? 0 : a.numel() / n;
      for (int64_t j = 0; j < a.numel(); ++j) a_rho[j] = a[j] * rho[j / w];  // a·rho
      return {std::move(a), std::move(bits), std::move(rho), std::move(a_rho)};
    }
  }
  throw ProtocolError("unknown correlation kind");
}

Dealer::~Dealer() = default;

std::vector<RingTensor> Dealer::timedFetch(const CorrelationRequest& request) {
  if (recording_) recorded_.push_back(request);
  if (!queue_.empty()) {
    Prefetched next = std::move(queue_.front());
    queue_.pop_front();
    SOTTO_ENFORCE_AS(ProtocolError, next.code == request.encode(),
                     "dealer: a request does not match the next prefetched correlation (the run "
                     "diverged from the recorded one; ",
                     queue_.size(), " prefetched left)");
    used_bytes_ += next.bytes;
    return std::move(next.outputs);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t bytes0 = traffic_.bytes();
  auto out = fetch(request);
  used_bytes_ += traffic_.bytes() - bytes0;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

void Dealer::startRecording() {
  recorded_.clear();
  recording_ = true;
}

std::vector<CorrelationRequest> Dealer::stopRecording() {
  recording_ = false;
  return std::exchange(recorded_, {});
}

void Dealer::fetchMany(std::span<const CorrelationRequest> requests,
                       const std::function<void(size_t, std::vector<RingTensor>)>& deliver) {
  for (size_t k = 0; k < requests.size(); ++k) deliver(k, fetch(requests[k]));
}

void Dealer::fetchAhead(std::span<const CorrelationRequest> /*requests*/) {}

void Dealer::prepareNext(const std::vector<CorrelationRequest>& requests) {
  const auto t0 = std::chrono::steady_clock::now();
  fetchAhead(requests);
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Dealer::reserveMemory(const std::vector<CorrelationRequest>& requests) {
  std::vector<size_t> sizes;
  for (const auto& r : requests) {
    for (const Shape& s : r.outputShapes()) {
      sizes.push_back(static_cast<size_t>(s.numel()) * sizeof(uint64_t));
    }
  }
  detail::largeBlockReserve(sizes);
}

void Dealer::prefetch(const std::vector<CorrelationRequest>& requests) {
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t bytes0 = traffic_.bytes();
  // Each correlation carries the traffic since the previous one was delivered (a batched
  // request's upload counts with the first).
  fetchMany(requests, [&](size_t k, std::vector<RingTensor> outputs) {
    queue_.push_back({requests[k].encode(), std::move(outputs), traffic_.bytes() - bytes0});
    bytes0 = traffic_.bytes();
  });
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

BeaverTriple Dealer::mulTriple(const Shape& shape) {
  CorrelationRequest r;
  r.kind = Kind::kMul;
  r.shapes = {shape};
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2])};
}

BeaverTriple Dealer::matmulTriple(const Shape& shape_a, const Shape& shape_b) {
  CorrelationRequest r;
  r.kind = Kind::kMatmul;
  r.shapes = {shape_a, shape_b};
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2])};
}

BeaverTriple Dealer::conv2dTriple(const Shape& input, const Shape& weight,
                                  const Conv2dOptions& options) {
  CorrelationRequest r;
  r.kind = Kind::kConv2d;
  r.shapes = {input, weight};
  r.conv = options;
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2])};
}

TruncationPair Dealer::truncationPair(const Shape& shape, int frac_bits) {
  CorrelationRequest r;
  r.kind = Kind::kTruncation;
  r.shapes = {shape};
  r.frac_bits = frac_bits;
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2])};
}

FixedMask Dealer::fixedMask(const Shape& shape) {
  CorrelationRequest r;
  r.kind = Kind::kFixedMask;
  r.shapes = {shape};
  r.mask_id = next_mask_id_++;
  auto t = timedFetch(r);
  return {r.mask_id, shape, std::move(t[0])};
}

BeaverTriple Dealer::matmulTripleFixed(const FixedMask& mask, const Shape& shape_a) {
  CorrelationRequest r;
  r.kind = Kind::kFixedMatmul;
  r.shapes = {shape_a, mask.shape};
  r.mask_id = mask.id;
  auto t = timedFetch(r);
  return {std::move(t[0]), RingTensor(), std::move(t[1])};
}

BeaverTriple Dealer::conv2dTripleFixed(const FixedMask& mask, const Shape& input,
                                       const Conv2dOptions& options) {
  CorrelationRequest r;
  r.kind = Kind::kFixedConv2d;
  r.shapes = {input, mask.shape};
  r.conv = options;
  r.mask_id = mask.id;
  auto t = timedFetch(r);
  return {std::move(t[0]), RingTensor(), std::move(t[1])};
}

BinaryTriple Dealer::binaryTriple(int64_t words) {
  CorrelationRequest r;
  r.kind = Kind::kBinaryTriple;
  r.shapes = {Shape{words}};
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2])};
}

CompareTables Dealer::compareTables(const Shape& shape, const Shape& values) {
  CorrelationRequest r;
  r.kind = Kind::kCompareTables;
  r.shapes = {shape, values};
  const CompareDigits digits{sendsTables() ? 4 : 8};  // fewer table bits where they are sent
  r.index_bits = digits.bits;
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2]), std::move(t[3]),
          std::move(t[4]), std::move(t[5]), digits};
}

BitSelect Dealer::bitSelect(const Shape& shape) { return bitSelect(shape, shape); }

BitSelect Dealer::bitSelect(const Shape& bits, const Shape& values) {
  CorrelationRequest r;
  r.kind = Kind::kBitSelect;
  r.shapes = {bits, values};
  auto t = timedFetch(r);
  return {std::move(t[0]), std::move(t[1]), std::move(t[2]), std::move(t[3])};
}

namespace {

uint64_t rowMask(int index_bits) { return (uint64_t{1} << index_bits) - 1; }

// Party 0 under a dealer that sends corrections: its whole share of every rotated table.
class TableLut final : public LutMaterial {
 public:
  TableLut(RingTensor share_r, RingTensor table, int index_bits, int columns)
      : table_(std::move(table)), index_bits_(index_bits), columns_(columns) {
    r = std::move(share_r);
  }
  RingTensor sharesAt(std::span<const uint64_t> u) const override {
    const int64_t n = static_cast<int64_t>(u.size()), c = columns_;
    const int64_t row_words = (int64_t{1} << index_bits_) * c;
    RingTensor out(Shape{n, c});
    for (int64_t e = 0; e < n; ++e) {
      const int64_t j = static_cast<int64_t>(u[e] & rowMask(index_bits_));
      for (int64_t col = 0; col < c; ++col) out[e * c + col] = table_[e * row_words + j * c + col];
    }
    return out;
  }

 private:
  RingTensor table_;
  int index_bits_, columns_;
};

// Sum over PRF keys of Prf(key)(e, j·c + col) at each element's entry j = u_e mod 2^k.
RingTensor prfAt(const std::vector<RingTensor>& keys, std::span<const uint64_t> u, int index_bits,
                 int columns) {
  const int64_t n = static_cast<int64_t>(u.size()), c = columns;
  RingTensor out(Shape{n, c});
  std::vector<uint64_t> hi(n * c), lo(n * c), words(n * c);
  for (int64_t e = 0; e < n; ++e) {
    for (int64_t col = 0; col < c; ++col) {
      hi[e * c + col] = static_cast<uint64_t>(e);
      lo[e * c + col] = (u[e] & rowMask(index_bits)) * static_cast<uint64_t>(c) + col;
    }
  }
  for (const auto& key : keys) {
    Prg::Seed seed{};
    std::memcpy(seed.data(), key.data().data(), 16);
    Prf(seed).eval(hi, lo, words);
    for (int64_t t = 0; t < n * c; ++t) out[t] += words[t];
  }
  return out;
}

// Parties i >= 1: their table shares are a PRF, evaluated only where needed.
class PrfLut final : public LutMaterial {
 public:
  PrfLut(RingTensor share_r, RingTensor key, int index_bits, int columns)
      : key_(std::move(key)), index_bits_(index_bits), columns_(columns) {
    r = std::move(share_r);
  }
  RingTensor sharesAt(std::span<const uint64_t> u) const override {
    return prfAt({key_}, u, index_bits_, columns_);
  }

 private:
  RingTensor key_;
  int index_bits_, columns_;
};

// The seeded dealer's party 0 knows every mask: it computes its share of only the entry that is
// read, T[(u - r) mod 2^k] minus the other parties' PRF words there. No table is materialised.
class LazyLut final : public LutMaterial {
 public:
  LazyLut(RingTensor share_r, RingTensor full_r, std::vector<RingTensor> keys,
          std::vector<uint64_t> table, int index_bits, int columns)
      : full_r_(std::move(full_r)),
        keys_(std::move(keys)),
        table_(std::move(table)),
        index_bits_(index_bits),
        columns_(columns) {
    r = std::move(share_r);
  }
  RingTensor sharesAt(std::span<const uint64_t> u) const override {
    RingTensor out = -prfAt(keys_, u, index_bits_, columns_);
    const int64_t c = columns_;
    for (int64_t e = 0; e < static_cast<int64_t>(u.size()); ++e) {
      const uint64_t row = (u[e] - full_r_[e]) & rowMask(index_bits_);  // x_e
      for (int64_t col = 0; col < c; ++col) out[e * c + col] += table_[row * c + col];
    }
    return out;
  }

 private:
  RingTensor full_r_;
  std::vector<RingTensor> keys_;
  std::vector<uint64_t> table_;
  int index_bits_, columns_;
};

// One-hot lookup material (Kind::kLookupOneHot): this party's shares w_e[j] of e_r[j] = [j = r_e]
// (a table share, party 0 under the TTP, or the PRF of a key), and the public table; its share of
// T[x_e] = Σ_j T[(u_e - j) mod 2^k]·w_e[j] for every column.
class OneHotLut final : public LutMaterial {
 public:
  OneHotLut(RingTensor share_r, RingTensor one_hot_or_key, std::vector<uint64_t> table,
            int index_bits, int columns)
      : shares_(std::move(one_hot_or_key)),
        table_(std::move(table)),
        index_bits_(index_bits),
        columns_(columns) {
    r = std::move(share_r);
  }
  RingTensor sharesAt(std::span<const uint64_t> u) const override {
    const int64_t n = static_cast<int64_t>(u.size()), c = columns_;
    const int64_t rows = int64_t{1} << index_bits_;
    const uint64_t mask = static_cast<uint64_t>(rows) - 1;
    const bool prf = shares_.shape().rank() == 1;  // a 2-word key
    std::vector<uint64_t> hi, lo, words(static_cast<size_t>(prf ? n * rows : 0));
    if (prf) {  // entry (e, j) = Prf(key).eval(e, j): every row of every element
      hi.resize(words.size());
      lo.resize(words.size());
      for (int64_t e = 0; e < n; ++e) {
        for (int64_t j = 0; j < rows; ++j) {
          hi[static_cast<size_t>(e * rows + j)] = static_cast<uint64_t>(e);
          lo[static_cast<size_t>(e * rows + j)] = static_cast<uint64_t>(j);
        }
      }
      Prg::Seed seed{};
      std::memcpy(seed.data(), shares_.data().data(), 16);
      Prf(seed).eval(hi, lo, words);
    }
    const uint64_t* w = prf ? words.data() : shares_.data().data();
    RingTensor out(Shape{n, c});
    for (int64_t e = 0; e < n; ++e) {
      const uint64_t* we = w + e * rows;
      uint64_t* oe = out.data().data() + e * c;
      for (int64_t j = 0; j < rows; ++j) {
        const uint64_t* row = table_.data() + ((u[static_cast<size_t>(e)] - j) & mask) * c;
        for (int64_t col = 0; col < c; ++col) oe[col] += row[col] * we[j];
      }
    }
    return out;
  }

 private:
  RingTensor shares_;
  std::vector<uint64_t> table_;
  int index_bits_, columns_;
};

// The request for lookup material of `shape` elements and the public `table`.
CorrelationRequest lookupRequest(int index_bits, int columns, std::span<const uint64_t> table,
                                 const Shape& shape) {
  CorrelationRequest r;
  r.kind = Kind::kLookup;
  r.shapes = {shape};
  r.index_bits = index_bits;
  r.columns = columns;
  r.table.assign(table.begin(), table.end());
  return r;
}

// A lookup correlation's outputs as material: a PRF key (shares evaluated on demand) or a table.
std::unique_ptr<LutMaterial> makeLutMaterial(std::vector<RingTensor> t, int index_bits,
                                             int columns) {
  if (t[1].shape().rank() == 1) {
    return std::make_unique<PrfLut>(std::move(t[0]), std::move(t[1]), index_bits, columns);
  }
  return std::make_unique<TableLut>(std::move(t[0]), std::move(t[1]), index_bits, columns);
}

}  // namespace

std::unique_ptr<LutMaterial> Dealer::lookupMaterial(int index_bits, int columns,
                                                    std::span<const uint64_t> table,
                                                    const Shape& shape) {
  if (sendsTables() && columns >= 2) {  // a one-hot of the mask: 2^k words, not 2^k·c
    CorrelationRequest check = lookupRequest(index_bits, columns, table, shape);
    check.outputShapes();  // validates the table as every party does
    CorrelationRequest r;
    r.kind = Kind::kLookupOneHot;
    r.shapes = {shape};
    r.index_bits = index_bits;
    r.columns = columns;
    auto t = timedFetch(r);
    return std::make_unique<OneHotLut>(std::move(t[0]), std::move(t[1]), std::move(check.table),
                                       index_bits, columns);
  }
  return makeLutMaterial(timedFetch(lookupRequest(index_bits, columns, table, shape)), index_bits,
                         columns);
}

std::unique_ptr<FunctionTableMaterial> Dealer::functionTables(const FunctionTableSpec& spec,
                                                              const Shape& shape) {
  const auto payload = detail::encodedOf(spec);
  const auto generator = detail::generatorOf(*payload);
  const int64_t n = shape.numel();
  const int64_t per_element = generator->totalWords();
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / per_element);
  std::vector<std::unique_ptr<FunctionTableMaterial>> parts;
  std::vector<int64_t> sizes;
  for (int64_t at = 0; at < n || (n == 0 && parts.empty()); at += chunk) {
    CorrelationRequest r;
    r.kind = Kind::kFunctionTables;
    r.shapes = {Shape{std::min(chunk, n - at)}};
    r.payload = *payload;
    parts.push_back(detail::makeFetchedFunctionTables(generator, timedFetch(r)));
    sizes.push_back(r.shapes[0].numel());
  }
  return detail::joinFunctionTables(std::move(parts), std::move(sizes));
}

// ---- The seeded (trusted-first-party) dealer ----------------------------------------------------

namespace {

class SeededDealer final : public Dealer {
 public:
  explicit SeededDealer(Communicator& comm) : rank_(comm.rank()) {
    auto scope = comm.tag("dealer");
    const CommCounters before = comm.stats().total;
    if (rank_ == 0) {
      for (int p = 1; p < comm.worldSize(); ++p) {
        const auto seed = Prg::osSeed();
        streams_.emplace_back(seed);
        comm.send(p, std::as_bytes(std::span(seed)));
      }
    } else {
      Prg::Seed seed{};
      comm.recv(0, std::as_writable_bytes(std::span(seed)));
      streams_.emplace_back(seed);
    }
    CommCounters after = comm.stats().total;
    traffic_.bytes_sent = after.bytes_sent - before.bytes_sent;
    traffic_.bytes_received = after.bytes_received - before.bytes_received;
    traffic_.messages_sent = after.messages_sent - before.messages_sent;
    traffic_.messages_received = after.messages_received - before.messages_received;
    traffic_.rounds = after.rounds - before.rounds;
    traffic_.calls = after.calls - before.calls;
  }

  bool secure() const override { return false; }
  std::string name() const override { return "seeded (INSECURE: trusted first party)"; }

  std::unique_ptr<LutMaterial> lookupMaterial(int index_bits, int columns,
                                              std::span<const uint64_t> table,
                                              const Shape& shape) override {
    if (rank_ != 0) {
      // Party 0 builds its material lazily (below), outside the recorded and prefetched requests;
      // so do the others, whose shares are only a stream draw: a recording or a prefetch then
      // holds the same requests on every party.
      return makeLutMaterial(fetch(lookupRequest(index_bits, columns, table, shape)), index_bits,
                             columns);
    }
    CorrelationRequest check = lookupRequest(index_bits, columns, table, shape);
    check.outputShapes();  // validates the table as every party does
    // Draw exactly what each party draws (its r share, then its PRF key), without the tables.
    RingTensor full_r = drawUniform(shape, private_);
    RingTensor mine = full_r;
    std::vector<RingTensor> keys;
    for (auto& stream : streams_) {
      mine -= drawShare(shape, Sharing::kAdditive, stream);
      keys.push_back(drawShare(shape, Sharing::kPrfTable, stream));
    }
    return std::make_unique<LazyLut>(std::move(mine), std::move(full_r), std::move(keys),
                                     std::move(check.table), index_bits, columns);
  }

  std::unique_ptr<FunctionTableMaterial> functionTables(const FunctionTableSpec& spec,
                                                        const Shape& shape) override {
    if (rank_ != 0) {  // PRF keys only: one request, whatever the size (party 0 matches it)
      CorrelationRequest r;
      r.kind = Kind::kFunctionTables;
      r.shapes = {Shape{shape.numel()}};
      r.payload = *detail::encodedOf(spec);
      return detail::makeFetchedFunctionTables(detail::generatorOf(r.payload), fetch(r));
    }
    // Party 0 draws what each party draws for the same request (its share of the words, then a
    // PRF key per table), keeps the secrets and computes only the entries it reads.
    const auto shared = detail::generatorOf(*detail::encodedOf(spec));
    const detail::FunctionTableGenerator& generator = *shared;
    const int64_t n = shape.numel();
    std::vector<uint64_t> secrets = generator.drawSecrets(private_, n);
    RingTensor mine(Shape{n, generator.numWords()});
    for (int64_t e = 0; e < n; ++e) {
      generator.words(secrets.data(), n, e, mine.data().data() + e * generator.numWords());
    }
    std::vector<std::vector<RingTensor>> keys(generator.numTables());
    for (auto& stream : streams_) {
      removeStream(mine, stream, Sharing::kAdditive);
      for (auto& k : keys) k.push_back(drawShare(Shape{2}, Sharing::kPrfPairs, stream));
    }
    return detail::makeLazyFunctionTables(shared, std::move(mine), std::move(secrets),
                                          std::move(keys));
  }

 protected:
  std::vector<RingTensor> fetch(const CorrelationRequest& request) override {
    const auto shapes = request.outputShapes();
    std::vector<RingTensor> out;
    out.reserve(shapes.size());
    if (rank_ != 0) {
      const auto sharings = request.outputSharings();
      for (size_t k = 0; k < shapes.size(); ++k) {
        out.push_back(drawShare(shapes[k], sharings[k], streams_[0]));
      }
      return out;
    }
    // Party 0: the values, minus (or XOR) every other party's stream.
    out = generateCorrelation(request, private_, masks_);
    const auto sharings = request.outputSharings();
    for (size_t k = 0; k < shapes.size(); ++k) {
      for (auto& stream : streams_) removeStream(out[k], stream, sharings[k]);
    }
    return out;
  }

 private:
  int rank_;
  Prg private_;               // party 0: the correlations' randomness
  std::vector<Prg> streams_;  // party 0: every other party's stream; others: their own
  FixedMaskStore masks_;
};

}  // namespace

bool inOneProcess(const Communicator& comm) {
  return comm.backendName().find("inproc") != std::string::npos;
}

std::unique_ptr<Dealer> makeSeededDealer(Communicator& comm, InsecureDealer accept) {
  if (!inOneProcess(comm)) {
    const char* env = std::getenv("SOTTO_ALLOW_INSECURE_DEALER");
    const bool env_ok = env != nullptr && std::string_view(env) == "1";
    SOTTO_ENFORCE(accept == InsecureDealer::kAccept || env_ok,
                  "the seeded dealer is insecure (party 0 learns every correlation, and so every "
                  "input the other parties share) and is refused outside one process; use the "
                  "trusted-third-party dealer (one more rank: --dealer ttp, makeTtpDealerClient), "
                  "or opt in for testing with --dealer insecure-seeded or "
                  "SOTTO_ALLOW_INSECURE_DEALER=1");
    std::fprintf(stderr,
                 "WARNING (rank %d): the seeded dealer is INSECURE: party 0 learns every "
                 "correlation and so every input the others share (testing only)\n",
                 comm.rank());
  }
  return std::make_unique<SeededDealer>(comm);
}

}  // namespace sotto
