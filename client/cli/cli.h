// cli.h: what every taskmill subcommand shares: where the coordinator is,
// the output format, and the exit codes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "taskmill/config.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::cli {

// Exit codes (README, "The taskmill CLI").
inline constexpr int kOk = 0;
inline constexpr int kJobFailed = 1;        // a job failed, was cancelled, or a command exited non-zero (map)
inline constexpr int kUnknownJobId = 2;     // the coordinator does not know an id (never, fetched or expired)
inline constexpr int kTimedOut = 124;       // a job or a wait ran out of time
inline constexpr int kTaskmillFailed = 125; // bad usage or input, no coordinator, ...
inline constexpr int kCannotRun = 126;      // a command could not be run (not allowed, not found)

// A mistake in how taskmill was called: exit 125 with the message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Globals {
  std::string coordinator;  // --coordinator, else $TASKMILL_COORDINATOR
  std::string config_file;  // --config
  int jobs = 0;             // -j: local workers of an embedded coordinator; 0: cores
  bool json = false;        // --output json
};

// The client configuration the flags describe. With `need_service`, a
// coordinator address is required (queries have nothing to ask otherwise).
Config client_config(const Globals& globals, const char* command, bool need_service);

// Job options shared by submit and map.
struct JobOptions {
  int priority = 0;
  double timeout_s = 0;  // 0: none
  int retries = -1;      // -1: the configuration's max_retries
};
v1::JobSpec job_spec(const std::string& job, std::string payload, const JobOptions& options, const Config& config);

std::uint64_t parse_job_id(const std::string& text);
std::vector<std::uint64_t> parse_job_ids(const std::vector<std::string>& texts);

void write_all(std::FILE* to, const std::string& bytes);

}  // namespace taskmill::cli
