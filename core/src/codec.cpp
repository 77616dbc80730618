#include "taskmill/codec.h"

#include <limits>

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

std::string Codec<Bytes>::encode(const Bytes& value) {
  Wire wire;
  wire.set_value(value.data);
  return detail::serialize_message(wire);
}

Status Codec<Bytes>::decode(std::string_view bytes, Bytes* out) {
  Wire wire;
  if (Status s = detail::parse_message(bytes, &wire); !s.is_ok()) return s;
  out->data = std::move(*wire.mutable_value());
  return {};
}

}  // namespace taskmill
