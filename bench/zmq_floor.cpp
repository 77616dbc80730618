// zmq_floor.cpp: the floor the transport allows (BENCHMARKS.md, references),
// between this process and a forked child:
//
//   round trip   W2-style: 2,000 sequential send -> receive round trips of 8
//                bytes after 100 warm-up, a DEALER here and a ROUTER echoing
//                in the child, over ipc and tcp; p50 and p99 in microseconds.
//                Once more over ipc with this side busy-polling for the reply
//                (recv with ZMQ_DONTWAIT, as a spinning caller waits; taskmill's
//                Future::get spins while round trips are short): zmq_ipc_spin.
//   stream       1,000,000 messages of 100 bytes PUSHed to a PULL in the child
//                over ipc, which checks each one's sequence number; msgs/s from
//                the first send until the child has read the last. Then 500
//                messages of 1 MiB over ipc and over tcp: W4's floor, MiB/s
//                through one hop (a service job crosses two, each way).
//
// Median of 3 runs (1 with --quick). A wrong reply or message exits 1.
//
//   taskmill-bench-zmq-floor [--quick] [--json FILE]
#include "bench_options.h"
#include "figures_json.h"
#include "private_folder.h"
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

namespace {

constexpr int kTrips = 2'000;
constexpr int kWarmup = 100;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kStreamMessages = 1'000'000;
constexpr std::size_t kStreamBytes = 100;
// W4's transport floor: its 500 MiB through one hop (a service job makes
// two); with 1 MiB messages, messages/s is MiB/s.
constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::uint64_t kMiBMessages = 500;

// In a child: binds `socket` and writes the address it got to `report_fd`.
void bind_and_report(zmq::socket_t& socket, const std::string& endpoint, int report_fd) {
  socket.bind(endpoint);
  const std::string bound = socket.get(zmq::sockopt::last_endpoint) + "\n";
  if (::write(report_fd, bound.data(), bound.size()) != static_cast<ssize_t>(bound.size())) std::_Exit(2);
}

// The child: bind a ROUTER, tell the parent where, echo until an empty message
// (which it does not answer).
[[noreturn]] void echo_server(const std::string& endpoint, int report_fd) {
  zmq::context_t context(1);
  zmq::socket_t router(context, zmq::socket_type::router);
  bind_and_report(router, endpoint, report_fd);
  while (true) {
    zmq::message_t peer, body;
    if (!router.recv(peer) || !router.recv(body)) std::_Exit(2);
    if (body.size() == 0) std::_Exit(0);
    router.send(peer, zmq::send_flags::sndmore);
    router.send(body, zmq::send_flags::none);
  }
}

struct Latency {
  double p50_us;
  double p99_us;
};

// The child of a stream of Count messages of Size bytes, each starting with
// its sequence number: bind a PULL, tell the parent where, read them in
// sequence; exit 0 if every one was right, 1 if not.
template <std::size_t Size, std::uint64_t Count>
[[noreturn]] void stream_sink(const std::string& endpoint, int report_fd) {
  static_assert(Size >= sizeof(std::uint64_t));
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  bind_and_report(pull, endpoint, report_fd);
  for (std::uint64_t i = 0; i < Count; ++i) {
    zmq::message_t message;
    if (!pull.recv(message) || message.size() != Size || *message.data<std::uint64_t>() != i) std::_Exit(1);
  }
  std::_Exit(0);
}

// Forks `serve(endpoint, fd)` and returns the child's pid and bound address.
std::pair<pid_t, std::string> start_child(void (*serve)(const std::string&, int), const std::string& endpoint) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) std::exit(2);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    serve(endpoint, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  std::string address;
  char c;
  while (::read(pipe_fds[0], &c, 1) == 1 && c != '\n') address += c;
  ::close(pipe_fds[0]);
  return {child, address};
}

// Messages/s from the first send until the child has read the last.
template <std::size_t Size, std::uint64_t Count>
double stream_rate(const std::string& endpoint) {
  const auto [child, address] = start_child(stream_sink<Size, Count>, endpoint);
  zmq::context_t context(1);
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, -1);
  push.set(zmq::sockopt::sndhwm, 0);
  push.connect(address);
  std::vector<char> body(Size);
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < Count; ++i) {
    std::memcpy(body.data(), &i, sizeof i);
    push.send(zmq::buffer(body), zmq::send_flags::none);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "taskmill-bench-zmq-floor: the PULL side read a wrong or missing message\n";
    std::exit(1);
  }
  return static_cast<double>(Count) / seconds;
}

template <std::size_t Size, std::uint64_t Count>
Samples stream_passes(int runs, const std::string& endpoint, const std::string& key) {
  Samples out;
  for (int r = 0; r < runs; ++r) out[key].push_back(stream_rate<Size, Count>(endpoint));
  return out;
}

// Waits for a reply blocking in recv, or busy-polling it with ZMQ_DONTWAIT.
bool receive(zmq::socket_t& socket, zmq::message_t& reply, bool spin) {
  if (!spin) return socket.recv(reply).has_value();
  while (!socket.recv(reply, zmq::recv_flags::dontwait)) {
  }
  return true;
}

Latency round_trips(const std::string& endpoint, bool spin) {
  const auto [child, address] = start_child(echo_server, endpoint);
  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(address);
  std::vector<double> micros;
  for (int i = 0; i < kWarmup + kTrips; ++i) {
    const std::uint64_t sent = static_cast<std::uint64_t>(i) + 1;
    const auto start = Clock::now();
    dealer.send(zmq::buffer(&sent, sizeof sent), zmq::send_flags::none);
    zmq::message_t reply;
    if (!receive(dealer, reply, spin) || reply.size() != sizeof sent || *reply.data<std::uint64_t>() != sent) {
      std::cerr << "taskmill-bench-zmq-floor: wrong reply\n";
      std::exit(1);
    }
    if (i >= kWarmup) micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  dealer.send(zmq::message_t(), zmq::send_flags::none);  // stop
  ::waitpid(child, nullptr, 0);
  std::sort(micros.begin(), micros.end());
  return {micros[kTrips / 2], micros[(kTrips * 99 + 99) / 100 - 1]};
}

Samples round_trip_passes(int runs, const std::string& endpoint, bool spin = false) {
  Samples out;
  for (int r = 0; r < runs; ++r) {
    const Latency l = round_trips(endpoint, spin);
    out["w2_p50_us"].push_back(l.p50_us);
    out["w2_p99_us"].push_back(l.p99_us);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options =
      parse_bench_options(argc, argv, "taskmill-bench-zmq-floor: raw ZeroMQ DEALER/ROUTER round trips between two processes");
  const int runs = options.runs;
  const std::optional<std::string>& json_path = options.json_path;
  const bench::PrivateFolder folder("zmq-floor");  // for the ipc sockets
  const std::string ipc = "ipc://" + folder.path() + "/echo";
  Pools pools;  // as report.py names them
  pools["zmq_ipc"] = round_trip_passes(runs, ipc);
  pools["zmq_tcp"] = round_trip_passes(runs, "tcp://127.0.0.1:*");
  pools["zmq_ipc_spin"] = round_trip_passes(runs, ipc, /*spin=*/true);
  pools["zmq_push_pull"] =
      stream_passes<kStreamBytes, kStreamMessages>(runs, "ipc://" + folder.path() + "/stream", "stream_msgs_per_s");
  pools["zmq_stream_1mib_ipc"] =
      stream_passes<kMiB, kMiBMessages>(runs, "ipc://" + folder.path() + "/mib", "stream_mib_per_s");
  pools["zmq_stream_1mib_tcp"] = stream_passes<kMiB, kMiBMessages>(runs, "tcp://127.0.0.1:*", "stream_mib_per_s");
  auto at = [&](const char* pool, const char* key) { return median(pools.at(pool).at(key)); };

  std::cout << std::fixed << std::setprecision(1) << "taskmill-bench-zmq-floor: median of " << runs
            << " run(s)\n  DEALER/ROUTER round trip  ipc  p50 " << at("zmq_ipc", "w2_p50_us") << " us  p99 "
            << at("zmq_ipc", "w2_p99_us") << " us\n                           tcp  p50 " << at("zmq_tcp", "w2_p50_us")
            << " us  p99 " << at("zmq_tcp", "w2_p99_us") << " us\n          busy-polling reply ipc  p50 "
            << at("zmq_ipc_spin", "w2_p50_us") << " us  p99 " << at("zmq_ipc_spin", "w2_p99_us")
            << " us\n  PUSH/PULL 100 B stream   ipc  " << std::setprecision(0)
            << at("zmq_push_pull", "stream_msgs_per_s") << " msgs/s\n  PUSH/PULL 1 MiB stream   ipc  "
            << at("zmq_stream_1mib_ipc", "stream_mib_per_s") << " MiB/s  tcp "
            << at("zmq_stream_1mib_tcp", "stream_mib_per_s") << " MiB/s\n";
  if (json_path && !write_figures_json(*json_path, runs, pools)) return 2;
  return 0;
}
