// The taskmill command line, run as a user would: the real binary, embedded
// or against real daemons, checking its output and exit status.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_runner.h"
#include "support/daemons.h"
#include "support/processes.h"

using namespace std::chrono_literals;
using taskmill::testing::Daemon;
using taskmill::testing::process_gone;

using Outcome = taskmill::testing::CliRun;
using taskmill::testing::taskmill_cli;

TEST_CASE("taskmill run passes the command's output and exit status through", "[integration][cli]") {
  Outcome r = taskmill_cli({"-j", "1", "run", "--", "sh", "-c", "echo to-out; echo to-err >&2; exit 3"});
  CHECK(r.status == 3);
  CHECK(r.out == "to-out\n");
  CHECK_THAT(r.err, Catch::Contains("to-err\n"));
}

// 64 KiB and more of output makes a reply that travels as a frame of its own.
TEST_CASE("taskmill run and map pass output of 64 KiB and more through whole", "[integration][cli]") {
  const std::string big = "head -c 200000 /dev/zero | tr '\\0' x";
  Outcome run = taskmill_cli({"-j", "1", "run", "--", "sh", "-c", big});
  CHECK(run.status == 0);
  CHECK(run.out == std::string(200000, 'x'));
  Outcome map = taskmill_cli({"-j", "2", "map", "--", "sh", "-c", "head -c $0 /dev/zero | tr '\\0' y", ":::",
                              "70000", "10", "131072"});
  CHECK(map.status == 0);
  CHECK(map.out == std::string(70000, 'y') + std::string(10, 'y') + std::string(131072, 'y'));
}

TEST_CASE("taskmill map runs one job per input and prints results in input order", "[integration][cli]") {
  Outcome r = taskmill_cli({"-j", "2", "map", "--", "sh", "-c", "sleep 0.$((RANDOM % 3)); echo $0-done", "{}", ":::",
                            "c", "a", "b"});
  CHECK(r.status == 0);
  CHECK(r.out == "c-done\na-done\nb-done\n");
  Outcome from_stdin = taskmill_cli({"-j", "2", "map", "--", "echo", "line"}, "one\ntwo\n");
  CHECK(from_stdin.out == "line one\nline two\n");
  Outcome json = taskmill_cli({"-j", "1", "map", "--output", "json", "--", "printf", "%s", "{}", ":::", "x\"y"});
  CHECK(json.out == "{\"input\": \"x\\\"y\", \"exit_code\": 0, \"signal\": 0, \"stdout\": \"x\\\"y\", \"stderr\": \"\"}\n");
}

TEST_CASE("taskmill map exits non-zero and names the inputs whose commands failed", "[integration][cli]") {
  Outcome r = taskmill_cli({"-j", "2", "map", "--", "sh", "-c", "exit $0", ":::", "0", "3", "0", "5"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("2 of 4 jobs failed: '3' (exit 3), '5' (exit 5)"));
}

TEST_CASE("taskmill run --timeout kills a hanging command and its children (exit 124)", "[integration][cli]") {
  const auto pid_file = std::filesystem::temp_directory_path() / ("taskmill-cli-" + std::to_string(::getpid()));
  std::filesystem::remove(pid_file);
  Outcome r = taskmill_cli({"-j", "1", "run", "--timeout", "0.5", "--", "sh", "-c",
                            "sleep 60 & echo $! > " + pid_file.string() + "; wait"});
  CHECK(r.status == 124);
  CHECK_THAT(r.err, Catch::Contains("timed out"));
  int child = 0;
  std::ifstream(pid_file) >> child;
  REQUIRE(child > 0);
  CHECK(process_gone(child));
  std::filesystem::remove(pid_file);
}

TEST_CASE("taskmill says clearly when no coordinator answers, or the usage is wrong (exit 125)", "[integration][cli]") {
  Outcome r = taskmill_cli({"--coordinator", "tcp://127.0.0.1:9", "run", "--", "true"});
  CHECK(r.status == 125);
  CHECK_THAT(r.err, Catch::Contains("no coordinator answered at tcp://127.0.0.1:9"));
  Outcome usage = taskmill_cli({"run"});
  CHECK(usage.status == 125);
  Outcome unknown = taskmill_cli({"frobnicate"});
  CHECK(unknown.status == 125);
}

TEST_CASE("taskmill runs commands on a coordinator's workers only where they are allowed", "[integration][cli][service]") {
  auto coordinator = Daemon::coordinator();
  {
    auto strict = Daemon::stock_worker(coordinator.address(), {});
    Outcome refused = taskmill_cli({"--coordinator", coordinator.address(), "run", "--", "echo", "hi"});
    CHECK(refused.status == 126);
    CHECK_THAT(refused.err, Catch::Contains("--allow-exec"));
  }
  auto open = Daemon::stock_worker(coordinator.address(), {"--allow-exec"});
  Outcome r = taskmill_cli({"--coordinator", coordinator.address(), "map", "--", "echo", ":::", "1", "2"});
  CHECK(r.status == 0);
  CHECK(r.out == "1\n2\n");
  Outcome big = taskmill_cli({"--coordinator", coordinator.address(), "run", "--", "head", "-c", "100000", "/dev/zero"});
  CHECK(big.status == 0);
  CHECK(big.out == std::string(100000, '\0'));
}
