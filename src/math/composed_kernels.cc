// Small compositions of seam kernels for the composed table math (composed_kernels.h).
#include "composed_kernels.h"

#include <algorithm>
#include <span>
#include <utility>

#include "sotto/mpc/protocol.h"

namespace sotto::math_detail {

RingTensor flat(std::vector<uint64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return RingTensor(Shape{n}, std::move(v));
}

RingTensor slice(const RingTensor& t, int64_t first, int64_t count) {
  const auto d = t.data().subspan(static_cast<size_t>(first), static_cast<size_t>(count));
  return flat({d.begin(), d.end()});
}

RingTensor concat2(const RingTensor& a, const RingTensor& b) {
  std::vector<uint64_t> v(a.data().begin(), a.data().end());
  v.insert(v.end(), b.data().begin(), b.data().end());
  return flat(std::move(v));
}

RingTensor constant(const Party& p, int64_t n, int64_t value) {
  return RingTensor::full(Shape{n}, p.id() == 0 ? static_cast<uint64_t>(value) : 0);
}

SignBits::SignBits(const Party& p, const RingTensor& v) : p_(p), xor_(p.protocol().hasSignBits()) {
  bits_ = xor_ ? p.protocol().signBits(p, v, /*nonneg=*/false)
               : p.protocol().sign(p, v, /*nonneg=*/false, nullptr).bit;
}

SignBits::SignBits(const Party& p, bool xor_shares, RingTensor bits)
    : p_(p), xor_(xor_shares), bits_(std::move(bits)) {}

SignBits SignBits::fromAdditive(const Party& p, RingTensor bits) {
  return SignBits(p, false, std::move(bits));
}

SignBits SignBits::bands(int64_t n, int64_t count) const {
  const uint64_t one = p_.id() == 0 ? 1 : 0;  // shares of the public bit b_count = 1
  if (!xor_) {                                // additive 0/1 shares: h_g = b_g - b_{g-1}
    std::vector<uint64_t> h(static_cast<size_t>((count + 1) * n));
    for (int64_t g = 0; g <= count; ++g)
      for (int64_t i = 0; i < n; ++i)
        h[static_cast<size_t>(g * n + i)] =
            (g < count ? bits_[g * n + i] : one) - (g > 0 ? bits_[(g - 1) * n + i] : 0);
    return SignBits(p_, false, flat(std::move(h)));
  }
  // XOR shares: h_g = b_g ⊕ b_{g-1} (monotone bits: the difference is their XOR)
  auto bit = [&](int64_t j) { return (bits_[j / 64] >> (j % 64)) & 1; };
  std::vector<uint64_t> h(static_cast<size_t>(((count + 1) * n + 63) / 64), 0);
  for (int64_t g = 0; g <= count; ++g) {
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t v = (g < count ? bit(g * n + i) : one) ^ (g > 0 ? bit((g - 1) * n + i) : 0);
      const int64_t j = g * n + i;
      h[static_cast<size_t>(j / 64)] |= v << (j % 64);
    }
  }
  return SignBits(p_, true, flat(std::move(h)));
}

SignBits SignBits::lookedUp(const Party& p, const RingTensor& index, int index_bits, int columns,
                            const std::vector<uint64_t>& table) {
  const bool xor_shares = p.protocol().hasSignBits();
  const RingTensor got =
      p.protocol().lookup(p, index, index_bits, columns, table, xor_shares ? 1 : 64);
  const int64_t n = index.numel(), count = columns * n;
  auto entry = [&](int64_t j) { return got[(j % n) * columns + j / n]; };  // b_{j = g·n + i}
  if (!xor_shares) {
    std::vector<uint64_t> bits(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) bits[static_cast<size_t>(j)] = entry(j);
    return SignBits(p, false, flat(std::move(bits)));
  }
  std::vector<uint64_t> packed(static_cast<size_t>((count + 63) / 64), 0);
  for (int64_t j = 0; j < count; ++j)
    packed[static_cast<size_t>(j / 64)] |= (entry(j) & 1) << (j % 64);
  return SignBits(p, true, flat(std::move(packed)));
}

RingTensor SignBits::packed(int64_t first, int64_t n) const {
  std::vector<uint64_t> words(static_cast<size_t>((n + 63) / 64), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = first + i;
    const uint64_t bit = (bits_[j / 64] >> (j % 64)) & 1;
    words[static_cast<size_t>(i / 64)] |= bit << (i % 64);
  }
  return flat(std::move(words));
}

RingTensor SignBits::select(int64_t first, const RingTensor& values, int shift) const {
  const int64_t n = values.numel();
  if (!xor_) {
    RingTensor v = p_.protocol().mul(p_, slice(bits_, first, n), values);
    return shift > 0 ? p_.protocol().truncatePositive(p_, v, shift) : v;
  }
  return p_.protocol().selectBits(p_, packed(first, n), n, values, shift);
}

RingTensor SignBits::selectShifted(int64_t first, const RingTensor& values,
                                   const std::vector<int>& shifts) const {
  const int64_t n = values.numel();
  if (xor_) return p_.protocol().selectBitsShifted(p_, packed(first, n), n, values, shifts);
  RingTensor v = p_.protocol().mul(p_, slice(bits_, first, n), values);
  std::vector<uint64_t> out(v.data().begin(), v.data().end());
  for (int64_t i = 0; i < n;) {  // each run of equal shifts > 0 truncated at once
    int64_t end = i + 1;
    while (end < n && shifts[static_cast<size_t>(end)] == shifts[static_cast<size_t>(i)]) ++end;
    if (const int shift = shifts[static_cast<size_t>(i)]; shift > 0) {
      const RingTensor t = p_.protocol().truncatePositive(p_, slice(v, i, end - i), shift);
      std::copy(t.data().begin(), t.data().end(), out.begin() + i);
    }
    i = end;
  }
  return flat(std::move(out));
}

RingTensor chooseOr(const Party& p, const SignBits& s, int64_t first, const RingTensor& v,
                    int64_t c) {
  const int64_t n = v.numel();
  RingTensor d = v - constant(p, n, c);
  return constant(p, n, c) + s.select(first, d);
}

Floor exactFloor(const Party& p, const RingTensor& a, int bits, const RingTensor* also) {
  Protocol& proto = p.protocol();
  const int64_t n = a.numel();
  RingTensor q = proto.truncate(p, a, bits);
  RingTensor r = a - q.shiftLeft(bits);
  std::unique_ptr<SignBits> also_signs;
  if (!proto.exactTruncation() && proto.truncationRoundsUp() && !proto.hasSignBits()) {
    // q is ⌊a / 2^bits⌋ or one more: low = [r < 0] alone, its additive 0/1 shares used as they
    // come (no selection); `also`'s signs in the same call.
    const RingTensor both =
        proto.sign(p, also != nullptr ? concat2(r, *also) : r, /*nonneg=*/false, nullptr).bit;
    const RingTensor low = slice(both, 0, n);
    if (also != nullptr) {
      also_signs =
          std::make_unique<SignBits>(SignBits::fromAdditive(p, slice(both, n, also->numel())));
    }
    q = q - low;
    r = r + low.shiftLeft(bits);
  } else if (!proto.exactTruncation()) {
    // q may be one off: low = [r < 0] (q one too large), high = [r >= 2^bits] (one too small).
    const SignBits off(p, concat2(r, r - constant(p, n, int64_t{1} << bits)));
    const RingTensor ones = constant(p, n, 1);
    const RingTensor low = off.select(0, ones), high = ones - off.select(n, ones);
    q = q - low + high;
    r = r + (low - high).shiftLeft(bits);
  }
  if (also != nullptr && also_signs == nullptr) also_signs = std::make_unique<SignBits>(p, *also);
  return {std::move(q), std::move(r), std::move(also_signs)};
}

}  // namespace sotto::math_detail
