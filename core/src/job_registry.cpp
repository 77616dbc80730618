#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "taskmill/errors.h"
#include "taskmill/job.h"

namespace taskmill {

JobRegistry& JobRegistry::global() {
  static JobRegistry registry;  // built on first use, so jobs may register from any static initializer
  return registry;
}

void JobRegistry::add(JobInfo info) {
  auto at = std::lower_bound(jobs_.begin(), jobs_.end(), info.name,
                             [](const JobInfo& j, const std::string& name) { return j.name < name; });
  if (at != jobs_.end() && at->name == info.name) {
    std::fprintf(stderr, "taskmill: two jobs are registered under the name '%s'; job names must be unique\n",
                 info.name.c_str());
    std::abort();
  }
  jobs_.insert(at, std::move(info));
}

const JobInfo* JobRegistry::find(std::string_view name) const {
  auto at = std::lower_bound(jobs_.begin(), jobs_.end(), name,
                             [](const JobInfo& j, std::string_view n) { return j.name < n; });
  return at != jobs_.end() && at->name == name ? &*at : nullptr;
}

std::vector<const JobInfo*> JobRegistry::list() const {
  std::vector<const JobInfo*> out;
  out.reserve(jobs_.size());
  for (const JobInfo& j : jobs_) out.push_back(&j);
  return out;
}

namespace detail {

void throw_unknown_job(std::string_view name) {
  std::string known;
  for (const JobInfo* j : JobRegistry::global().list()) known += (known.empty() ? "" : ", ") + j->name;
  throw UnknownJobError("no job named '" + std::string(name) + "' is registered (registered: " +
                        (known.empty() ? "none" : known) + ")");
}

void throw_job_type_mismatch(const JobInfo& info, const char* request, const char* reply) {
  throw std::invalid_argument("job '" + info.name + "' takes " + info.request_type->full_name() + " and returns " +
                              info.reply_type->full_name() + ", not " + request + " -> " + reply);
}

}  // namespace detail
}  // namespace taskmill
