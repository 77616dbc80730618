// Behaviour particular to the thread backend: what only threads in one
// process can do (priorities observed in order, per-thread initializers,
// serialize = true, progress reports, a job shutting down its own executor).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/executors.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"

using namespace taskmill::testing;
using taskmill::Future;
using taskmill::JobState;

TEST_CASE("a thread executor has the workers its configuration asks for", "[integration][thread]") {
  auto workers = GENERATE(1, 2, 4);
  CHECK(executor_with(workers).workers() == static_cast<std::size_t>(workers));
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
  // Enough short jobs that the worker takes several at a time: in order too.
  for (std::int64_t i = 5; i < 45; ++i) fs.push_back(ex.submit(record, i, {.priority = i % 2 == 0 ? 1 : -2}));
  open_gate(gate);
  for (auto& f : fs) f.wait();
  std::vector<std::int64_t> want{2, 4};
  for (std::int64_t i = 6; i < 45; i += 2) want.push_back(i);
  want.push_back(1);
  want.push_back(3);
  for (std::int64_t i = 5; i < 45; i += 2) want.push_back(i);
  CHECK(recorded() == want);
}

namespace {

std::atomic<bool> zero_started{false};

// 0 runs until cancelled; anything else returns at once.
const taskmill::Job<std::int64_t, std::int64_t> zero_waits{
    "test.zero_waits", [](const std::int64_t& x, taskmill::JobContext& ctx) -> std::int64_t {
      if (x != 0) return x;
      zero_started = true;
      while (!ctx.cancelled()) ctx.sleep_for(std::chrono::seconds(5));
      ctx.throw_if_cancelled();
      return x;
    }};

// 0 waits at the gate `zero_gate`; anything else returns at once.
std::int64_t zero_gate = 0;
const taskmill::Job<std::int64_t, std::int64_t> zero_gated{
    "test.zero_gated", [](const std::int64_t& x, taskmill::JobContext&) -> std::int64_t {
      if (x == 0) wait_gate(zero_gate);
      return x;
    }};

}  // namespace

TEST_CASE("jobs a worker took along with one that runs long are run by a worker left idle",
          "[integration][thread]") {
  auto ex = executor_with(2);
  std::vector<std::int64_t> inputs(41);
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = static_cast<std::int64_t>(i);
  CHECK(ex.map(square, inputs, {.chunksize = 1}).get().size() == inputs.size());  // both workers on short jobs
  zero_gate = new_gate();
  auto results = ex.map(zero_gated, inputs, {.chunksize = 1});  // queued at once
  // Whichever worker took job 0 may have taken the next few with it; the
  // other runs the rest of the queue, then those.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (std::size_t i = 1; i < inputs.size(); ++i) CHECK(results.chunks()[i].wait_until(deadline));
  CHECK_FALSE(results.chunks()[0].done());
  open_gate(zero_gate);
  CHECK(results.get() == inputs);
}

TEST_CASE("shutdown with cancel_pending cancels the short jobs a worker took along with the one it runs",
          "[integration][thread][shutdown]") {
  auto ex = executor_with(1);
  CHECK(ex.submit(square, 2).get() == 4);  // a short job: the worker takes the next ones several at a time
  zero_started = false;
  std::vector<std::int64_t> inputs(41);
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = static_cast<std::int64_t>(i);
  auto results = ex.map(zero_waits, inputs, {.chunksize = 1});  // queued at once
  while (!zero_started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ex.shutdown({.wait = true, .cancel_pending = true});
  for (const auto& chunk : results.chunks()) CHECK(chunk.state() == JobState::kCancelled);
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

TEST_CASE("a job may shut down its own executor", "[integration][shutdown]") {
  static taskmill::Executor* self = nullptr;
  static const taskmill::Job<std::int64_t, std::int64_t> shut_down_self{
      "test.shut_down_self", [](const std::int64_t& x, taskmill::JobContext&) -> std::int64_t {
        self->shutdown();  // must not wait for itself
        return x;
      }};
  auto ex = executor_with(2);
  self = &ex;
  CHECK(ex.submit(shut_down_self, 5).get() == 5);
  CHECK_THROWS_AS(ex.submit(square, 1), taskmill::ShutdownError);
}
