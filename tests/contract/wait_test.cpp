#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "support/contract.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"
#include "taskmill/wait.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
using taskmill::Future;
using taskmill::ReturnWhen;

TEST_CASE("wait_for reports whether the job finished in time", "[contract][wait]") {
  auto ex = contract_executor(1);
  auto gate = new_gate();
  auto f = ex.submit(gated, gate);
  CHECK_FALSE(f.wait_for(10ms));
  open_gate(gate);
  CHECK(f.wait_for(1h));
}

TEST_CASE("wait(ALL_COMPLETED) returns when every future is done", "[contract][wait]") {
  auto workers = GENERATE(1, 2, 4);
  auto ex = contract_executor(workers);
  std::vector<Future<std::int64_t>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(ex.submit(square, i));
  auto [done, not_done] = taskmill::wait(fs);
  CHECK(done.size() == 100);
  CHECK(not_done.empty());
}

TEST_CASE("wait(FIRST_COMPLETED) returns once one future is done", "[contract][wait]") {
  auto ex = contract_executor(2);
  auto gate = new_gate();
  std::vector<Future<std::int64_t>> fs{ex.submit(gated, gate), ex.submit(square, 4)};
  auto result = taskmill::wait(fs, ReturnWhen::kFirstCompleted);
  REQUIRE(result.done.size() == 1);
  CHECK(result.done[0].get() == 16);
  REQUIRE(result.not_done.size() == 1);
  CHECK(result.not_done[0].id() == fs[0].id());
  open_gate(gate);
}

TEST_CASE("wait(FIRST_EXCEPTION) returns at the first failure", "[contract][wait]") {
  auto ex = contract_executor(2);
  auto gate = new_gate();
  std::vector<Future<std::int64_t>> fs{ex.submit(gated, gate), ex.submit(fail_on_13, 13)};
  auto result = taskmill::wait(fs, ReturnWhen::kFirstException);
  REQUIRE(result.done.size() == 1);
  CHECK(result.done[0].exception() != nullptr);
  open_gate(gate);
  // With no failure it waits for all.
  std::vector<Future<std::int64_t>> ok{ex.submit(square, 1), ex.submit(square, 2)};
  CHECK(taskmill::wait(ok, ReturnWhen::kFirstException).done.size() == 2);
}

TEST_CASE("wait with a timeout returns what is done without throwing", "[contract][wait]") {
  auto ex = contract_executor(2);
  auto gate = new_gate();
  std::vector<Future<std::int64_t>> fs{ex.submit(gated, gate), ex.submit(square, 3)};
  fs[1].wait();
  auto result = taskmill::wait(fs, ReturnWhen::kAllCompleted, 20ms);
  CHECK(result.done.size() == 1);
  CHECK(result.not_done.size() == 1);
  open_gate(gate);
}

TEST_CASE("wait accepts futures of different reply types", "[contract][wait]") {
  auto ex = contract_executor(2);
  std::vector<taskmill::FutureBase> mixed{ex.submit(square, 2), ex.submit(text, std::string("x"))};
  CHECK(taskmill::wait(mixed).done.size() == 2);
}

TEST_CASE("as_completed yields futures in the order they finish", "[contract][as_completed]") {
  auto ex = contract_executor(2);
  auto first = new_gate();
  auto second = new_gate();
  std::vector<Future<std::int64_t>> fs{ex.submit(gated, second), ex.submit(gated, first)};
  wait_for_waiters(first, 1);
  wait_for_waiters(second, 1);
  std::vector<std::int64_t> order;
  auto completed = taskmill::as_completed(fs);
  open_gate(first);
  for (const auto& f : completed) {
    order.push_back(f.get());
    if (order.size() == 1) open_gate(second);
  }
  CHECK(order == std::vector<std::int64_t>{first, second});
}

TEST_CASE("as_completed yields already finished futures first", "[contract][as_completed]") {
  auto ex = contract_executor(1);
  auto done = ex.submit(square, 7);
  done.wait();
  auto gate = new_gate();
  std::vector<Future<std::int64_t>> fs{ex.submit(gated, gate), done};
  auto completed = taskmill::as_completed(fs);
  auto it = completed.begin();
  CHECK(it->get() == 49);
  open_gate(gate);
  ++it;
  CHECK(it->get() == gate);
  ++it;
  CHECK(it == completed.end());
}

TEST_CASE("as_completed throws TimeoutError when the rest do not finish in time", "[contract][as_completed]") {
  auto ex = contract_executor(2);
  auto gate = new_gate();
  std::vector<Future<std::int64_t>> fs{ex.submit(square, 5), ex.submit(gated, gate)};
  fs[0].wait();
  int yielded = 0;
  CHECK_THROWS_AS([&] { for (const auto& f : taskmill::as_completed(fs, 30ms)) yielded += f.done() ? 1 : 0; }(),
                  taskmill::TimeoutError);
  CHECK(yielded == 1);
  open_gate(gate);
}
