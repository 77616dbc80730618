// throughput.h: counts of finished jobs by outcome, and the recent rate.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <utility>

#include "job_table.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::coordinator {

class Throughput {
 public:
  void count(v1::Outcome outcome);
  // Called on every heartbeat tick: remembers how many had finished by `now`.
  void sample(Clock::time_point now);
  // Jobs finished per second over about the last 10 s.
  double rate(Clock::time_point now) const;

  std::uint64_t succeeded() const { return succeeded_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t cancelled() const { return cancelled_; }

 private:
  std::uint64_t total() const { return succeeded_ + failed_ + cancelled_; }

  std::uint64_t succeeded_ = 0, failed_ = 0, cancelled_ = 0;
  std::deque<std::pair<Clock::time_point, std::uint64_t>> samples_;  // (when, total by then), the last ~10 s
};

}  // namespace taskmill::coordinator
