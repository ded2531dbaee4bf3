#pragma once
// Private: N-operand strided loop nests over dense buffers (the engine behind broadcasting,
// transpose, slice, pad and concat).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sotto/tensor/shape.h"

namespace sotto::detail {

/// A loop nest over `sizes` visiting N operands, operand k at element offset
/// sum_d index[d]*strides[d][k]. Dimensions of size 1 are dropped and adjacent dimensions that are
/// contiguous for every operand are merged, so a dense same-shape loop becomes a single row.
template <size_t N>
class StridedLoop {
 public:
  using Offsets = std::array<int64_t, N>;

  /// strides[k] holds operand k's stride for each entry of sizes.
  StridedLoop(std::span<const int64_t> sizes,
              const std::array<std::span<const int64_t>, N>& strides) {
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] == 0) {
        empty_ = true;
        return;
      }
      if (sizes[d] == 1) continue;
      Offsets s{};
      for (size_t k = 0; k < N; ++k) s[k] = strides[k][d];
      if (!sizes_.empty()) {
        // Merge into the previous (outer) dimension if it steps exactly over this one.
        bool mergeable = true;
        for (size_t k = 0; k < N; ++k)
          mergeable = mergeable && strides_.back()[k] == s[k] * sizes[d];
        if (mergeable) {
          sizes_.back() *= sizes[d];
          strides_.back() = s;
          continue;
        }
      }
      sizes_.push_back(sizes[d]);
      strides_.push_back(s);
    }
    if (sizes_.empty()) {  // a single element
      sizes_.push_back(1);
      strides_.push_back(Offsets{});
    }
  }

  /// Calls fn(offsets, inner_size, inner_strides) once per innermost row, in row-major order.
  template <typename Fn>
  void forEachRow(Fn&& fn) const {
    if (empty_) return;
    const size_t outer = sizes_.size() - 1;
    const int64_t inner_size = sizes_.back();
    const Offsets& inner_strides = strides_.back();
    std::vector<int64_t> index(outer, 0);
    Offsets offsets{};
    while (true) {
      fn(offsets, inner_size, inner_strides);
      // Increment the multi-index over the outer dimensions (last fastest).
      size_t d = outer;
      while (d > 0) {
        --d;
        if (++index[d] < sizes_[d]) {
          for (size_t k = 0; k < N; ++k) offsets[k] += strides_[d][k];
          break;
        }
        for (size_t k = 0; k < N; ++k) offsets[k] -= strides_[d][k] * (sizes_[d] - 1);
        index[d] = 0;
        if (d == 0) return;
      }
      if (outer == 0) return;
    }
  }

 private:
  std::vector<int64_t> sizes_;
  std::vector<Offsets> strides_;
  bool empty_ = false;
};

/// Strides (in elements) with which a dense row-major tensor of shape `from` is read when
/// broadcast to `to` (0 on broadcast dimensions). `from` must broadcast to `to`.
std::vector<int64_t> broadcastStrides(const Shape& from, const Shape& to);

/// dst[offset_d(i)] = src[offset_s(i)] for every multi-index i over sizes.
void stridedCopy(uint64_t* dst, std::span<const int64_t> dst_strides, const uint64_t* src,
                 std::span<const int64_t> src_strides, std::span<const int64_t> sizes);

}  // namespace sotto::detail
