// run_times.h: how long each kind of job runs, as the workers measure it.
//
// A run time belongs to the job's function, not to the worker that ran it
// (Dask keeps its durations per task prefix for the same reason): a worker
// that ran 20 ms jobs and is now given 1 us ones gets a short job's prefetch
// window with its first one, instead of after dozens of results pull its own
// average down. A map's chunk (many requests run as one job) is kept apart
// from single jobs of the same name: it runs as long as all its requests.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace taskmill::coordinator {

class RunTimes {
 public:
  // A job named `job` (a chunk of them if `chunk`) ran this long.
  void observe(const std::string& job, bool chunk, std::uint64_t micros) {
    const double sample = static_cast<double>(micros) + 1;  // a sub-microsecond job still takes time
    auto [at, first] = (chunk ? chunks_ : singles_).try_emplace(job, sample);
    // A moving average that follows a change of arguments within a few jobs.
    if (!first) at->second = 0.75 * at->second + 0.25 * sample;
  }
  // The expected run time of a job named `job` (a chunk of them if `chunk`),
  // in microseconds; 0 until one has finished.
  double expected(const std::string& job, bool chunk) const {
    const auto& times = chunk ? chunks_ : singles_;
    auto at = times.find(job);
    return at == times.end() ? 0 : at->second;
  }

 private:
  // Names come from the workers' catalogs (a result counts only for a job a
  // worker was assigned), so the maps stay as small as they are.
  std::unordered_map<std::string, double> singles_;
  std::unordered_map<std::string, double> chunks_;
};

}  // namespace taskmill::coordinator
