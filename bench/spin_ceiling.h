// spin_ceiling.h: W3's ceiling on this machine in the same run, for the
// thread and process benchmarks alike: `workers` plain threads calling the
// `spin` job's own function, taking the jobs from a shared counter, no pool
// at all. A spin counts thread CPU time, so whatever else takes the cores
// (other processes, the hypervisor's steal) lengthens these as it does a
// pool's. A wrong result exits 1.
//
// And the same spins with each job's end waking threads asleep in poll(), as
// the jobs of an executor whose caller, scheduler and workers are separate
// threads must: a process executor wakes at least three per job (the
// coordinator's thread for the result, then the caller waiting on the future
// and the worker's thread that reads the next assignment). What that alone
// costs the jobs is the ceiling for such an executor (w3_raw_threads_woken).
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

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

// Runs `count` spins on `workers` threads, each calling `after_each` when
// a spin ends. Efficiency = ideal / wall, ideal = count * micros / workers.
template <class AfterEach>
double w3_spin_threads(int count, std::int64_t micros, std::size_t workers, AfterEach after_each) {
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
        after_each();
      }
    });
  }
  for (auto& t : threads) t.join();
  const double ideal = static_cast<double>(count) * static_cast<double>(micros) / 1e6 / static_cast<double>(workers);
  return ideal / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double w3_raw_threads(int count, std::int64_t micros, std::size_t workers) {
  return w3_spin_threads(count, micros, workers, [] {});
}

// w3_raw_threads, each job's end waking the first of `wakeups` threads
// asleep in poll() on an eventfd, which wakes the others. Two jobs ending
// together may share a wake-up, as they would in an executor.
inline double w3_raw_threads_woken(int count, std::int64_t micros, std::size_t workers, int wakeups) {
  std::vector<int> fds;
  for (int i = 0; i < wakeups; ++i) fds.push_back(::eventfd(0, EFD_CLOEXEC));
  std::atomic<bool> done{false};
  auto notify = [&](int i) {
    const std::uint64_t one = 1;
    if (::write(fds[i], &one, sizeof one) != sizeof one) std::exit(2);
  };
  std::vector<std::thread> sleepers;
  for (int i = 0; i < wakeups; ++i) {
    sleepers.emplace_back([&, i] {
      pollfd readable{fds[i], POLLIN, 0};
      while (true) {
        ::poll(&readable, 1, -1);
        std::uint64_t ends = 0;
        if (::read(fds[i], &ends, sizeof ends) != sizeof ends) continue;
        if (i == 0) {
          for (int other = 1; other < wakeups; ++other) notify(other);
        }
        if (done.load()) return;
      }
    });
  }
  const double efficiency = w3_spin_threads(count, micros, workers, [&] { notify(0); });
  done.store(true);
  for (int i = 0; i < wakeups; ++i) notify(i);  // each then wakes once more, and sees `done`
  for (auto& t : sleepers) t.join();
  for (int fd : fds) ::close(fd);
  return efficiency;
}

}  // namespace bench
