// The built-in exec job: commands with their output, stdin, environment and
// working directory; time limits, deadlines and cancels that end the whole
// process group; the policy that decides which programs a worker runs.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "support/daemons.h"
#include "support/processes.h"
#include "support/executors.h"
#include "taskmill/executor.h"
#include "taskmill/jobs/exec.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
using taskmill::jobs::ExecReply;
using taskmill::jobs::ExecRequest;

namespace {

ExecRequest command(std::initializer_list<std::string> argv) {
  ExecRequest r;
  for (const std::string& a : argv) r.add_argv(a);
  return r;
}


int read_pid(const std::filesystem::path& file) {
  int pid = 0;
  while (pid == 0) {
    std::ifstream in(file);
    in >> pid;
    if (pid == 0) std::this_thread::sleep_for(5ms);
  }
  return pid;
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("taskmill-exec-" + std::to_string(::getpid()) + "-" + name);
}

struct AllowAny {
  AllowAny() { taskmill::jobs::set_exec_policy({.allow_any = true, .programs = {}}); }
  ~AllowAny() { taskmill::jobs::set_exec_policy({}); }
};

}  // namespace

TEST_CASE("exec returns the exit status and both outputs", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(2);
  ExecReply r = ex.submit(taskmill::jobs::exec, command({"sh", "-c", "echo out; echo err >&2; exit 3"})).get();
  CHECK(r.exit_code() == 3);
  CHECK(r.signal() == 0);
  CHECK(r.stdout() == "out\n");
  CHECK(r.stderr() == "err\n");
  CHECK_FALSE(r.time_limit_hit());
}

TEST_CASE("exec feeds stdin and sets the environment and working directory", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(1);
  ExecRequest cat = command({"cat"});
  cat.set_stdin(std::string(200000, 'x'));  // more than a pipe holds
  CHECK(ex.submit(taskmill::jobs::exec, cat).get().stdout() == std::string(200000, 'x'));
  ExecRequest env = command({"sh", "-c", "echo \"$FOO\"; pwd"});
  (*env.mutable_env())["FOO"] = "bar";
  env.set_cwd("/");
  CHECK(ex.submit(taskmill::jobs::exec, env).get().stdout() == "bar\n/\n");
  ExecRequest bare = command({"/usr/bin/env"});
  bare.set_clear_env(true);
  (*bare.mutable_env())["ONLY"] = "this";
  CHECK(ex.submit(taskmill::jobs::exec, bare).get().stdout() == "ONLY=this\n");
}

TEST_CASE("exec keeps output up to its limit and says it cut the rest", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(1);
  ExecRequest r = command({"head", "-c", "100000", "/dev/zero"});
  r.set_max_output_bytes(1000);
  ExecReply out = ex.submit(taskmill::jobs::exec, r).get();
  CHECK(out.stdout().size() == 1000);
  CHECK(out.stdout_truncated());
  CHECK(out.exit_code() == 0);
}

TEST_CASE("a command past its time limit is killed with its whole process group", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(1);
  const auto pid_file = temp_file("limit");
  std::filesystem::remove(pid_file);
  ExecRequest r = command({"sh", "-c", "sleep 60 & echo $! > " + pid_file.string() + "; wait"});
  r.set_time_limit_seconds(0.3);
  ExecReply out = ex.submit(taskmill::jobs::exec, r).get();
  CHECK(out.time_limit_hit());
  CHECK(out.signal() == SIGTERM);
  CHECK(out.exit_code() == 128 + SIGTERM);
  CHECK(process_gone(read_pid(pid_file)));  // the background child went with it
  std::filesystem::remove(pid_file);
}

TEST_CASE("cancelling a running command kills its process group", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(1);
  const auto pid_file = temp_file("cancel");
  std::filesystem::remove(pid_file);
  auto f = ex.submit(taskmill::jobs::exec, command({"sh", "-c", "sleep 60 & echo $! > " + pid_file.string() + "; wait"}));
  const int child = read_pid(pid_file);
  CHECK_FALSE(f.cancel());  // running: asked to stop
  CHECK_THROWS_AS(f.get(), taskmill::CancelledError);
  CHECK(process_gone(child));
  std::filesystem::remove(pid_file);
}

TEST_CASE("a command that outlives its job's deadline ends TIMED_OUT, killed", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(1);
  auto f = ex.submit(taskmill::jobs::exec, command({"sleep", "60"}), {.timeout = 200ms});
  CHECK_THROWS_AS(f.get(), taskmill::TimeoutError);
  CHECK(f.state() == taskmill::JobState::kTimedOut);
}

TEST_CASE("a program that cannot be started is a clear failure", "[integration][exec]") {
  AllowAny allow;
  auto ex = executor_with(1);
  CHECK_THROWS_WITH(ex.submit(taskmill::jobs::exec, command({"/nonexistent/program"})).get(),
                    Catch::Contains("cannot run '/nonexistent/program'"));
  CHECK_THROWS_WITH(ex.submit(taskmill::jobs::exec, ExecRequest{}).get(), Catch::Contains("argv is empty"));
}

TEST_CASE("exec runs nothing that the worker's policy does not allow", "[integration][exec]") {
  taskmill::jobs::set_exec_policy({});
  auto ex = executor_with(1);
  try {
    ex.submit(taskmill::jobs::exec, command({"true"})).get();
    FAIL("a command ran without being allowed");
  } catch (const taskmill::JobError& e) {
    CHECK(e.remote_type() == "taskmill::jobs::ExecNotAllowedError");
    CHECK_THAT(e.what(), Catch::Contains("--allow-exec"));
  }
  taskmill::jobs::set_exec_policy({.allow_any = false, .programs = {"true"}});
  CHECK(ex.submit(taskmill::jobs::exec, command({"/usr/bin/true"})).get().exit_code() == 0);
  CHECK_THROWS_AS(ex.submit(taskmill::jobs::exec, command({"false"})).get(), taskmill::JobError);
  taskmill::jobs::set_exec_policy({});
}

TEST_CASE("embedded workers run commands, and service workers only as their flags allow", "[integration][exec][process]") {
  taskmill::Config embedded;
  embedded.backend = taskmill::BackendKind::kProcess;
  embedded.workers = 1;
  {
    taskmill::Executor ex(embedded);
    CHECK(ex.submit(taskmill::jobs::exec, command({"echo", "hi"})).get().stdout() == "hi\n");
  }
  auto coordinator = Daemon::coordinator();
  taskmill::Config service;
  service.backend = taskmill::BackendKind::kProcess;
  service.coordinator = coordinator.address();
  {
    auto strict = Daemon::stock_worker(coordinator.address(), {});
    taskmill::Executor ex(service);
    CHECK_THROWS_WITH(ex.submit(taskmill::jobs::exec, command({"echo", "hi"})).get(), Catch::Contains("--allow-exec"));
  }
  auto only_echo = Daemon::stock_worker(coordinator.address(), {"--allow-program", "echo"});
  taskmill::Executor ex(service);
  CHECK(ex.submit(taskmill::jobs::exec, command({"echo", "ok"})).get().stdout() == "ok\n");
  CHECK_THROWS_AS(ex.submit(taskmill::jobs::exec, command({"cat"})).get(), taskmill::JobError);
}
