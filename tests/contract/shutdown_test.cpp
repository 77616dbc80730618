#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "support/contract.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"

using namespace taskmill::testing;
using taskmill::Future;
using taskmill::JobState;

TEST_CASE("submitting after shutdown is a clear error", "[contract][shutdown]") {
  auto ex = contract_executor(2);
  ex.shutdown();
  CHECK_THROWS_AS(ex.submit(square, 1), taskmill::ShutdownError);
  CHECK_THROWS_WITH(ex.submit(square, 1), "executor is shut down");
  CHECK_THROWS_AS(ex.map(square, {1, 2}), taskmill::ShutdownError);
  ex.shutdown();  // twice is fine
}

TEST_CASE("shutdown waits for queued jobs to finish by default", "[contract][shutdown]") {
  auto workers = GENERATE(1, 2, 4);
  std::vector<Future<std::int64_t>> fs;
  {
    auto ex = contract_executor(workers);
    for (int i = 0; i < 200; ++i) fs.push_back(ex.submit(square, i));
  }  // the destructor shuts down and waits
  for (int i = 0; i < 200; ++i) {
    CHECK(fs[i].done());
    CHECK(fs[i].get() == static_cast<std::int64_t>(i) * i);
  }
}

TEST_CASE("shutdown without wait returns while jobs still run", "[contract][shutdown]") {
  auto ex = contract_executor(1);
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

TEST_CASE("shutdown with cancel_pending cancels queued jobs and stops running ones", "[contract][shutdown]") {
  auto ex = contract_executor(1);
  auto started = new_gate();
  std::vector<Future<std::int64_t>> running;
  for (std::size_t i = 0; i < ex.workers(); ++i) running.push_back(ex.submit(until_cancel, started));
  wait_for_waiters(started, static_cast<int>(ex.workers()));
  for (auto& f : running) wait_running(f);
  std::vector<Future<std::int64_t>> queued;
  for (int i = 0; i < 20; ++i) queued.push_back(ex.submit(square, i));
  ex.shutdown({.wait = true, .cancel_pending = true});
  for (auto& f : running) CHECK(f.state() == JobState::kCancelled);
  for (auto& f : queued) {
    CHECK(f.state() == JobState::kCancelled);
    CHECK_THROWS_AS(f.get(), taskmill::CancelledError);
  }
}

TEST_CASE("shutdown racing submit: each submit either runs or is refused", "[contract][shutdown]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = contract_executor(workers);
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

