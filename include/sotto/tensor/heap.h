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

namespace sotto {

/// Keeps freed memory in the heap for reuse instead of returning it to the OS (glibc: mmap and
/// trim thresholds raised to 1 GiB; blocks larger than that are still mapped). Process-wide and
/// idempotent; every Party constructor calls it, so callers of the library get it without asking.
/// The heap then stays at its high-water mark, as a long-running service's would. The environment
/// variable SOTTO_HEAP=system leaves the allocator's own settings untouched. No-op on other C
/// libraries. Never throws.
void retainFreedMemory() noexcept;

}  // namespace sotto
