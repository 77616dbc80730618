#include <catch2/catch.hpp>

#include <chrono>

#include "spin.h"

using namespace std::chrono_literals;
using taskmill::detail::SpinBudget;

TEST_CASE("a thread spins long while its waits are short and briefly once they run long", "[unit][spin]") {
  SpinBudget spin;
  CHECK(spin.budget() == SpinBudget::kMax);  // nothing known: a round trip may be short
  for (int i = 0; i < 4; ++i) spin.observe(150us);
  CHECK(spin.budget() == SpinBudget::kMax);  // round trips of 150 us: spin through them
  for (int i = 0; i < 4; ++i) spin.observe(10ms);
  CHECK(spin.budget() == SpinBudget::kMin);  // waiting on 10 ms jobs: sleep almost at once
  int short_waits = 0;
  while (spin.budget() == SpinBudget::kMin && short_waits < 100) {
    spin.observe(100us);
    ++short_waits;
  }
  CHECK(spin.budget() == SpinBudget::kMax);  // short waits again: spinning comes back
  CHECK(short_waits <= 12);                  // within about ten waits
}

TEST_CASE("spin_until returns as soon as the event is there, or false once its budget is spent", "[unit][spin]") {
  int calls = 0;
  CHECK(taskmill::detail::spin_until([&] { return ++calls == 3; }, 1s));
  CHECK(calls == 3);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(taskmill::detail::spin_until([] { return false; }, 2ms));
  CHECK(std::chrono::steady_clock::now() - start >= 2ms);
}
