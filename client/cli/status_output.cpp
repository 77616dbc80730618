#include "status_output.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <ctime>

namespace taskmill::cli {

namespace {

std::string without_prefix(std::string name, const char* prefix) {
  if (name.starts_with(prefix)) name.erase(0, std::string(prefix).size());
  return name;
}

std::string local_time(std::int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

std::string printf_string(const char* format, auto... args) {
  char line[512];
  std::snprintf(line, sizeof line, format, args...);
  return line;
}

}  // namespace

std::string state_word(const v1::JobStatus& status) {
  if (status.state() == v1::JOB_STATE_FINISHED) return without_prefix(v1::Outcome_Name(status.outcome()), "OUTCOME_");
  std::string word = without_prefix(v1::JobState_Name(status.state()), "JOB_STATE_");
  if (status.cancel_requested()) word += " (cancelling)";
  return word;
}

std::string job_header() {
  return printf_string("%-20s  %-20s  %-22s  %7s  %8s  %8s  %s", "ID", "JOB", "STATE", "ATTEMPT", "PROGRESS",
                       "SUBMITTED", "WORKER / ERROR");
}

std::string job_line(const v1::JobStatus& status) {
  std::string detail = status.worker();
  if (!status.error_message().empty()) {
    detail = status.error_type().empty() ? status.error_message() : status.error_type() + ": " + status.error_message();
  }
  const std::string progress =
      status.state() == v1::JOB_STATE_QUEUED ? "-" : printf_string("%.0f%%", status.progress() * 100);
  return printf_string("%-20llu  %-20s  %-22s  %7u  %8s  %8s  %s", static_cast<unsigned long long>(status.job_id()),
                       status.job().c_str(), state_word(status).c_str(), status.attempt(), progress.c_str(),
                       local_time(status.submitted_unix_ms()).c_str(), detail.c_str());
}

std::string worker_header() {
  return printf_string("%-28s  %8s  %5s  %7s  %10s  %s", "WORKER", "PID", "SLOTS", "RUNNING", "DONE", "JOBS");
}

std::string worker_line(const v1::WorkerStatus& worker) {
  std::string jobs;
  for (const std::string& job : worker.jobs()) jobs += (jobs.empty() ? "" : ",") + job;
  std::string name = worker.name() + (worker.draining() ? " (leaving)" : "");
  return printf_string("%-28s  %8u  %5u  %7u  %10llu  %s", name.c_str(), worker.pid(), worker.slots(), worker.running(),
                       static_cast<unsigned long long>(worker.done()), jobs.c_str());
}

std::string stats_text(const v1::Stats& s) {
  return printf_string(
      "queued      %llu\nassigned    %llu (running, or prefetched by a busy worker)\nsucceeded   %llu\nfailed      %llu\ncancelled   %llu\n"
      "workers     %u (%u slots)\nrate        %.1f jobs/s (last 10 s)\nunfetched   %llu results\nuptime      %.0f s\n",
      static_cast<unsigned long long>(s.queued()), static_cast<unsigned long long>(s.running()),
      static_cast<unsigned long long>(s.succeeded()), static_cast<unsigned long long>(s.failed()),
      static_cast<unsigned long long>(s.cancelled()), s.workers(), s.slots(), s.jobs_per_second(),
      static_cast<unsigned long long>(s.stored_results()), s.uptime_seconds());
}

std::string to_json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);  // cannot fail for generated types
  return json;
}

}  // namespace taskmill::cli
