// zmq_floor.cpp: the floor the transport allows (BENCHMARKS.md, references):
// a raw ZeroMQ round trip of a small message between two processes, a DEALER
// in this process and a ROUTER echoing in a forked child, over ipc and tcp.
//
//   W2-style: 2,000 sequential send -> receive round trips of 8 bytes after 100
//   warm-up; p50 and p99 in microseconds. Median of 3 runs (1 with --quick).
//
//   taskmill-bench-zmq-floor [--quick] [--json FILE]
#include "bench_options.h"
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace {

constexpr int kTrips = 2'000;
constexpr int kWarmup = 100;
using Clock = std::chrono::steady_clock;

// The child: bind a ROUTER, tell the parent where, echo until an empty message
// (which it does not answer).
[[noreturn]] void echo_server(const std::string& endpoint, int report_fd) {
  zmq::context_t context(1);
  zmq::socket_t router(context, zmq::socket_type::router);
  router.bind(endpoint);
  const std::string bound = router.get(zmq::sockopt::last_endpoint) + "\n";
  if (::write(report_fd, bound.data(), bound.size()) != static_cast<ssize_t>(bound.size())) std::_Exit(2);
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

Latency round_trips(const std::string& endpoint) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) std::exit(2);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    echo_server(endpoint, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  std::string address;
  char c;
  while (::read(pipe_fds[0], &c, 1) == 1 && c != '\n') address += c;
  ::close(pipe_fds[0]);

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
    if (!dealer.recv(reply) || reply.size() != sizeof sent || *reply.data<std::uint64_t>() != sent) {
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

Latency median_of(int runs, const std::string& endpoint) {
  std::vector<double> p50, p99;
  for (int r = 0; r < runs; ++r) {
    const Latency l = round_trips(endpoint);
    p50.push_back(l.p50_us);
    p99.push_back(l.p99_us);
  }
  std::sort(p50.begin(), p50.end());
  std::sort(p99.begin(), p99.end());
  return {p50[runs / 2], p99[runs / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions options =
      parse_bench_options(argc, argv, "taskmill-bench-zmq-floor: raw ZeroMQ DEALER/ROUTER round trips between two processes");
  const int runs = options.runs;
  const std::optional<std::string>& json_path = options.json_path;
  char dir[] = "/tmp/taskmill-zmq-floor-XXXXXX";  // mkdtemp() template: a private folder for the ipc socket
  if (::mkdtemp(dir) == nullptr) return 2;
  const std::string ipc = std::string("ipc://") + dir + "/echo";
  const Latency over_ipc = median_of(runs, ipc);
  const Latency over_tcp = median_of(runs, "tcp://127.0.0.1:*");
  ::unlink((std::string(dir) + "/echo").c_str());
  ::rmdir(dir);

  std::cout << std::fixed << std::setprecision(1) << "taskmill-bench-zmq-floor: DEALER/ROUTER round trip, median of "
            << runs << " run(s)\n  ipc  p50 " << over_ipc.p50_us << " us  p99 " << over_ipc.p99_us
            << " us\n  tcp  p50 " << over_tcp.p50_us << " us  p99 " << over_tcp.p99_us << " us\n";
  if (json_path) {
    std::ofstream out(*json_path);
    out << std::fixed << std::setprecision(3) << "{\n  \"runs\": " << runs << ",\n  \"pools\": {\n"
        << "    \"zmq_ipc\": {\"w2_p50_us\": " << over_ipc.p50_us << ", \"w2_p99_us\": " << over_ipc.p99_us << "},\n"
        << "    \"zmq_tcp\": {\"w2_p50_us\": " << over_tcp.p50_us << ", \"w2_p99_us\": " << over_tcp.p99_us << "}\n"
        << "  }\n}\n";
    if (!out) return 2;
  }
  return 0;
}
