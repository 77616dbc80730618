// json_codec.h: JSON arguments and results for jobs the CLI does not link,
// through the .proto descriptors in the coordinator's catalog (protobuf's
// JSON mapping: `{"lo": 1, "hi": 100}` for a message, `7` for an Int64Value).
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <string>

#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::cli {

class JsonCodec {
 public:
  explicit JsonCodec(v1::Catalog catalog);

  // The job's types. Throws taskmill::Error naming the jobs offered instead.
  const v1::JobType& job(const std::string& name) const;
  // The encoded request for `json`. Throws taskmill::Error naming the job,
  // the request type and the field at fault.
  std::string request_from_json(const std::string& job, const std::string& json) const;
  // A reply as one line of JSON. Throws taskmill::Error if it does not parse.
  std::string reply_to_json(const std::string& job, const std::string& bytes) const;
  // "Range{lo: int64, hi: int64}" for the catalog listing.
  std::string describe(const std::string& message_type) const;

  const v1::Catalog& catalog() const { return catalog_; }

 private:
  const google::protobuf::Descriptor* message_type(const std::string& full_name) const;

  v1::Catalog catalog_;
  google::protobuf::SimpleDescriptorDatabase database_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;  // reads database_
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
};

}  // namespace taskmill::cli
