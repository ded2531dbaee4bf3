#include "sotto/mpc/range_check.h"

#include <cstdio>
#include <utility>

#include "sotto/error.h"
#include "sotto/mpc/arith_tensor.h"

namespace sotto {
namespace {

constexpr uint64_t kTwo62 = uint64_t{1} << 62;

bool recording(const Party& p) { return p.options().check_ranges && !p.rangeChecks().busy(); }

// Resets a flag on leaving (also by an exception), so an aborted check does not stop recording.
struct BusyGuard {
  bool& flag;
  explicit BusyGuard(bool& f) : flag(f) { flag = true; }
  ~BusyGuard() { flag = false; }
};

}  // namespace

RangeCheckLog::OpScope::OpScope(const Party& party, std::string_view op) {
  if (!recording(party)) return;
  log_ = &party.rangeChecks();
  if (log_->scopes_.empty()) ++log_->scope_serial_;
  log_->scopes_.emplace_back(op);
}

RangeCheckLog::OpScope::~OpScope() {
  if (log_ != nullptr) log_->scopes_.pop_back();
}

RangeCheckLog::LabelScope::LabelScope(const Party& party, std::string label) {
  if (!party.options().check_ranges) return;
  log_ = &party.rangeChecks();
  previous_ = std::exchange(log_->label_, std::move(label));
}

RangeCheckLog::LabelScope::~LabelScope() {
  if (log_ != nullptr) log_->label_ = std::move(previous_);
}

size_t RangeCheckLog::entryFor(std::string_view op) {
  std::string name = label_.empty() ? std::string() : label_ + ": ";
  if (scopes_.empty()) {
    name += op;
  } else {
    name += scopes_.front();
    if (op.starts_with("truncate") && scopes_.front() != op) name += std::string("/") += op;
  }
  auto it = index_.find(name);
  if (it == index_.end()) {
    it = index_.emplace(name, entries_.size()).first;
    entries_.push_back(Entry{});
    entries_.back().row.name = std::move(name);
  }
  Entry& e = entries_[it->second];
  // One call per outermost op scope (a maxPool2d's levels are one call); every record otherwise.
  if (scopes_.empty()) {
    ++e.row.calls;
  } else if (e.last_serial != scope_serial_) {
    e.last_serial = scope_serial_;
    ++e.row.calls;
  }
  return it->second;
}

void RangeCheckLog::record(const ArithTensor& x, std::string_view op, uint64_t constant,
                           std::initializer_list<Term> terms) {
  const Party& p = x.party();
  if (!recording(p)) return;
  RangeCheckLog& log = p.rangeChecks();
  const size_t entry = log.entryFor(op);
  Entry& e = log.entries_[entry];
  const uint64_t n = static_cast<uint64_t>(x.numel());
  e.row.elements += n;
  e.pending = true;
  // count += constant·n (party 0), then one word ±x + add per element and term.
  if (p.id() == 0) e.count_share += constant * n;
  const auto xs = x.share().data();
  for (const Term& t : terms) {
    for (const uint64_t v : xs) {
      uint64_t w = t.negate ? uint64_t{0} - v : v;
      if (p.id() == 0) w += t.add;
      log.words_.push_back(w);
      log.word_entry_.push_back(static_cast<uint32_t>(entry));
      log.word_coef_.push_back(t.coef);
    }
  }
  if (log.words_.size() > log.flush_words_) log.reduceWords(p);
}

void RangeCheckLog::recordBeyond62(const ArithTensor& x, std::string_view op) {
  // x + 2^62 has its top bit set exactly for x outside [-2^62, 2^62).
  record(x, op, 0, {{false, kTwo62, +1}});
}

void RangeCheckLog::recordAbove(const ArithTensor& x, int64_t hi, std::string_view op) {
  SOTTO_ENFORCE(hi >= 0, "range check of ", op, ": bound ", hi, " is negative");
  // x - hi - 1 in [0, 2^63) (top bit clear) for x in (hi, hi + 2^63]: 1 - ltz(x - hi - 1).
  record(x, op, 1, {{false, uint64_t{0} - static_cast<uint64_t>(hi) - 1, -1}});
}

void RangeCheckLog::recordOutside(const ArithTensor& x, int64_t lo, int64_t hi,
                                  std::string_view op) {
  SOTTO_ENFORCE(lo <= 0 && hi >= 0 &&
                    static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) < (uint64_t{1} << 63),
                "range check of ", op, ": [", lo, ", ", hi,
                "] needs lo <= 0 <= hi, hi - lo < 2^63");
  // ltz(x - lo) + ltz(hi - x)
  record(x, op, 0,
         {{false, uint64_t{0} - static_cast<uint64_t>(lo), +1},
          {true, static_cast<uint64_t>(hi), +1}});
}

void RangeCheckLog::recordNonPositive(const ArithTensor& x, std::string_view op) {
  // ltz(x - 1) + ltz(x)
  record(x, op, 0, {{false, ~uint64_t{0}, +1}, {false, 0, +1}});
}

void RangeCheckLog::recordNonZero(const ArithTensor& x, std::string_view op) {
  // 1 - ltz(x) - ltz(-x) + ltz(x + 2^62) + ltz(2^62 - 1 - x)
  record(x, op, 1, {{false, 0, -1}, {true, 0, -1}, {false, kTwo62, +1}, {true, kTwo62 - 1, +1}});
}

void RangeCheckLog::recordLocalTruncation(const ArithTensor& y) {
  const int64_t bound = int64_t{1} << (kAssumedValueBits + y.fracBits());
  recordOutside(y, -bound, bound, "truncate(local)");
}

void RangeCheckLog::reduceWords(const Party& party) {
  if (words_.empty()) return;
  BusyGuard guard(busy_);
  auto scope = party.comm().tag("range check");
  const int64_t m = static_cast<int64_t>(words_.size());
  RingTensor w(Shape{m}, std::move(words_));
  // count_e += Σ coef·[word < 0] over the entry's words
  const RingTensor bits = party.protocol().sign(party, w, false, nullptr).bit;
  for (int64_t i = 0; i < m; ++i) {
    const uint64_t b = bits[i];
    entries_[word_entry_[i]].count_share += word_coef_[i] > 0 ? b : uint64_t{0} - b;
  }
  words_.clear();
  word_entry_.clear();
  word_coef_.clear();
}

void RangeCheckLog::setFlushWords(uint64_t words) {
  SOTTO_ENFORCE(words > 0, "range check: the flush threshold must be positive");
  flush_words_ = words;
}

std::vector<RangeCheckRow> RangeCheckLog::rows() const {
  std::vector<RangeCheckRow> out;
  for (const Entry& e : entries_) out.push_back(e.row);
  return out;
}

void RangeCheckLog::clearRows() {
  bool pending = !words_.empty();
  for (const Entry& e : entries_) pending = pending || e.pending;
  SOTTO_ENFORCE_AS(ProtocolError, !pending,
                   "range check: clearRows() with checks pending (call checkRanges() first)");
  entries_.clear();
  index_.clear();
}

std::vector<RangeCheckRow> checkRanges(const Party& party) {
  RangeCheckLog& log = party.rangeChecks();
  log.reduceWords(party);
  std::vector<size_t> pending;
  for (size_t i = 0; i < log.entries_.size(); ++i)
    if (log.entries_[i].pending) pending.push_back(i);
  if (pending.empty()) return {};
  BusyGuard guard(log.busy_);
  auto scope = party.comm().tag("range check");
  // Each count is a non-negative integer below 2^62: [count > 0] = [-count < 0].
  RingTensor neg(Shape{static_cast<int64_t>(pending.size())});
  for (size_t i = 0; i < pending.size(); ++i)
    neg[static_cast<int64_t>(i)] = uint64_t{0} - log.entries_[pending[i]].count_share;
  const RingTensor bits = party.protocol().sign(party, neg, false, nullptr).bit;
  const RingTensor opened = openTogether(party, {bits})[0];  // the one bit per name
  std::vector<RangeCheckRow> out;
  for (size_t i = 0; i < pending.size(); ++i) {
    auto& e = log.entries_[pending[i]];
    e.pending = false;
    e.count_share = 0;
    ++e.row.checks;
    const uint64_t bit = opened[static_cast<int64_t>(i)];
    SOTTO_ENFORCE_AS(ProtocolError, bit <= 1, "range check: an opened bit is ", bit);
    if (bit == 1) {
      ++e.row.violations;
      out.push_back(e.row);
    }
  }
  return out;
}

std::string formatRangeChecks(const std::vector<RangeCheckRow>& rows) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-48s %8s %12s %7s  %s\n", "op", "calls", "elements", "checks",
                "result");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(
        line, sizeof line, "%-48s %8llu %12llu %7llu  %s\n", r.name.c_str(),
        static_cast<unsigned long long>(r.calls), static_cast<unsigned long long>(r.elements),
        static_cast<unsigned long long>(r.checks),
        r.violations == 0 ? (r.checks == 0 ? "not checked yet" : "in range")
                          : (std::to_string(r.violations) + " check(s) OUT OF DOMAIN").c_str());
    out += line;
  }
  return out;
}

}  // namespace sotto
