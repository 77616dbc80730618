#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "taskmill/detail/batch.h"
#include "taskmill/v1/values.pb.h"

using taskmill::detail::append_batch_item;
using taskmill::detail::split_batch;

TEST_CASE("a batch is written exactly as protobuf writes a taskmill.v1.Batch, and read back", "[unit][batch]") {
  const std::vector<std::string> items = {"", "a", std::string(127, 'x'), std::string(128, '\0'), std::string(70'000, 'z')};
  std::string mine;
  taskmill::v1::Batch theirs;
  for (const std::string& item : items) {
    append_batch_item(mine, item);
    theirs.add_items(item);
  }
  const std::string encoded = theirs.SerializeAsString();
  CHECK(mine == encoded);
  std::vector<std::string_view> read;  // views into `encoded`
  REQUIRE(split_batch(encoded, &read).is_ok());
  REQUIRE(read.size() == items.size());
  for (std::size_t i = 0; i < items.size(); ++i) CHECK(read[i] == items[i]);
  REQUIRE(split_batch("", &read).is_ok());
  CHECK(read.empty());
}

TEST_CASE("bytes that are not a batch are refused with an error", "[unit][batch]") {
  std::vector<std::string_view> read;
  CHECK_FALSE(split_batch(std::string("\x12\x01z", 3), &read).is_ok());           // another field
  CHECK_FALSE(split_batch(std::string("\x0a\x05zz", 4), &read).is_ok());          // longer than what is left
  CHECK_FALSE(split_batch(std::string("\x0a\xff\xff", 3), &read).is_ok());        // the length is cut short
  CHECK_FALSE(split_batch(std::string("\x0a\x01z\x0a", 4), &read).is_ok());       // a second item without its length
  const taskmill::Status s = split_batch(std::string(11, '\xff'), &read);
  CHECK(s.code() == taskmill::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("Batch"));
}
