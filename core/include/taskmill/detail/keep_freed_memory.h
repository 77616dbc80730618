// keep_freed_memory.h: for taskmill's own daemons and worker processes, never
// a user's program (which hosts the client): malloc keeps what is freed for
// the next allocations instead of handing it back to the kernel at once.
#pragma once

namespace taskmill::detail {

// Call once, early in main. Each megabyte payload that passes through (the
// request as received, its decoded copy, the reply) then reuses pages instead
// of faulting in fresh ones; on the VMs of docs/performance.md a fresh page can
// cost 10 us when the host has taken it back. A heap's free top past 64 MiB is
// still returned.
void keep_freed_memory();

}  // namespace taskmill::detail
