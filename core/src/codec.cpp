#include "taskmill/codec.h"

#include <limits>

#include "taskmill/detail/batch.h"

namespace taskmill::detail {

Status parse_message(std::string_view bytes, google::protobuf::Message* out) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return invalid_argument("message of " + std::to_string(bytes.size()) + " bytes is too large to decode");
  }
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return invalid_argument("malformed " + out->GetTypeName() + " (" + std::to_string(bytes.size()) + " bytes)");
  }
  return {};
}

std::string serialize_message(const google::protobuf::Message& message) {
  std::string out;
  if (!message.SerializeToString(&out)) {
    // Only proto2 messages with missing required fields fail here.
    throw CodecError("cannot encode " + message.GetTypeName() + ": " + message.InitializationErrorString());
  }
  return out;
}

}  // namespace taskmill::detail

namespace taskmill {

// google.protobuf.BytesValue written directly: going through the message
// would copy a large payload twice (into the message, then out of it), the
// second time into a string it first fills with zeros. Its one field is
// field 1, length-delimited: the same bytes as one item of a Batch.
std::string Codec<Bytes>::encode(const Bytes& value) {
  std::string out;
  if (value.data.empty()) return out;  // proto3 leaves an empty field out
  out.reserve(value.data.size() + 11);  // tag and length: one allocation
  detail::append_batch_item(out, value.data);
  return out;
}

Status Codec<Bytes>::decode(std::string_view bytes, Bytes* out) {
  Wire wire;
  if (Status s = detail::parse_message(bytes, &wire); !s.is_ok()) return s;
  out->data = std::move(*wire.mutable_value());
  return {};
}

}  // namespace taskmill
