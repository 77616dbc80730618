// in_order.h: run many jobs through a ServiceClient and hand back their
// results in input order, as soon as each prefix is complete, with a
// progress bar. The engine under `taskmill map` and `taskmill run`.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "cli.h"
#include "taskmill/service_client.h"

namespace taskmill::cli {

// Submits one attached job of `job` per payload and calls `emit(i, result)`
// for i = 0, 1, ... in order. Returns when every result has been emitted.
void run_in_order(ServiceClient& client, const std::string& job, std::vector<std::string> payloads,
                  const JobOptions& options, const Config& config, bool progress_bar,
                  const std::function<void(std::size_t, const v1::JobResult&)>& emit);

// "FAILED: taskmill::JobError: ..." for a result that did not succeed.
std::string describe_failure(const v1::JobResult& result);

// Prints "taskmill: N of M jobs failed: a, b, ... and K more" to stderr.
void report_failures(const std::vector<std::string>& failures, std::size_t total);

}  // namespace taskmill::cli
