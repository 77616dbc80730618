#include "taskmill/detail/stream_link.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace taskmill::detail {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kHeaderBytes = 8;
constexpr std::uint64_t kMoreBit = std::uint64_t{1} << 63;
// Small messages are read many to a system call; a part at least this long
// is read straight into its own buffer.
constexpr std::size_t kReadAheadBytes = 64 << 10;
constexpr std::size_t kIovecsPerWrite = 64;
constexpr int kWholePayloadBufferBytes = 2 << 20;

constexpr std::string_view kLinkScheme = "fd://";
constexpr std::string_view kUnixScheme = "unix://";

}  // namespace

std::string link_endpoint(int fd) { return std::string(kLinkScheme) + std::to_string(fd); }

int link_fd_of(std::string_view endpoint) {
  if (!endpoint.starts_with(kLinkScheme)) return -1;
  endpoint.remove_prefix(kLinkScheme.size());
  int fd = 0;
  const auto [end, error] = std::from_chars(endpoint.data(), endpoint.data() + endpoint.size(), fd);
  return error == std::errc() && end == endpoint.data() + endpoint.size() && fd >= 0 ? fd : -1;
}

std::string unix_socket_path_of(std::string_view endpoint) {
  return endpoint.starts_with(kUnixScheme) ? std::string(endpoint.substr(kUnixScheme.size())) : std::string();
}

bool unix_socket_address(const std::string& path, sockaddr_un* address, std::string* error) {
  *address = sockaddr_un{};
  address->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address->sun_path)) {
    *error = "a socket path must be 1 to " + std::to_string(sizeof(address->sun_path) - 1) + " bytes long";
    return false;
  }
  std::memcpy(address->sun_path, path.data(), path.size());
  return true;
}

int dial_unix_socket(const std::string& path, std::string* error) {
  sockaddr_un address;
  if (!unix_socket_address(path, &address, error)) return -1;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    *error = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

StreamLink::StreamLink(int fd, std::int64_t max_message_bytes, SendBuffer send_buffer)
    : fd_(fd), max_part_bytes_(max_message_bytes), in_(kReadAheadBytes) {
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
  if (send_buffer == SendBuffer::kWholePayload) {
    // Best effort: a socket that keeps its default buffer still works.
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &kWholePayloadBufferBytes, sizeof(kWholePayloadBufferBytes));
  }
}

StreamLink::~StreamLink() { ::close(fd_); }

bool StreamLink::send(zmq::message_t frame, wire::Attachments* attachments) {
  if (closed_) return false;
  const bool more = attachments != nullptr && !attachments->empty();
  queue(std::move(frame), more);
  if (more) {
    for (std::size_t i = 0; i < attachments->size(); ++i) queue(std::move((*attachments)[i]), i + 1 < attachments->size());
  }
  flush();
  return !closed_;
}

void StreamLink::queue(zmq::message_t part, bool more) {
  const std::uint64_t header = part.size() | (more ? kMoreBit : 0);
  char bytes[kHeaderBytes];
  for (std::size_t i = 0; i < kHeaderBytes; ++i) bytes[i] = static_cast<char>((header >> (8 * i)) & 0xff);
  out_.emplace_back(bytes, kHeaderBytes);
  if (part.size() > 0) out_.push_back(std::move(part));
}

void StreamLink::flush() {
  while (!out_.empty() && !closed_) {
    iovec iov[kIovecsPerWrite];
    std::size_t count = 0;
    for (auto it = out_.begin(); it != out_.end() && count < kIovecsPerWrite; ++it, ++count) {
      const std::size_t skip = count == 0 ? out_offset_ : 0;
      iov[count] = {static_cast<char*>(it->data()) + skip, it->size() - skip};
    }
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    ssize_t wrote = ::sendmsg(fd_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      closed_ = true;  // the peer is gone (EPIPE, ECONNRESET): nobody to write to
      out_.clear();
      return;
    }
    auto left = static_cast<std::size_t>(wrote);
    while (left > 0) {
      const std::size_t rest = out_.front().size() - out_offset_;
      if (left < rest) {
        out_offset_ += left;
        break;
      }
      left -= rest;
      out_.pop_front();
      out_offset_ = 0;
    }
  }
}

void StreamLink::flush_for(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (flush(); wants_write() && !closed_; flush()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return;
    pollfd writable{fd_, POLLOUT, 0};
    ::poll(&writable, 1, static_cast<int>(left));
  }
}

bool StreamLink::receive(zmq::message_t* frame, wire::Attachments* attachments) {
  attachments->clear();
  while (!closed_) {
    if (!in_part_) {
      if (in_end_ - in_begin_ < kHeaderBytes) {
        if (!fill()) return false;
        continue;
      }
      std::uint64_t header = 0;
      for (std::size_t i = 0; i < kHeaderBytes; ++i) {
        header |= std::uint64_t{static_cast<unsigned char>(in_[in_begin_ + i])} << (8 * i);
      }
      in_begin_ += kHeaderBytes;
      const std::uint64_t size = header & ~kMoreBit;
      if (size > static_cast<std::uint64_t>(max_part_bytes_)) {
        return fail("a message part of " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(max_part_bytes_));
      }
      if (parts_.size() >= 1 + wire::kMaxAttachments) {
        return fail("a message of more than " + std::to_string(1 + wire::kMaxAttachments) + " parts");
      }
      part_more_ = (header & kMoreBit) != 0;
      part_.rebuild(static_cast<std::size_t>(size));
      part_have_ = 0;
      in_part_ = true;
    }
    char* into = static_cast<char*>(part_.data()) + part_have_;
    std::size_t need = part_.size() - part_have_;
    const std::size_t buffered = std::min(need, in_end_ - in_begin_);
    if (buffered > 0) std::memcpy(into, in_.data() + in_begin_, buffered);
    in_begin_ += buffered;
    part_have_ += buffered;
    need -= buffered;
    if (need >= in_.size()) {
      const ssize_t got = ::recv(fd_, into + buffered, need, MSG_DONTWAIT);
      if (got > 0) {
        part_have_ += static_cast<std::size_t>(got);
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      if (got == 0) {
        closed_ = true;
        return false;
      }
      return fail(std::string("reading: ") + std::strerror(errno));
    }
    if (need > 0) {
      if (!fill()) return false;
      continue;
    }
    parts_.push_back(std::move(part_));
    in_part_ = false;
    if (part_more_) continue;
    *frame = std::move(parts_.front());
    for (std::size_t i = 1; i < parts_.size(); ++i) attachments->push_back(std::move(parts_[i]));
    parts_.clear();
    return true;
  }
  return false;
}

bool StreamLink::fill() {
  // What is left unparsed is shorter than a header here: move it to the front.
  const std::size_t left = in_end_ - in_begin_;
  if (left > 0 && in_begin_ > 0) std::memmove(in_.data(), in_.data() + in_begin_, left);
  in_begin_ = 0;
  in_end_ = left;
  while (true) {
    const ssize_t got = ::recv(fd_, in_.data() + in_end_, in_.size() - in_end_, MSG_DONTWAIT);
    if (got > 0) {
      in_end_ += static_cast<std::size_t>(got);
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    if (got == 0) {
      closed_ = true;  // the peer hung up; a message it left half written is dropped
      return false;
    }
    return fail(std::string("reading: ") + std::strerror(errno));
  }
}

bool StreamLink::fail(std::string why) {
  closed_ = true;
  error_ = std::move(why);
  out_.clear();
  return false;
}

}  // namespace taskmill::detail
