// The coordinator's journal: SIGKILL a coordinator with jobs queued, running
// and finished but unfetched, restart it on the same file and address, and
// check that every accepted job reaches exactly one outcome its submitter sees.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "support/daemons.h"
#include "taskmill/codec.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/samples.h"
#include "taskmill/service_client.h"

using namespace std::chrono_literals;
using taskmill::testing::ChildProcess;
using taskmill::testing::Daemon;
namespace v1 = taskmill::v1;

namespace {

std::filesystem::path journal_path(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("taskmill-journal-" + std::to_string(::getpid()) + "-" + name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path;
}

taskmill::Config service_config(const std::string& address) {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.coordinator = address;
  config.heartbeat = 200ms;
  config.liveness = 10;
  return config;
}

v1::JobSpec spec(const std::string& job, std::string payload) {
  v1::JobSpec s;
  s.set_job(job);
  s.set_payload(std::move(payload));
  s.set_max_retries(3);
  return s;
}

void wait_for_workers(taskmill::ServiceClient& client, std::uint32_t count) {
  v1::Query stats;
  stats.mutable_stats();
  for (auto deadline = std::chrono::steady_clock::now() + 20s; client.ask(stats).stats().workers() < count;) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(10ms);
  }
}

v1::JobState state_of(taskmill::ServiceClient& client, std::uint64_t id) {
  v1::Query query;
  query.mutable_jobs()->add_ids(id);
  v1::Answer answer = client.ask(query);
  return answer.jobs_size() == 1 ? answer.jobs(0).state() : v1::JOB_STATE_UNSPECIFIED;
}

std::int64_t int64_reply(const v1::JobStatus& status) {
  std::int64_t value = 0;
  REQUIRE(taskmill::Codec<std::int64_t>::decode(status.reply(), &value).is_ok());
  return value;
}

}  // namespace

TEST_CASE("a coordinator SIGKILLed and restarted on its journal loses no queued, running or unfetched job",
          "[integration][durability]") {
  const auto journal = journal_path("detached");
  const std::vector<std::string> args = {"--journal", journal.string(), "--heartbeat-ms", "200", "--liveness", "10"};
  std::optional<Daemon> coordinator;
  coordinator.emplace(Daemon::coordinator(args));
  const std::string address = coordinator->address();
  auto worker = Daemon::stock_worker(address, {"--slots", "1"});

  std::vector<std::uint64_t> ids;
  {
    taskmill::ServiceClient client(service_config(address));
    wait_for_workers(client, 1);
    ids.push_back(client.submit_detached({spec("identity", taskmill::Codec<std::int64_t>::encode(7))}).front());
    REQUIRE(client.wait_for_jobs({ids[0]}).front().outcome() == v1::OUTCOME_SUCCEEDED);  // finished, not fetched
    ids.push_back(client.submit_detached({spec("sleep", taskmill::Codec<double>::encode(1.0))}).front());
    for (auto deadline = std::chrono::steady_clock::now() + 20s; state_of(client, ids[1]) != v1::JOB_STATE_RUNNING;) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(5ms);
    }
    for (std::int64_t x : {8, 9}) {  // queued behind the running one: the worker has one slot
      ids.push_back(client.submit_detached({spec("identity", taskmill::Codec<std::int64_t>::encode(x))}).front());
    }
    coordinator->kill(SIGKILL);  // right after the acknowledgements: they must be durable
    CHECK(coordinator->wait() == 128 + SIGKILL);
  }
  coordinator.emplace(Daemon::coordinator_at(address, args));

  // The worker finds the new coordinator on its own; the jobs run and the results wait.
  taskmill::ServiceClient client(service_config(address));
  const auto statuses = client.wait_for_jobs(ids, 30s);
  CHECK(client.unknown_ids().empty());
  REQUIRE(statuses.size() == ids.size());
  for (const v1::JobStatus& status : statuses) {
    CHECK(status.state() == v1::JOB_STATE_FINISHED);
    CHECK(status.outcome() == v1::OUTCOME_SUCCEEDED);
  }
  CHECK(int64_reply(statuses[0]) == 7);
  CHECK(int64_reply(statuses[2]) == 8);
  CHECK(int64_reply(statuses[3]) == 9);

  // A fetched result is gone for good, across another restart too.
  client.wait_for_jobs({ids[0]}, std::nullopt, /*forget=*/true);
  coordinator->kill(SIGKILL);
  coordinator->wait();
  coordinator.emplace(Daemon::coordinator_at(address, args));
  taskmill::ServiceClient again(service_config(address));
  again.wait_for_jobs(ids, 30s);
  CHECK(again.unknown_ids() == std::vector<std::uint64_t>{ids[0]});
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(journal.string() + suffix);
}

TEST_CASE("an executor's jobs each see exactly one result across coordinator restarts on a journal",
          "[integration][durability]") {
  const auto journal = journal_path("attached");
  const std::vector<std::string> args = {"--journal", journal.string(), "--heartbeat-ms", "200", "--liveness", "10"};
  std::optional<Daemon> coordinator;
  coordinator.emplace(Daemon::coordinator(args));
  const std::string address = coordinator->address();
  auto worker = Daemon::stock_worker(address, {"--slots", "2"});
  taskmill::Executor ex(service_config(address));
  constexpr int kJobs = 60;
  std::atomic<int> outcomes{0};
  std::vector<taskmill::Future<bool>> futures;
  for (int i = 0; i < kJobs; ++i) {
    futures.push_back(ex.submit(taskmill::jobs::sleep, 0.02));
    futures.back().add_done_callback([&](const taskmill::FutureBase&) { ++outcomes; });
  }
  for (int restart = 0; restart < 2; ++restart) {
    for (auto deadline = std::chrono::steady_clock::now() + 20s; outcomes.load() < (restart + 1) * kJobs / 4;) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(5ms);
    }
    coordinator->kill(SIGKILL);
    coordinator->wait();
    coordinator.emplace(Daemon::coordinator_at(address, args));
  }
  for (auto& f : futures) CHECK(f.get());
  // Callbacks run just after get() can see the outcome: wait for the last one.
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       outcomes.load() < kJobs && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(outcomes.load() == kJobs);  // one outcome per future, none lost, none twice
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(journal.string() + suffix);
}

TEST_CASE("taskmill-coordinator refuses a journal file that is not one, naming it", "[integration][durability]") {
  const auto journal = journal_path("garbage");
  std::ofstream(journal) << "this is not a database, but it is long enough to look like a file header........\n";
  ChildProcess refused(TASKMILL_COORDINATOR_BIN, {"--listen", "tcp://127.0.0.1:*", "--journal", journal.string()},
                       {.out = ChildProcess::Output::kNull, .err = ChildProcess::Output::kPipe});
  std::string line;
  refused.read_err_line(line);
  CHECK(refused.wait() == 2);
  CHECK_THAT(line, Catch::Contains("journal " + journal.string()));
  std::filesystem::remove(journal);
}
