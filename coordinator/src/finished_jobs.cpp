#include "finished_jobs.h"

#include <iterator>

namespace taskmill::coordinator {

void FinishedJobs::add(std::uint64_t id, v1::JobStatus status, Clock::time_point finished_at) {
  by_id_.insert_or_assign(id, std::move(status));
  // Results read back from a journal may be older than the newest: keep the order.
  auto at = expiry_.end();
  while (at != expiry_.begin() && std::prev(at)->first > finished_at + ttl_) --at;
  expiry_.emplace(at, finished_at + ttl_, id);
}

const v1::JobStatus* FinishedJobs::find(std::uint64_t id) const {
  auto at = by_id_.find(id);
  return at == by_id_.end() ? nullptr : &at->second;
}

std::vector<std::uint64_t> FinishedJobs::expire(Clock::time_point now) {
  std::vector<std::uint64_t> dropped;
  while (!expiry_.empty() && expiry_.front().first <= now) {
    if (by_id_.erase(expiry_.front().second) > 0) dropped.push_back(expiry_.front().second);
    expiry_.pop_front();
  }
  return dropped;
}

}  // namespace taskmill::coordinator
