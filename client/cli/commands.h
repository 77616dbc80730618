// commands.h: one function per taskmill subcommand. Each returns the exit
// code (cli.h) and throws UsageError or taskmill::Error for the caller to
// report.
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace taskmill::cli {

// run -- CMD ARG...: the command's output, and its exit status.
int run_command(const Globals& globals, const std::vector<std::string>& command, double timeout_s);
// map -- CMD {} ::: INPUT... (or inputs on stdin): one command per input.
int map_commands(const Globals& globals, std::vector<std::string> words, const JobOptions& options);
// map JOB --args-file FILE.jsonl: one job per line of JSON arguments.
int map_job(const Globals& globals, const std::string& job, const std::string& args_file, const JobOptions& options);

// submit JOB --args JSON [--wait]
int submit_command(const Globals& globals, const std::string& job, const std::string& args, const JobOptions& options,
                   bool wait);
int status_command(const Globals& globals, const std::vector<std::string>& ids);
int result_command(const Globals& globals, const std::vector<std::string>& ids, double timeout_s, bool keep);
int wait_command(const Globals& globals, const std::vector<std::string>& ids, double timeout_s);
int cancel_command(const Globals& globals, const std::vector<std::string>& ids);
int list_command(const Globals& globals, const std::string& state, int limit);
int workers_command(const Globals& globals);
int catalog_command(const Globals& globals);
int stats_command(const Globals& globals);

}  // namespace taskmill::cli
