// job.h: define a job once, by name; every backend can then run it.
//
//   // primes.h
//   extern const taskmill::Job<Range, std::int64_t> count_primes;
//   // primes.cpp
//   const taskmill::Job<Range, std::int64_t> count_primes{
//       "count_primes", [](const Range& r, taskmill::JobContext& ctx) -> std::int64_t { ... }};
//
// A Job constructed with a name and a function registers itself in the
// process-wide JobRegistry. Define jobs at namespace scope, so that every
// process of the program (the caller and its workers) registers the same set
// before main(). Request and Reply must be Encodable (codec.h).
#pragma once

#include <google/protobuf/descriptor.h>

#include <functional>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include "taskmill/codec.h"
#include "taskmill/job_context.h"

namespace taskmill {

// What the registry knows of one job: enough to run it from encoded bytes
// (workers, the CLI) and to describe it (the catalog).
struct JobInfo {
  std::string name;
  const google::protobuf::Descriptor* request_type = nullptr;
  const google::protobuf::Descriptor* reply_type = nullptr;
  std::type_index request_cpp_type = typeid(void);
  std::type_index reply_cpp_type = typeid(void);
  // The job's typed function, erased; cast back only after checking the types.
  void (*erased_function)() = nullptr;
  // Decodes the request, runs the job, encodes the reply. Throws what the job
  // throws, and CodecError when the request does not decode.
  std::function<std::string(std::string_view request, JobContext&)> run_encoded;
};

// The jobs this process can run, by name.
// Thread-safety: add() runs during static initialization; after main() starts
// the registry is read-only and safe to read from any thread.
class JobRegistry {
 public:
  static JobRegistry& global();

  // Aborts the process with a message if `info.name` is already registered:
  // two jobs with one name would make results depend on link order.
  void add(JobInfo info);
  // nullptr if no job has that name.
  const JobInfo* find(std::string_view name) const;
  // Every registered job, sorted by name.
  std::vector<const JobInfo*> list() const;

 private:
  std::vector<JobInfo> jobs_;  // sorted by name
};

template <Encodable Req, Encodable Rep>
class Job {
 public:
  using Request = Req;
  using Reply = Rep;
  using Function = Rep (*)(const Req&, JobContext&);

  // Registers the job under `name`.
  Job(std::string_view name, Function fn) : name_(name), function_(fn) {
    JobRegistry::global().add(make_info(name_, function_));
  }

  const std::string& name() const noexcept { return name_; }
  Function function() const noexcept { return function_; }
  Rep operator()(const Req& request, JobContext& context) const { return function_(request, context); }

 private:
  static JobInfo make_info(const std::string& name, Function fn) {
    JobInfo info;
    info.name = name;
    info.request_type = Codec<Req>::descriptor();
    info.reply_type = Codec<Rep>::descriptor();
    info.request_cpp_type = typeid(Req);
    info.reply_cpp_type = typeid(Rep);
    info.erased_function = reinterpret_cast<void (*)()>(fn);
    info.run_encoded = [fn](std::string_view bytes, JobContext& context) {
      Req request{};
      if (Status s = Codec<Req>::decode(bytes, &request); !s.is_ok()) throw CodecError(s.message());
      return Codec<Rep>::encode(fn(request, context));
    };
    return info;
  }

  std::string name_;
  Function function_;
};

// Looks up a registered job by name with known types.
// Throws UnknownJobError if no job has that name, and std::invalid_argument
// if it exists with other request or reply types.
template <Encodable Req, Encodable Rep>
typename Job<Req, Rep>::Function find_job_function(std::string_view name);

namespace detail {
// Throws UnknownJobError naming `name` and the registered jobs.
[[noreturn]] void throw_unknown_job(std::string_view name);
[[noreturn]] void throw_job_type_mismatch(const JobInfo& info, const char* request, const char* reply);
}  // namespace detail

template <Encodable Req, Encodable Rep>
typename Job<Req, Rep>::Function find_job_function(std::string_view name) {
  const JobInfo* info = JobRegistry::global().find(name);
  if (info == nullptr) detail::throw_unknown_job(name);
  if (info->request_cpp_type != typeid(Req) || info->reply_cpp_type != typeid(Rep)) {
    detail::throw_job_type_mismatch(*info, Codec<Req>::descriptor()->full_name().c_str(),
                                    Codec<Rep>::descriptor()->full_name().c_str());
  }
  return reinterpret_cast<typename Job<Req, Rep>::Function>(info->erased_function);
}

}  // namespace taskmill
