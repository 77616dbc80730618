// libFuzzer target: a worker's catalog, as a client reads it from a Hello.
//
// The input is a serialized Hello (untrusted: any peer can send one). Its
// FileDescriptorSet is built into a DescriptorPool, file by file, and every
// catalog entry's request and reply types are looked up there; each type
// found gets a dynamic message, converted to JSON and back, and the Hello's
// `name` is parsed as JSON into it (the CLI converts JSON arguments this way).
// Nothing may crash; errors are expected and ignored.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <memory>
#include <string>

#include "taskmill/v1/taskmill.pb.h"

namespace {

namespace pb = google::protobuf;

// BuildFile logs each error; the fuzzer makes many.
class Silent final : public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string&, const std::string&, const pb::Message*, ErrorLocation, const std::string&) override {}
};

void exercise(const pb::Descriptor& type, pb::DynamicMessageFactory& factory, const std::string& json) {
  const pb::Message* prototype = factory.GetPrototype(&type);
  if (prototype == nullptr) return;
  std::unique_ptr<pb::Message> message(prototype->New());
  std::string text;
  if (pb::util::MessageToJsonString(*message, &text).ok()) (void)pb::util::JsonStringToMessage(text, message.get());
  message->Clear();
  if (pb::util::JsonStringToMessage(json, message.get()).ok()) {
    text.clear();
    (void)pb::util::MessageToJsonString(*message, &text);
    const std::string bytes = message->SerializeAsString();
    (void)message->ParseFromString(bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  taskmill::v1::Hello hello;
  if (size > (std::size_t{1} << 30) || !hello.ParseFromArray(data, static_cast<int>(size))) return 0;
  pb::DescriptorPool pool;
  Silent silent;
  for (const pb::FileDescriptorProto& file : hello.descriptors().file()) (void)pool.BuildFileCollectingErrors(file, &silent);
  pb::DynamicMessageFactory factory(&pool);
  for (const taskmill::v1::JobType& job : hello.catalog()) {
    for (const std::string* name : {&job.request_type(), &job.reply_type()}) {
      if (const pb::Descriptor* type = pool.FindMessageTypeByName(*name)) exercise(*type, factory, hello.name());
    }
  }
  return 0;
}
