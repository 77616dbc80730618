// taskmill run and taskmill map: attached jobs, results in input order.
#include <fstream>
#include <iostream>

#include "command_jobs.h"
#include "commands.h"
#include "in_order.h"
#include "json_codec.h"
#include "taskmill/errors.h"
#include "taskmill/service_client.h"

namespace taskmill::cli {

namespace {

std::vector<std::string> read_lines(std::istream& in) {
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A command that could not even be started (not allowed here, not found)
// fails with an error type that says so.
bool could_not_run(const v1::JobResult& result) {
  return result.outcome() == v1::OUTCOME_FAILED || result.outcome() == v1::OUTCOME_REJECTED;
}

}  // namespace

int run_command(const Globals& globals, const std::vector<std::string>& command, double timeout_s) {
  const Config config = client_config(globals, "run", false);
  ServiceClient client(config);
  int status = kOk;
  run_in_order(client, std::string(jobs::exec.name()), {exec_request(command).SerializeAsString()},
               JobOptions{.timeout_s = timeout_s}, config, false, [&](std::size_t, const v1::JobResult& result) {
                 jobs::ExecReply reply;
                 if (result.outcome() == v1::OUTCOME_SUCCEEDED && reply.ParseFromString(result.reply())) {
                   write_all(stdout, reply.stdout());
                   write_all(stderr, reply.stderr());
                   status = reply.exit_code();
                 } else if (result.outcome() == v1::OUTCOME_TIMED_OUT) {
                   std::fprintf(stderr, "taskmill: '%s' timed out after %g s and was killed\n", command[0].c_str(),
                                timeout_s);
                   status = kTimedOut;
                 } else {
                   std::fprintf(stderr, "taskmill: %s\n", describe_failure(result).c_str());
                   status = could_not_run(result) ? kCannotRun : kJobFailed;
                 }
               });
  return status;
}

int map_commands(const Globals& globals, std::vector<std::string> words, const JobOptions& options) {
  std::vector<std::string> inputs;
  auto separator = std::find(words.begin(), words.end(), ":::");
  if (separator != words.end()) {
    inputs.assign(separator + 1, words.end());
    words.erase(separator, words.end());
  } else {
    inputs = read_lines(std::cin);
  }
  if (words.empty()) throw UsageError("map: a command is needed after --");
  std::vector<std::string> payloads;
  for (const std::string& input : inputs) payloads.push_back(exec_request(fill_in(words, input)).SerializeAsString());
  const Config config = client_config(globals, "map", false);
  ServiceClient client(config);
  std::vector<std::string> failures;
  run_in_order(client, std::string(jobs::exec.name()), std::move(payloads), options, config, true,
               [&](std::size_t i, const v1::JobResult& result) {
                 jobs::ExecReply reply;
                 if (result.outcome() != v1::OUTCOME_SUCCEEDED || !reply.ParseFromString(result.reply())) {
                   const std::string why = describe_failure(result);
                   failures.push_back("'" + inputs[i] + "' (" + why + ")");
                   if (globals.json) {
                     write_all(stdout, "{\"input\": " + json_string(inputs[i]) + ", \"error\": " + json_string(why) + "}\n");
                   }
                   return;
                 }
                 if (globals.json) {
                   write_all(stdout, json_line(inputs[i], reply) + "\n");
                 } else {
                   write_all(stdout, reply.stdout());
                   write_all(stderr, reply.stderr());
                 }
                 if (reply.exit_code() != 0) {
                   failures.push_back("'" + inputs[i] + "' (exit " + std::to_string(reply.exit_code()) + ")");
                 }
               });
  report_failures(failures, inputs.size());
  return failures.empty() ? kOk : kJobFailed;
}

int map_job(const Globals& globals, const std::string& job, const std::string& args_file, const JobOptions& options) {
  std::vector<std::string> lines;
  if (args_file == "-") {
    lines = read_lines(std::cin);
  } else {
    std::ifstream in(args_file);
    if (!in) throw UsageError("cannot read --args-file " + args_file);
    lines = read_lines(in);
  }
  std::erase_if(lines, [](const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; });
  const Config config = client_config(globals, "map", false);
  ServiceClient client(config);
  v1::Query query;
  query.mutable_catalog();
  const JsonCodec codec(client.ask(query).catalog());
  std::vector<std::string> payloads;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    try {
      payloads.push_back(codec.request_from_json(job, lines[i]));
    } catch (const Error& e) {
      throw UsageError(args_file + ": line " + std::to_string(i + 1) + ": " + e.what());
    }
  }
  std::vector<std::string> failures;
  run_in_order(client, job, std::move(payloads), options, config, true, [&](std::size_t i, const v1::JobResult& result) {
    if (result.outcome() != v1::OUTCOME_SUCCEEDED) {
      const std::string why = describe_failure(result);
      failures.push_back("line " + std::to_string(i + 1) + " (" + why + ")");
      if (globals.json) write_all(stdout, "{\"input\": " + lines[i] + ", \"error\": " + json_string(why) + "}\n");
      return;
    }
    const std::string reply = codec.reply_to_json(job, result.reply());
    write_all(stdout, globals.json ? "{\"input\": " + lines[i] + ", \"result\": " + reply + "}\n" : reply + "\n");
  });
  report_failures(failures, lines.size());
  return failures.empty() ? kOk : kJobFailed;
}

}  // namespace taskmill::cli
