// status_output.h: how jobs, workers and counters are shown, as text for
// people or as JSON (protobuf's JSON mapping of the query protocol's
// messages, one object per line).
#pragma once

#include <string>

#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::cli {

// "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", ... (the outcome once finished).
std::string state_word(const v1::JobStatus& status);

std::string job_line(const v1::JobStatus& status);      // text: one line
std::string job_header();                               // text: the columns of job_line
std::string worker_line(const v1::WorkerStatus& worker);
std::string worker_header();
std::string stats_text(const v1::Stats& stats);

// One line of JSON for any query message (field names as in the .proto).
std::string to_json(const google::protobuf::Message& message);

}  // namespace taskmill::cli
