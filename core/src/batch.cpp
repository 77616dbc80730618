#include "taskmill/detail/batch.h"

#include <cstdint>

namespace taskmill::detail {
namespace {

constexpr char kItemTag = 0x0a;  // field 1, wire type 2

void append_varint(std::string& out, std::uint64_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

// Reads a varint at `at`, moving past it; false if it is cut short or too long.
bool read_varint(std::string_view in, std::size_t& at, std::uint64_t* n) {
  *n = 0;
  for (int shift = 0; shift < 64 && at < in.size(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(in[at++]);
    *n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

void append_batch_item(std::string& batch, std::string_view item) {
  batch.push_back(kItemTag);
  append_varint(batch, item.size());
  batch.append(item);
}

Status split_batch(std::string_view batch, std::vector<std::string_view>* items) {
  items->clear();
  std::size_t at = 0;
  while (at < batch.size()) {
    std::uint64_t length = 0;
    if (batch[at++] != kItemTag || !read_varint(batch, at, &length) || length > batch.size() - at) {
      return invalid_argument("malformed taskmill.v1.Batch (" + std::to_string(batch.size()) + " bytes)");
    }
    items->push_back(batch.substr(at, length));
    at += length;
  }
  return {};
}

}  // namespace taskmill::detail
