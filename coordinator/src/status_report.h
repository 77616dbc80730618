// status_report.h: the coordinator's state as the query protocol shows it
// (taskmill status / list / workers).
#pragma once

#include <cstdint>
#include <string>

#include "job_table.h"
#include "taskmill/v1/taskmill.pb.h"
#include "worker_table.h"

namespace taskmill::coordinator {

// The last progress a running job reported.
struct JobProgress {
  double fraction = 0;
  std::string note;
};

// QUEUED or RUNNING: running once its worker has said Started.
v1::JobState state_of(const Job& job);

// A live (queued or running) job. `progress` may be null.
v1::JobStatus live_status(std::uint64_t id, const Job& job, const Worker* worker, const JobProgress* progress);

// A job that just ended with `result`, to keep for a later query.
v1::JobStatus finished_status(std::uint64_t id, const Job& job, v1::JobResult&& result);

v1::WorkerStatus worker_status(const Worker& worker);

}  // namespace taskmill::coordinator
