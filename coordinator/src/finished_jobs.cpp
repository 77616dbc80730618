#include "finished_jobs.h"

namespace taskmill::coordinator {

void FinishedJobs::add(std::uint64_t id, v1::JobStatus status, Clock::time_point now) {
  by_id_.insert_or_assign(id, std::move(status));
  expiry_.emplace_back(now + ttl_, id);
}

const v1::JobStatus* FinishedJobs::find(std::uint64_t id) const {
  auto at = by_id_.find(id);
  return at == by_id_.end() ? nullptr : &at->second;
}

void FinishedJobs::expire(Clock::time_point now) {
  while (!expiry_.empty() && expiry_.front().first <= now) {
    by_id_.erase(expiry_.front().second);
    expiry_.pop_front();
  }
}

}  // namespace taskmill::coordinator
