#include "taskmill/payload.h"

#include <cstring>

namespace taskmill {
namespace {

// Called by libzmq, perhaps on its I/O thread, once the last frame over an
// adopted string is gone.
void free_adopted_string(void* /*data*/, void* hint) { delete static_cast<std::string*>(hint); }

}  // namespace

Payload::Payload(std::string&& bytes) {
  if (bytes.size() < kFrameBytes) {
    message_.rebuild(bytes.data(), bytes.size());
    return;
  }
  auto* owned = new std::string(std::move(bytes));
  message_.rebuild(owned->data(), owned->size(), &free_adopted_string, owned);
}

zmq::message_t Payload::share() {
  zmq::message_t frame;
  frame.copy(message_);  // a reference for a large message; a copy for a small one
  return frame;
}

}  // namespace taskmill
