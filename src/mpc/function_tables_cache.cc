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

struct Cached {
  std::vector<uint64_t> words;
  std::shared_ptr<const FunctionTableGenerator> generator;
};

struct Encoded {
  FunctionTableSpec spec;
  std::shared_ptr<const std::vector<uint64_t>> words;
};

}  // namespace

std::shared_ptr<const std::vector<uint64_t>> encodedOf(const FunctionTableSpec& spec) {
  static std::mutex mu;
  static std::deque<Encoded> cache;  // most recently used first
  auto same = [&](const Encoded& c) { return c.spec == spec; };
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = std::ranges::find_if(cache, same);
    if (it != cache.end()) {
      Encoded hit = std::move(*it);
      cache.erase(it);
      cache.push_front(std::move(hit));
      return cache.front().words;
    }
  }
  auto words = std::make_shared<const std::vector<uint64_t>>(spec.encode());
  std::lock_guard<std::mutex> lock(mu);
  if (std::ranges::find_if(cache, same) == cache.end()) {
    cache.push_front({spec, words});
    if (cache.size() > kCachedSpecs) cache.pop_back();
  }
  return words;
}

std::shared_ptr<const FunctionTableGenerator> generatorOf(std::span<const uint64_t> words) {
  static std::mutex mu;
  static std::deque<Cached> cache;  // most recently used first
  auto same = [&](const Cached& c) { return std::ranges::equal(c.words, words); };
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = std::ranges::find_if(cache, same);
    if (it != cache.end()) {
      Cached hit = std::move(*it);
      cache.erase(it);
      cache.push_front(std::move(hit));
      return cache.front().generator;
    }
  }
  // Decoded outside the lock (it may throw for malformed words, and may take a while).
  auto generator = std::make_shared<const FunctionTableGenerator>(FunctionTableSpec::decode(words));
  std::lock_guard<std::mutex> lock(mu);
  if (std::ranges::find_if(cache, same) == cache.end()) {
    cache.push_front({std::vector<uint64_t>(words.begin(), words.end()), generator});
    if (cache.size() > kCachedSpecs) cache.pop_back();
  }
  return generator;
}

}  // namespace sotto::detail
