// The coordinator's bound on the jobs it holds (--max-jobs): past it, a job is
// rejected at once with QueueFullError and the queue does not grow.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include "support/daemons.h"
#include "taskmill/codec.h"
#include "taskmill/service_client.h"

using namespace std::chrono_literals;
using taskmill::testing::Daemon;
namespace v1 = taskmill::v1;

TEST_CASE("a coordinator at max_jobs rejects further jobs with QueueFullError and keeps the rest",
          "[integration][backpressure]") {
  auto coordinator = Daemon::coordinator({"--max-jobs", "3"});
  taskmill::Config config;
  config.coordinator = coordinator.address();
  taskmill::ServiceClient client(config);
  std::vector<v1::JobSpec> specs;
  for (std::int64_t i = 0; i < 5; ++i) {
    v1::JobSpec spec;
    spec.set_job("identity");
    spec.set_payload(taskmill::Codec<std::int64_t>::encode(i));
    specs.push_back(spec);
  }
  const auto ids = client.submit_detached(specs);  // no worker: the first three wait
  REQUIRE(ids.size() == 5);
  const auto rejected = client.wait_for_jobs({ids[3], ids[4]}, 10s);
  REQUIRE(rejected.size() == 2);
  for (const v1::JobStatus& status : rejected) {
    CHECK(status.outcome() == v1::OUTCOME_REJECTED);
    CHECK(status.error_type() == "taskmill::QueueFullError");
    CHECK_THAT(status.error_message(), Catch::Contains("max_jobs = 3"));
  }
  v1::Query stats;
  stats.mutable_stats();
  CHECK(client.ask(stats).stats().queued() == 3);
}
