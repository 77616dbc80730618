#include "catalog.h"

#include <set>

namespace taskmill::coordinator {

void Catalog::learn(const v1::Hello& hello) {
  for (const v1::JobType& type : hello.catalog()) types_[type.name()] = type;
  for (const google::protobuf::FileDescriptorProto& file : hello.descriptors().file()) files_[file.name()] = file;
}

v1::Catalog Catalog::snapshot(const WorkerTable& workers, bool all_known) const {
  std::set<std::string> offered;
  workers.for_each([&](const Worker& worker) { offered.insert(worker.catalog.begin(), worker.catalog.end()); });
  v1::Catalog catalog;
  for (const auto& [name, type] : types_) {
    if (all_known || offered.contains(name)) *catalog.add_types() = type;
  }
  for (const auto& [name, file] : files_) *catalog.mutable_descriptors()->add_file() = file;
  return catalog;
}

}  // namespace taskmill::coordinator
