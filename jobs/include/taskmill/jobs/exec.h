// exec.h: the built-in "exec" job: run a command on a worker and return its
// exit status and output.
//
//   ExecRequest r;  r.add_argv("make");  r.add_argv("-j2");  r.set_time_limit_seconds(600);
//   ExecReply out = ex.submit(taskmill::jobs::exec, r).get();
//
// The command runs in a process group of its own. When it exits, runs past
// its time limit, or the job is cancelled or passes its deadline, the whole
// group is ended (SIGTERM, then SIGKILL after a second), so nothing it
// started is left running.
//
// A worker runs commands only where its policy allows: nothing by default;
// `taskmill-worker --allow-exec` (any program) or `--allow-program NAME`;
// the embedded process backend allows any (its workers are the caller's own
// program). A refused command fails with ExecNotAllowedError.
#pragma once

#include <string>
#include <vector>

#include "taskmill/errors.h"
#include "taskmill/job.h"
#include "taskmill/jobs/v1/exec.pb.h"

namespace taskmill::jobs {

using ExecRequest = taskmill::jobs::v1::ExecRequest;
using ExecReply = taskmill::jobs::v1::ExecReply;

extern const Job<ExecRequest, ExecReply> exec;

struct ExecPolicy {
  bool allow_any = false;
  std::vector<std::string> programs;  // allowed by name ("make") or path ("/usr/bin/make")
};

// The process-wide policy. Default: from $TASKMILL_EXEC_ALLOW ("any", or
// program names separated by ':'); nothing allowed when it is unset.
// Thread-safe.
void set_exec_policy(ExecPolicy policy);
ExecPolicy exec_policy();

class ExecNotAllowedError : public Error {
 public:
  using Error::Error;
};

}  // namespace taskmill::jobs
