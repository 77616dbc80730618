// The taskmill CLI's detached jobs and queries (submit, status, result, wait,
// cancel, list, workers, catalog, stats, map JOB --args-file), run as a user
// would: the real binary against real daemons, or with an embedded coordinator.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_runner.h"
#include "support/daemons.h"
#include "support/fake_worker.h"
#include "support/processes.h"
#include "taskmill/service_client.h"

using namespace std::chrono_literals;
using taskmill::testing::ChildProcess;
using taskmill::testing::CliRun;
using taskmill::testing::Daemon;
using taskmill::testing::FakeWorker;
using taskmill::testing::process_gone;
using taskmill::testing::taskmill_cli;

namespace {

// A coordinator and one stock worker (exec allowed), registered before the test goes on.
struct Service {
  explicit Service(std::vector<std::string> coordinator_args = {}, int slots = 2)
      : coordinator(Daemon::coordinator(std::move(coordinator_args))),
        worker(Daemon::stock_worker(coordinator.address(), {"--slots", std::to_string(slots), "--allow-exec"})) {
    taskmill::Config config;
    config.coordinator = coordinator.address();
    taskmill::ServiceClient client(config);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    taskmill::v1::Query stats;
    stats.mutable_stats();
    while (client.ask(stats).stats().workers() == 0) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(10ms);
    }
  }
  CliRun cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--coordinator", coordinator.address()});
    return taskmill_cli(args);
  }
  Daemon coordinator;
  Daemon worker;
};

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("taskmill-cli-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

TEST_CASE("taskmill submit prints a job id that status, wait and result follow, and a result is fetched once",
          "[integration][cli][service]") {
  Service service;
  CliRun submitted = service.cli({"submit", "count_primes", "--args", R"({"lo": 1, "hi": 100})"});
  REQUIRE(submitted.status == 0);
  const std::string id = first_line(submitted.out);
  REQUIRE(!id.empty());

  CliRun waited = service.cli({"wait", id});
  CHECK(waited.status == 0);
  CHECK_THAT(waited.out, Catch::Contains(id) && Catch::Contains("SUCCEEDED"));

  CliRun status = service.cli({"--output", "json", "status", id});
  CHECK(status.status == 0);
  CHECK_THAT(status.out, Catch::Contains("\"job\":\"count_primes\"") && Catch::Contains("\"OUTCOME_SUCCEEDED\""));

  CliRun result = service.cli({"result", id});
  CHECK(result.status == 0);
  CHECK(result.out == "\"25\"\n");  // protobuf's JSON mapping writes an int64 as a string

  CliRun again = service.cli({"result", id});
  CHECK(again.status == 2);
  CHECK_THAT(again.err, Catch::Contains("not known"));
}

TEST_CASE("a detached job outlives the taskmill process that submitted it", "[integration][cli][service]") {
  Service service;
  CliRun submitted = service.cli({"submit", "sleep", "--args", "0.5"});
  REQUIRE(submitted.status == 0);
  const std::string id = first_line(submitted.out);
  CliRun status = service.cli({"status", id});
  CHECK_THAT(status.out, Catch::Contains("QUEUED") || Catch::Contains("RUNNING") || Catch::Contains("SUCCEEDED"));
  CliRun result = service.cli({"result", "--timeout", "30", id});
  CHECK(result.status == 0);
  CHECK(result.out == "true\n");
}

TEST_CASE("taskmill submit --wait prints the result as JSON, and bad arguments name the field", "[integration][cli][service]") {
  Service service;
  CliRun waited = service.cli({"--output", "json", "submit", "--wait", "count_primes", "--args", R"({"lo": 1, "hi": 10})"});
  CHECK(waited.status == 0);
  CHECK_THAT(waited.out, Catch::Contains("\"outcome\": \"SUCCEEDED\", \"result\": \"4\""));

  CliRun wrong_type = service.cli({"submit", "count_primes", "--args", R"({"lo": "many"})"});
  CHECK(wrong_type.status == 125);
  CHECK_THAT(wrong_type.err, Catch::Contains("lo") && Catch::Contains("taskmill.jobs.v1.Range"));
  CliRun wrong_field = service.cli({"submit", "count_primes", "--args", R"({"low": 1})"});
  CHECK(wrong_field.status == 125);
  CHECK_THAT(wrong_field.err, Catch::Contains("low"));
  CliRun not_json = service.cli({"submit", "count_primes", "--args", "{lo: 1"});
  CHECK(not_json.status == 125);
  CHECK(std::count(not_json.err.begin(), not_json.err.end(), '\n') == 1);
  CliRun unknown = service.cli({"submit", "frobnicate"});
  CHECK(unknown.status == 125);
  CHECK_THAT(unknown.err, Catch::Contains("unknown job 'frobnicate'") && Catch::Contains("count_primes"));
}

TEST_CASE("a catalog whose request type requires a field: taskmill submit names it when missing, and sends it when given",
          "[integration][cli][service]") {
  // A proto2 message with a required field, as any worker may declare: protobuf
  // aborts a process that encodes one without it, so the CLI must refuse first.
  google::protobuf::FileDescriptorSet files;
  google::protobuf::FileDescriptorProto* file = files.add_file();
  file->set_name("strict.proto");
  file->set_package("strict.v1");
  file->set_syntax("proto2");
  google::protobuf::DescriptorProto* strict = file->add_message_type();
  strict->set_name("Strict");
  google::protobuf::FieldDescriptorProto* n = strict->add_field();
  n->set_name("n");
  n->set_number(1);
  n->set_label(google::protobuf::FieldDescriptorProto::LABEL_REQUIRED);
  n->set_type(google::protobuf::FieldDescriptorProto::TYPE_INT64);

  auto coordinator = Daemon::coordinator({"--heartbeat-ms", "60000"});  // the fake worker sends no heartbeats
  zmq::context_t context;
  FakeWorker worker(context, coordinator.address(), "strict-worker",
                    {FakeWorker::job("strict", "strict.v1.Strict", "strict.v1.Strict")}, files);
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--coordinator", coordinator.address()});
    return taskmill_cli(args);
  };
  CliRun missing = cli({"submit", "strict", "--args", "{}"});
  CHECK(missing.status == 125);
  CHECK(missing.err == "taskmill: bad arguments for job 'strict' (strict.v1.Strict): missing field n\n");
  CHECK(worker.next(200ms).body_case() == taskmill::v1::Envelope::BODY_NOT_SET);  // nothing was submitted

  CliRun given = cli({"submit", "strict", "--args", R"({"n": 3})"});
  CHECK(given.status == 0);
  taskmill::v1::Envelope assigned = worker.next(10s);
  REQUIRE(assigned.has_assign());
  CHECK(assigned.assign().jobs(0).payload() == std::string("\x08\x03", 2));  // field 1, varint 3

  // Its reply lacks the field too (an empty one): shown as an error, not a crash.
  worker.finish(assigned.assign(), 1);
  const std::string id = first_line(given.out);
  CHECK(cli({"wait", id}).status == 0);
  CliRun result = cli({"result", id});
  CHECK(result.status != 0);
  CHECK_THAT(result.err, Catch::Contains("the reply of job 'strict' is not a strict.v1.Strict"));
}

TEST_CASE("taskmill cancel ends a queued job and kills a running command's process group", "[integration][cli][service]") {
  Service service({}, /*slots=*/1);
  const auto pid_file = temp_file("cancel");
  std::filesystem::remove(pid_file);
  const std::string exec_args =
      R"({"argv": ["sh", "-c", "sleep 60 & echo $! > )" + pid_file.string() + R"(; wait"]})";
  const std::string running = first_line(service.cli({"submit", "exec", "--args", exec_args}).out);
  const std::string queued = first_line(service.cli({"submit", "sleep", "--args", "60"}).out);
  int child = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 20s; child == 0; std::this_thread::sleep_for(10ms)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::ifstream(pid_file) >> child;
  }
  // The worker reports a start once the job has run for 50 ms (docs/protocol.md).
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       service.cli({"list", "--state", "running"}).out.find(running) == std::string::npos;
       std::this_thread::sleep_for(10ms)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  CliRun listed = service.cli({"list", "--state", "queued"});
  CHECK_THAT(listed.out, Catch::Contains(queued) && !Catch::Contains(running));

  CliRun cancelled = service.cli({"cancel", queued, running});
  CHECK(cancelled.status == 0);
  CliRun waited = service.cli({"wait", "--timeout", "30", running, queued});
  CHECK(waited.status == 1);  // cancelled is not success
  CHECK(std::count(waited.out.begin(), waited.out.end(), '\n') == 3);  // header and two jobs
  CHECK_THAT(waited.out, Catch::Matches("(.|\n)*CANCELLED(.|\n)*CANCELLED(.|\n)*"));
  CHECK(process_gone(child));

  CliRun stats = service.cli({"--output", "json", "stats"});
  CHECK_THAT(stats.out, Catch::Contains("\"cancelled\":\"2\""));
  CliRun unknown = service.cli({"cancel", "12345"});
  CHECK(unknown.status == 2);
  std::filesystem::remove(pid_file);
}

TEST_CASE("taskmill workers, catalog and stats show what is connected and what ran", "[integration][cli][service]") {
  Service service;
  CliRun workers = service.cli({"workers"});
  CHECK(workers.status == 0);
  CHECK_THAT(workers.out, Catch::Contains(std::to_string(service.worker.pid())) && Catch::Contains("count_primes"));

  CliRun catalog = service.cli({"catalog"});
  CHECK_THAT(catalog.out, Catch::Contains("count_primes  Range{lo: int64, hi: int64} -> Int64Value{value: int64}"));
  CliRun catalog_json = service.cli({"--output", "json", "catalog"});
  CHECK_THAT(catalog_json.out, Catch::Contains(R"({"name": "exec", "request_type": "taskmill.jobs.v1.ExecRequest")"));

  REQUIRE(service.cli({"submit", "--wait", "identity", "--args", "7"}).status == 0);
  CliRun stats = service.cli({"stats"});
  CHECK_THAT(stats.out, Catch::Contains("succeeded   1") && Catch::Contains("workers     1 (2 slots)"));
}

TEST_CASE("a detached job's result is dropped once the result time-to-live passes", "[integration][cli][service]") {
  Service service({"--result-ttl", "1", "--heartbeat-ms", "100"});
  const std::string id = first_line(service.cli({"submit", "identity", "--args", "1"}).out);
  REQUIRE(service.cli({"wait", id}).status == 0);
  CliRun status = service.cli({"status", id});
  for (auto deadline = std::chrono::steady_clock::now() + 20s; status.status == 0; status = service.cli({"status", id})) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }
  CHECK(status.status == 2);
}

TEST_CASE("taskmill map JOB --args-file runs a job per line, in input order, and reports failures",
          "[integration][cli]") {
  const auto args = temp_file("args.jsonl");
  std::ofstream(args) << R"({"lo": 1, "hi": 100})" << "\n\n" << R"({"lo": 1, "hi": 10})" << "\n" << R"({"hi": 3})" << "\n";
  CliRun r = taskmill_cli({"-j", "2", "--output", "json", "map", "count_primes", "--args-file", args.string()});
  CHECK(r.status == 0);
  CHECK(r.out == "{\"input\": {\"lo\": 1, \"hi\": 100}, \"result\": \"25\"}\n"
                 "{\"input\": {\"lo\": 1, \"hi\": 10}, \"result\": \"4\"}\n"
                 "{\"input\": {\"hi\": 3}, \"result\": \"1\"}\n");

  std::ofstream(args) << "0.01\n30\n0\n";
  CliRun timed = taskmill_cli({"-j", "2", "map", "sleep", "--args-file", args.string(), "--timeout", "0.5"});
  CHECK(timed.status == 1);
  CHECK(timed.out == "true\ntrue\n");
  CHECK_THAT(timed.err, Catch::Contains("1 of 3 jobs failed: line 2 (TIMED_OUT"));

  std::ofstream(args) << "1\n\"two\"\n";
  CliRun bad = taskmill_cli({"-j", "1", "map", "sleep", "--args-file", args.string()});
  CHECK(bad.status == 125);
  CHECK_THAT(bad.err, Catch::Contains("line 2"));
  std::filesystem::remove(args);
}

TEST_CASE("taskmill submit without a coordinator runs the job on local workers and prints its result",
          "[integration][cli]") {
  CliRun r = taskmill_cli({"-j", "1", "submit", "count_primes", "--args", R"({"lo": 1, "hi": 100})"});
  CHECK(r.status == 0);
  CHECK(r.out == "\"25\"\n");
}

TEST_CASE("queries need a coordinator and say so, and an unreachable one is a bounded, clear error", "[integration][cli]") {
  CliRun none = taskmill_cli({"status", "1"});
  CHECK(none.status == 125);
  CHECK_THAT(none.err, Catch::Contains("--coordinator"));
  CliRun bad_id = taskmill_cli({"--coordinator", "tcp://127.0.0.1:9", "status", "x1"});
  CHECK(bad_id.status == 125);
  CHECK_THAT(bad_id.err, Catch::Contains("'x1' is not a job id"));
  CliRun gone = taskmill_cli({"stats", "--coordinator", "tcp://127.0.0.1:9"});  // global option after the subcommand
  CHECK(gone.status == 125);
  CHECK_THAT(gone.err, Catch::Contains("no coordinator answered at tcp://127.0.0.1:9"));
}

TEST_CASE("taskmill map draws a progress bar only when stderr is a terminal", "[integration][cli]") {
  // script(1) runs the command on a pseudo-terminal and copies what it wrote.
  const std::string command = std::string(TASKMILL_CLI_BIN) + " -j 2 map -- true ::: 1 2 3";
  CliRun on_terminal = [&] {
    ChildProcess script("script", {"-qefc", command, "/dev/null"}, {.err = ChildProcess::Output::kNull});
    std::string out = script.read_rest();
    return CliRun{script.wait(), std::move(out), ""};
  }();
  CHECK(on_terminal.status == 0);
  CHECK_THAT(on_terminal.out, Catch::Contains("3/3") && Catch::Contains("/s  ETA"));
  CliRun piped = taskmill_cli({"-j", "2", "map", "--", "true", ":::", "1", "2", "3"});
  CHECK(piped.status == 0);
  INFO("stderr when piped: " << piped.err);  // under ASan it once held a link-reset warning (fixed in 1907eea)
  CHECK(piped.err.empty());
}
