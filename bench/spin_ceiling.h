// spin_ceiling.h: W3's ceiling on this machine in the same run, for the
// thread and process benchmarks alike: `workers` plain threads calling the
// `spin` job's own function, taking the jobs from a shared counter, no pool
// at all. A spin counts thread CPU time, so whatever else takes the cores
// (other processes, the hypervisor's steal) lengthens these as it does a
// pool's. A wrong result exits 1.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "taskmill/job_context.h"
#include "taskmill/jobs/samples.h"

namespace bench {

// Runs the `spin` job's function on this thread, as a pool's task would.
inline std::int64_t spin_directly(std::int64_t micros) {
  taskmill::JobContext context(taskmill::JobId{}, 1, nullptr, std::nullopt, nullptr);
  return taskmill::jobs::spin.function()(micros, context);
}

// Efficiency = ideal / wall, ideal = count * micros / workers.
inline double w3_raw_threads(int count, std::int64_t micros, std::size_t workers) {
  std::atomic<int> next{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < workers; ++t) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < count) {
        if (spin_directly(micros) != micros) {
          std::cerr << "taskmill bench: wrong result: W3 raw spin\n";
          std::exit(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double ideal = static_cast<double>(count) * static_cast<double>(micros) / 1e6 / static_cast<double>(workers);
  return ideal / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace bench
