#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/executors.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
using taskmill::Future;
using taskmill::JobState;

TEST_CASE("submit returns a future of the job's reply", "[integration][submit]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = executor_with(workers);
  CHECK(ex.workers() == static_cast<std::size_t>(workers));
  Future<std::int64_t> f = ex.submit(square, 12);
  CHECK(f.get() == 144);
  CHECK(f.done());
  CHECK(f.state() == JobState::kSucceeded);
  CHECK(f.exception() == nullptr);
  CHECK(ex.submit(taskmill::jobs::count_primes, taskmill::jobs::make_range(0, 100)).get() == 25);
}

TEST_CASE("a job can be submitted by name", "[integration][submit]") {
  auto ex = executor_with(2);
  CHECK(ex.submit<std::int64_t>("test.square", std::int64_t{9}).get() == 81);
}

TEST_CASE("submitting an unregistered job name fails at submit", "[integration][submit]") {
  auto ex = executor_with(1);
  CHECK_THROWS_AS(ex.submit<std::int64_t>("test.nope", std::int64_t{1}), taskmill::UnknownJobError);
  CHECK_THROWS_WITH(ex.submit<std::int64_t>("test.nope", std::int64_t{1}), Catch::Contains("'test.nope'"));
  CHECK_THROWS_AS(ex.submit<std::int64_t>("test.square", std::string("x")), std::invalid_argument);
}

TEST_CASE("many threads submitting at once each get their own results", "[integration][submit]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = executor_with(workers);
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

TEST_CASE("every job gets its own id, which its context reports", "[integration][context]") {
  auto ex = executor_with(2);
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    Future<std::uint64_t> f = ex.submit(own_id, 0);
    CHECK(f.get() == f.id().value);
    ids.insert(f.id().value);
  }
  CHECK(ids.size() == 50);
}

TEST_CASE("a running job's progress reports show on its future", "[integration][context]") {
  auto ex = executor_with(1);
  auto gate = new_gate();
  auto f = ex.submit(progress_then_gate, gate);
  wait_for_waiters(gate, 1);
  CHECK(f.running());
  CHECK(f.progress().fraction == 0.5);
  CHECK(f.progress().note == "half way");
  open_gate(gate);
  CHECK(f.get() == gate);
}

TEST_CASE("higher priority jobs run first", "[integration][priority]") {
  auto ex = executor_with(1);
  clear_recorded();
  auto gate = new_gate();
  auto blocker = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);  // the only worker is busy: the rest queue up
  std::vector<Future<std::int64_t>> fs;
  fs.push_back(ex.submit(record, 1, {.priority = 0}));
  fs.push_back(ex.submit(record, 2, {.priority = 5}));
  fs.push_back(ex.submit(record, 3, {.priority = -1}));
  fs.push_back(ex.submit(record, 4, {.priority = 5}));
  open_gate(gate);
  for (auto& f : fs) f.wait();
  CHECK(recorded() == std::vector<std::int64_t>{2, 4, 1, 3});
}

TEST_CASE("the initializer runs once on each worker before its jobs", "[integration][config]") {
  static std::atomic<int> runs{0};
  runs = 0;
  taskmill::Config config;
  config.workers = 3;
  config.initializer = [] { ++runs; };
  {
    taskmill::Executor ex(config);
    CHECK(ex.submit(square, 3).get() == 9);
  }
  CHECK(runs == 3);
}

TEST_CASE("a throwing initializer fails the jobs with its error", "[integration][config]") {
  taskmill::Config config;
  config.workers = 2;
  config.initializer = [] { throw std::runtime_error("no licence server"); };
  taskmill::Executor ex(config);
  auto f = ex.submit(square, 3);
  CHECK_THROWS_WITH(f.get(), Catch::Contains("initializer failed: no licence server"));
  CHECK(f.state() == JobState::kFailed);
}

TEST_CASE("serialize = true runs the job on values that crossed the codec", "[integration][config]") {
  auto ex = executor_with(2, /*serialize=*/true);
  CHECK(ex.submit(text, std::string("grüße")).get() == "grüße");
  CHECK(ex.submit(taskmill::jobs::echo, taskmill::Bytes{std::string("\0\1\2", 3)}).get().data == std::string("\0\1\2", 3));
  // Not UTF-8: fine in memory, refused on the wire. serialize = true shows it on threads.
  auto bad = ex.submit(text, std::string("\xff"));
  CHECK_THROWS_AS(bad.get(), taskmill::JobError);
  CHECK_THROWS_WITH(bad.get(), Catch::Contains("StringValue"));
  auto ex_plain = executor_with(2, false);
  CHECK(ex_plain.submit(text, std::string("\xff")).get() == "\xff");
}

TEST_CASE("the executor comes from the file TASKMILL_CONFIG names", "[integration][config]") {
  auto path = std::filesystem::temp_directory_path() / ("taskmill-exec-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "backend = \"thread\"\nworkers = 3\n";
  ::setenv("TASKMILL_CONFIG", path.c_str(), 1);
  auto ex = taskmill::Executor::from_config();
  ::unsetenv("TASKMILL_CONFIG");
  CHECK(ex.workers() == 3);
  CHECK(ex.submit(square, 4).get() == 16);
  CHECK(taskmill::Executor::from_file(path).workers() == 3);
  std::filesystem::remove(path);
  CHECK_THROWS_AS(taskmill::Executor::from_file("/nonexistent.toml"), taskmill::ConfigError);
}

TEST_CASE("get() on a temporary future returns the reply by value", "[integration][future]") {
  auto ex = executor_with(1);
  std::int64_t y = ex.submit(square, 5).get();
  CHECK(y == 25);
}

TEST_CASE("done callbacks run exactly once, at once if the job is already done", "[integration][future]") {
  auto workers = GENERATE(1, 2);
  auto ex = executor_with(workers);
  auto gate = new_gate();
  std::atomic<int> calls{0};
  auto f = ex.submit(gated, gate);
  f.add_done_callback([&](const Future<std::int64_t>& done) { calls += static_cast<int>(done.get() == gate); });
  CHECK(calls == 0);
  open_gate(gate);
  f.wait();
  f.add_done_callback([&](const Future<std::int64_t>&) { calls += 10; });  // already done: runs here
  CHECK(calls == 11);
}

TEST_CASE("then() chains a continuation on the reply", "[integration][future]") {
  auto ex = executor_with(2);
  Future<std::string> g = ex.submit(square, 6).then([](const Future<std::int64_t>& f) { return std::to_string(f.get()); });
  CHECK(g.get() == "36");
  Future<int> h = ex.submit(fail_on_13, 13).then([](const Future<std::int64_t>& f) { return static_cast<int>(f.get()); });
  CHECK_THROWS_AS(h.get(), taskmill::JobError);
}
