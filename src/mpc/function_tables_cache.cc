// The decoded-spec cache (function_tables_generator.h): a request's spec travels as words and is
// needed several times per request (its shapes, its columns' bits, the material), on the dealer
// and on every party; decoding and validating a spec of thousands of coefficients each time
// cost more than the tables of a small tensor.

#include <algorithm>
#include <deque>
#include <mutex>
#include <utility>

#include "function_tables_generator.h"

namespace sotto::detail {
namespace {

constexpr size_t kCachedSpecs = 16;

bool sameKey(const std::vector<uint64_t>& a, std::span<const uint64_t> b) {
  return std::ranges::equal(a, b);
}
bool sameKey(const FunctionTableSpec& a, const FunctionTableSpec& b) { return a == b; }
std::vector<uint64_t> keyOf(std::span<const uint64_t> w) { return {w.begin(), w.end()}; }
const FunctionTableSpec& keyOf(const FunctionTableSpec& s) { return s; }

// The few most recently used (key, value) pairs, most recent first. make() runs outside the lock
// (it may throw, and may take a while).
template <typename Key, typename Value>
class RecentCache {
 public:
  template <typename Probe, typename Make>
  std::shared_ptr<const Value> get(const Probe& probe, Make&& make) {
    auto same = [&](const Entry& e) { return sameKey(e.first, probe); };
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = std::ranges::find_if(entries_, same);
      if (it != entries_.end()) {
        Entry hit = std::move(*it);
        entries_.erase(it);
        entries_.push_front(std::move(hit));
        return entries_.front().second;
      }
    }
    auto value = std::make_shared<const Value>(make());
    std::lock_guard<std::mutex> lock(mu_);
    if (std::ranges::find_if(entries_, same) == entries_.end()) {
      entries_.emplace_front(keyOf(probe), value);
      if (entries_.size() > kCachedSpecs) entries_.pop_back();
    }
    return value;
  }

 private:
  using Entry = std::pair<Key, std::shared_ptr<const Value>>;
  std::mutex mu_;
  std::deque<Entry> entries_;
};

}  // namespace

std::shared_ptr<const std::vector<uint64_t>> encodedOf(const FunctionTableSpec& spec) {
  static RecentCache<FunctionTableSpec, std::vector<uint64_t>> cache;
  return cache.get(spec, [&] { return spec.encode(); });
}

std::shared_ptr<const FunctionTableGenerator> generatorOf(std::span<const uint64_t> words) {
  static RecentCache<std::vector<uint64_t>, FunctionTableGenerator> cache;
  return cache.get(words, [&] { return FunctionTableGenerator(FunctionTableSpec::decode(words)); });
}

}  // namespace sotto::detail
