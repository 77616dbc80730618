#include "job_table.h"

#include <algorithm>
#include <random>

namespace taskmill::coordinator {
namespace {

// A few jobs per hash bucket instead of one: a bucket is 8 bytes per job
// per table, and a short chain costs little next to a message per job.
constexpr float kLoadFactor = 4.0f;

}  // namespace

std::int64_t unix_ms_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint32_t unix_s_now() { return static_cast<std::uint32_t>(unix_ms_now() / 1000); }

JobTable::JobTable() {
  std::random_device random;
  next_id_ = (std::uint64_t{random()} << 32) | (std::uint64_t{random() & 0xffff} << 16);
  jobs_.max_load_factor(kLoadFactor);
}

JobTable::ClientJobs& JobTable::client_of(Job& job) {
  auto at = by_client_.find(job.client.str());
  if (at == by_client_.end()) {
    // The key views the text of the record's name, which `job` now shares.
    at = by_client_.emplace(job.client.str(), ClientJobs{.name = job.client, .ids = {}}).first;
    at->second.ids.max_load_factor(kLoadFactor);
  } else {
    job.client = at->second.name;  // its own copy of the text is freed here
  }
  return at->second;
}

std::optional<std::uint64_t> JobTable::add(Job job) {
  ClientJobs& of_client = client_of(job);
  auto [at, inserted] = of_client.ids.try_emplace(job.client_id, next_id_ + 1);
  if (!inserted) return std::nullopt;
  const std::uint64_t id = ++next_id_;
  jobs_.emplace(id, std::move(job));
  return id;
}

void JobTable::restore(std::uint64_t id, Job job) {
  client_of(job).ids.insert_or_assign(job.client_id, id);
  jobs_.insert_or_assign(id, std::move(job));
  next_id_ = std::max(next_id_, id);  // new ids follow the restored ones
}

Job* JobTable::find(std::uint64_t id) {
  auto at = jobs_.find(id);
  return at == jobs_.end() ? nullptr : &at->second;
}

std::optional<std::uint64_t> JobTable::find_by_client(const std::string& client, std::uint64_t client_id) const {
  auto of_client = by_client_.find(client);
  if (of_client == by_client_.end()) return std::nullopt;
  auto at = of_client->second.ids.find(client_id);
  if (at == of_client->second.ids.end()) return std::nullopt;
  return at->second;
}

std::vector<std::uint64_t> JobTable::ids_of_client(const std::string& client) const {
  std::vector<std::uint64_t> ids;
  auto of_client = by_client_.find(client);
  if (of_client == by_client_.end()) return ids;
  for (const auto& [client_id, id] : of_client->second.ids) ids.push_back(id);
  return ids;
}

void JobTable::erase(std::uint64_t id) {
  auto at = jobs_.find(id);
  if (at == jobs_.end()) return;
  auto of_client = by_client_.find(at->second.client.str());
  of_client->second.ids.erase(at->second.client_id);
  if (of_client->second.ids.empty()) by_client_.erase(of_client);
  jobs_.erase(at);  // a stale id left in ready_ is skipped by next_ready()
}

void JobTable::enqueue(std::uint64_t id, bool front) {
  auto at = jobs_.find(id);
  if (at == jobs_.end()) return;
  auto& level = ready_[at->second.priority];
  if (front) {
    level.push_front(id);
  } else {
    level.push_back(id);
  }
}

std::optional<std::uint64_t> JobTable::next_ready() {
  while (!ready_.empty()) {
    auto level = ready_.begin();
    while (!level->second.empty()) {
      const std::uint64_t id = level->second.front();
      const Job* job = find(id);
      if (job != nullptr && job->worker.empty()) return id;
      level->second.pop_front();  // cancelled or already running
    }
    ready_.erase(level);
  }
  return std::nullopt;
}

void JobTable::pop_ready() {
  if (ready_.empty()) return;
  auto level = ready_.begin();
  level->second.pop_front();
  if (level->second.empty()) ready_.erase(level);
}

}  // namespace taskmill::coordinator
