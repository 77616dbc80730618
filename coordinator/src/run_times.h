// run_times.h: how long each kind of job runs, as the workers measure it.
//
// A run time belongs to the job's function, not to the worker that ran it
// (Dask keeps its durations per task prefix for the same reason): a worker
// that ran 20 ms jobs and is now given 1 us ones gets a short job's prefetch
// window with its first one, instead of after dozens of results pull its own
// average down.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace taskmill::coordinator {

class RunTimes {
 public:
  // A job named `job` ran this long.
  void observe(const std::string& job, std::uint64_t micros) {
    const double sample = static_cast<double>(micros) + 1;  // a sub-microsecond job still takes time
    auto [at, first] = by_job_.try_emplace(job, sample);
    // A moving average that follows a change of arguments within a few jobs.
    if (!first) at->second = 0.75 * at->second + 0.25 * sample;
  }
  // The expected run time of a job named `job`, in microseconds; 0 until one
  // has finished.
  double expected(const std::string& job) const {
    auto at = by_job_.find(job);
    return at == by_job_.end() ? 0 : at->second;
  }

 private:
  // Names come from the workers' catalogs (a result counts only for a job a
  // worker was assigned), so the map stays as small as they are.
  std::unordered_map<std::string, double> by_job_;
};

}  // namespace taskmill::coordinator
