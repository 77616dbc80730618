#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/contract.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
using taskmill::Future;
using taskmill::JobState;

TEST_CASE("submit returns a future of the job's reply", "[contract][submit]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = contract_executor(workers);
  Future<std::int64_t> f = ex.submit(square, 12);
  CHECK(f.get() == 144);
  CHECK(f.done());
  CHECK(f.state() == JobState::kSucceeded);
  CHECK(f.exception() == nullptr);
  CHECK(ex.submit(taskmill::jobs::count_primes, taskmill::jobs::make_range(0, 100)).get() == 25);
}

TEST_CASE("a job can be submitted by name", "[contract][submit]") {
  auto ex = contract_executor(2);
  CHECK(ex.submit<std::int64_t>("test.square", std::int64_t{9}).get() == 81);
}

TEST_CASE("submitting an unregistered job name fails at submit", "[contract][submit]") {
  auto ex = contract_executor(1);
  CHECK_THROWS_AS(ex.submit<std::int64_t>("test.nope", std::int64_t{1}), taskmill::UnknownJobError);
  CHECK_THROWS_WITH(ex.submit<std::int64_t>("test.nope", std::int64_t{1}), Catch::Contains("'test.nope'"));
  CHECK_THROWS_AS(ex.submit<std::int64_t>("test.square", std::string("x")), std::invalid_argument);
}

TEST_CASE("many threads submitting at once each get their own results", "[contract][submit]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = contract_executor(workers);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::atomic<int> wrong{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      std::vector<Future<std::int64_t>> mine;
      for (int i = 0; i < kPerThread; ++i) mine.push_back(ex.submit(square, t * kPerThread + i));
      for (int i = 0; i < kPerThread; ++i) {
        const std::int64_t x = t * kPerThread + i;
        if (mine[i].get() != x * x) ++wrong;
      }
    });
  }
  for (auto& s : submitters) s.join();
  CHECK(wrong == 0);
}

TEST_CASE("every job gets its own id, which its context reports", "[contract][context]") {
  auto ex = contract_executor(2);
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    Future<std::uint64_t> f = ex.submit(own_id, 0);
    CHECK(f.get() == f.id().value);
    ids.insert(f.id().value);
  }
  CHECK(ids.size() == 50);
}

TEST_CASE("get() on a temporary future returns the reply by value", "[contract][future]") {
  auto ex = contract_executor(1);
  std::int64_t y = ex.submit(square, 5).get();
  CHECK(y == 25);
}

TEST_CASE("done callbacks run exactly once, at once if the job is already done", "[contract][future]") {
  auto workers = GENERATE(1, 2);
  auto ex = contract_executor(workers);
  auto gate = new_gate();
  std::atomic<int> calls{0};
  auto f = ex.submit(gated, gate);
  f.add_done_callback([&](const Future<std::int64_t>& done) { calls += static_cast<int>(done.get() == gate); });
  CHECK(calls == 0);
  open_gate(gate);
  f.wait();
  // wait() returns once the outcome is set; the callbacks run right after, on
  // the thread that set it (as in Python's concurrent.futures).
  while (calls.load() == 0) std::this_thread::sleep_for(1ms);
  f.add_done_callback([&](const Future<std::int64_t>&) { calls += 10; });  // already done: runs here
  CHECK(calls.load() == 11);
}

TEST_CASE("a done callback may submit more jobs", "[contract][future]") {
  auto ex = contract_executor(2);
  auto gate = new_gate();
  std::promise<Future<std::int64_t>> next;
  auto first = ex.submit(gated, gate);
  // Added while the job waits at its gate: it runs on the thread that finishes the job.
  first.add_done_callback([&](const Future<std::int64_t>& done) {
    next.set_value(ex.submit(square, done.get() == gate ? 7 : 0));
  });
  open_gate(gate);
  CHECK(next.get_future().get().get() == 49);
}

TEST_CASE("then() chains a continuation on the reply", "[contract][future]") {
  auto ex = contract_executor(2);
  Future<std::string> g = ex.submit(square, 6).then([](const Future<std::int64_t>& f) { return std::to_string(f.get()); });
  CHECK(g.get() == "36");
  Future<int> h = ex.submit(fail_on_13, 13).then([](const Future<std::int64_t>& f) { return static_cast<int>(f.get()); });
  CHECK_THROWS_AS(h.get(), taskmill::JobError);
}

TEST_CASE("a running job's progress reports show on its future", "[contract][context]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto f = ex.submit(progress_then_gate, gate);
  wait_for_waiters(gate, 1);
  while (f.progress().fraction == 0.0) f.wait_for(std::chrono::milliseconds(1));  // on processes the report travels
  CHECK(f.running());
  CHECK(f.progress().fraction == 0.5);
  CHECK(f.progress().note == "half way");
  open_gate(gate);
  CHECK(f.get() == gate);
}
