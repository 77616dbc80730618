// spawned_worker.h: the check taskmill::init() and Executor share.
#pragma once

namespace taskmill::detail {

// If this process was started by a LocalWorkerPool, serves jobs and exits;
// otherwise returns at once.
void serve_if_spawned_worker();

}  // namespace taskmill::detail
