// The large-block cache behind RingTensor's buffers (sotto/tensor/heap.h): blocks are reused,
// aligned, bounded, and a reused block never leaks old values into a zeroed tensor.
#include "sotto/tensor/heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "sotto/tensor/ring_tensor.h"

namespace sotto {
namespace {

using detail::largeBlockAllocate;
using detail::largeBlockCachedBytes;
using detail::largeBlockFree;

constexpr size_t kMiB = size_t{1} << 20;

class LargeBlocks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!detail::largeBlockCacheEnabled()) GTEST_SKIP() << "no cache (ASan or SOTTO_HEAP=system)";
  }
};

TEST_F(LargeBlocks, AFreedBlockIsCachedAndReusedForAboutTheSameSize) {
  const size_t before = largeBlockCachedBytes();
  void* p = largeBlockAllocate(3 * kMiB + 5);
  std::memset(p, 0xab, 3 * kMiB + 5);
  largeBlockFree(p, 3 * kMiB + 5);
  EXPECT_EQ(largeBlockCachedBytes(), before + 4 * kMiB);  // rounded up to whole 2 MiB pages
  void* q = largeBlockAllocate(4 * kMiB);                 // the same rounded size: that block
  EXPECT_EQ(q, p);
  EXPECT_EQ(largeBlockCachedBytes(), before);
  void* r = largeBlockAllocate(4 * kMiB);  // none cached now: a fresh block
  EXPECT_NE(r, q);
  largeBlockFree(q, 4 * kMiB);
  largeBlockFree(r, 4 * kMiB);
  EXPECT_EQ(largeBlockCachedBytes(), before + 8 * kMiB);
  // Too large a block is not handed out for a small request (more than a quarter larger).
  void* s = largeBlockAllocate(2 * kMiB);
  EXPECT_NE(s, q);
  EXPECT_NE(s, r);
  largeBlockFree(s, 2 * kMiB);
}

TEST_F(LargeBlocks, HugeBlocksAreAlignedToTwoMiB) {
  std::vector<void*> blocks;
  for (size_t mib : {2, 3, 7, 33}) {
    void* p = largeBlockAllocate(mib * kMiB);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (2 * kMiB), 0u) << mib << " MiB";
    largeBlockFree(p, mib * kMiB);
  }
}

TEST_F(LargeBlocks, ReserveLeavesOneCachedBlockPerLargeSize) {
  const size_t before = largeBlockCachedBytes();
  const std::vector<size_t> sizes = {5 * kMiB, 5 * kMiB, 64 * 1024, 300 * 1024};
  detail::largeBlockReserve(sizes);
  // Two 6 MiB blocks and one of 320 KiB (64 KiB steps below 2 MiB); the 64 KiB one is the
  // ordinary heap's.
  EXPECT_EQ(largeBlockCachedBytes(), before + 12 * kMiB + 320 * 1024);
  void* a = largeBlockAllocate(5 * kMiB);
  void* b = largeBlockAllocate(5 * kMiB);
  EXPECT_EQ(largeBlockCachedBytes(), before + 320 * 1024);
  largeBlockFree(a, 5 * kMiB);
  largeBlockFree(b, 5 * kMiB);
}

TEST_F(LargeBlocks, TheCacheIsBounded) {
  // Untouched mappings cost no memory: free more than the bound and see the excess unmapped.
  const size_t block = 128 * kMiB;
  const size_t n = detail::kLargeBlockCacheBytes / block + 2;
  std::vector<void*> blocks;
  for (size_t i = 0; i < n; ++i) blocks.push_back(largeBlockAllocate(block));
  for (void* p : blocks) largeBlockFree(p, block);
  EXPECT_LE(largeBlockCachedBytes(), detail::kLargeBlockCacheBytes);
  EXPECT_GE(largeBlockCachedBytes() + block, detail::kLargeBlockCacheBytes);
}

TEST(LargeTensors, AReusedBufferIsZeroedWhereTheTensorPromisesZeros) {
  const Shape shape{int64_t{1} << 19};  // 4 MiB: a large block
  {
    RingTensor dirty = RingTensor::uninitialized(shape);
    for (auto& v : dirty.data()) v = 0x7777;
  }
  const RingTensor zeros(shape);
  for (const uint64_t v : zeros.data()) ASSERT_EQ(v, 0u);
  RingTensor copy = zeros;
  copy[12345] = 9;
  EXPECT_EQ(copy[12345], 9u);
  EXPECT_EQ(zeros[12345], 0u);
}

}  // namespace
}  // namespace sotto
