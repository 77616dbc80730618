#include "taskmill/detail/keep_freed_memory.h"

#include <malloc.h>

namespace taskmill::detail {

void keep_freed_memory() {
  // Fixed thresholds also stop glibc's own adjusting of them. Below 32 MiB
  // (glibc's largest automatic threshold) a block comes from the heap, not a
  // mapping of its own that free() unmaps; a heap's free top is returned past
  // 64 MiB instead of past twice the largest block freed so far (~2 MiB after
  // a 1 MiB payload), which had every payload faulted in afresh.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace taskmill::detail
