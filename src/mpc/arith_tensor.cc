#include "sotto/mpc/arith_tensor.h"

#include <bit>
#include <cmath>

namespace sotto {

namespace {

void checkOwner(const Party& p, int owner) {
  SOTTO_ENFORCE(owner >= 0 && owner < p.numParties(), "party ", owner, " does not exist (",
                p.numParties(), " parties)");
}

}  // namespace

// ---- Creating and opening --------------------------------------------------------------------

ArithTensor::ArithTensor(const Party& party, RingTensor share, int frac_bits)
    : party_(&party), share_(std::move(share)), frac_bits_(frac_bits) {}

ArithTensor ArithTensor::shareEncoded(const Party& party, int owner, const RingTensor& encoded,
                                      const Shape& shape, int frac_bits) {
  checkOwner(party, owner);
  Communicator& comm = party.comm();
  auto scope = comm.tag("share");
  if (party.id() != owner) {
    RingTensor mine(shape);
    comm.recv(owner, std::as_writable_bytes(mine.data()));
    return ArithTensor(party, std::move(mine), frac_bits);
  }
  SOTTO_ENFORCE(encoded.shape() == shape, "share: the owner's tensor has shape ",
                encoded.shape().toString(), ", expected ", shape.toString());
  // x_owner = x - Σ r_p, where party p receives a fresh uniform r_p.
  RingTensor mine = encoded;
  RingTensor r(shape);
  for (int p = 0; p < party.numParties(); ++p) {
    if (p == owner) continue;
    party.prg().fill(r.data());
    comm.send(p, std::as_bytes(r.data()));
    mine -= r;
  }
  return ArithTensor(party, std::move(mine), frac_bits);
}

ArithTensor ArithTensor::share(const Party& party, int owner, std::span<const double> values,
                               const Shape& shape) {
  const int f = party.options().frac_bits;
  RingTensor encoded;
  if (party.id() == owner) {
    SOTTO_ENFORCE(static_cast<int64_t>(values.size()) == shape.numel(), "share: ", values.size(),
                  " values do not fill shape ", shape.toString());
    encoded = RingTensor::encode(values, shape, f);
  }
  return shareEncoded(party, owner, encoded, shape, f);
}

ArithTensor ArithTensor::fromPublic(const Party& party, const RingTensor& encoded, int frac_bits) {
  return ArithTensor(party, party.id() == 0 ? encoded : RingTensor(encoded.shape()), frac_bits);
}

std::vector<RingTensor> openTogether(const Party& party, std::vector<RingTensor> shares) {
  size_t total = 0;
  for (const auto& s : shares) total += static_cast<size_t>(s.numel());
  std::vector<uint64_t> buf(total);
  size_t at = 0;
  for (const auto& s : shares) {
    std::copy(s.data().begin(), s.data().end(), buf.begin() + at);
    at += static_cast<size_t>(s.numel());
  }
  Communicator& comm = party.comm();
  if (comm.worldSize() == 2) {
    std::vector<uint64_t> theirs(total);
    comm.exchange(1 - comm.rank(), std::as_bytes(std::span(buf)),
                  std::as_writable_bytes(std::span(theirs)));
    for (size_t i = 0; i < total; ++i) buf[i] += theirs[i];
  } else {
    comm.allReduce(buf, ReduceOp::kAdd);
  }
  at = 0;
  for (auto& s : shares) {
    std::copy(buf.begin() + at, buf.begin() + at + s.numel(), s.data().begin());
    at += static_cast<size_t>(s.numel());
  }
  return shares;
}

RingTensor ArithTensor::reveal() const {
  auto scope = party_->comm().tag("reveal");
  return std::move(openTogether(*party_, {share_})[0]);
}

std::vector<double> ArithTensor::revealDoubles() const { return reveal().decode(frac_bits_); }

RingTensor ArithTensor::revealTo(int receiver) const {
  checkOwner(*party_, receiver);
  Communicator& comm = party_->comm();
  auto scope = comm.tag("reveal");
  if (party_->id() != receiver) {
    comm.send(receiver, std::as_bytes(share_.data()));
    return RingTensor();
  }
  RingTensor sum = share_;
  RingTensor theirs(shape());
  for (int p = 0; p < party_->numParties(); ++p) {
    if (p == receiver) continue;
    comm.recv(p, std::as_writable_bytes(theirs.data()));
    sum += theirs;
  }
  return sum;
}

// ---- Local operations ------------------------------------------------------------------------

void ArithTensor::checkCompatible(const ArithTensor& o, const char* op) const {
  SOTTO_ENFORCE(party_ == o.party_, op, ": the operands belong to different parties' contexts");
  SOTTO_ENFORCE(frac_bits_ == o.frac_bits_, op, ": mixing fixed-point scales 2^", frac_bits_,
                " and 2^", o.frac_bits_);
}

ArithTensor ArithTensor::operator+(const ArithTensor& o) const {
  checkCompatible(o, "add");
  return withShare(share_ + o.share_);
}

ArithTensor ArithTensor::operator-(const ArithTensor& o) const {
  checkCompatible(o, "sub");
  return withShare(share_ - o.share_);
}

ArithTensor ArithTensor::operator-() const { return withShare(-share_); }

ArithTensor ArithTensor::addPublic(const RingTensor& encoded) const {
  if (party_->id() != 0)
    return withShare(share_ + RingTensor(encoded.shape()));  // same shape rules
  return withShare(share_ + encoded);
}

ArithTensor ArithTensor::mulPublicInt(int64_t k) const {
  return withShare(share_ * static_cast<uint64_t>(k));
}

ArithTensor ArithTensor::mulPublic(double k) const {
  const uint64_t kk = encode(k, frac_bits_);
  return withShare(share_ * kk).truncate(frac_bits_);
}

ArithTensor ArithTensor::sum(int64_t dim, bool keepdim) const {
  return withShare(share_.sum(dim, keepdim));
}

ArithTensor ArithTensor::reshape(const std::vector<int64_t>& dims) const {
  return withShare(share_.reshape(dims));
}

ArithTensor ArithTensor::transpose(const std::vector<int64_t>& perm) const {
  return withShare(share_.transpose(perm));
}

ArithTensor ArithTensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return withShare(share_.flatten(start_dim, end_dim));
}

ArithTensor ArithTensor::slice(int64_t dim, int64_t start, int64_t stop, int64_t step) const {
  return withShare(share_.slice(dim, start, stop, step));
}

ArithTensor ArithTensor::pad(const std::vector<std::pair<int64_t, int64_t>>& pads) const {
  return withShare(share_.pad(pads));
}

ArithTensor ArithTensor::mean(int64_t dim, bool keepdim) const {
  const int64_t n = shape().dim(dim);
  SOTTO_ENFORCE(n > 0, "mean over an empty dim of ", shape().toString());
  return withShare(share_.sum(dim, keepdim)).divPublicCount(n);
}

ArithTensor ArithTensor::divPublicCount(int64_t n) const {
  // A shift by log2(n) bits fails no more often than a product's truncation: the party's default.
  // The 28-bit path would fail 2^12 times as often locally: dealer-assisted unless asked per call.
  if (n >= 1 && (n & (n - 1)) == 0) return divPublicCount(n, party_->options().truncation);
  return divPublicCount(n, Truncation::kDealer);
}

ArithTensor ArithTensor::divPublicCount(int64_t n, Truncation method) const {
  SOTTO_ENFORCE(n >= 1, "divide by a count: n must be >= 1, got ", n);
  if (n == 1) return *this;
  if ((n & (n - 1)) == 0) return truncate(std::countr_zero(static_cast<uint64_t>(n)), method);
  // x · round(2^28 / n), truncated by 28 bits: the rounding of 1/n stays far below one ULP.
  const uint64_t k =
      static_cast<uint64_t>(std::llround(std::ldexp(1.0, 28) / static_cast<double>(n)));
  return withShare(share_ * k).truncate(28, method);
}

ArithTensor concat(const std::vector<ArithTensor>& parts, int64_t dim) {
  SOTTO_ENFORCE(!parts.empty(), "concat of nothing");
  std::vector<RingTensor> shares;
  for (const auto& p : parts) {
    SOTTO_ENFORCE(&p.party() == &parts[0].party() && p.fracBits() == parts[0].fracBits(),
                  "concat: parts from different contexts or with different scales");
    shares.push_back(p.share());
  }
  return ArithTensor(parts[0].party(), concat(shares, dim), parts[0].fracBits());
}

ArithTensor where(const ArithTensor& cond, const ArithTensor& a, const ArithTensor& b) {
  return b + cond.mul(a - b);  // b + cond·(a - b)
}

ArithTensor batchNormInference(const ArithTensor& x, const std::vector<double>& gamma,
                               const std::vector<double>& beta, const std::vector<double>& mean,
                               const std::vector<double>& var, double eps) {
  SOTTO_ENFORCE(x.shape().rank() >= 2, "batch norm needs [N, C, ...], got ", x.shape().toString());
  const int64_t c = x.shape()[1];
  SOTTO_ENFORCE(static_cast<int64_t>(gamma.size()) == c && static_cast<int64_t>(beta.size()) == c &&
                    static_cast<int64_t>(mean.size()) == c && static_cast<int64_t>(var.size()) == c,
                "batch norm: ", c, " channels but parameters of sizes ", gamma.size(), ", ",
                beta.size(), ", ", mean.size(), ", ", var.size());
  std::vector<int64_t> bshape(x.shape().rank(), 1);
  bshape[1] = c;
  std::vector<double> scale(c), shift(c);
  for (int64_t i = 0; i < c; ++i) {
    SOTTO_ENFORCE(var[i] + eps > 0, "batch norm: variance + eps of channel ", i,
                  " is not positive");
    scale[i] = gamma[i] / std::sqrt(var[i] + eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  const int f = x.fracBits();
  RingTensor s = RingTensor::encode(scale, Shape(bshape), f);
  ArithTensor scaled(x.party(), x.share() * s, f);  // broadcast over N and the spatial dims
  return scaled.truncate(f).addPublic(RingTensor::encode(shift, Shape(bshape), f));
}

// ---- Products (the protocol's kernels, then the truncation) ----------------------------------

ArithTensor ArithTensor::mul(const ArithTensor& o) const {
  checkCompatible(o, "mul");
  if (shape() != o.shape()) {
    // NumPy broadcasting: expand both shares to the common shape (local), then multiply.
    const Shape common = broadcastShapes(shape(), o.shape());
    return withShare(share_.broadcastTo(common)).mul(o.withShare(o.share_.broadcastTo(common)));
  }
  auto scope = party_->comm().tag("mul");
  return withShare(party_->protocol().mul(*party_, share_, o.share_)).truncate(frac_bits_);
}

ArithTensor ArithTensor::square() const { return mul(*this); }

ArithTensor ArithTensor::matmul(const ArithTensor& o) const {
  checkCompatible(o, "matmul");
  auto scope = party_->comm().tag("matmul");
  return withShare(party_->protocol().matmul(*party_, share_, o.share_)).truncate(frac_bits_);
}

ArithTensor ArithTensor::conv2d(const ArithTensor& weight, const Conv2dOptions& options) const {
  checkCompatible(weight, "conv2d");
  auto scope = party_->comm().tag("conv2d");
  return withShare(party_->protocol().conv2d(*party_, share_, weight.share_, options))
      .truncate(frac_bits_);
}

// ---- Truncation ----------------------------------------------------------------------------

ArithTensor ArithTensor::truncate(int bits) const {
  return truncate(bits, party_->options().truncation);
}

ArithTensor ArithTensor::truncate(int bits, Truncation method) const {
  SOTTO_ENFORCE(bits > 0 && bits < 62, "truncate: ", bits, " bits is outside (0, 62)");
  const int id = party_->id();
  if (method == Truncation::kLocal) {
    SOTTO_ENFORCE(party_->numParties() == 2, "local truncation needs exactly 2 parties, got ",
                  party_->numParties());
    party_->localTruncations().note(numel(), frac_bits_ + bits);
    // SecureML: party 0 shifts its share; party 1 negates, shifts, negates.
    ArithTensor y = withShare(id == 0 ? share_.shiftRightArithmetic(bits)
                                      : -((-share_).shiftRightArithmetic(bits)));
    RangeCheckLog::recordLocalTruncation(y);  // only with PartyOptions::check_ranges
    return y;
  }
  auto scope = party_->comm().tag("truncate");
  return withShare(party_->protocol().truncate(*party_, share_, bits));
}

ArithTensor ArithTensor::truncatePositive(int bits) const {
  SOTTO_ENFORCE(bits > 0 && bits < 62, "truncatePositive: ", bits, " bits is outside (0, 62)");
  auto scope = party_->comm().tag("truncate");
  return withShare(party_->protocol().truncatePositive(*party_, share_, bits));
}

}  // namespace sotto
