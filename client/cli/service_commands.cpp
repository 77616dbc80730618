// taskmill submit, status, result, wait, cancel, list, workers, catalog,
// stats: detached jobs and queries, through a ServiceClient.
#include <algorithm>
#include <chrono>
#include <optional>

#include "command_jobs.h"
#include "commands.h"
#include "json_codec.h"
#include "status_output.h"
#include "taskmill/errors.h"
#include "taskmill/service_client.h"

namespace taskmill::cli {

namespace {

std::optional<std::chrono::milliseconds> timeout_of(double seconds) {
  if (seconds <= 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

JsonCodec codec_of(ServiceClient& client, bool all_known) {
  v1::Query query;
  query.mutable_catalog()->set_all_known(all_known);
  return JsonCodec(client.ask(std::move(query)).catalog());
}

v1::Answer ask_jobs(ServiceClient& client, const std::vector<std::uint64_t>& ids, bool cancel) {
  v1::Query query;
  for (std::uint64_t id : ids) query.mutable_jobs()->add_ids(id);
  query.mutable_jobs()->set_cancel(cancel);
  return client.ask(std::move(query));
}

// Reports ids the coordinator does not know; kUnknownJobId if there were any.
int report_unknown(const std::vector<std::uint64_t>& unknown) {
  for (std::uint64_t id : unknown) {
    std::fprintf(stderr, "taskmill: job %llu is not known to the coordinator (never submitted, already fetched, or expired)\n",
                 static_cast<unsigned long long>(id));
  }
  return unknown.empty() ? kOk : kUnknownJobId;
}

void print_statuses(const std::vector<v1::JobStatus>& statuses, bool json) {
  if (!json && !statuses.empty()) write_all(stdout, job_header() + "\n");
  for (v1::JobStatus status : statuses) {
    status.clear_reply();
    write_all(stdout, (json ? to_json(status) : job_line(status)) + "\n");
  }
}

// status and cancel: the jobs as the coordinator sees them (after cancelling them).
int show_jobs(const Globals& globals, const std::vector<std::string>& texts, const char* command, bool cancel) {
  const auto ids = parse_job_ids(texts);
  ServiceClient client(client_config(globals, command, true));
  v1::Answer answer = ask_jobs(client, ids, cancel);
  print_statuses({answer.jobs().begin(), answer.jobs().end()}, globals.json);
  return report_unknown({answer.unknown_ids().begin(), answer.unknown_ids().end()});
}

// Prints a finished job's result (or why there is none); returns its exit code.
int print_result(const v1::JobStatus& status, const JsonCodec& codec, bool json) {
  if (status.outcome() == v1::OUTCOME_SUCCEEDED) {
    const std::string reply = codec.reply_to_json(status.job(), status.reply());
    write_all(stdout, json ? "{\"job_id\": \"" + std::to_string(status.job_id()) + "\", \"job\": " +
                                 json_string(status.job()) + ", \"outcome\": \"SUCCEEDED\", \"result\": " + reply + "}\n"
                           : reply + "\n");
    return kOk;
  }
  v1::JobStatus shown = status;
  shown.clear_reply();
  if (json) {
    write_all(stdout, to_json(shown) + "\n");
  } else {
    std::fprintf(stderr, "taskmill: job %llu (%s) %s: %s%s%s\n", static_cast<unsigned long long>(status.job_id()),
                 status.job().c_str(), state_word(status).c_str(), status.error_type().c_str(),
                 status.error_type().empty() ? "" : ": ", status.error_message().c_str());
  }
  return status.outcome() == v1::OUTCOME_TIMED_OUT ? kTimedOut : kJobFailed;
}

int report_unfinished(const std::vector<v1::JobStatus>& statuses) {
  int code = kOk;
  for (const v1::JobStatus& status : statuses) {
    if (status.state() == v1::JOB_STATE_FINISHED) continue;
    std::fprintf(stderr, "taskmill: job %llu is still %s\n", static_cast<unsigned long long>(status.job_id()),
                 state_word(status).c_str());
    code = kTimedOut;
  }
  return code;
}

}  // namespace

int submit_command(const Globals& globals, const std::string& job, const std::string& args, const JobOptions& options,
                   bool wait) {
  const Config config = client_config(globals, "submit", false);
  ServiceClient client(config);
  const JsonCodec codec = codec_of(client, false);
  std::string payload = codec.request_from_json(job, args);
  const std::uint64_t id = client.submit_detached({job_spec(job, std::move(payload), options, config)}).front();
  // An embedded coordinator ends with this command, so its job is waited for.
  if (!wait && !client.embedded()) {
    write_all(stdout, globals.json ? "{\"job_id\": \"" + std::to_string(id) + "\"}\n" : std::to_string(id) + "\n");
    return kOk;
  }
  auto statuses = client.wait_for_jobs({id}, std::nullopt, /*forget=*/true);
  if (statuses.empty()) return report_unknown({id});
  return print_result(statuses.front(), codec, globals.json);
}

int status_command(const Globals& globals, const std::vector<std::string>& texts) {
  return show_jobs(globals, texts, "status", /*cancel=*/false);
}

int result_command(const Globals& globals, const std::vector<std::string>& texts, double timeout_s, bool keep) {
  const auto ids = parse_job_ids(texts);
  ServiceClient client(client_config(globals, "result", true));
  const auto statuses = client.wait_for_jobs(ids, timeout_of(timeout_s), /*forget=*/!keep);
  const JsonCodec codec = codec_of(client, true);
  int code = kOk;
  for (const v1::JobStatus& status : statuses) {
    if (status.state() != v1::JOB_STATE_FINISHED) continue;
    const int job_code = print_result(status, codec, globals.json);
    if (code == kOk) code = job_code;
  }
  if (int unfinished = report_unfinished(statuses); unfinished != kOk) code = unfinished;
  if (int unknown = report_unknown(client.unknown_ids()); unknown != kOk) code = unknown;
  return code;
}

int wait_command(const Globals& globals, const std::vector<std::string>& texts, double timeout_s) {
  const auto ids = parse_job_ids(texts);
  ServiceClient client(client_config(globals, "wait", true));
  const auto statuses = client.wait_for_jobs(ids, timeout_of(timeout_s));
  print_statuses(statuses, globals.json);
  int code = kOk;
  for (const v1::JobStatus& status : statuses) {
    if (status.state() == v1::JOB_STATE_FINISHED && status.outcome() != v1::OUTCOME_SUCCEEDED) {
      code = status.outcome() == v1::OUTCOME_TIMED_OUT ? kTimedOut : kJobFailed;
    }
  }
  if (int unfinished = report_unfinished(statuses); unfinished != kOk) code = unfinished;
  if (int unknown = report_unknown(client.unknown_ids()); unknown != kOk) code = unknown;
  return code;
}

int cancel_command(const Globals& globals, const std::vector<std::string>& texts) {
  return show_jobs(globals, texts, "cancel", /*cancel=*/true);
}

int list_command(const Globals& globals, const std::string& state, int limit) {
  v1::Query query;
  v1::JobState wanted = v1::JOB_STATE_UNSPECIFIED;
  if (state == "queued") {
    wanted = v1::JOB_STATE_QUEUED;
  } else if (state == "running") {
    wanted = v1::JOB_STATE_RUNNING;
  } else if (state == "finished") {
    wanted = v1::JOB_STATE_FINISHED;
  } else if (state != "all") {
    throw UsageError("list --state: expected queued, running, finished or all, got '" + state + "'");
  }
  query.mutable_list()->set_state(wanted);
  query.mutable_list()->set_limit(static_cast<std::uint32_t>(limit));
  ServiceClient client(client_config(globals, "list", true));
  v1::Answer answer = client.ask(std::move(query));
  print_statuses({answer.jobs().begin(), answer.jobs().end()}, globals.json);
  return kOk;
}

int workers_command(const Globals& globals) {
  ServiceClient client(client_config(globals, "workers", true));
  v1::Query query;
  query.mutable_workers();
  v1::Answer answer = client.ask(std::move(query));
  if (!globals.json) write_all(stdout, worker_header() + "\n");
  for (const v1::WorkerStatus& worker : answer.workers()) {
    write_all(stdout, (globals.json ? to_json(worker) : worker_line(worker)) + "\n");
  }
  return kOk;
}

int catalog_command(const Globals& globals) {
  ServiceClient client(client_config(globals, "catalog", true));
  const JsonCodec codec = codec_of(client, false);
  for (const v1::JobType& type : codec.catalog().types()) {
    const std::string request = codec.describe(type.request_type());
    const std::string reply = codec.describe(type.reply_type());
    write_all(stdout, globals.json ? "{\"name\": " + json_string(type.name()) + ", \"request_type\": " +
                                         json_string(type.request_type()) + ", \"reply_type\": " +
                                         json_string(type.reply_type()) + ", \"request\": " + json_string(request) +
                                         ", \"reply\": " + json_string(reply) + "}\n"
                                   : type.name() + "  " + request + " -> " + reply + "\n");
  }
  return kOk;
}

int stats_command(const Globals& globals) {
  ServiceClient client(client_config(globals, "stats", true));
  v1::Query query;
  query.mutable_stats();
  const v1::Stats stats = client.ask(std::move(query)).stats();
  write_all(stdout, globals.json ? to_json(stats) + "\n" : stats_text(stats));
  return kOk;
}

}  // namespace taskmill::cli
