#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <ranges>
#include <vector>

#include "support/contract.h"
#include "support/test_jobs.h"
#include "taskmill/executor.h"
#include "taskmill/wait.h"

using namespace taskmill::testing;

TEST_CASE("map returns the replies in input order, whatever the chunk size", "[contract][map]") {
  auto workers = GENERATE(1, 2, 4);
  auto chunksize = GENERATE(std::size_t{1}, std::size_t{7}, std::size_t{256}, std::size_t{5000});
  auto ex = contract_executor(workers);
  std::vector<std::int64_t> inputs(1000);
  std::iota(inputs.begin(), inputs.end(), -500);
  auto results = ex.map(square, inputs, {.chunksize = chunksize});
  CHECK(results.size() == inputs.size());
  CHECK(results.chunks().size() == (inputs.size() + chunksize - 1) / chunksize);
  std::size_t i = 0;
  for (std::int64_t y : results) {
    REQUIRE(i < inputs.size());
    CHECK(y == inputs[i] * inputs[i]);
    ++i;
  }
  CHECK(i == inputs.size());
  CHECK(results.get().size() == inputs.size());
}

TEST_CASE("map takes any input range and initializer lists", "[contract][map]") {
  auto ex = contract_executor(2);
  CHECK(ex.map(square, {1, 2, 3}).get() == std::vector<std::int64_t>{1, 4, 9});
  auto evens = std::views::iota(std::int64_t{0}, std::int64_t{10}) |
               std::views::filter([](std::int64_t x) { return x % 2 == 0; });
  CHECK(ex.map(square, evens, {.chunksize = 2}).get() == std::vector<std::int64_t>{0, 4, 16, 36, 64});
}

TEST_CASE("map over nothing is an empty result", "[contract][map]") {
  auto ex = contract_executor(1);
  auto results = ex.map(square, std::vector<std::int64_t>{});
  CHECK(results.size() == 0);
  CHECK(results.done());
  CHECK(results.get().empty());
  CHECK(results.begin() == results.end());
}

TEST_CASE("a failing request fails its chunk, raised when iteration reaches it", "[contract][map]") {
  auto ex = contract_executor(2);
  std::vector<std::int64_t> inputs(40);
  std::iota(inputs.begin(), inputs.end(), 0);
  auto results = ex.map(fail_on_13, inputs, {.chunksize = 10});
  std::vector<std::int64_t> seen;
  CHECK_THROWS_WITH([&] { for (std::int64_t y : results) seen.push_back(y); }(), "13 is unlucky");
  CHECK(seen.size() == 10);  // the first chunk, then the failing one
  CHECK(results.chunks()[0].state() == taskmill::JobState::kSucceeded);
  CHECK(results.chunks()[1].state() == taskmill::JobState::kFailed);
  CHECK(results.chunks()[2].get().size() == 10);
  CHECK_THROWS_AS(results.get(), taskmill::JobError);
}

TEST_CASE("map chunks are futures that wait() and as_completed() accept", "[contract][map]") {
  auto ex = contract_executor(2);
  std::vector<std::int64_t> inputs(100, 2);
  auto results = ex.map(square, inputs, {.chunksize = 25});
  std::size_t total = 0;
  for (const auto& chunk : taskmill::as_completed(results.chunks())) total += chunk.get().size();
  CHECK(total == 100);
  auto [done, not_done] = taskmill::wait(results.chunks());
  CHECK(done.size() == 4);
  CHECK(not_done.empty());
}
