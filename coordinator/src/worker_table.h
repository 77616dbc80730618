// worker_table.h: connected workers, their catalogs and their free credit.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "prefetch_window.h"
#include "rank_buckets.h"
#include "shared_name.h"

namespace taskmill::coordinator {

struct Worker {
  SharedName peer;  // a Job it holds shares it
  std::string name;
  std::uint32_t pid = 0;
  int slots = 1;
  std::unordered_set<std::string> catalog;
  std::unordered_set<std::uint64_t> assigned;  // job ids sent to it, not yet answered
  bool draining = false;
  std::uint64_t done = 0;          // results it sent
  std::int64_t joined_unix_ms = 0;
  // It may hold unstarted prefetched jobs worth revoking: set by a new
  // assignment, cleared by a Revoke (so an answer that finds every job
  // already started is not followed by another Revoke until new jobs come).
  bool revocable = false;
  PrefetchWindow window;  // how many jobs it may hold beyond its slots
  // Its places in the table's rankings; kept by WorkerTable.
  RankPlace credit_place;
  RankPlace prefetched_place;
};

class WorkerTable {
 public:
  // `max_prefetch`: the most jobs any worker holds beyond its slots (each
  // worker's own window adapts below it); 0: none.
  explicit WorkerTable(int max_prefetch) : max_prefetch_(max_prefetch) {}
  // Workers point into the table's rankings: neither copied nor moved.
  WorkerTable(const WorkerTable&) = delete;
  WorkerTable& operator=(const WorkerTable&) = delete;

  // Adds the worker; one already there under its peer is replaced (the
  // caller deals with the jobs that one held first).
  Worker& add(Worker worker);
  // Removes the worker and returns the jobs it held.
  std::vector<std::uint64_t> remove(const std::string& peer);
  Worker* find(const std::string& peer);
  Worker* find_pid(std::uint32_t pid);

  // The worker with the most free credit that can run `job`; nullptr if none
  // can now. A worker with a free slot comes before any that would prefetch;
  // then the one holding the fewest prefetched jobs, while its window has
  // room. O(1) when every worker offers the same jobs.
  Worker* pick(const std::string& job);
  // Whether the worker can take another job now: a free slot or room in its
  // prefetch window, and not draining.
  bool has_credit(const Worker& w) const { return credit(w) > 0; }
  bool anyone_offers(const std::string& job) const { return offered_.contains(job); }
  bool any_credit() const { return !by_credit_.empty(); }

  // A worker with a free slot (fewer jobs assigned than slots), if any. O(1).
  Worker* idle();
  // The worker holding the most jobs beyond its slots that has not been
  // asked for them back since it last got new jobs; nullptr if none. O(1).
  Worker* most_prefetched();
  // Jobs assigned beyond the worker's slots.
  int prefetched(const Worker& w) const { return static_cast<int>(w.assigned.size()) - w.slots; }
  // A Revoke went to `worker`: it is not revocable until it gets new jobs.
  void revoked(Worker& worker);

  // The worker takes no new jobs (it is leaving once those it holds are done).
  void drain(const std::string& peer);

  // `expected_us`: how long the job should run (RunTimes; 0: not known); the
  // worker's prefetch window follows it.
  void assign(Worker& worker, std::uint64_t job, std::size_t payload_bytes, double expected_us);
  // Jobs it may hold beyond its slots now.
  int prefetch(const Worker& w) const { return w.window.jobs(w.slots, max_prefetch_); }
  // False if the worker did not hold the job.
  bool release(Worker& worker, std::uint64_t job);

  std::size_t size() const { return workers_.size(); }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [peer, worker] : workers_) f(worker);
  }

 private:
  // Free slots rank above every prefetched job (max_prefetch_ at most); then
  // the worker holding the fewest prefetched jobs, while its window has room.
  // Fewest first, not most room: prefetch spreads evenly over a large pool,
  // instead of going to whichever window grew first (the others would idle
  // and take jobs back by revocation).
  int credit(const Worker& w) const {
    if (w.draining) return 0;
    const int held = static_cast<int>(w.assigned.size());
    if (held < w.slots) return max_prefetch_ + w.slots - held;
    const int prefetched = held - w.slots;
    return prefetched < prefetch(w) ? max_prefetch_ - prefetched : 0;
  }
  void index(Worker& w);
  void unindex(Worker& w);

  int max_prefetch_;
  std::unordered_map<std::string, Worker> workers_;  // by peer; nodes stay put, so the rankings may point at them
  RankBuckets<Worker> by_credit_{&Worker::credit_place};          // workers with credit > 0
  RankBuckets<Worker> by_prefetched_{&Worker::prefetched_place};  // revocable workers with prefetched > 0
  std::unordered_map<std::string, int> offered_;                  // job name -> workers offering it
};

}  // namespace taskmill::coordinator
