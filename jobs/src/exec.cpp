#include "taskmill/jobs/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>

#include "command.h"

namespace taskmill::jobs {
namespace {

std::mutex policy_mu;
std::optional<ExecPolicy> policy;  // set_exec_policy(), else read from the environment once

ExecPolicy policy_from_env() {
  ExecPolicy p;
  const char* allow = std::getenv("TASKMILL_EXEC_ALLOW");
  if (allow == nullptr) return p;
  if (std::string(allow) == "any") {
    p.allow_any = true;
    return p;
  }
  std::stringstream names(allow);
  for (std::string name; std::getline(names, name, ':');) {
    if (!name.empty()) p.programs.push_back(name);
  }
  return p;
}

bool allowed(const ExecPolicy& p, const std::string& program) {
  if (p.allow_any) return true;
  const std::string base = program.substr(program.rfind('/') + 1);
  for (const std::string& name : p.programs) {
    if (name == program || (name.find('/') == std::string::npos && name == base)) return true;
  }
  return false;
}

}  // namespace

void set_exec_policy(ExecPolicy p) {
  std::lock_guard lock(policy_mu);
  policy = std::move(p);
}

ExecPolicy exec_policy() {
  std::lock_guard lock(policy_mu);
  if (!policy) policy = policy_from_env();
  return *policy;
}

const Job<ExecRequest, ExecReply> exec{"exec", [](const ExecRequest& request, JobContext& ctx) -> ExecReply {
                                         if (request.argv_size() == 0) throw std::invalid_argument("exec: argv is empty");
                                         if (!allowed(exec_policy(), request.argv(0))) {
                                           throw ExecNotAllowedError(
                                               "this worker does not run '" + request.argv(0) +
                                               "': start it with --allow-exec, or --allow-program " + request.argv(0));
                                         }
                                         return detail::run_command(request, ctx);
                                       }};

}  // namespace taskmill::jobs
