// libFuzzer target: arbitrary bytes from a local worker's end of a link
// (detail::StreamLink), as the embedded coordinator reads them. Whatever
// comes, the reader must not crash, must keep to its limits, and each whole
// message it yields must cross a second link unchanged.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "taskmill/detail/stream_link.h"

namespace {

constexpr std::int64_t kLimit = 1 << 20;  // per part, small enough for the fuzzer's memory

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "link_fuzz: %s\n", what);
  std::abort();
}

std::vector<std::string> parts_of(const zmq::message_t& frame, const taskmill::wire::Attachments& attachments) {
  std::vector<std::string> parts{frame.to_string()};
  for (const auto& a : attachments) parts.push_back(a.to_string());
  return parts;
}

// Sends `parts` through a fresh link and reads them back.
void check_round_trip(const std::vector<std::string>& parts) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return;
  taskmill::detail::StreamLink out(fds[0]);
  taskmill::detail::StreamLink in(fds[1], kLimit);
  taskmill::wire::Attachments attachments;
  for (std::size_t i = 1; i < parts.size(); ++i) attachments.emplace_back(parts[i].data(), parts[i].size());
  out.send(zmq::message_t(parts[0].data(), parts[0].size()), &attachments);
  zmq::message_t frame;
  taskmill::wire::Attachments got;
  for (int i = 0; i < 1000 && !in.receive(&frame, &got); ++i) out.flush();
  if (parts_of(frame, got) != parts) broken("a message changed crossing a link");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 0;
  taskmill::detail::StreamLink reader(fds[1], kLimit);
  const int writer = fds[0];
  std::size_t written = 0;
  bool hung_up = false;
  zmq::message_t frame;
  taskmill::wire::Attachments attachments;
  while (!reader.closed()) {
    if (written < size) {
      const ssize_t n = ::send(writer, data + written, size - written, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) written += static_cast<std::size_t>(n);
    } else if (!hung_up) {
      ::close(writer);  // the worker ends: the reader must see the close
      hung_up = true;
    }
    while (reader.receive(&frame, &attachments)) {
      if (attachments.size() > taskmill::wire::kMaxAttachments) broken("too many parts");
      if (frame.size() > kLimit) broken("a part over the limit");
      check_round_trip(parts_of(frame, attachments));
    }
    if (hung_up && !reader.closed()) broken("a hang-up went unseen");
  }
  if (!hung_up) ::close(writer);
  return 0;
}
