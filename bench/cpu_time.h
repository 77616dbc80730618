// cpu_time.h: the CPU time a set of processes has used, read from /proc, so
// that a benchmark can say how much CPU its executor spent outside the jobs:
// in the caller, the coordinator, the workers' I/O threads and ZeroMQ's. On
// 2 CPUs both busy with jobs, that CPU is what stretches W3's wall time.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

// This process and its children (embedded workers, daemons it started),
// less `except`.
inline std::vector<pid_t> self_and_children(const std::vector<pid_t>& except = {}) {
  std::vector<pid_t> pids{::getpid()};
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream children(task.path() / "children");  // of that thread
    for (pid_t child = 0; children >> child;) {
      if (std::ranges::find(except, child) == except.end()) pids.push_back(child);
    }
  }
  return pids;
}

// Nanoseconds all threads of `pids` have run on a CPU (the first field of
// each /proc/PID/task/TID/schedstat); a process that is gone counts 0. -1
// if this kernel keeps no schedstat.
inline std::int64_t cpu_ns_of(const std::vector<pid_t>& pids) {
  if (!std::filesystem::exists("/proc/self/schedstat")) return -1;
  std::int64_t total = 0;
  for (pid_t pid : pids) {
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
      std::ifstream schedstat(task.path() / "schedstat");
      std::int64_t ran = 0;
      if (schedstat >> ran) total += ran;
    }
  }
  return total;
}

}  // namespace bench
