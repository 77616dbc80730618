// batch.h: taskmill.v1.Batch (values.proto: `repeated bytes items = 1`) written
// and read directly. A chunk of a map() carries hundreds of small encoded
// requests and replies; the generated message costs a heap string per item
// and a second pass to serialise, on the coordinator's thread in embedded
// mode, where it was most of W1 map's time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "taskmill/status.h"

namespace taskmill::detail {

// Appends `item` to `batch` as one more Batch item (field 1, length-delimited;
// also the whole encoding of a google.protobuf.BytesValue holding `item`).
void append_batch_item(std::string& batch, std::string_view item);

// The items of `batch`, in order, as views into it. kInvalidArgument if
// `batch` is anything but a sequence of Batch items.
Status split_batch(std::string_view batch, std::vector<std::string_view>* items);

}  // namespace taskmill::detail
