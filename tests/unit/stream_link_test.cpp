// The link between an embedded coordinator and a local worker: whole
// messages in order whatever the socket's buffer holds, and a clear end for
// a peer that hangs up or breaks the framing.
#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "taskmill/detail/stream_link.h"

using taskmill::detail::SendBuffer;
using taskmill::detail::StreamLink;

namespace {

struct Pair {
  int fd[2] = {-1, -1};
  Pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
  int a() const { return fd[0]; }
  int b() const { return fd[1]; }
};

std::string text(const zmq::message_t& m) { return m.to_string(); }

// Moves what `from` has queued into `to` until one message is whole.
bool pump(StreamLink& from, StreamLink& to, zmq::message_t* frame, taskmill::wire::Attachments* attachments) {
  for (int i = 0; i < 100000; ++i) {
    if (to.receive(frame, attachments)) return true;
    if (to.closed()) return false;
    from.flush();
  }
  return false;
}

void write_raw(int fd, const std::string& bytes) { REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())); }

std::string header(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

int send_buffer_of(int fd) {
  int bytes = 0;
  socklen_t size = sizeof(bytes);
  REQUIRE(::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, &size) == 0);
  return bytes;
}

long wmem_max() {
  long bytes = 0;
  std::ifstream("/proc/sys/net/core/wmem_max") >> bytes;
  REQUIRE(bytes > 0);
  return bytes;
}

}  // namespace

TEST_CASE("a link carries a message and its frames whole, larger than the socket holds", "[unit][link]") {
  Pair fds;
  StreamLink sender(fds.a());
  StreamLink receiver(fds.b());
  std::string big(3 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + 3);
  taskmill::wire::Attachments out;
  out.emplace_back(big.data(), big.size());
  out.emplace_back();  // an empty frame stays a frame
  out.emplace_back("tail", 4);
  REQUIRE(sender.send(zmq::message_t(std::string("envelope")), &out));
  CHECK(sender.wants_write());  // 3 MiB does not fit a socket's buffer
  zmq::message_t frame;
  taskmill::wire::Attachments in;
  REQUIRE(pump(sender, receiver, &frame, &in));
  CHECK(text(frame) == "envelope");
  REQUIRE(in.size() == 3);
  CHECK(text(in[0]) == big);
  CHECK(in[1].size() == 0);
  CHECK(text(in[2]) == "tail");
  CHECK_FALSE(sender.wants_write());
  CHECK_FALSE(receiver.receive(&frame, &in));  // nothing more
  CHECK_FALSE(receiver.closed());
}

TEST_CASE("a link that asks for room for a whole payload takes a megabyte in one write", "[unit][link]") {
  Pair roomy_fds;
  Pair plain_fds;
  StreamLink roomy(roomy_fds.a(), taskmill::wire::kDefaultMaxMessageBytes, SendBuffer::kWholePayload);
  StreamLink roomy_reader(roomy_fds.b());
  StreamLink plain(plain_fds.a());
  StreamLink plain_reader(plain_fds.b());
  // The kernel grants what is asked up to net.core.wmem_max, doubled for its bookkeeping.
  const long limit = wmem_max();
  CHECK(send_buffer_of(roomy_fds.a()) == 2 * std::min(long{2 << 20}, limit));

  const std::string megabyte(1 << 20, 'm');
  REQUIRE(roomy.send(zmq::message_t(megabyte)));
  REQUIRE(plain.send(zmq::message_t(megabyte)));
  if (send_buffer_of(plain_fds.a()) < (1 << 20)) CHECK(plain.wants_write());  // the default: ~208 KiB
  if (limit >= (2 << 20)) {
    CHECK_FALSE(roomy.wants_write());  // all of it went in the one write
  } else {
    WARN("net.core.wmem_max is " << limit << " bytes: a megabyte takes more than one write here");
  }
  zmq::message_t frame;
  taskmill::wire::Attachments in;
  REQUIRE(pump(roomy, roomy_reader, &frame, &in));
  CHECK(text(frame) == megabyte);
  REQUIRE(pump(plain, plain_reader, &frame, &in));
  CHECK(text(frame) == megabyte);
}

TEST_CASE("a link keeps many small messages in order, both ways", "[unit][link]") {
  Pair fds;
  StreamLink left(fds.a());
  StreamLink right(fds.b());
  for (int i = 0; i < 5000; ++i) REQUIRE(left.send(zmq::message_t(std::to_string(i))));
  REQUIRE(right.send(zmq::message_t(std::string("back"))));
  zmq::message_t frame;
  taskmill::wire::Attachments in;
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(pump(left, right, &frame, &in));
    REQUIRE(text(frame) == std::to_string(i));
    CHECK(in.empty());
  }
  REQUIRE(pump(right, left, &frame, &in));
  CHECK(text(frame) == "back");
}

TEST_CASE("a link ends when its peer hangs up, mid-message or not, and a send then fails", "[unit][link]") {
  Pair fds;
  StreamLink link(fds.a());
  write_raw(fds.b(), header(100) + "only part of it");
  ::close(fds.b());
  zmq::message_t frame;
  taskmill::wire::Attachments in;
  CHECK_FALSE(link.receive(&frame, &in));
  CHECK(link.closed());
  CHECK(link.error().empty());  // a hang-up, not a fault
  CHECK_FALSE(link.send(zmq::message_t(std::string("anyone?"))));  // no SIGPIPE either
}

TEST_CASE("a link refuses a part over its limit and a message of too many parts", "[unit][link]") {
  zmq::message_t frame;
  taskmill::wire::Attachments in;
  SECTION("too large") {
    Pair fds;
    StreamLink link(fds.a(), /*max_message_bytes=*/1024);
    write_raw(fds.b(), header(std::uint64_t{1} << 40));
    CHECK_FALSE(link.receive(&frame, &in));
    CHECK(link.closed());
    CHECK_THAT(link.error(), Catch::Contains("1099511627776 bytes, over the limit of 1024"));
    ::close(fds.b());
  }
  SECTION("too many parts") {
    Pair fds;
    StreamLink link(fds.a());
    const std::uint64_t more = std::uint64_t{1} << 63;
    std::string parts;
    for (std::size_t i = 0; i < taskmill::wire::kMaxAttachments + 2; ++i) parts += header(more);
    write_raw(fds.b(), parts);
    CHECK_FALSE(link.receive(&frame, &in));
    CHECK(link.closed());
    CHECK_THAT(link.error(), Catch::Contains("more than 4097 parts"));
    ::close(fds.b());
  }
}

TEST_CASE("a worker's coordinator address names a link as fd://N", "[unit][link]") {
  using taskmill::detail::link_endpoint;
  using taskmill::detail::link_fd_of;
  CHECK(link_endpoint(7) == "fd://7");
  CHECK(link_fd_of("fd://7") == 7);
  CHECK(link_fd_of(link_endpoint(123)) == 123);
  for (const char* other : {"ipc:///tmp/x", "tcp://127.0.0.1:5555", "fd://", "fd://-1", "fd://3x", "fd:/3"}) {
    CHECK(link_fd_of(other) == -1);
  }
}
