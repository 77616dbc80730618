// job_table.h: the coordinator's jobs: by id, by (client, client's id), and
// the ready queue (highest priority first, FIFO within a priority).
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "deadline.h"
#include "shared_name.h"
#include "taskmill/payload.h"

namespace taskmill::coordinator {

using Clock = std::chrono::steady_clock;

// Every queued job costs one of these (W8 counts the bytes): the bools share
// padding with `priority` rather than each taking 8 bytes; the client's and
// the worker's names are shared, 8 bytes each; the deadline takes 8 bytes.
struct Job {
  SharedName client;           // submitter's peer id; JobTable::add shares one copy among its jobs
  std::uint64_t client_id = 0; // the submitter's id for the job
  std::string name;
  Payload payload;             // moved along, never decoded; shared, not copied, into each Assign
  bool chunk = false;
  bool cancel_requested = false;  // its client cancelled it (or left) while it ran
  bool detached = false;       // outlives its client; the result is kept for a query to fetch
  int priority = 0;
  Deadline deadline;
  std::uint32_t max_retries = 0;
  std::uint32_t attempt = 0;   // runs started so far
  // Wall-clock seconds, for people (taskmill list/status); 32 bits keep the
  // Job small (W8: bytes per queued job) and last until 2106.
  std::uint32_t submitted_unix_s = 0;
  std::uint32_t started_unix_s = 0;  // of the current attempt
  SharedName worker;           // empty while queued; shares the Worker's peer
};

// Wall-clock time for people (job listings), not for timeouts.
std::int64_t unix_ms_now();
std::uint32_t unix_s_now();

class JobTable {
 public:
  // Ids start at a random point: a restarted coordinator must not hand out
  // ids that results still in flight from before the restart carry.
  JobTable();

  // Stores `job` and returns its id; nullopt if the client already submitted
  // a job with that id (a resubmission: the first one stands). The stored
  // job's `client` is the copy of the name that the client's other jobs hold.
  std::optional<std::uint64_t> add(Job job);
  // Stores a job read back from a journal under the id it had.
  void restore(std::uint64_t id, Job job);
  Job* find(std::uint64_t id);
  std::optional<std::uint64_t> find_by_client(const std::string& client, std::uint64_t client_id) const;
  std::vector<std::uint64_t> ids_of_client(const std::string& client) const;
  void erase(std::uint64_t id);

  // Queues a job for dispatch; `front` for one that runs again after its worker died.
  void enqueue(std::uint64_t id, bool front = false);
  // The next queued job, skipping ones erased or already assigned.
  std::optional<std::uint64_t> next_ready();
  void pop_ready();

  std::size_t size() const { return jobs_.size(); }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [id, job] : jobs_) f(id, job);
  }

 private:
  // A client with jobs here: the one copy of its name that its jobs share,
  // and its jobs by the client's id for them.
  struct ClientJobs {
    SharedName name;
    std::unordered_map<std::uint64_t, std::uint64_t> ids;  // client's id -> id
  };
  // Takes the client's record, made if it has none, and shares its name with `job`.
  ClientJobs& client_of(Job& job);

  std::unordered_map<std::uint64_t, Job> jobs_;
  // Keyed by a view of the record's own name (it lives as long as the record).
  std::unordered_map<std::string_view, ClientJobs> by_client_;
  std::map<int, std::deque<std::uint64_t>, std::greater<>> ready_;
  std::uint64_t next_id_ = 0;
};

}  // namespace taskmill::coordinator
