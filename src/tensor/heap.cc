#include "sotto/tensor/heap.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SOTTO_HEAP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOTTO_HEAP_SANITIZED 1
#endif
#endif

namespace sotto {

namespace {

bool systemHeap() {
  static const bool system = [] {
    const char* mode = std::getenv("SOTTO_HEAP");
    return mode != nullptr && std::strcmp(mode, "system") == 0;
  }();
  return system;
}

bool plainBlocks() {
#if defined(SOTTO_HEAP_SANITIZED)
  return true;
#else
  return systemHeap();
#endif
}

constexpr size_t kHuge = size_t{1} << 21;
constexpr size_t kGrain = size_t{1} << 16;

// Blocks under 2 MiB in 64 KiB steps, larger ones in whole huge pages.
size_t roundUp(size_t bytes) {
  const size_t step = bytes >= kHuge ? kHuge : kGrain;
  return (bytes + step - 1) / step * step;
}

// Freed blocks by mapped size, and every live or cached block's mapped size by address.
class BlockCache {
 public:
  void* take(size_t bytes) {
    const size_t want = roundUp(bytes);
    {
      std::lock_guard lock(mu_);
      auto it = free_.lower_bound(want);
      if (it != free_.end() && it->first <= want + want / 4) {
        void* p = it->second;
        cached_ -= it->first;
        free_.erase(it);
        return p;
      }
    }
    void* p = mapAligned(want);
    std::lock_guard lock(mu_);
    sizes_[p] = want;
    return p;
  }

  void give(void* p) noexcept {
    std::unique_lock lock(mu_);
    const auto it = sizes_.find(p);
    if (it == sizes_.end()) return;  // not ours: cannot happen through the allocator
    const size_t size = it->second;
    if (cached_ + size <= detail::kLargeBlockCacheBytes) {
      try {
        free_.emplace(size, p);
        cached_ += size;
        return;
      } catch (...) {  // no memory for the node: unmap instead
      }
    }
    sizes_.erase(it);
    lock.unlock();
    munmap(p, size);
  }

  size_t cached() noexcept {
    std::lock_guard lock(mu_);
    return cached_;
  }

 private:
  // A fresh mapping of `bytes` (from 2 MiB: a multiple of 2 MiB, on a 2 MiB boundary, advised
  // as huge pages).
  static void* mapAligned(size_t bytes) {
    if (bytes < kHuge) {
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      return p;
    }
    void* raw =
        mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto base = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (base + kHuge - 1) / kHuge * kHuge;
    if (aligned > base) munmap(raw, aligned - base);
    const size_t tail = base + bytes + kHuge - (aligned + bytes);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
    void* p = reinterpret_cast<void*>(aligned);
#if defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without THP the pages are 4 KiB, still kept
#endif
    return p;
  }

  std::mutex mu_;
  std::multimap<size_t, void*> free_;
  std::unordered_map<void*, size_t> sizes_;
  size_t cached_ = 0;
};

BlockCache& blockCache() {
  static auto* cache = new BlockCache();  // never destroyed: tensors may outlive static teardown
  return *cache;
}

}  // namespace

void retainFreedMemory() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    if (systemHeap()) return;
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  });
}

namespace detail {

void* largeBlockAllocate(size_t bytes) {
  if (plainBlocks()) return ::operator new(bytes);
  return blockCache().take(bytes);
}

void largeBlockFree(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
  if (plainBlocks()) {
    ::operator delete(p, bytes);
    return;
  }
  blockCache().give(p);
}

void largeBlockReserve(std::span<const size_t> sizes) {
  if (plainBlocks()) return;
  std::vector<std::pair<void*, size_t>> held;
  held.reserve(sizes.size());
  try {
    for (const size_t bytes : sizes) {
      if (bytes < kLargeBlockBytes) continue;
      auto* p = static_cast<volatile unsigned char*>(largeBlockAllocate(bytes));
      held.emplace_back(const_cast<unsigned char*>(p), bytes);
      for (size_t at = 0; at < bytes; at += 4096) p[at] = 0;  // one touch per page
    }
  } catch (...) {
    for (const auto& [p, bytes] : held) largeBlockFree(p, bytes);
    throw;
  }
  for (const auto& [p, bytes] : held) largeBlockFree(p, bytes);
}

size_t largeBlockCachedBytes() noexcept { return plainBlocks() ? 0 : blockCache().cached(); }

bool largeBlockCacheEnabled() noexcept { return !plainBlocks(); }

}  // namespace detail
}  // namespace sotto
