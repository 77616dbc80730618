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

TEST_CASE("cancelling a queued job removes it: it never runs", "[contract][cancel]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto blockers = occupy_all(ex, gate);
  std::vector<Future<std::int64_t>> queued;
  for (int i = 0; i < 10; ++i) queued.push_back(ex.submit(square, i));
  for (auto& f : queued) CHECK(f.cancel());
  for (auto& f : queued) {
    CHECK(f.cancelled());
    CHECK(f.done());
    CHECK_THROWS_AS(f.get(), taskmill::CancelledError);
    CHECK(f.cancel());  // cancelling again still says it is cancelled
  }
  open_gate(gate);
  for (auto& b : blockers) CHECK(b.get() == gate);
  ex.shutdown();
  for (auto& f : queued) CHECK(f.cancelled());
}

TEST_CASE("cancelling a running job reaches it through its token", "[contract][cancel]") {
  auto ex = contract_executor(2);
  auto started = new_gate();
  auto f = ex.submit(until_cancel, started);
  wait_for_waiters(started, 1);
  wait_running(f);
  CHECK(f.running());
  CHECK_FALSE(f.cancel());  // running: asked to stop, not yet stopped
  CHECK_THROWS_AS(f.get(), taskmill::CancelledError);
  CHECK(f.state() == JobState::kCancelled);
}

TEST_CASE("a running job that never checks its token finishes normally", "[contract][cancel]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto f = ex.submit(gated, gate);
  wait_for_waiters(gate, 1);
  wait_running(f);
  CHECK_FALSE(f.cancel());
  open_gate(gate);
  CHECK(f.get() == gate);
  CHECK(f.state() == JobState::kSucceeded);
  CHECK_FALSE(f.cancel());  // finished: too late
}

TEST_CASE("cancel racing completion yields exactly one outcome", "[contract][cancel]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = contract_executor(workers);
  constexpr int kJobs = 400;
  std::vector<Future<std::int64_t>> fs;
  std::atomic<int> callbacks{0};
  for (int i = 0; i < kJobs; ++i) {
    fs.push_back(ex.submit(square, i));
    fs.back().add_done_callback([&](const Future<std::int64_t>&) { ++callbacks; });
  }
  std::vector<int> said_cancelled(kJobs, 0);
  std::thread canceller([&] {
    for (int i = kJobs - 1; i >= 0; --i) said_cancelled[i] = fs[i].cancel() ? 1 : 0;
  });
  canceller.join();
  int succeeded = 0;
  int cancelled = 0;
  for (int i = 0; i < kJobs; ++i) {
    fs[i].wait();
    if (fs[i].state() == JobState::kSucceeded) {
      CHECK(fs[i].get() == static_cast<std::int64_t>(i) * i);
      CHECK(said_cancelled[i] == 0);
      ++succeeded;
    } else {
      REQUIRE(fs[i].state() == JobState::kCancelled);
      CHECK_THROWS_AS(fs[i].get(), taskmill::CancelledError);
      CHECK(said_cancelled[i] == 1);
      ++cancelled;
    }
  }
  CHECK(succeeded + cancelled == kJobs);
  ex.shutdown();
  CHECK(callbacks == kJobs);  // each future completed exactly once
}

TEST_CASE("cancelling a map cancels its chunks", "[contract][cancel]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto blockers = occupy_all(ex, gate);
  std::vector<std::int64_t> inputs(100, 3);
  auto results = ex.map(square, inputs, {.chunksize = 10});
  CHECK(results.cancel());
  open_gate(gate);
  CHECK_THROWS_AS(results.get(), taskmill::CancelledError);
  for (const auto& chunk : results.chunks()) CHECK(chunk.cancelled());
}
