// taskmill: run commands as jobs, in parallel, with retries and results.
//
//   taskmill run [--timeout S] -- CMD ARG...          one command; its output and exit status
//   taskmill map [-j N] -- CMD {} ::: a b c           one job per input, outputs in input order
//   printf 'a\nb\n' | taskmill map -- CMD {}          inputs from stdin, one per line
//
// Where the jobs run: --coordinator ADDR (or $TASKMILL_COORDINATOR) submits to
// a coordinator service; otherwise the command starts an embedded coordinator
// with -j local workers for its own duration. --config FILE gives a whole
// executor configuration instead.
//
// Exit status: run passes the command's own; map is 0 when every command
// exited 0 and 1 otherwise; 124 a timeout; 125 taskmill itself failed (bad
// usage, no coordinator); 126 the command could not be run (not allowed,
// not found).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "command_jobs.h"
#include "keygen_command.h"
#include "taskmill/executor.h"
#include "taskmill/init.h"
#include "taskmill/jobs/exec.h"

namespace {

constexpr int kTimedOut = 124;
constexpr int kTaskmillFailed = 125;
constexpr int kCannotRun = 126;

struct Where {
  std::string coordinator;
  std::string config_file;
  int jobs = 0;  // local workers; 0: hardware threads
};

taskmill::Config config_for(const Where& where) {
  if (!where.config_file.empty()) return taskmill::Config::load_file(where.config_file);
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  std::string coordinator = where.coordinator;
  if (coordinator.empty()) {
    const char* env = std::getenv("TASKMILL_COORDINATOR");
    if (env != nullptr) coordinator = env;
  }
  config.coordinator = coordinator;
  if (coordinator.empty() && where.jobs > 0) config.workers = static_cast<std::size_t>(where.jobs);
  return config;
}

void write_all(std::FILE* to, const std::string& bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), to);
  std::fflush(to);
}

int run_command(const Where& where, const std::vector<std::string>& command, double timeout_s) {
  taskmill::Executor ex(config_for(where));
  taskmill::SubmitOptions options;
  if (timeout_s > 0) {
    options.timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(timeout_s));
  }
  auto f = ex.submit(taskmill::jobs::exec, taskmill::cli::exec_request(command), options);
  try {
    const taskmill::jobs::ExecReply& reply = f.get();
    write_all(stdout, reply.stdout());
    write_all(stderr, reply.stderr());
    return reply.exit_code();
  } catch (const taskmill::TimeoutError&) {
    std::fprintf(stderr, "taskmill: '%s' timed out after %g s and was killed\n", command[0].c_str(), timeout_s);
    return kTimedOut;
  } catch (const taskmill::JobError& e) {
    std::fprintf(stderr, "taskmill: %s\n", e.what());
    return kCannotRun;
  }
}

std::vector<std::string> read_lines(std::istream& in) {
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int map_command(const Where& where, std::vector<std::string> words, bool json) {
  std::vector<std::string> inputs;
  auto separator = std::find(words.begin(), words.end(), ":::");
  if (separator != words.end()) {
    inputs.assign(separator + 1, words.end());
    words.erase(separator, words.end());
  } else {
    inputs = read_lines(std::cin);
  }
  if (words.empty()) throw CLI::ValidationError("map", "a command is needed after --");
  taskmill::Executor ex(config_for(where));
  std::vector<taskmill::Future<taskmill::jobs::ExecReply>> futures;
  futures.reserve(inputs.size());
  for (const std::string& input : inputs) {
    futures.push_back(ex.submit(taskmill::jobs::exec, taskmill::cli::exec_request(taskmill::cli::fill_in(words, input))));
  }
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    try {
      const taskmill::jobs::ExecReply& reply = futures[i].get();
      if (json) {
        write_all(stdout, taskmill::cli::json_line(inputs[i], reply) + "\n");
      } else {
        write_all(stdout, reply.stdout());
        write_all(stderr, reply.stderr());
      }
      if (reply.exit_code() != 0) failures.push_back("'" + inputs[i] + "' (exit " + std::to_string(reply.exit_code()) + ")");
    } catch (const taskmill::Error& e) {
      failures.push_back("'" + inputs[i] + "' (" + e.what() + ")");
      if (json) write_all(stdout, "{\"input\": " + taskmill::cli::json_string(inputs[i]) + ", \"error\": " +
                                      taskmill::cli::json_string(e.what()) + "}\n");
    }
  }
  if (!failures.empty()) {
    std::string list;
    for (const std::string& f : failures) list += (list.empty() ? "" : ", ") + f;
    std::fprintf(stderr, "taskmill: %zu of %zu jobs failed: %s\n", failures.size(), inputs.size(), list.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  taskmill::init(argc, argv);  // the embedded coordinator's workers are this program, run again
  CLI::App app{"taskmill: run commands as jobs, in parallel, with retries and results"};
  app.require_subcommand(1);
  Where where;
  app.add_option("--coordinator", where.coordinator, "coordinator address (default: $TASKMILL_COORDINATOR; none: embedded)");
  app.add_option("--config", where.config_file, "executor configuration file (TOML) instead of the options above");
  app.add_option("-j,--jobs", where.jobs, "local workers for an embedded coordinator (default: cores)")->check(CLI::Range(1, 4096));

  auto* run = app.add_subcommand("run", "run one command as a job; exit with its status");
  std::vector<std::string> run_command_line;
  double timeout_s = 0;
  run->add_option("--timeout", timeout_s, "seconds before the command is killed (exit 124)")->check(CLI::NonNegativeNumber);
  run->add_option("command", run_command_line, "the command and its arguments, after --")->required();

  auto* map = app.add_subcommand("map", "run a command once per input ('::: a b c', or lines on stdin)");
  std::vector<std::string> map_words;
  std::string output = "text";
  map->add_option("--output", output, "text (the commands' output) or json (one line per input)")
      ->check(CLI::IsMember({"text", "json"}));
  map->add_option("command", map_words, "CMD ARG... [{}] [::: INPUT...], after --")->required();
  for (auto* sub : {run, map}) {
    sub->add_option("--coordinator", where.coordinator, "coordinator address");
    sub->add_option("-j,--jobs", where.jobs, "local workers for an embedded coordinator")->check(CLI::Range(1, 4096));
  }

  const taskmill::cli::KeygenCommand keygen(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : kTaskmillFailed;
  }
  try {
    if (keygen.chosen()) return keygen.run();
    if (*run) return run_command(where, run_command_line, timeout_s);
    return map_command(where, map_words, output == "json");
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "taskmill: %s\n", e.what());
    return kTaskmillFailed;
  } catch (const taskmill::Error& e) {
    std::fprintf(stderr, "taskmill: %s\n", e.what());
    return kTaskmillFailed;
  }
}
