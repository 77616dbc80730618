#include "this_process.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "taskmill/job.h"
#include "taskmill/log.h"
#include "taskmill/worker/worker.h"

namespace taskmill::worker {
namespace {

// Adds `file` and everything it imports to `set`, each once.
void add_file(const google::protobuf::FileDescriptor* file, std::unordered_set<std::string>& seen,
              google::protobuf::FileDescriptorSet& set) {
  if (!seen.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) add_file(file->dependency(i), seen, set);
  file->CopyTo(set.add_file());
}

}  // namespace

std::string host_and_pid() {
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

v1::Envelope hello_message(int slots) {
  v1::Envelope envelope;
  v1::Hello* hello = envelope.mutable_hello();
  hello->set_kind(v1::PEER_KIND_WORKER);
  hello->set_name(host_and_pid());
  hello->set_slots(static_cast<std::uint32_t>(slots));
  hello->set_pid(static_cast<std::uint32_t>(::getpid()));
  std::unordered_set<std::string> files;
  for (const JobInfo* job : JobRegistry::global().list()) {
    v1::JobType* type = hello->add_catalog();
    type->set_name(job->name);
    type->set_request_type(job->request_type->full_name());
    type->set_reply_type(job->reply_type->full_name());
    add_file(job->request_type->file(), files, *hello->mutable_descriptors());
    add_file(job->reply_type->file(), files, *hello->mutable_descriptors());
  }
  return envelope;
}

std::uint64_t resident_after_trim() {
  ::malloc_trim(0);
  return resident_bytes();
}

std::uint64_t resident_bytes() {
  std::uint64_t size = 0, resident = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%" SCNu64 " %" SCNu64, &size, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::string mebibytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

[[noreturn]] void restart_self(int status_if_it_fails) {
  std::string cmdline;
  if (std::FILE* file = std::fopen("/proc/self/cmdline", "r")) {
    for (int c; (c = std::fgetc(file)) != EOF;) cmdline += static_cast<char>(c);
    std::fclose(file);
  }
  std::vector<char*> argv;
  for (std::size_t at = 0; at < cmdline.size(); at = cmdline.find('\0', at) + 1) argv.push_back(cmdline.data() + at);
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv("/proc/self/exe", argv.data());
  logger().error("worker: cannot start afresh: {}", std::strerror(errno));
  std::_Exit(status_if_it_fails);
}

}  // namespace taskmill::worker
