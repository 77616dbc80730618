// The coordinator's outboxes (internals): one message per peer in a turn, on
// an arena that holds a turn larger than its first block, and empty again
// once the turn is sent and the arena reset.
#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <string>

#include "outbox.h"

using taskmill::coordinator::Outbox;
using taskmill::coordinator::OutboxArena;

TEST_CASE("an outbox keeps one message per peer for the turn", "[unit][outbox]") {
  OutboxArena arena;
  Outbox assign(arena);
  Outbox results(arena);

  assign.to("worker-a").mutable_assign()->add_jobs()->set_id(1);
  assign.to("worker-a").mutable_assign()->add_jobs()->set_id(2);
  results.to("client").mutable_results()->add_results()->set_id(7);

  CHECK(&assign.to("worker-a") == &assign.to("worker-a"));
  CHECK(assign.to("worker-a").assign().jobs_size() == 2);
  CHECK(assign.to("worker-a").assign().jobs(1).id() == 2);
  CHECK(results.to("client").results().results(0).id() == 7);
  CHECK(std::distance(assign.begin(), assign.end()) == 1);

  assign.erase("worker-a");  // a worker lost before the turn was sent
  CHECK(assign.begin() == assign.end());
  CHECK(results.to("client").results().results_size() == 1);  // the others' messages stand
}

TEST_CASE("an outbox holds a turn larger than its arena's first block, and starts empty after a reset",
          "[unit][outbox]") {
  OutboxArena arena;
  Outbox assign(arena);
  // ~20,000 assignments with a 40-byte name each: several times the 64 KiB first block.
  const std::string name(40, 'j');
  for (int i = 0; i < 20'000; ++i) {
    auto* job = assign.to(i % 2 == 0 ? "worker-a" : "worker-b").mutable_assign()->add_jobs();
    job->set_id(static_cast<std::uint64_t>(i));
    job->set_job(name);
  }
  REQUIRE(arena.get()->SpaceAllocated() > (std::size_t{64} << 10));
  int seen = 0;
  for (const auto& [peer, envelope] : assign) {
    for (const auto& job : envelope->assign().jobs()) {
      CHECK(job.job() == name);
      CHECK(job.id() % 2 == (peer == "worker-a" ? 0u : 1u));
      ++seen;
    }
  }
  CHECK(seen == 20'000);

  assign.clear();
  arena.reset();
  CHECK(assign.begin() == assign.end());
  CHECK(assign.to("worker-a").assign().jobs_size() == 0);
  assign.to("worker-a").mutable_assign()->add_jobs()->set_job(name);
  CHECK(assign.to("worker-a").assign().jobs(0).job() == name);
}
