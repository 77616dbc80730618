// codec.h: how a job's request and reply cross a process boundary.
//
// A job's Request and Reply are either protobuf messages or plain values with a
// built-in codec, so simple jobs need no hand-written .proto:
//
//   C++ type                       wire message
//   any protobuf message M         M
//   std::int64_t, std::int32_t     google.protobuf.Int64Value, Int32Value
//   std::uint64_t, double, bool    google.protobuf.UInt64Value, DoubleValue, BoolValue
//   std::string (UTF-8 text)       google.protobuf.StringValue
//   taskmill::Bytes (binary)       google.protobuf.BytesValue
//   std::vector<std::int64_t>      taskmill.v1.Int64List
//   std::vector<double>            taskmill.v1.DoubleList
//   std::vector<std::string>       taskmill.v1.StringList
//
// Codec<T>::encode appends nothing and never fails for these types;
// Codec<T>::decode returns a Status instead of throwing on malformed bytes.
// Specialize Codec for a type of your own to make it a job argument.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/wrappers.pb.h>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "taskmill/errors.h"
#include "taskmill/status.h"
#include "taskmill/v1/values.pb.h"

namespace taskmill {

// Binary data. std::string is text (it must be valid UTF-8 on the wire);
// Bytes carries anything.
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

template <class T>
struct Codec;  // no codec for T: specialize Codec<T>, or use a protobuf message

namespace detail {

Status parse_message(std::string_view bytes, google::protobuf::Message* out);
std::string serialize_message(const google::protobuf::Message& message);

// A plain value carried in a single-field wrapper message W.
template <class T, class W>
struct WrapperCodec {
  using Wire = W;
  static const google::protobuf::Descriptor* descriptor() { return W::descriptor(); }
  static std::string encode(const T& value) {
    W wire;
    wire.set_value(value);
    return serialize_message(wire);
  }
  static Status decode(std::string_view bytes, T* out) {
    W wire;
    if (Status s = parse_message(bytes, &wire); !s.is_ok()) return s;
    *out = static_cast<T>(wire.value());
    return {};
  }
};

// A list of values carried in a message with `repeated ... values = 1`.
template <class T, class W>
struct ListCodec {
  using Wire = W;
  static const google::protobuf::Descriptor* descriptor() { return W::descriptor(); }
  static std::string encode(const std::vector<T>& values) {
    W wire;
    wire.mutable_values()->Add(values.begin(), values.end());
    return serialize_message(wire);
  }
  static Status decode(std::string_view bytes, std::vector<T>* out) {
    W wire;
    if (Status s = parse_message(bytes, &wire); !s.is_ok()) return s;
    out->assign(wire.values().begin(), wire.values().end());
    return {};
  }
};

}  // namespace detail

template <class T>
  requires std::derived_from<T, google::protobuf::Message>
struct Codec<T> {
  using Wire = T;
  static const google::protobuf::Descriptor* descriptor() { return T::descriptor(); }
  static std::string encode(const T& value) { return detail::serialize_message(value); }
  static Status decode(std::string_view bytes, T* out) { return detail::parse_message(bytes, out); }
};

template <>
struct Codec<std::int64_t> : detail::WrapperCodec<std::int64_t, google::protobuf::Int64Value> {};
template <>
struct Codec<std::int32_t> : detail::WrapperCodec<std::int32_t, google::protobuf::Int32Value> {};
template <>
struct Codec<std::uint64_t> : detail::WrapperCodec<std::uint64_t, google::protobuf::UInt64Value> {};
template <>
struct Codec<double> : detail::WrapperCodec<double, google::protobuf::DoubleValue> {};
template <>
struct Codec<bool> : detail::WrapperCodec<bool, google::protobuf::BoolValue> {};
template <>
struct Codec<std::string> : detail::WrapperCodec<std::string, google::protobuf::StringValue> {};

template <>
struct Codec<Bytes> {
  using Wire = google::protobuf::BytesValue;
  static const google::protobuf::Descriptor* descriptor() { return Wire::descriptor(); }
  static std::string encode(const Bytes& value);
  static Status decode(std::string_view bytes, Bytes* out);
};

template <>
struct Codec<std::vector<std::int64_t>> : detail::ListCodec<std::int64_t, v1::Int64List> {};
template <>
struct Codec<std::vector<double>> : detail::ListCodec<double, v1::DoubleList> {};
template <>
struct Codec<std::vector<std::string>> : detail::ListCodec<std::string, v1::StringList> {};

// T can be a job's request or reply.
template <class T>
concept Encodable = requires(const T& value, std::string_view bytes, T* out) {
  { Codec<T>::descriptor() } -> std::same_as<const google::protobuf::Descriptor*>;
  { Codec<T>::encode(value) } -> std::same_as<std::string>;
  { Codec<T>::decode(bytes, out) } -> std::same_as<Status>;
};

// Encodes then decodes `value`: what a value looks like after crossing a
// process boundary. Throws CodecError if it does not survive the trip.
template <Encodable T>
T round_trip(const T& value) {
  T copy{};
  if (Status s = Codec<T>::decode(Codec<T>::encode(value), &copy); !s.is_ok()) {
    throw CodecError(s.message());
  }
  return copy;
}

}  // namespace taskmill
