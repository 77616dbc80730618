// finished_jobs.h: the results of detached jobs, kept until fetched or until
// they are older than the time-to-live.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "job_table.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::coordinator {

class FinishedJobs {
 public:
  explicit FinishedJobs(std::chrono::seconds ttl) : ttl_(ttl) {}

  // Keeps `status` (state FINISHED, with its reply) under `id`; it expires
  // result_ttl after `finished_at`.
  void add(std::uint64_t id, v1::JobStatus status, Clock::time_point finished_at);
  const v1::JobStatus* find(std::uint64_t id) const;
  void erase(std::uint64_t id) { by_id_.erase(id); }  // its stale entry in expiry_ is skipped later
  // Drops results older than the time-to-live and returns their ids.
  std::vector<std::uint64_t> expire(Clock::time_point now);

  std::size_t size() const { return by_id_.size(); }
  const std::unordered_map<std::uint64_t, v1::JobStatus>& all() const { return by_id_; }

 private:
  std::chrono::seconds ttl_;
  std::unordered_map<std::uint64_t, v1::JobStatus> by_id_;
  std::deque<std::pair<Clock::time_point, std::uint64_t>> expiry_;  // in finishing order: the TTL is one for all
};

}  // namespace taskmill::coordinator
