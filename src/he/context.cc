#include "sotto/he/context.h"

#include <cmath>

#include "sotto/error.h"

namespace sotto::he {
namespace {

// Little-endian multiword unsigned integers, just enough for Q (≤ 4 primes) and Q / 2^ℓ.
using Big = std::vector<uint64_t>;

Big mulWord(const Big& a, uint64_t w) {
  Big r(a.size() + 1, 0);
  u128 carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const u128 p = static_cast<u128>(a[i]) * w + carry;
    r[i] = static_cast<uint64_t>(p);
    carry = p >> 64;
  }
  r[a.size()] = static_cast<uint64_t>(carry);
  return r;
}

Big shiftRight(const Big& a, int bits) {
  const size_t words = static_cast<size_t>(bits) / 64, rem = static_cast<size_t>(bits) % 64;
  Big r(a.size(), 0);
  for (size_t i = words; i < a.size(); ++i) {
    uint64_t v = a[i] >> rem;
    if (rem != 0 && i + 1 < a.size()) v |= a[i + 1] << (64 - rem);
    r[i - words] = v;
  }
  return r;
}

uint64_t modWord(const Big& a, const Modulus& m) {
  uint64_t r = 0;
  for (size_t i = a.size(); i-- > 0;) r = m.reduce((static_cast<u128>(r) << 64) | a[i]);
  return r;
}

}  // namespace

HeContext::HeContext(ParamSet set, int plain_bits)
    : ring_(ringParams(set)), plain_bits_(plain_bits) {
  SOTTO_ENFORCE(plain_bits >= 1 && plain_bits <= 64,
                "HeContext: plaintext bits ℓ must be in [1, 64], got ", plain_bits);
  const size_t k = ring_.primes.size();
  for (uint64_t q : ring_.primes) {
    mods_.emplace_back(q);
    ntts_.emplace_back(ring_.n, q);
  }
  delta_.assign(k, std::vector<uint64_t>(k, 0));
  punct_inv_.assign(k, std::vector<uint64_t>(k, 0));
  log_q_.assign(k, 0.0);
  for (size_t level = 0; level < k; ++level) {
    Big q_level{1};
    for (size_t i = level; i < k; ++i) {
      q_level = mulWord(q_level, ring_.primes[i]);
      log_q_[level] += std::log2(static_cast<double>(ring_.primes[i]));
    }
    const Big delta = shiftRight(q_level, plain_bits);
    for (size_t i = level; i < k; ++i) {
      delta_[level][i] = modWord(delta, mods_[i]);
      uint64_t punct = 1;
      for (size_t j = level; j < k; ++j) {
        if (j != i) punct = mods_[i].mul(punct, ring_.primes[j] % ring_.primes[i]);
      }
      punct_inv_[level][i] = mods_[i].inv(punct);
    }
  }
}

}  // namespace sotto::he
