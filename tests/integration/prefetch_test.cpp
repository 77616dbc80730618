// Prefetch and the messages it needs: jobs queued on a busy worker move to
// one that goes idle (Revoke / Returned), and short jobs are not announced
// with a Started message. The protocol cases play the coordinator against a
// real worker process over a real socket; ordering comes from gates.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "support/daemons.h"
#include "support/test_jobs.h"
#include "taskmill/codec.h"
#include "taskmill/executor.h"
#include "taskmill/wire.h"

using namespace taskmill::testing;
namespace v1 = taskmill::v1;

namespace {

// A ROUTER the test drives as the coordinator of one real worker process.
class FakeCoordinator {
 public:
  FakeCoordinator() : router_(context_, zmq::socket_type::router) {
    taskmill::wire::configure(router_);
    router_.bind("tcp://127.0.0.1:*");
    address_ = router_.get(zmq::sockopt::last_endpoint);
  }
  const std::string& address() const { return address_; }

  // Blocks for the next message other than a heartbeat.
  v1::Envelope receive() {
    while (true) {
      zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
      taskmill::wire::poll(&item, 1, std::chrono::milliseconds(100));
      bool malformed = false;
      auto message = taskmill::wire::receive_routed(router_, &malformed);
      if (!message || malformed) continue;
      peer_ = message->peer;
      v1::Envelope envelope;
      REQUIRE(taskmill::wire::decode(message->frame, &envelope).is_ok());
      if (!envelope.has_heartbeat()) return envelope;
    }
  }
  void send(v1::Envelope envelope) { taskmill::wire::send_to(router_, peer_, envelope); }

  // Waits for the worker's Hello and welcomes it.
  void welcome() {
    REQUIRE(receive().has_hello());
    v1::Envelope welcome;
    // Beats a minute apart: this fake sends none, and a slow (sanitized) run
    // must not make the worker think it lost its coordinator.
    welcome.mutable_welcome()->set_heartbeat_ms(60'000);
    welcome.mutable_welcome()->set_liveness(3);
    send(welcome);
  }
  void assign(std::uint64_t id, const std::string& job, std::int64_t argument) {
    v1::Envelope assign;
    v1::Assignment* a = assign.mutable_assign()->add_jobs();
    a->set_id(id);
    a->set_attempt(1);
    a->set_job(job);
    a->set_payload(taskmill::Codec<std::int64_t>::encode(argument));
    send(assign);
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t router_;
  std::string address_;
  std::string peer_;
};

}  // namespace

TEST_CASE("jobs prefetched behind a busy worker move to a worker that goes idle", "[integration][process][prefetch]") {
  taskmill::Config config;
  config.backend = taskmill::BackendKind::kProcess;
  config.workers = 2;
  taskmill::Executor ex(config);
  const auto held = new_gate();
  const auto released = new_gate();
  auto a = ex.submit(gated, held);
  auto c = ex.submit(gated, released);
  wait_for_waiters(held, 1);
  wait_for_waiters(released, 1);
  // Both workers are busy: these are prefetched, half of them behind `a`.
  std::vector<taskmill::Future<std::int64_t>> quick;
  for (std::int64_t i = 0; i < 6; ++i) quick.push_back(ex.submit(square, i));
  open_gate(released);
  CHECK(c.get() == released);
  // `a` holds its worker until every quick job is done: a quick job stranded
  // behind it would never finish (and the test would time out).
  for (std::int64_t i = 0; i < 6; ++i) CHECK(quick[i].get() == i * i);
  CHECK_FALSE(a.done());
  open_gate(held);
  CHECK(a.get() == held);
}

TEST_CASE("a worker gives back the jobs it has not started when they are revoked", "[integration][process][prefetch]") {
  FakeCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address(), 1);
  coordinator.welcome();
  const std::int64_t gates[] = {new_gate(), new_gate(), new_gate()};
  for (std::uint64_t id = 1; id <= 3; ++id) coordinator.assign(id, gated.name(), gates[id - 1]);
  wait_for_waiters(gates[0], 1);  // job 1 runs on the only slot; 2 and 3 wait
  v1::Envelope revoke;
  revoke.mutable_revoke()->set_count(5);  // more than it holds: it returns what it has
  coordinator.send(revoke);
  v1::Envelope answer = coordinator.receive();
  while (answer.has_started()) answer = coordinator.receive();
  REQUIRE(answer.has_returned());
  CHECK(std::vector<std::uint64_t>(answer.returned().ids().begin(), answer.returned().ids().end()) ==
        std::vector<std::uint64_t>{2, 3});
  open_gate(gates[0]);
  answer = coordinator.receive();
  while (answer.has_started()) answer = coordinator.receive();
  REQUIRE(answer.has_results());
  REQUIRE(answer.results().results_size() == 1);
  CHECK(answer.results().results(0).id() == 1);
  // Revoke with nothing left to give: an empty answer, so the coordinator is not left waiting.
  coordinator.send(revoke);
  answer = coordinator.receive();
  REQUIRE(answer.has_returned());
  CHECK(answer.returned().ids_size() == 0);
}

TEST_CASE("a worker announces long jobs as started, and not every short one", "[integration][process][prefetch]") {
  FakeCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address(), 1);
  coordinator.welcome();
  constexpr int kShort = 200;
  for (std::uint64_t id = 1; id <= kShort; ++id) coordinator.assign(id, square.name(), 3);
  int results = 0;
  int started = 0;
  while (results < kShort) {
    v1::Envelope message = coordinator.receive();
    if (message.has_started()) started += message.started().ids_size();
    if (message.has_results()) results += message.results().results_size();
  }
  // Each short job ends within microseconds: its result alone says it ran.
  // (Not zero: on a loaded machine a job can be preempted past the 1 ms.)
  CHECK(started < kShort / 2);
  const auto gate = new_gate();
  coordinator.assign(kShort + 1, gated.name(), gate);
  wait_for_waiters(gate, 1);
  v1::Envelope message = coordinator.receive();  // without open_gate: nothing else can come
  REQUIRE(message.has_started());
  CHECK(message.started().ids(0) == kShort + 1);
  open_gate(gate);
  CHECK(coordinator.receive().has_results());
}

TEST_CASE("a worker told to stop gives back the jobs it has not started", "[integration][process][prefetch]") {
  FakeCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address(), 1);
  coordinator.welcome();
  const std::int64_t gates[] = {new_gate(), new_gate(), new_gate()};
  for (std::uint64_t id = 1; id <= 3; ++id) coordinator.assign(id, gated.name(), gates[id - 1]);
  wait_for_waiters(gates[0], 1);
  worker.kill(SIGTERM);  // drain
  v1::Envelope message = coordinator.receive();
  while (message.has_started()) message = coordinator.receive();
  REQUIRE(message.has_drain());
  // Both queued jobs come back, in order; under load the last assignment may
  // be read after the drain began, and then it comes back in a Returned of its own.
  std::vector<std::uint64_t> returned;
  while (returned.size() < 2) {
    message = coordinator.receive();
    if (message.has_started()) continue;
    REQUIRE(message.has_returned());
    returned.insert(returned.end(), message.returned().ids().begin(), message.returned().ids().end());
  }
  CHECK(returned == std::vector<std::uint64_t>{2, 3});
  open_gate(gates[0]);  // the running job still finishes and is reported
  message = coordinator.receive();
  while (message.has_started()) message = coordinator.receive();
  REQUIRE(message.has_results());
  CHECK(message.results().results(0).id() == 1);
  CHECK(worker.wait() == 0);
}

// Results of short jobs may wait for the next few (one message for a batch),
// but never behind a job that runs long: the fake coordinator beats a minute
// apart, so a result held until a heartbeat would hang this test.
TEST_CASE("a short job's result is not held behind a long job queued after it", "[integration][process][prefetch]") {
  FakeCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address(), 1);
  coordinator.welcome();
  const auto gate = new_gate();
  const auto last_gate = new_gate();
  coordinator.assign(1, square.name(), 3);
  coordinator.assign(2, gated.name(), gate);
  coordinator.assign(3, gated.name(), last_gate);
  wait_for_waiters(gate, 1);
  v1::Envelope message = coordinator.receive();
  while (message.has_started()) message = coordinator.receive();
  REQUIRE(message.has_results());  // while job 2 still waits at its gate
  CHECK(message.results().results(0).id() == 1);
  CHECK(message.results().results(0).reply() == taskmill::Codec<std::int64_t>::encode(9));
  // A long job's result leaves at once too, though job 3 is queued behind it.
  open_gate(gate);
  message = coordinator.receive();
  while (message.has_started()) message = coordinator.receive();
  REQUIRE(message.has_results());  // while job 3 waits at its gate
  CHECK(message.results().results(0).id() == 2);
  open_gate(last_gate);
  message = coordinator.receive();
  while (message.has_started()) message = coordinator.receive();
  REQUIRE(message.has_results());
  CHECK(message.results().results(0).id() == 3);
}

// After jobs that ran long the worker's I/O thread stops polling for results
// (each look is a wake-up taken from the running jobs); a short job's result
// then wakes it. Held instead, it would leave with what the I/O thread next
// wakes for: here the Started of a job on the other slot, about 35 ms later,
// so the result must come before that Started.
TEST_CASE("a short job's result is not held when the jobs before it ran long", "[integration][process][prefetch]") {
  FakeCoordinator coordinator;
  auto worker = Daemon::worker(coordinator.address(), 2);
  coordinator.welcome();
  const std::int64_t gates[] = {new_gate(), new_gate(), new_gate(), new_gate()};
  coordinator.assign(1, gated.name(), gates[0]);
  coordinator.assign(4, gated.name(), gates[3]);  // on the other slot throughout
  wait_for_waiters(gates[0], 1);
  wait_for_waiters(gates[3], 1);
  coordinator.assign(2, gated.name(), gates[1]);
  coordinator.assign(3, gated.name(), gates[2]);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));  // job 1 runs long (over kShortJob, 5 ms)
  open_gate(gates[0]);
  v1::Envelope message = coordinator.receive();
  REQUIRE(message.results().results_size() == 1);
  CHECK(message.results().results(0).id() == 1);
  // Job 2 takes job 1's slot and runs a millisecond or two, with job 3
  // queued behind it, while the I/O thread sleeps until job 4 is due to be
  // reported Started.
  wait_for_waiters(gates[1], 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  open_gate(gates[1]);
  message = coordinator.receive();
  INFO("job 4 was reported Started before job 2's result came");
  REQUIRE_FALSE(message.has_started());
  REQUIRE(message.results().results_size() == 1);
  CHECK(message.results().results(0).id() == 2);
  open_gate(gates[2]);
  open_gate(gates[3]);
  std::vector<std::uint64_t> ids;
  while (ids.size() < 2) {
    message = coordinator.receive();
    for (const v1::JobResult& r : message.results().results()) ids.push_back(r.id());
  }
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::uint64_t>{3, 4});
}
