// A frame header announcing more than ZMQ_MAXMSGSIZE, sent by hand over ZMTP
// (support/raw_zmtp.h) to a real worker: libzmq treats it as a protocol error
// and closes that connection unread, and the worker lives on. Without the
// limit the worker would wait for the bytes and the connection would stay
// open, so the test would fail in await_disconnect.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdint>
#include <string>

#include "support/daemons.h"
#include "support/raw_zmtp.h"
#include "taskmill/v1/taskmill.pb.h"

using namespace taskmill::testing;
namespace v1 = taskmill::v1;

namespace {

constexpr std::uint64_t kTebibyte = std::uint64_t{1} << 40;

}  // namespace

// libzmq does not reconnect a socket after such a protocol error; the
// worker's own liveness check (heartbeat x liveness, here minutes) would.
TEST_CASE("a frame over the worker's size limit is refused unread: the connection drops and the worker lives on",
          "[integration][process][worker]") {
  RawZmtp coordinator("tcp://127.0.0.1:*", "ROUTER");
  auto worker = Daemon::worker(coordinator.address());
  const std::string first = coordinator.accept();
  const auto hello = coordinator.next_envelope(first);
  REQUIRE(hello);
  REQUIRE(hello->has_hello());
  v1::Envelope welcome;
  welcome.mutable_welcome()->set_heartbeat_ms(60000);  // so that only the big frame can end the connection
  welcome.mutable_welcome()->set_liveness(3);
  coordinator.send_message(first, welcome);
  coordinator.send_frame_header(first, kTebibyte);
  coordinator.await_disconnect(first);
  worker.kill(SIGTERM);  // alive, and leaves cleanly
  CHECK(worker.wait() == 0);
}
