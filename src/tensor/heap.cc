#include "sotto/tensor/heap.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sotto {

void retainFreedMemory() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* mode = std::getenv("SOTTO_HEAP");
    if (mode != nullptr && std::strcmp(mode, "system") == 0) return;
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  });
}

}  // namespace sotto
