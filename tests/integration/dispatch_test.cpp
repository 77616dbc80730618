// Where the coordinator sends jobs: short jobs go to one worker in a run (one
// Assign carries many), a job of unknown length still goes to a free slot.
// A real taskmill-coordinator daemon, a real ServiceClient, and workers the
// test plays itself over real sockets, so that it sees every Assign.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support/daemons.h"
#include "support/fake_worker.h"
#include "taskmill/service_client.h"

using namespace taskmill::testing;
namespace v1 = taskmill::v1;

namespace {

std::vector<v1::JobSpec> specs(const std::string& job, std::uint64_t first_id, int count) {
  std::vector<v1::JobSpec> out(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    out[i].set_id(first_id + static_cast<std::uint64_t>(i));
    out[i].set_job(job);
  }
  return out;
}

// The one worker an Assign went to within `wait`, and what it got; fails if
// another got one too. All are watched together, so the wait is the
// coordinator's, not `wait` for each worker that got nothing.
std::pair<int, v1::Assign> the_assign(std::vector<std::unique_ptr<FakeWorker>>& workers,
                                      std::chrono::milliseconds wait) {
  int who = -1;
  v1::Assign got;
  const auto until = std::chrono::steady_clock::now() + wait;
  while (who < 0 && std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < static_cast<int>(workers.size()) && who < 0; ++i) {
      v1::Envelope e = workers[i]->next(std::chrono::milliseconds(5));
      if (e.has_assign()) {
        who = i;
        got = e.assign();
      }
    }
  }
  REQUIRE(who >= 0);
  for (int i = 0; i < static_cast<int>(workers.size()); ++i) {
    if (i == who) continue;
    INFO("an Assign went to worker " << who << " and to worker " << i);
    CHECK_FALSE(workers[i]->next(std::chrono::milliseconds(200)).has_assign());
  }
  return {who, got};
}

}  // namespace

TEST_CASE("short jobs go to one worker in a run, and a job of unknown length to a free slot",
          "[integration][process][dispatch]") {
  // Peers beat a minute apart: the fake workers send no heartbeats.
  auto coordinator = Daemon::coordinator({"--heartbeat-ms", "60000"});
  zmq::context_t context;
  std::vector<std::unique_ptr<FakeWorker>> workers;
  for (const char* name : {"w0", "w1", "w2"}) {
    workers.push_back(std::make_unique<FakeWorker>(context, coordinator.address(), name,
                                                   std::vector{FakeWorker::job("identity"), FakeWorker::job("other")}));
  }
  taskmill::Config config;
  config.coordinator = coordinator.address();
  taskmill::ServiceClient client(config);

  // Before any identity job has finished its length is unknown: it goes to a
  // free slot alone. Its result says it ran 1 us.
  client.submit(specs("identity", 1, 1));
  auto [first, first_assign] = the_assign(workers, std::chrono::seconds(10));
  REQUIRE(first_assign.jobs_size() == 1);
  workers[first]->finish(first_assign, 1);
  REQUIRE(client.next_result(std::chrono::seconds(10)));

  // Now 30 short jobs in one Submit: one worker gets them all in one Assign,
  // not one each to every free slot.
  client.submit(specs("identity", 2, 30));
  auto [runner, run] = the_assign(workers, std::chrono::seconds(10));
  CHECK(run.jobs_size() == 30);

  // The runner holds them all (its slot is busy). A job whose length is not
  // known goes to a worker with a free slot, not behind them...
  client.submit(specs("other", 100, 1));
  auto [other_worker, other] = the_assign(workers, std::chrono::seconds(10));
  CHECK(other_worker != runner);
  CHECK(other.jobs_size() == 1);
  // ...while another short one goes on with the run.
  client.submit(specs("identity", 101, 1));
  auto [next_worker, next] = the_assign(workers, std::chrono::seconds(10));
  CHECK(next_worker == runner);

  workers[runner]->finish(run, 1);
  workers[runner]->finish(next, 1);
  workers[other_worker]->finish(other, 1);
  std::set<std::uint64_t> ids;
  while (ids.size() < 32) {
    auto result = client.next_result(std::chrono::seconds(10));
    REQUIRE(result);
    CHECK(result->outcome() == v1::OUTCOME_SUCCEEDED);
    ids.insert(result->id());
  }
  CHECK(*ids.begin() == 2);
  CHECK(*ids.rbegin() == 101);
}
