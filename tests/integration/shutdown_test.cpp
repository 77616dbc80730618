#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "support/executors.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"

using namespace taskmill::testing;
using taskmill::Future;
using taskmill::JobState;

TEST_CASE("submitting after shutdown is a clear error", "[integration][shutdown]") {
  auto ex = executor_with(2);
  ex.shutdown();
  CHECK_THROWS_AS(ex.submit(square, 1), taskmill::ShutdownError);
  CHECK_THROWS_WITH(ex.submit(square, 1), "executor is shut down");
  CHECK_THROWS_AS(ex.map(square, {1, 2}), taskmill::ShutdownError);
  ex.shutdown();  // twice is fine
}

TEST_CASE("shutdown waits for queued jobs to finish by default", "[integration][shutdown]") {
  auto workers = GENERATE(1, 2, 4);
  std::vector<Future<std::int64_t>> fs;
  {
    auto ex = executor_with(workers);
    for (int i = 0; i < 200; ++i) fs.push_back(ex.submit(square, i));
  }  // the destructor shuts down and waits
  for (int i = 0; i < 200; ++i) {
    CHECK(fs[i].done());
    CHECK(fs[i].get() == static_cast<std::int64_t>(i) * i);
  }
}

TEST_CASE("shutdown without wait returns while jobs still run", "[integration][shutdown]") {
  auto ex = executor_with(1);
  auto gate = new_gate();
  auto running = ex.submit(gated, gate);
  auto queued = ex.submit(square, 3);
  wait_for_waiters(gate, 1);
  ex.shutdown({.wait = false});
  CHECK_FALSE(running.done());  // would deadlock here if shutdown had waited
  open_gate(gate);
  CHECK(running.get() == gate);
  CHECK(queued.get() == 9);  // queued jobs still run unless cancel_pending
}

TEST_CASE("shutdown with cancel_pending cancels queued jobs and stops running ones", "[integration][shutdown]") {
  auto ex = executor_with(1);
  auto started = new_gate();
  auto running = ex.submit(until_cancel, started);
  wait_for_waiters(started, 1);
  std::vector<Future<std::int64_t>> queued;
  for (int i = 0; i < 20; ++i) queued.push_back(ex.submit(square, i));
  ex.shutdown({.wait = true, .cancel_pending = true});
  CHECK(running.state() == JobState::kCancelled);
  for (auto& f : queued) {
    CHECK(f.state() == JobState::kCancelled);
    CHECK_THROWS_AS(f.get(), taskmill::CancelledError);
  }
}

TEST_CASE("shutdown racing submit: each submit either runs or is refused", "[integration][shutdown]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = executor_with(workers);
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < 3; ++t) {
    submitters.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        try {
          auto f = ex.submit(square, i);
          ++accepted;
          if (f.get() != static_cast<std::int64_t>(i) * i) ++wrong;
        } catch (const taskmill::ShutdownError&) {
          ++refused;
        }
      }
    });
  }
  while (accepted.load() < 100) std::this_thread::yield();
  ex.shutdown();
  for (auto& s : submitters) s.join();
  CHECK(wrong == 0);
  CHECK(accepted + refused == 6000);
  CHECK(accepted >= 100);
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
