// both_running.h: an executor's two workers seen running jobs at once, so a
// benchmark starts timing with every worker connected. A worker reports a
// job Started once it has run 50 ms (kReportStartedAfter), so each probe
// spins twice that: a probe of 50 ms often ends as its Started goes out.
#pragma once

#include <chrono>
#include <thread>

#include "bench_util.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"

namespace bench {

inline void wait_both_running(taskmill::Executor& ex) {
  constexpr std::int64_t kProbeMicros = 100'000;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto a = ex.submit(taskmill::jobs::spin, kProbeMicros);
    auto b = ex.submit(taskmill::jobs::spin, kProbeMicros);
    bool both = false;
    while (!both && !a.done() && !b.done()) {
      both = a.running() && b.running();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    check(a.get() + b.get(), 2 * kProbeMicros, "start-up spin");
    if (both) return;
  }
  die("the two workers never ran jobs at once");
}

}  // namespace bench
