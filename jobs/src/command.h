// command.h: running one command for the exec job.
#pragma once

#include "taskmill/job_context.h"
#include "taskmill/jobs/v1/exec.pb.h"

namespace taskmill::jobs::detail {

// Runs request.argv in a new process group, feeding stdin and capturing
// stdout and stderr (up to max_output_bytes each). Ends the group when the
// command exits, runs past its time limit, or `ctx` is cancelled or past its
// deadline; in the last two cases throws what ctx.throw_if_cancelled()
// throws. Throws std::runtime_error if the command cannot be started.
v1::ExecReply run_command(const v1::ExecRequest& request, JobContext& ctx);

}  // namespace taskmill::jobs::detail
