#pragma once
/// @file heap.h
/// How the process heap treats the large, short-lived buffers of secret-shared tensors.
///
/// A private forward pass allocates and frees many megabyte-sized tensors (correlations, masked
/// openings, products). glibc serves blocks above its mmap threshold (128 KiB, adapting upward
/// one block at a time) with a fresh mmap and unmaps them on free, so every such tensor is faulted
/// in afresh, page by page (about 1.5 µs per 4 KiB page here: 5 ms for the 15 MB of a
/// 65536-element comparison), and runs become bimodal as the adaptive threshold moves. Measured on
/// LeNet5 batch 64 under mpirun: the online phase took 6.5 ms per image with glibc's defaults and
/// 1.1 ms with freed memory kept in the heap.
///
/// Even kept, the heap faults in every page the first time it reaches a new high-water mark: the
/// first batch of LeNet5 at 64 images (its dealer material prefetched at once, ~200 MB) spent
/// 224 ms of its 290 ms offline phase in page faults, against 36 ms for every later batch. So
/// blocks of 256 KiB and more (largeBlockAllocate) are mapped by Sotto itself, those of 2 MiB and
/// more on 2 MiB boundaries as transparent huge pages (one fault per 2 MiB instead of 512), and
/// kept, when freed, in a cache of mapped blocks that the next allocation of about the same size
/// reuses without any fault.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace sotto {

/// Keeps freed memory in the heap for reuse instead of returning it to the OS (glibc: mmap and
/// trim thresholds raised to 1 GiB; blocks larger than that are still mapped). Process-wide and
/// idempotent; every Party constructor calls it, so callers of the library get it without asking.
/// The heap then stays at its high-water mark, as a long-running service's would. The environment
/// variable SOTTO_HEAP=system leaves the allocator's own settings untouched (and turns the large
/// blocks below into plain operator new). No-op on other C libraries. Never throws.
void retainFreedMemory() noexcept;

namespace detail {

/// Blocks at least this large take the large-block path.
inline constexpr size_t kLargeBlockBytes = size_t{1} << 18;

/// Most bytes the cache of freed large blocks holds; a block freed beyond it is unmapped.
inline constexpr size_t kLargeBlockCacheBytes = size_t{1} << 30;

/// A block of at least `bytes` (>= kLargeBlockBytes): a cached block of the same size rounded up
/// (to 64 KiB; from 2 MiB on, to 2 MiB) or up to a quarter larger if there is one, else a fresh
/// mapping (from 2 MiB on, 2 MiB aligned and advised as transparent huge pages). Under
/// AddressSanitizer, or SOTTO_HEAP=system, plain operator new (the sanitizer then checks these
/// buffers as any other).
/// @throws std::bad_alloc if the mapping fails.
void* largeBlockAllocate(size_t bytes);

/// Returns a block from largeBlockAllocate(bytes) (the same `bytes`): into the cache, or unmapped
/// when the cache would exceed kLargeBlockCacheBytes. Never throws.
void largeBlockFree(void* p, size_t bytes) noexcept;

/// Maps and touches blocks for every size of `sizes` at once (those of kLargeBlockBytes or more),
/// then frees them into the cache (up to its bound), so that allocations of those sizes that are
/// alive together later find them mapped and faulted in. @throws std::bad_alloc.
void largeBlockReserve(std::span<const size_t> sizes);

/// Bytes the cache holds now (for tests).
size_t largeBlockCachedBytes() noexcept;

/// Whether large blocks take the cache (false under AddressSanitizer or SOTTO_HEAP=system).
bool largeBlockCacheEnabled() noexcept;

/// std::allocator whose value-initialisation leaves a trivial element uninitialised, so that
/// vector(n) costs no memset: for buffers that are written in full right away. Blocks of
/// kLargeBlockBytes and more come from the cache of huge-page blocks above (reused, not
/// faulted in afresh).
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  T* allocate(size_t n) {
    if (n >= kLargeBlockBytes / sizeof(T)) {
      if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
      return static_cast<T*>(largeBlockAllocate(n * sizeof(T)));
    }
    return std::allocator<T>::allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n >= kLargeBlockBytes / sizeof(T)) {
      largeBlockFree(p, n * sizeof(T));
      return;
    }
    std::allocator<T>::deallocate(p, n);
  }
};

/// A vector with that allocator: vector(n) leaves trivial elements unwritten, and large ones
/// reuse cached huge-page blocks.
template <typename T>
using UninitVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace detail
}  // namespace sotto
