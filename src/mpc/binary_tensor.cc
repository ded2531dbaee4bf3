#include "sotto/mpc/binary_tensor.h"

#include <algorithm>

namespace sotto {

namespace {

void checkParty(const Party& p, int who, const char* role) {
  SOTTO_ENFORCE(who >= 0 && who < p.numParties(), role, " ", who, " does not exist (",
                p.numParties(), " parties)");
}

// XOR-opens `buf` in place: 2 parties exchange, N parties allReduce(Xor). One round.
void openXorInPlace(const Party& party, std::span<uint64_t> buf) {
  Communicator& comm = party.comm();
  if (comm.worldSize() == 2) {
    std::vector<uint64_t> theirs(buf.size());
    comm.exchange(1 - comm.rank(), std::as_bytes(buf), std::as_writable_bytes(std::span(theirs)));
    for (size_t i = 0; i < buf.size(); ++i) buf[i] ^= theirs[i];
  } else {
    comm.allReduce(buf, ReduceOp::kXor);
  }
}

}  // namespace

// ---- Creating and opening --------------------------------------------------------------------

BinaryTensor::BinaryTensor(const Party& party, RingTensor share)
    : party_(&party), share_(std::move(share)) {}

BinaryTensor BinaryTensor::shareEncoded(const Party& party, int owner, const RingTensor& words,
                                        const Shape& shape) {
  checkParty(party, owner, "owner");
  Communicator& comm = party.comm();
  auto scope = comm.tag("share");
  if (party.id() != owner) {
    RingTensor mine(shape);
    comm.recv(owner, std::as_writable_bytes(mine.data()));
    return BinaryTensor(party, std::move(mine));
  }
  SOTTO_ENFORCE(words.shape() == shape, "binary share: the owner's tensor has shape ",
                words.shape().toString(), ", expected ", shape.toString());
  // x_owner = x ^ (⊕ r_p), where party p receives a fresh uniform r_p.
  RingTensor mine = words;
  RingTensor r(shape);
  for (int p = 0; p < party.numParties(); ++p) {
    if (p == owner) continue;
    party.prg().fill(r.data());
    comm.send(p, std::as_bytes(r.data()));
    mine ^= r;
  }
  return BinaryTensor(party, std::move(mine));
}

BinaryTensor BinaryTensor::fromPublic(const Party& party, const RingTensor& words) {
  return BinaryTensor(party, party.id() == 0 ? words : RingTensor(words.shape()));
}

BinaryTensor BinaryTensor::fromHolder(const Party& party, int holder, const RingTensor& words,
                                      const Shape& shape) {
  checkParty(party, holder, "holder");
  if (party.id() != holder) return BinaryTensor(party, RingTensor(shape));
  SOTTO_ENFORCE(words.shape() == shape, "fromHolder: the holder's tensor has shape ",
                words.shape().toString(), ", expected ", shape.toString());
  return BinaryTensor(party, words);
}

std::vector<RingTensor> openXorTogether(const Party& party, std::vector<RingTensor> shares) {
  size_t total = 0;
  for (const auto& s : shares) total += static_cast<size_t>(s.numel());
  std::vector<uint64_t> buf(total);
  size_t at = 0;
  for (const auto& s : shares) {
    std::copy(s.data().begin(), s.data().end(), buf.begin() + static_cast<std::ptrdiff_t>(at));
    at += static_cast<size_t>(s.numel());
  }
  openXorInPlace(party, buf);
  at = 0;
  for (auto& s : shares) {
    std::copy_n(buf.begin() + static_cast<std::ptrdiff_t>(at), s.numel(), s.data().begin());
    at += static_cast<size_t>(s.numel());
  }
  return shares;
}

RingTensor BinaryTensor::reveal() const {
  auto scope = party_->comm().tag("reveal");
  return std::move(openXorTogether(*party_, {share_})[0]);
}

// ---- Local operations ------------------------------------------------------------------------

void BinaryTensor::checkCompatible(const BinaryTensor& o, const char* op) const {
  SOTTO_ENFORCE(party_ == o.party_, op, ": the operands belong to different parties' contexts");
  SOTTO_ENFORCE(shape() == o.shape(), op, ": shapes ", shape().toString(), " and ",
                o.shape().toString(), " differ");
}

BinaryTensor BinaryTensor::operator^(const BinaryTensor& o) const {
  checkCompatible(o, "xor");
  return withShare(share_ ^ o.share_);
}

BinaryTensor BinaryTensor::operator^(uint64_t v) const {
  return withShare(party_->id() == 0 ? share_ ^ v : share_);
}

BinaryTensor BinaryTensor::xorPublic(const RingTensor& v) const {
  RingTensor z = share_;
  // Every party applies a zero tensor of v's shape too, so that a bad shape throws everywhere.
  z ^= party_->id() == 0 ? v : RingTensor(v.shape());
  return withShare(std::move(z));
}

BinaryTensor BinaryTensor::operator&(uint64_t m) const { return withShare(share_ & m); }

BinaryTensor BinaryTensor::andPublic(const RingTensor& m) const {
  RingTensor z = share_;
  z &= m;  // (⊕ x_i) & m = ⊕ (x_i & m)
  return withShare(std::move(z));
}

BinaryTensor BinaryTensor::operator~() const {
  return withShare(party_->id() == 0 ? ~share_ : share_);
}

BinaryTensor BinaryTensor::shiftLeft(int bits) const { return withShare(share_.shiftLeft(bits)); }

BinaryTensor BinaryTensor::shiftRightLogical(int bits) const {
  return withShare(share_.shiftRightLogical(bits));
}

BinaryTensor BinaryTensor::bit(int k) const {
  SOTTO_ENFORCE(k >= 0 && k <= 63, "bit: index ", k, " is outside [0, 63]");
  return withShare(share_.shiftRightLogical(k) & uint64_t{1});
}

BinaryTensor BinaryTensor::reshape(const std::vector<int64_t>& dims) const {
  return withShare(share_.reshape(dims));
}

// ---- AND gates -------------------------------------------------------------------------------

std::vector<BinaryTensor> andTogether(const std::vector<BinaryTensor>& xs,
                                      const std::vector<BinaryTensor>& ys) {
  SOTTO_ENFORCE(xs.size() == ys.size(), "andTogether: ", xs.size(), " left operands but ",
                ys.size(), " right operands");
  if (xs.empty()) return {};
  const Party& party = xs[0].party();
  for (size_t k = 0; k < xs.size(); ++k) {
    SOTTO_ENFORCE(&xs[k].party() == &party && &ys[k].party() == &party,
                  "and: the operands belong to different parties' contexts");
    SOTTO_ENFORCE(xs[k].shape() == ys[k].shape(), "and: shapes ", xs[k].shape().toString(), " and ",
                  ys[k].shape().toString(), " differ");
  }
  // All pairs' words in one call of the protocol's AND (one round with a dealer triple).
  std::vector<RingTensor> lefts, rights;
  for (size_t k = 0; k < xs.size(); ++k) {
    lefts.push_back(xs[k].share().reshape({xs[k].numel()}));
    rights.push_back(ys[k].share().reshape({ys[k].numel()}));
  }
  const RingTensor z = party.protocol().andWords(party, concat(lefts, 0), concat(rights, 0));
  std::vector<BinaryTensor> out;
  out.reserve(xs.size());
  int64_t at = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    const int64_t n = xs[k].numel();
    out.emplace_back(party, z.slice(0, at, at + n).reshape(xs[k].shape().dims()));
    at += n;
  }
  return out;
}

BinaryTensor BinaryTensor::operator&(const BinaryTensor& o) const {
  checkCompatible(o, "and");
  auto scope = party_->comm().tag("and");
  return std::move(andTogether({*this}, {o})[0]);
}

BinaryTensor BinaryTensor::operator|(const BinaryTensor& o) const {
  checkCompatible(o, "or");
  // x | y = x ^ y ^ (x & y)
  return (*this ^ o) ^ (*this & o);
}

}  // namespace sotto
