// catalog.h: what the connected workers can run, with the .proto files of the
// request and reply types, for `taskmill catalog` and JSON arguments.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <map>
#include <string>

#include "taskmill/v1/taskmill.pb.h"
#include "worker_table.h"

namespace taskmill::coordinator {

class Catalog {
 public:
  // Learns the job types and descriptor files a worker announced.
  void learn(const v1::Hello& hello);
  // The job types some connected worker offers now (or, with `all_known`,
  // every one learned), sorted by name, with every descriptor file learned.
  v1::Catalog snapshot(const WorkerTable& workers, bool all_known) const;

 private:
  std::map<std::string, v1::JobType> types_;                              // by job name
  std::map<std::string, google::protobuf::FileDescriptorProto> files_;  // by file name
};

}  // namespace taskmill::coordinator
