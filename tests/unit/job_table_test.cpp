// The coordinator's job table (internals): ids, the per-client index, the
// ready queue, and the compact fields a queued job holds (W8).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "deadline.h"
#include "job_table.h"
#include "shared_name.h"

using taskmill::coordinator::Clock;
using taskmill::coordinator::Deadline;
using taskmill::coordinator::Job;
using taskmill::coordinator::JobTable;
using taskmill::coordinator::SharedName;

namespace {

// A routing id too long for std::string's inline buffer.
const std::string kLongPeer = "client-with-a-routing-id-longer-than-15-bytes";

Job job_of(const std::string& client, std::uint64_t client_id, int priority = 0) {
  return Job{.client = client, .client_id = client_id, .name = "identity", .priority = priority};
}

}  // namespace

TEST_CASE("a shared name reads as its text and copies share one block", "[unit][job_table]") {
  SharedName a = std::string("peer-a");
  SharedName b = a;
  CHECK(b.shares_with(a));
  CHECK(b == std::string("peer-a"));
  const std::string& text = b;
  CHECK(text == "peer-a");
  b.clear();
  CHECK(b.empty());
  CHECK(b.str().empty());
  CHECK(a == std::string("peer-a"));  // the other copy keeps the text alive
  CHECK(SharedName(std::string()).empty());
}

TEST_CASE("a deadline reads like an optional time point in 8 bytes", "[unit][job_table]") {
  STATIC_REQUIRE(sizeof(Deadline) == 8);
  Deadline none = std::nullopt;
  CHECK_FALSE(none);
  const auto at = Clock::now() + std::chrono::seconds(5);
  Deadline set = at;
  REQUIRE(set);
  CHECK(*set == at);
}

TEST_CASE("a queued job costs 152 bytes at most", "[unit][job_table]") {
  // W8 counts the coordinator's memory per queued job; this struct is most of
  // it. Its payload is a ZeroMQ message (64 bytes, where a std::string took
  // 32), so that a large one is shared into frames rather than copied; one
  // of 33 bytes or less needs no heap block at all.
  STATIC_REQUIRE(sizeof(Job) <= 152);
}

TEST_CASE("every job of a client shares one copy of its name", "[unit][job_table]") {
  JobTable table;
  auto first = table.add(job_of(kLongPeer, 1));
  auto second = table.add(job_of(kLongPeer, 2));
  REQUIRE(first);
  REQUIRE(second);
  CHECK(table.find(*first)->client.shares_with(table.find(*second)->client));
  CHECK(table.find(*first)->client == kLongPeer);
  CHECK(table.find_by_client(kLongPeer, 2) == second);
}

TEST_CASE("a resubmitted client id keeps the first job", "[unit][job_table]") {
  JobTable table;
  auto first = table.add(job_of("peer", 7));
  REQUIRE(first);
  CHECK_FALSE(table.add(job_of("peer", 7)));
  CHECK(table.size() == 1);
  CHECK(table.add(job_of("other-peer", 7)));  // ids are per client
}

TEST_CASE("a client's index goes with its last job, and comes back with a new one", "[unit][job_table]") {
  JobTable table;
  auto a = table.add(job_of(kLongPeer, 1));
  auto b = table.add(job_of(kLongPeer, 2));
  REQUIRE(a);
  REQUIRE(b);
  table.erase(*a);
  CHECK(table.ids_of_client(kLongPeer) == std::vector<std::uint64_t>{*b});
  table.erase(*b);
  CHECK(table.ids_of_client(kLongPeer).empty());
  CHECK_FALSE(table.find_by_client(kLongPeer, 2));
  auto c = table.add(job_of(kLongPeer, 1));
  REQUIRE(c);
  CHECK(table.find_by_client(kLongPeer, 1) == c);
  CHECK(table.find(*c)->client == kLongPeer);
}

TEST_CASE("a restored job keeps its id and joins its client's index", "[unit][job_table]") {
  JobTable table;
  table.restore(1000, job_of("peer", 5));
  CHECK(table.find_by_client("peer", 5) == std::uint64_t{1000});
  auto next = table.add(job_of("peer", 6));
  REQUIRE(next);
  CHECK(*next > 1000);
  CHECK(table.find(*next)->client.shares_with(table.find(1000)->client));
}

TEST_CASE("the ready queue serves priority first and skips assigned or erased jobs", "[unit][job_table]") {
  JobTable table;
  auto low = table.add(job_of("peer", 1, 0));
  auto high = table.add(job_of("peer", 2, 5));
  auto gone = table.add(job_of("peer", 3, 5));
  auto taken = table.add(job_of("peer", 4, 5));
  for (auto id : {low, gone, taken, high}) table.enqueue(*id);
  table.erase(*gone);
  table.find(*taken)->worker = std::string("worker-1");
  CHECK(table.next_ready() == high);
  table.pop_ready();
  CHECK(table.next_ready() == low);
  table.pop_ready();
  CHECK_FALSE(table.next_ready());
}
