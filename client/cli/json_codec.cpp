#include "json_codec.h"

#include <google/protobuf/util/json_util.h>

#include "taskmill/errors.h"

namespace taskmill::cli {

namespace pb = google::protobuf;

namespace {

// protobuf's parser points at the error on extra lines; a CLI error is one
// line. Some of its messages start with ": " (a missing required field's).
std::string one_line(std::string_view text) {
  while (!text.empty() && (text.front() == ':' || text.front() == ' ')) text.remove_prefix(1);
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\r') c = ' ';
    if (c == ' ' && (line.empty() || line.back() == ' ')) continue;
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

JsonCodec::JsonCodec(v1::Catalog catalog) : catalog_(std::move(catalog)) {
  // Files a worker sent may repeat or clash; the first of each name stands.
  for (const pb::FileDescriptorProto& file : catalog_.descriptors().file()) database_.Add(file);
  pool_ = std::make_unique<pb::DescriptorPool>(&database_);
  factory_ = std::make_unique<pb::DynamicMessageFactory>(pool_.get());
}

const v1::JobType& JsonCodec::job(const std::string& name) const {
  std::string offered;
  for (const v1::JobType& type : catalog_.types()) {
    if (type.name() == name) return type;
    offered += (offered.empty() ? "" : ", ") + type.name();
  }
  throw Error("unknown job '" + name + "'" +
              (offered.empty() ? std::string(": no connected worker offers any job") : " (the workers offer: " + offered + ")"));
}

const pb::Descriptor* JsonCodec::message_type(const std::string& full_name) const {
  const pb::Descriptor* type = pool_->FindMessageTypeByName(full_name);
  if (type == nullptr) throw Error("the catalog has no definition of message type '" + full_name + "'");
  return type;
}

std::string JsonCodec::request_from_json(const std::string& name, const std::string& json) const {
  const v1::JobType& type = job(name);
  std::unique_ptr<pb::Message> request(factory_->GetPrototype(message_type(type.request_type()))->New());
  if (auto status = pb::util::JsonStringToMessage(json, request.get()); !status.ok()) {
    throw Error("bad arguments for job '" + name + "' (" + type.request_type() + "): " + one_line(std::string(status.message())));
  }
  return request->SerializeAsString();
}

std::string JsonCodec::reply_to_json(const std::string& name, const std::string& bytes) const {
  const v1::JobType& type = job(name);
  std::unique_ptr<pb::Message> reply(factory_->GetPrototype(message_type(type.reply_type()))->New());
  if (!reply->ParseFromString(bytes)) throw Error("the reply of job '" + name + "' is not a " + type.reply_type());
  pb::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto status = pb::util::MessageToJsonString(*reply, &json, options); !status.ok()) {
    throw Error("cannot show the reply of job '" + name + "' as JSON: " + std::string(status.message()));
  }
  return json;
}

std::string JsonCodec::describe(const std::string& full_name) const {
  const pb::Descriptor* type = pool_->FindMessageTypeByName(full_name);
  if (type == nullptr) return full_name;
  std::string out = type->name() + "{";
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* field = type->field(i);
    std::string kind = field->type() == pb::FieldDescriptor::TYPE_MESSAGE ? field->message_type()->name()
                       : field->type() == pb::FieldDescriptor::TYPE_ENUM  ? field->enum_type()->name()
                                                                          : field->type_name();
    if (field->is_map()) {
      kind = "map";
    } else if (field->is_repeated()) {
      kind = "[" + kind + "]";
    }
    out += (i == 0 ? "" : ", ") + field->name() + ": " + kind;
  }
  return out + "}";
}

}  // namespace taskmill::cli
