// taskmill: run jobs and commands on a taskmill coordinator from the shell.
//
//   taskmill run [--timeout S] -- CMD ARG...           one command; its output and exit status
//   taskmill map -- CMD {} ::: a b c                   one command per input, outputs in input order
//   taskmill map JOB --args-file FILE.jsonl            one job per line of JSON arguments
//   taskmill submit JOB --args JSON [--wait]           a detached job: prints its id (or its result)
//   taskmill status|result|wait|cancel ID...           what became of detached jobs
//   taskmill list [--state S] | workers | catalog | stats
//   taskmill keygen NAME [--dir DIR]                    a CurveZMQ key pair (NAME.key, NAME.pub)
//
// Where: --coordinator ADDR (before or after the subcommand), $TASKMILL_COORDINATOR,
// or --config FILE (coordinator = "..."). With none, run/map/submit start an
// embedded coordinator with -j local workers for the command's duration.
// Exit codes: cli.h (and the README).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "keygen_command.h"
#include "taskmill/errors.h"
#include "taskmill/init.h"

namespace {

using namespace taskmill::cli;

constexpr const char* kFooter =
    "Exit codes: 0 success; 1 a job failed (or a command exited non-zero); 2 unknown job id; 124 timed out;\n"
    "125 taskmill failed (usage, bad input, no coordinator); 126 a command could not be run.";

void add_job_options(CLI::App* command, JobOptions& options) {
  command->add_option("--priority", options.priority, "higher runs first (default 0)");
  command->add_option("--timeout", options.timeout_s, "seconds a job may take, counted from submission (default: none)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--retries", options.retries, "runs again after its worker died (default 3)")
      ->check(CLI::Range(0, 100));
}

}  // namespace

int main(int argc, char** argv) {
  taskmill::init(argc, argv);  // the embedded coordinator's workers are this program, run again
  CLI::App app{"taskmill: run jobs and commands in parallel, with retries and results"};
  app.require_subcommand(1);
  app.footer(kFooter);
  Globals globals;
  std::string output = "text";
  app.add_option("--coordinator", globals.coordinator,
                 "coordinator address, e.g. tcp://HOST:5555 (default: $TASKMILL_COORDINATOR; none: embedded)");
  app.add_option("--config", globals.config_file, "client configuration file (TOML: coordinator, workers, ...)");
  app.add_option("-j,--jobs", globals.jobs, "local workers of an embedded coordinator (default: cores)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--output", output, "text or json")->check(CLI::IsMember({"text", "json"}));

  JobOptions job_options;
  std::vector<std::string> words;
  std::vector<std::string> ids;
  double timeout_s = 0;

  auto* run = app.add_subcommand("run", "run one command as a job; print its output and exit with its status");
  run->add_option("--timeout", timeout_s, "seconds before the command and its children are killed (exit 124)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("command", words, "the command and its arguments, after --")->required();

  auto* map = app.add_subcommand("map", "one job per input: 'map -- CMD {} ::: a b c' (or inputs on stdin), or "
                                        "'map JOB --args-file FILE.jsonl'; results in input order");
  std::string args_file;
  map->add_option("--args-file", args_file, "JSON arguments for JOB, one object per line ('-': stdin)");
  map->add_option("job_or_command", words, "JOB, or -- CMD ARG... [{}] [::: INPUT...]")->required();
  add_job_options(map, job_options);

  auto* submit = app.add_subcommand("submit", "submit a detached job; print its id (or with --wait its result)");
  std::string job;
  std::string args = "{}";
  bool wait = false;
  submit->add_option("job", job, "a job name from 'taskmill catalog'")->required();
  submit->add_option("--args", args, "the request as JSON (default {})");
  submit->add_flag("--wait", wait, "wait and print the result as JSON");
  add_job_options(submit, job_options);

  auto* status = app.add_subcommand("status", "show detached or running jobs");
  auto* result = app.add_subcommand("result", "wait for jobs and print their results (fetching them)");
  bool keep = false;
  result->add_option("--timeout", timeout_s, "seconds to wait (default: no limit; exit 124)")->check(CLI::NonNegativeNumber);
  result->add_flag("--keep", keep, "leave the results on the coordinator");
  auto* wait_for = app.add_subcommand("wait", "wait until jobs finish; print their states");
  wait_for->add_option("--timeout", timeout_s, "seconds to wait (default: no limit; exit 124)")->check(CLI::NonNegativeNumber);
  auto* cancel = app.add_subcommand("cancel", "cancel jobs: queued ones end, running ones are told to stop");
  for (auto* command : {status, result, wait_for, cancel}) command->add_option("id", ids, "job ids")->required();

  auto* list = app.add_subcommand("list", "list queued, running and unfetched finished jobs, oldest first");
  std::string state = "all";
  int limit = 1000;
  list->add_option("--state", state, "queued, running, finished or all")
      ->check(CLI::IsMember({"queued", "running", "finished", "all"}));
  list->add_option("--limit", limit, "show at most the newest N (default 1000)")->check(CLI::Range(1, 1000000));
  auto* workers = app.add_subcommand("workers", "the connected workers: slots, running jobs, jobs done");
  auto* catalog = app.add_subcommand("catalog", "the jobs the workers offer, with their request and reply fields");
  auto* stats = app.add_subcommand("stats", "queue depth, running, done, failed, throughput");
  const taskmill::cli::KeygenCommand keygen(app);
  // Global options also work after the subcommand: `taskmill status --coordinator X ID`.
  for (CLI::App* command : app.get_subcommands({})) command->fallthrough();


  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kTaskmillFailed;
  }
  globals.json = output == "json";
  try {
    if (keygen.chosen()) return keygen.run();
    if (*run) return run_command(globals, words, timeout_s);
    if (*map) {
      if (!args_file.empty()) {
        if (words.size() != 1) throw UsageError("map JOB --args-file FILE: one job name, no command");
        return map_job(globals, words.front(), args_file, job_options);
      }
      return map_commands(globals, words, job_options);
    }
    if (*submit) return submit_command(globals, job, args, job_options, wait);
    if (*status) return status_command(globals, ids);
    if (*result) return result_command(globals, ids, timeout_s, keep);
    if (*wait_for) return wait_command(globals, ids, timeout_s);
    if (*cancel) return cancel_command(globals, ids);
    if (*list) return list_command(globals, state, limit);
    if (*workers) return workers_command(globals);
    if (*catalog) return catalog_command(globals);
    if (*stats) return stats_command(globals);
    return kTaskmillFailed;  // require_subcommand(1) leaves no other way
  } catch (const UsageError& e) {
    std::fprintf(stderr, "taskmill: %s\n", e.what());
    return kTaskmillFailed;
  } catch (const taskmill::Error& e) {
    std::fprintf(stderr, "taskmill: %s\n", e.what());
    return kTaskmillFailed;
  }
}
