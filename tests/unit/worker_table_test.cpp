// The coordinator's worker table (internals): who gets the next job, and
// whom to ask for prefetched jobs back. Workers here have 1 slot and the
// table a prefetch of 2, so credit = 3 - jobs assigned (until a job's run
// time is known: then the worker's own window, at most 2, applies).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "run_times.h"
#include "worker_table.h"

using taskmill::coordinator::Worker;
using taskmill::coordinator::WorkerTable;

namespace {

constexpr int kPrefetch = 2;

Worker worker_named(const std::string& peer, int slots = 1, std::unordered_set<std::string> catalog = {"identity"}) {
  return Worker{.peer = peer, .name = peer, .slots = slots, .catalog = std::move(catalog)};
}

// Assigns `count` jobs to whoever pick() chooses, with ids from `*next_id`.
void assign_picked(WorkerTable& table, int count, std::uint64_t* next_id) {
  for (int i = 0; i < count; ++i) {
    Worker* w = table.pick("identity");
    REQUIRE(w != nullptr);
    table.assign(*w, (*next_id)++, 0, 0);
  }
}

}  // namespace

TEST_CASE("every worker gets a job for its free slot before anyone is prefetched", "[unit][worker_table]") {
  const int workers = GENERATE(1, 2, 64);
  WorkerTable table(kPrefetch);
  for (int i = 0; i < workers; ++i) table.add(worker_named("w" + std::to_string(i)));
  std::uint64_t id = 1;
  assign_picked(table, workers, &id);
  table.for_each([](const Worker& w) { CHECK(w.assigned.size() == 1); });
  CHECK(table.idle() == nullptr);
  assign_picked(table, workers * kPrefetch, &id);  // now the prefetch, evenly
  table.for_each([](const Worker& w) { CHECK(w.assigned.size() == 1 + kPrefetch); });
  CHECK_FALSE(table.any_credit());
  CHECK(table.pick("identity") == nullptr);
}

TEST_CASE("a worker with more free slots is picked first", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  table.add(worker_named("small", 1));
  table.add(worker_named("big", 4));
  std::uint64_t id = 1;
  assign_picked(table, 3, &id);
  CHECK(table.find("big")->assigned.size() == 3);  // credit 6, 5, 4 against 3
  CHECK(table.find("small")->assigned.empty());
}

TEST_CASE("pick skips workers that do not offer the job", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  table.add(worker_named("idle-but-other", 1, {"other"}));
  table.add(worker_named("busy", 1));
  table.assign(*table.find("busy"), 1, 0, 0);
  CHECK(table.pick("identity") == table.find("busy"));
  CHECK(table.pick("missing") == nullptr);
  CHECK(table.anyone_offers("other"));
  CHECK_FALSE(table.anyone_offers("missing"));
}

TEST_CASE("the most prefetched worker is revoked once per batch of new jobs", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  table.add(worker_named("a"));
  table.add(worker_named("b"));
  Worker& a = *table.find("a");
  Worker& b = *table.find("b");
  for (std::uint64_t id = 1; id <= 3; ++id) table.assign(a, id, 0, 0);  // 1 running, 2 prefetched
  table.assign(b, 4, 0, 0);
  CHECK(table.prefetched(a) == 2);
  CHECK(table.most_prefetched() == &a);
  REQUIRE(table.release(b, 4));
  CHECK(table.idle() == &b);
  table.revoked(a);
  CHECK(table.most_prefetched() == nullptr);  // until a gets new jobs
  table.assign(a, 5, 0, 0);
  CHECK(table.most_prefetched() == &a);
}

TEST_CASE("release reports whether the worker held the job", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  Worker& w = table.add(worker_named("w"));
  table.assign(w, 1, 0, 0);
  CHECK(table.release(w, 1));
  CHECK_FALSE(table.release(w, 1));
  CHECK(table.idle() == &w);
}

TEST_CASE("a draining worker takes no job but can still be revoked", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  Worker& w = table.add(worker_named("w"));
  for (std::uint64_t id = 1; id <= 3; ++id) table.assign(w, id, 0, 0);
  table.drain("w");
  CHECK(table.pick("identity") == nullptr);
  CHECK(table.most_prefetched() == &w);
  REQUIRE(table.release(w, 1));
  CHECK(table.pick("identity") == nullptr);
}

TEST_CASE("a removed worker hands back its jobs and leaves every ranking", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  table.add(worker_named("a"));
  table.add(worker_named("b"));
  for (std::uint64_t id = 1; id <= 3; ++id) table.assign(*table.find("a"), id, 0, 0);
  auto held = table.remove("a");
  std::sort(held.begin(), held.end());
  CHECK(held == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(table.most_prefetched() == nullptr);
  CHECK(table.pick("identity") == table.find("b"));
  CHECK(table.idle() == table.find("b"));
  table.remove("b");
  CHECK_FALSE(table.any_credit());
  CHECK_FALSE(table.anyone_offers("identity"));
}

TEST_CASE("a worker registering again under its peer replaces the old entry", "[unit][worker_table]") {
  WorkerTable table(kPrefetch);
  table.add(worker_named("w"));
  table.assign(*table.find("w"), 1, 0, 0);
  Worker& again = table.add(worker_named("w", 2));
  CHECK(table.size() == 1);
  CHECK(table.pick("identity") == &again);
  CHECK(table.idle() == &again);
  table.remove("w");
  CHECK_FALSE(table.anyone_offers("identity"));
}

TEST_CASE("a worker's prefetch window follows its jobs' expected run times and payload sizes", "[unit][worker_table]") {
  using taskmill::coordinator::PrefetchWindow;
  PrefetchWindow window;
  CHECK(window.jobs(1, 256) == PrefetchWindow::kInitial);  // nothing known yet
  CHECK(window.jobs(1, 4) == 4);                          // never past the coordinator's bound
  CHECK(window.jobs(1, 0) == 0);                          // prefetch off
  window.expect(10);                                      // tiny jobs: a large window
  CHECK(window.jobs(1, 256) == 256);
  window.expect(100'000);                                 // 100 ms jobs: one queued, no more, at once
  CHECK(window.jobs(1, 256) == 1);
  window.expect(200);                                     // 200 us: ~10 ms of work per slot
  CHECK(window.jobs(1, 256) == 50);
  CHECK(window.jobs(2, 256) == 100);
  window.expect(0);                                       // a job of unknown length keeps what was known
  CHECK(window.jobs(1, 256) == 50);
  for (int i = 0; i < 20; ++i) window.observe_payload(std::size_t{1} << 20);  // 1 MiB each: 16 MiB queued at most
  CHECK(window.jobs(2, 256) == 15);
}

TEST_CASE("run times are kept per kind of job and set how many go to one worker in a row", "[unit][worker_table]") {
  using taskmill::coordinator::PrefetchWindow;
  using taskmill::coordinator::RunTimes;
  RunTimes times;
  CHECK(times.expected("identity", false) == 0);  // none finished yet
  times.observe("identity", false, 0);            // under a microsecond still counts as one
  CHECK(times.expected("identity", false) == 1);
  for (int i = 0; i < 40; ++i) times.observe("burn", false, 10'000);
  CHECK(times.expected("burn", false) == Approx(10'001));
  for (int i = 0; i < 40; ++i) times.observe("burn", false, 100);  // its arguments changed: followed within a few jobs
  CHECK(times.expected("burn", false) == Approx(101).epsilon(0.01));
  CHECK(times.expected("identity", false) == 1);  // one kind's times do not move another's
  times.observe("identity", true, 255);  // a map's chunk of 256 runs as long as all of them
  CHECK(times.expected("identity", true) == 256);
  CHECK(times.expected("identity", false) == 1);  // and leaves the single jobs' time be

  CHECK(PrefetchWindow::run_length(0) == 1);         // unknown: spread, one per worker
  CHECK(PrefetchWindow::run_length(10'000) == 1);    // long: every job to the best worker
  CHECK(PrefetchWindow::run_length(100) == 5);
  CHECK(PrefetchWindow::run_length(1) == 500);       // ~500 us of work per run
}

TEST_CASE("a free slot still comes before a worker with a large prefetch window", "[unit][worker_table]") {
  WorkerTable table(256);
  Worker& fast = table.add(worker_named("fast"));
  Worker& slow = table.add(worker_named("slow"));
  table.assign(fast, 1, 0, 5);  // fast's slot is busy with a 5 us job: window 256
  CHECK(table.prefetch(fast) == 256);
  CHECK(table.pick("identity") == &slow);  // slow's slot is free
  CHECK(table.idle() == &slow);
  table.assign(slow, 2, 0, 50'000);  // 50 ms: window 1
  CHECK(table.prefetch(slow) == 1);
  // Both busy: fast takes the next 256, slow one more.
  int to_fast = 0;
  int to_slow = 0;
  for (std::uint64_t id = 3; table.pick("identity") != nullptr; ++id) {
    Worker* w = table.pick("identity");
    ++(w == &fast ? to_fast : to_slow);
    table.assign(*w, id, 0, w == &fast ? 5 : 50'000);
  }
  CHECK(to_fast == 256);
  CHECK(to_slow == 1);
  CHECK(table.idle() == nullptr);
}
