// stream_link.h: a connection between a coordinator and one of the worker
// processes on its host, over a connected Unix stream socket (an embedded
// coordinator's socketpair, or a service's Unix socket), carrying the same
// multipart messages a DEALER/ROUTER pair does.
//
// Why not ZeroMQ here: a ZeroMQ message crosses the sender's and the
// receiver's I/O threads, three thread wake-ups per message between two
// processes where a socket the two threads share directly needs one. On the
// 2-vCPU machines of docs/performance.md a wake-up on the other CPU costs
// tens of microseconds: a raw ZeroMQ ipc round trip measured 72 us and a
// socketpair's 16-21 us. Workers on other hosts keep ZeroMQ.
//
// Each part goes as an 8-byte little-endian header (its length, with the top
// bit set when more parts of the same message follow) and its bytes. The
// reader refuses a part over `max_message_bytes` or a message of more than
// 1 + wire::kMaxAttachments parts: the link closes, with error() saying why.
//
// Not thread-safe: one thread polls fd(), sends and receives.
#pragma once

#include <sys/un.h>
#include <zmq.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "taskmill/wire.h"

namespace taskmill::detail {

// A worker's coordinator address that names an inherited link: fd://N.
std::string link_endpoint(int fd);
// N for fd://N; -1 for any other address.
int link_fd_of(std::string_view endpoint);
// A service coordinator's Unix socket (CoordinatorOptions::unix_socket)
// as a worker's address: unix://PATH. PATH for it; empty for any other address.
std::string unix_socket_path_of(std::string_view endpoint);
// The address of the Unix socket at `path`; false with `error` set if the
// path does not fit one.
bool unix_socket_address(const std::string& path, sockaddr_un* address, std::string* error);
// A stream socket connected to the Unix socket at `path`, or -1 with `error` set.
int dial_unix_socket(const std::string& path, std::string* error);

// What a link's socket may hold unread (docs/performance-history.md, "The
// twenty-second session"):
// - kKernelDefault: the kernel's own, ~208 KiB here. A 1 MiB part then
//   crosses in five or more turns of write, wake the reader, read, wake the
//   writer.
// - kWholePayload: 2 MiB asked for, so such a part goes in one write. The
//   kernel caps it at net.core.wmem_max and holds only what is queued.
//   The coordinator's and the workers' ends ask for it. A client's end does
//   not: a client submitting a batch would then fill the coordinator's
//   memory ahead of the workers, and that fresh memory costs more in page
//   faults than the wake-ups saved.
enum class SendBuffer { kKernelDefault, kWholePayload };

class StreamLink {
 public:
  // Takes `fd`, a connected stream socket, and makes it non-blocking and
  // close-on-exec (so a command a worker runs cannot hold it open).
  StreamLink(int fd, std::int64_t max_message_bytes = wire::kDefaultMaxMessageBytes,
             SendBuffer send_buffer = SendBuffer::kKernelDefault);
  ~StreamLink();
  StreamLink(const StreamLink&) = delete;
  StreamLink& operator=(const StreamLink&) = delete;

  int fd() const noexcept { return fd_; }

  // Queues one message (`frame`, then `attachments`, moved out) and writes
  // what the socket takes now. False if the link is closed.
  bool send(zmq::message_t frame, wire::Attachments* attachments = nullptr);
  // Writes what is queued, as far as the socket takes it (on POLLOUT).
  void flush();
  bool wants_write() const noexcept { return !out_.empty(); }
  // Writes what is queued, waiting for the socket up to `timeout`.
  void flush_for(std::chrono::milliseconds timeout);

  // Reads one whole message without blocking into `frame` and `attachments`
  // (cleared first); false if none is complete yet or the link closed.
  bool receive(zmq::message_t* frame, wire::Attachments* attachments);

  // The peer hung up, or broke the framing (then error() is not empty).
  bool closed() const noexcept { return closed_; }
  const std::string& error() const noexcept { return error_; }

 private:
  void queue(zmq::message_t part, bool more);
  // Reads more bytes into in_; false if none came (would block, or closed).
  bool fill();
  bool fail(std::string why);

  int fd_;
  std::int64_t max_part_bytes_;
  bool closed_ = false;
  std::string error_;

  // Writing: headers and parts in order; the first partly written.
  std::deque<zmq::message_t> out_;
  std::size_t out_offset_ = 0;

  // Reading: bytes read ahead of parsing, and the message being read.
  std::vector<char> in_;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  bool in_part_ = false;  // a header was read; part_ is being filled
  bool part_more_ = false;
  zmq::message_t part_;
  std::size_t part_have_ = 0;
  std::vector<zmq::message_t> parts_;
};

}  // namespace taskmill::detail
