// A client SIGKILLed in the middle of a map: the coordinator notices it is
// gone (missed heartbeats), drops its queued jobs and stops its running ones,
// commands' process groups included; detached jobs are not its to take along.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/daemons.h"
#include "support/processes.h"
#include "taskmill/codec.h"
#include "taskmill/service_client.h"

using namespace std::chrono_literals;
using taskmill::testing::ChildProcess;
using taskmill::testing::Daemon;
using taskmill::testing::process_gone;
namespace v1 = taskmill::v1;

namespace {

v1::Stats stats_of(taskmill::ServiceClient& client) {
  v1::Query query;
  query.mutable_stats();
  return client.ask(query).stats();
}

}  // namespace

TEST_CASE("a client killed mid-map leaves nothing running or queued behind it", "[integration][faults][cli]") {
  auto coordinator = Daemon::coordinator({"--heartbeat-ms", "100", "--liveness", "3"});
  auto worker = Daemon::stock_worker(coordinator.address(), {"--slots", "2", "--allow-exec"});
  const auto dir = std::filesystem::temp_directory_path() / ("taskmill-orphans-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  taskmill::Config config;
  config.coordinator = coordinator.address();
  taskmill::ServiceClient observer(config);
  // A detached job of someone else's must survive the killed client.
  v1::JobSpec other;
  other.set_job("sleep");
  other.set_payload(taskmill::Codec<double>::encode(0.5));
  const std::uint64_t survivor = observer.submit_detached({other}).front();

  std::vector<std::string> args = {"--coordinator", coordinator.address(), "map", "--", "sh", "-c",
                                   "echo $$ > " + dir.string() + "/$0; exec sleep 60", ":::"};
  for (int i = 0; i < 6; ++i) args.push_back(std::to_string(i));
  ChildProcess cli(TASKMILL_CLI_BIN, args, {.out = ChildProcess::Output::kNull, .err = ChildProcess::Output::kNull});
  // Two commands run (two slots), the other four wait in the queue.
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) < 2;) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(5ms);
  }
  cli.kill(SIGKILL);
  cli.wait();

  for (auto deadline = std::chrono::steady_clock::now() + 20s;; std::this_thread::sleep_for(20ms)) {
    const v1::Stats stats = stats_of(observer);
    if (stats.queued() == 0 && stats.running() == 0) break;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    int pid = 0;
    std::ifstream(entry.path()) >> pid;
    REQUIRE(pid > 0);
    CHECK(process_gone(pid));  // its process group was killed with the job
  }
  CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 2);
  const auto survived = observer.wait_for_jobs({survivor}, 20s);
  REQUIRE(survived.size() == 1);
  CHECK(survived[0].outcome() == v1::OUTCOME_SUCCEEDED);
  std::filesystem::remove_all(dir);
}
