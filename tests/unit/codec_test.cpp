#include <catch2/catch.hpp>
#include <google/protobuf/wrappers.pb.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "taskmill/codec.h"
#include "taskmill/errors.h"
#include "taskmill/jobs/samples.h"

using taskmill::Bytes;
using taskmill::Codec;
using taskmill::round_trip;

TEST_CASE("built-in codecs carry plain values across unchanged", "[unit][codec]") {
  CHECK(round_trip(std::int64_t{-9'000'000'000}) == -9'000'000'000);
  CHECK(round_trip(std::numeric_limits<std::int64_t>::max()) == std::numeric_limits<std::int64_t>::max());
  CHECK(round_trip(std::int32_t{-7}) == -7);
  CHECK(round_trip(std::uint64_t{18'000'000'000'000'000'000u}) == 18'000'000'000'000'000'000u);
  CHECK(round_trip(2.5) == 2.5);
  CHECK(round_trip(true));
  CHECK(round_trip(std::string("héllo")) == "héllo");
  CHECK(round_trip(Bytes{std::string("\0\xff\x01", 3)}) == Bytes{std::string("\0\xff\x01", 3)});
  CHECK(round_trip(std::vector<std::int64_t>{1, -2, 3}) == std::vector<std::int64_t>{1, -2, 3});
  CHECK(round_trip(std::vector<double>{0.5, -1.25}) == std::vector<double>{0.5, -1.25});
  CHECK(round_trip(std::vector<std::string>{"a", "", "c"}) == std::vector<std::string>{"a", "", "c"});
}

TEST_CASE("bytes encode exactly as protobuf writes a BytesValue", "[unit][codec]") {
  // Sizes around each varint length boundary of the field's length prefix.
  for (std::size_t size : {0, 1, 127, 128, 16'383, 16'384, 1 << 20, (1 << 21) + 3}) {
    Bytes value{std::string(size, '\0')};
    for (std::size_t i = 0; i < size; ++i) value.data[i] = static_cast<char>(i * 7 + size);
    google::protobuf::BytesValue wire;
    wire.set_value(value.data);
    INFO("size " << size);
    CHECK(Codec<Bytes>::encode(value) == wire.SerializeAsString());
    CHECK(round_trip(value) == value);
  }
}

TEST_CASE("protobuf messages are their own codec", "[unit][codec]") {
  auto range = taskmill::jobs::make_range(10, 20);
  auto copy = round_trip(range);
  CHECK(copy.lo() == 10);
  CHECK(copy.hi() == 20);
  CHECK(Codec<taskmill::jobs::Range>::descriptor()->full_name() == "taskmill.jobs.v1.Range");
}

TEST_CASE("codecs name the wire message of each plain type", "[unit][codec]") {
  CHECK(Codec<std::int64_t>::descriptor()->full_name() == "google.protobuf.Int64Value");
  CHECK(Codec<std::string>::descriptor()->full_name() == "google.protobuf.StringValue");
  CHECK(Codec<Bytes>::descriptor()->full_name() == "google.protobuf.BytesValue");
  CHECK(Codec<std::vector<std::int64_t>>::descriptor()->full_name() == "taskmill.v1.Int64List");
}

TEST_CASE("decoding malformed bytes returns an error instead of throwing", "[unit][codec]") {
  std::int64_t value = 0;
  taskmill::Status s = Codec<std::int64_t>::decode(std::string("\x08\xff\xff", 3), &value);  // truncated varint
  CHECK_FALSE(s.is_ok());
  CHECK(s.code() == taskmill::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("Int64Value"));

  taskmill::jobs::Range range;
  CHECK_FALSE(Codec<taskmill::jobs::Range>::decode("\xff\xff\xff\xff", &range).is_ok());
}

TEST_CASE("text that is not UTF-8 does not survive the trip", "[unit][codec]") {
  // proto3 strings must be UTF-8: binary data belongs in taskmill::Bytes.
  CHECK_THROWS_AS(round_trip(std::string("\xff\xfe")), taskmill::CodecError);
}
