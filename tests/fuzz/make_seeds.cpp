// taskmill-fuzz-seeds DIR: writes the seed corpus of the fuzz targets:
//   DIR/coordinator/NAME   a peer-kind byte, then one frame (valid envelopes of every body kind)
//   DIR/catalog/NAME       a serialized Hello with a real catalog and its descriptors
// The committed corpus under tests/fuzz/corpus/ was made by it; run it again
// after the protocol changes (built with TASKMILL_FUZZ=ON).
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/wrappers.pb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "taskmill/jobs/v1/exec.pb.h"
#include "taskmill/jobs/v1/samples.pb.h"
#include "taskmill/v1/taskmill.pb.h"

namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;
namespace v1 = taskmill::v1;

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void add_file(const pb::FileDescriptor* file, std::set<std::string>& seen, pb::FileDescriptorSet& set) {
  if (!seen.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) add_file(file->dependency(i), seen, set);
  file->CopyTo(set.add_file());
}

v1::Hello worker_hello(const std::string& json) {
  v1::Hello hello;
  hello.set_kind(v1::PEER_KIND_WORKER);
  hello.set_name(json);
  hello.set_slots(4);
  hello.set_pid(1234);
  std::set<std::string> seen;
  const pb::Descriptor* range = taskmill::jobs::v1::Range::descriptor();
  const pb::Descriptor* exec = taskmill::jobs::v1::ExecRequest::descriptor();
  const pb::Descriptor* reply = taskmill::jobs::v1::ExecReply::descriptor();
  const pb::Descriptor* int64 = pb::Int64Value::descriptor();
  for (const pb::Descriptor* d : {range, exec, reply, int64}) add_file(d->file(), seen, *hello.mutable_descriptors());
  auto add = [&](const char* name, const pb::Descriptor* request, const pb::Descriptor* response) {
    v1::JobType* type = hello.add_catalog();
    type->set_name(name);
    type->set_request_type(request->full_name());
    type->set_reply_type(response->full_name());
  };
  add("count_primes", range, int64);
  add("exec", exec, reply);
  add("identity", int64, int64);
  return hello;
}

// One file per body kind; `kind` is the peer-kind byte the coordinator target reads first.
void coordinator_seeds(const fs::path& dir) {
  std::map<std::string, v1::Envelope> seeds;
  seeds["hello-worker"].mutable_hello()->CopyFrom(worker_hello(""));
  seeds["hello-client"].mutable_hello()->set_kind(v1::PEER_KIND_CLIENT);
  v1::JobSpec* spec = seeds["submit"].mutable_submit()->add_jobs();
  spec->set_id(7);
  spec->set_job("fuzz.job");
  spec->set_payload("\x08\x2a");
  spec->set_timeout_ms(1000);
  spec->set_priority(3);
  seeds["submit"].mutable_submit()->add_jobs()->set_job("unknown.job");
  seeds["cancel"].mutable_cancel()->add_ids(7);
  v1::JobResult* result = seeds["results"].mutable_results()->add_results();
  result->set_id(1);
  result->set_outcome(v1::OUTCOME_SUCCEEDED);
  result->set_reply("\x08\x2a");
  result->set_attempt(1);
  seeds["started"].mutable_started()->add_ids(1);
  seeds["progress"].mutable_progress()->add_reports()->set_id(1);
  seeds["drain"].mutable_drain();
  seeds["worker-exited"].mutable_worker_exited()->set_pid(1234);
  seeds["heartbeat"].mutable_heartbeat();
  seeds["bye"].mutable_bye();
  seeds["error"].mutable_error()->set_message("from a peer");
  seeds["welcome"].mutable_welcome()->set_heartbeat_ms(100);
  seeds["assign"].mutable_assign()->add_jobs()->set_job("fuzz.job");
  for (auto& [name, envelope] : seeds) {
    envelope.set_version(2);  // taskmill::wire::kProtocolVersion (this tool links only the protos)
    for (char kind = 0; kind < 3; ++kind) write(dir / (name + "-" + std::to_string(kind)), kind + envelope.SerializeAsString());
  }
  write(dir / "garbage", std::string("\x00\xff\x01 not a protobuf", 19));
  v1::Envelope old;
  old.mutable_heartbeat();
  write(dir / "version-0", std::string(1, '\0') + old.SerializeAsString());
}

void catalog_seeds(const fs::path& dir) {
  write(dir / "worker", worker_hello("").SerializeAsString());
  write(dir / "worker-range-json", worker_hello(R"({"lo": "1", "hi": 100})").SerializeAsString());
  write(dir / "worker-exec-json", worker_hello(R"({"argv": ["echo", "hi"], "env": {"A": "b"}, "timeLimitSeconds": 5})").SerializeAsString());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  fs::create_directories(root / "coordinator");
  fs::create_directories(root / "catalog");
  coordinator_seeds(root / "coordinator");
  catalog_seeds(root / "catalog");
  return 0;
}
