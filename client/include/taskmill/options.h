// options.h: per-call options of Executor::submit, map and shutdown.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace taskmill {

struct SubmitOptions {
  // Higher runs first; equal priorities run in submission order. Default: 0.
  int priority = 0;
  // The job must finish within this time of submit(), or it ends TIMED_OUT:
  // it does not start after its deadline, and a running job sees
  // JobContext::cancelled(). Default: none.
  std::optional<std::chrono::steady_clock::duration> timeout;
};

struct MapOptions {
  // Requests per job: each chunk of this many runs as one job, so that tiny
  // jobs pay the per-job cost once per chunk. A failing request fails its
  // whole chunk. Default: 1.
  std::size_t chunksize = 1;
  int priority = 0;
  std::optional<std::chrono::steady_clock::duration> timeout;  // per chunk
};

struct ShutdownOptions {
  // Block until every running and queued job has finished. Default: true.
  bool wait = true;
  // Cancel the jobs that have not started, and raise the cancel flag of those
  // running. Default: false (queued jobs still run).
  bool cancel_pending = false;
};

}  // namespace taskmill
