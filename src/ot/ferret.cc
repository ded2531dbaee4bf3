// Ferret's extension loop (ferret.h): bootstrap from IKNP, then main rounds that feed each other.
#include "sotto/ot/ferret.h"

#include <algorithm>

#include "bit_pack.h"
#include "cr_hash.h"
#include "lpn.h"
#include "mpcot.h"
#include "sotto/crypto/prg.h"
#include "sotto/error.h"

namespace sotto::ot {
namespace {

void checkParams(const FerretParams& p) {
  for (const LpnRound* r : {&p.main, &p.bootstrap}) {
    SOTTO_ENFORCE(r->log_bin_size >= 1 && r->log_bin_size <= 24 && r->k > 0 && r->t > 0 &&
                      r->n == r->t * r->binSize(),
                  "Ferret ", p.name, ": a round of n = ", r->n, ", k = ", r->k, ", t = ", r->t,
                  ", log_bin_size = ", r->log_bin_size, " is not n = t·2^log_bin_size");
  }
  SOTTO_ENFORCE(p.bootstrap.n >= p.main.consumed() && p.main.n > p.main.consumed(), "Ferret ",
                p.name, ": the bootstrap's ", p.bootstrap.n, " COTs or a round's ", p.main.n,
                " do not cover a main round's ", p.main.consumed());
}

size_t treeCots(const LpnRound& r) { return r.t * static_cast<size_t>(r.log_bin_size); }

}  // namespace

// ---- sender ----

FerretCotSender::FerretCotSender(Communicator& comm, int peer, IknpCotSender& iknp,
                                 const FerretParams& params)
    : comm_(comm),
      peer_(peer),
      iknp_(iknp),
      params_(params),
      delta_(iknp.delta()),
      hash_(std::make_unique<detail::CrHash>()) {
  checkParams(params_);
}

FerretCotSender::~FerretCotSender() = default;

void FerretCotSender::round(const LpnRound& r, std::span<const Block> base, std::span<Block> out) {
  // z = v ⊕ A·base[0, k), v from the MPCOT on base[k, k + t·log_bin)
  detail::mpcotSend(comm_, peer_, *hash_, delta_, r.log_bin_size, base.subspan(r.k, treeCots(r)),
                    tweak_, out);
  tweak_ += treeCots(r);
  detail::lpnEncode(base.first(r.k), out);
  ++rounds_;
}

void FerretCotSender::refill() {
  const LpnRound& m = params_.main;
  sotto::detail::UninitVector<Block> base(m.consumed());
  if (out_.empty()) {
    const LpnRound& b = params_.bootstrap;
    sotto::detail::UninitVector<Block> boot(b.consumed()), pre(b.n);
    iknp_.extend(boot);
    round(b, boot, pre);
    std::copy_n(pre.begin(), base.size(), base.begin());
    out_.resize(m.n);
  } else {
    std::copy(out_.end() - static_cast<std::ptrdiff_t>(base.size()), out_.end(), base.begin());
  }
  round(m, base, out_);
  used_ = 0;
  yield_ = params_.yield();
}

void FerretCotSender::extend(std::span<Block> q) {
  size_t done = 0;
  while (done < q.size()) {
    if (used_ == yield_) refill();
    const size_t n = std::min(q.size() - done, yield_ - used_);
    std::copy_n(out_.data() + used_, n, q.data() + done);
    used_ += n;
    done += n;
  }
}

// ---- receiver ----

FerretCotReceiver::FerretCotReceiver(Communicator& comm, int peer, IknpCotReceiver& iknp,
                                     const FerretParams& params)
    : comm_(comm),
      peer_(peer),
      iknp_(iknp),
      params_(params),
      hash_(std::make_unique<detail::CrHash>()) {
  checkParams(params_);
}

FerretCotReceiver::~FerretCotReceiver() = default;

void FerretCotReceiver::round(const LpnRound& r, std::span<const Block> base_t,
                              std::span<const uint8_t> base_b, std::span<Block> out_t,
                              std::span<uint8_t> out_b) {
  // noise positions, one per bin (e_{j·2^log_bin + α_j} = 1), read off the tree COTs' choices
  std::vector<uint64_t> alphas(r.t);
  const size_t trees = treeCots(r);
  detail::mpcotRecv(comm_, peer_, *hash_, r.log_bin_size, base_t.subspan(r.k, trees),
                    base_b.subspan(r.k, trees), tweak_, out_t, alphas);
  tweak_ += trees;
  std::fill(out_b.begin(), out_b.end(), uint8_t{0});
  for (size_t j = 0; j < r.t; ++j) out_b[j * r.binSize() + alphas[j]] = 1;
  // z' = w ⊕ A·t[0, k), b' = e ⊕ A·b[0, k)
  detail::lpnEncode(base_t.first(r.k), out_t, base_b.first(r.k), out_b);
  ++rounds_;
}

void FerretCotReceiver::refill() {
  const LpnRound& m = params_.main;
  sotto::detail::UninitVector<Block> base_t(m.consumed());
  sotto::detail::UninitVector<uint8_t> base_b(m.consumed());
  if (out_t_.empty()) {
    const LpnRound& b = params_.bootstrap;
    const size_t nb = b.consumed();
    std::vector<std::byte> packed((nb + 7) / 8);
    Prg().fill(packed);
    sotto::detail::UninitVector<Block> boot_t(nb), pre_t(b.n);
    sotto::detail::UninitVector<uint8_t> boot_b(nb), pre_b(b.n);
    iknp_.extend(packed, boot_t);
    detail::unpackChoices(packed, boot_b);
    round(b, boot_t, boot_b, pre_t, pre_b);
    std::copy_n(pre_t.begin(), base_t.size(), base_t.begin());
    std::copy_n(pre_b.begin(), base_b.size(), base_b.begin());
    out_t_.resize(m.n);
    out_b_.resize(m.n);
  } else {
    const auto keep = static_cast<std::ptrdiff_t>(base_t.size());
    std::copy(out_t_.end() - keep, out_t_.end(), base_t.begin());
    std::copy(out_b_.end() - keep, out_b_.end(), base_b.begin());
  }
  round(m, base_t, base_b, out_t_, out_b_);
  used_ = 0;
  yield_ = params_.yield();
}

void FerretCotReceiver::extend(std::span<Block> t, std::span<uint8_t> b) {
  SOTTO_ENFORCE(t.size() == b.size(), "Ferret receiver: ", t.size(), " COTs and ", b.size(),
                " choice bits");
  size_t done = 0;
  while (done < t.size()) {
    if (used_ == yield_) refill();
    const size_t n = std::min(t.size() - done, yield_ - used_);
    std::copy_n(out_t_.data() + used_, n, t.data() + done);
    std::copy_n(out_b_.data() + used_, n, b.data() + done);
    used_ += n;
    done += n;
  }
}

}  // namespace sotto::ot
