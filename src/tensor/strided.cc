#include "tensor/strided.h"

#include <algorithm>

namespace sotto::detail {

std::vector<int64_t> broadcastStrides(const Shape& from, const Shape& to) {
  const std::vector<int64_t> dense = from.strides();
  std::vector<int64_t> strides(static_cast<size_t>(to.rank()), 0);
  const int64_t shift = to.rank() - from.rank();
  for (int64_t i = 0; i < from.rank(); ++i) {
    if (from[i] != 1) strides[static_cast<size_t>(i + shift)] = dense[static_cast<size_t>(i)];
  }
  return strides;
}

void stridedCopy(uint64_t* dst, std::span<const int64_t> dst_strides, const uint64_t* src,
                 std::span<const int64_t> src_strides, std::span<const int64_t> sizes) {
  StridedLoop<2> loop(sizes, {dst_strides, src_strides});
  loop.forEachRow(
      [&](const StridedLoop<2>::Offsets& off, int64_t n, const StridedLoop<2>::Offsets& st) {
        uint64_t* d = dst + off[0];
        const uint64_t* s = src + off[1];
        if (st[0] == 1 && st[1] == 1) {
          std::copy(s, s + n, d);
        } else if (st[1] == 0) {
          for (int64_t i = 0; i < n; ++i) d[i * st[0]] = *s;
        } else {
          for (int64_t i = 0; i < n; ++i) d[i * st[0]] = s[i * st[1]];
        }
      });
}

}  // namespace sotto::detail
