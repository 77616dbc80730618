// Peers arriving, leaving and falling silent (docs/protocol.md, "Liveness
// and faults"): hello and goodbye, a local worker's exit, the heartbeat tick,
// and what becomes of the jobs of a worker lost or a client gone.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "loop.h"
#include "taskmill/log.h"
#include "taskmill/wire.h"

namespace taskmill::coordinator {

void Coordinator::Loop::on_hello(const std::string& peer, v1::Hello& hello) {
  if (hello.kind() == v1::PEER_KIND_SUPERVISOR && !options_.accept_supervisor) {
    return reply_error(peer, StatusCode::kFailedPrecondition, "this coordinator takes no supervisor");
  }
  if (hello.kind() != v1::PEER_KIND_CLIENT && hello.kind() != v1::PEER_KIND_WORKER &&
      hello.kind() != v1::PEER_KIND_SUPERVISOR) {
    return reply_error(peer, StatusCode::kInvalidArgument, "hello must say client, worker or supervisor");
  }
  auto known = peers_.find(peer);
  if (known != peers_.end() && known->second.kind == v1::PEER_KIND_WORKER) {
    worker_lost(peer, "it registered again", /*counts_as_attempt=*/false);
  }
  peers_[peer] = Peer{hello.kind(), Clock::now(),
                      hello.kind() == v1::PEER_KIND_CLIENT && hello.pid() == static_cast<std::uint32_t>(::getpid())};
  if (hello.kind() == v1::PEER_KIND_WORKER) {
    Worker worker{.peer = peer, .name = hello.name(), .pid = hello.pid(),
                  .slots = static_cast<int>(std::clamp<std::uint32_t>(hello.slots(), 1, 4096))};
    worker.joined_unix_ms = unix_ms_now();
    for (const v1::JobType& type : hello.catalog()) worker.catalog.insert(type.name());
    catalog_.learn(hello);
    logger().info("coordinator: worker {} joined with {} slots and {} jobs", worker.name, worker.slots,
                  worker.catalog.size());
    unpark(workers_.add(std::move(worker)));
  }
  v1::Envelope welcome;
  welcome.mutable_welcome()->set_heartbeat_ms(static_cast<std::uint32_t>(options_.heartbeat.count()));
  welcome.mutable_welcome()->set_liveness(static_cast<std::uint32_t>(options_.liveness));
  send_to(peer, welcome);
}

void Coordinator::Loop::on_worker_exited(const v1::WorkerExited& exited) {
  Worker* worker = workers_.find_pid(exited.pid());
  if (worker == nullptr) return;
  std::string why = "its process exited (" + exited.reason() + ")";
  if (exited.recycled()) {
    // It said goodbye before it exited, on its own connection, which this
    // report may have overtaken; taking it for lost now would run its last
    // jobs again and drop their results. Its goodbye ends it as usual; if
    // none comes within a heartbeat, it is lost.
    exiting_.push_back({worker->peer, std::move(why), Clock::now() + options_.heartbeat});
    workers_.drain(worker->peer);  // nothing new for it meanwhile, should its Drain be late too
    return;
  }
  if (links_.contains(worker->peer)) {
    // What it wrote before its end may still be unread on its link: it is
    // lost, for this reason, once the link is read to its close.
    workers_.drain(worker->peer);
    exit_reasons_[worker->peer] = std::move(why);
    return;
  }
  worker_lost(worker->peer, why);
}

void Coordinator::Loop::on_bye(const std::string& peer, v1::PeerKind kind) {
  if (links_.contains(peer)) links_left_.insert(peer);
  if (kind == v1::PEER_KIND_WORKER) {
    worker_lost(peer, "it left", /*counts_as_attempt=*/false);
  } else if (kind == v1::PEER_KIND_CLIENT) {
    client_gone(peer);
  }
  peers_.erase(peer);
}

void Coordinator::Loop::worker_lost(std::string peer, const std::string& why, bool counts_as_attempt) {
  const Worker* worker = workers_.find(peer);
  if (worker == nullptr) return;
  if (counts_as_attempt) {
    logger().warn("coordinator: worker {} lost: {}", worker->name, why);
  } else {
    logger().info("coordinator: worker {} left: {}", worker->name, why);
  }
  exit_reasons_.erase(peer);
  assign_out_.erase(peer);  // its jobs keep their payloads: a retry shares them again
  frames_out_.erase(peer);
  for (std::uint64_t id : workers_.remove(peer)) {
    Job* job = jobs_.find(id);
    if (job == nullptr) continue;
    job->worker.clear();
    progress_.erase(id);
    if (!counts_as_attempt) --job->attempt;
    if (job->cancel_requested) {
      end_unrun(id, v1::OUTCOME_CANCELLED, "job was cancelled");
    } else if (job->attempt > job->max_retries) {
      v1::JobResult result;
      result.set_attempt(job->attempt);
      result.set_outcome(v1::OUTCOME_WORKER_LOST);
      result.set_error_type("taskmill::WorkerLost");
      result.set_error_message("worker lost on each of " + std::to_string(job->attempt) + " attempts; last: " + why);
      finish(id, std::move(result));
    } else {
      jobs_.enqueue(id, /*front=*/true);
    }
  }
  peers_.erase(peer);
}

void Coordinator::Loop::client_gone(std::string peer) {
  // Its jobs die with it, but for detached ones: queued ones are dropped,
  // running ones told to stop.
  for (std::uint64_t id : jobs_.ids_of_client(peer)) {
    Job* job = jobs_.find(id);
    if (job->detached) continue;
    if (job->worker.empty()) {
      if (journal_) journal_->job_ended(id);
      jobs_.erase(id);
    } else {
      job->cancel_requested = true;
      cancel_on_worker(*job, id);
    }
  }
  results_out_.erase(peer);
  frames_out_.erase(peer);
  accepted_out_.erase(peer);
  started_out_.erase(peer);
  progress_out_.erase(peer);
}

void Coordinator::Loop::tick(Clock::time_point now) {
  next_tick_ = now + options_.heartbeat;
  for (std::uint64_t id : finished_.expire(now)) {
    if (journal_) journal_->result_dropped(id);
  }
  throughput_.sample(now);
  std::erase_if(exiting_, [&](const Exiting& e) {
    if (now < e.deadline) return false;
    if (workers_.find(e.peer) != nullptr) worker_lost(e.peer, e.why);
    return true;
  });
  if (!restored_clients_.empty() && now >= restored_clients_deadline_) {
    for (const std::string& client : restored_clients_) {
      if (!peers_.contains(client)) client_gone(client);
    }
    restored_clients_.clear();
  }
  // A peer's heartbeat may be queued behind a flood this loop is still
  // reading: while it is behind, peers get twice the time.
  const auto limit = options_.heartbeat * options_.liveness * (behind_ ? 2 : 1);
  std::vector<std::pair<std::string, v1::PeerKind>> expired;
  v1::Envelope beat;
  beat.mutable_heartbeat();
  for (const auto& [peer, info] : peers_) {
    // The embedded supervisor only reports exits; it and embedded clients
    // live in our own process.
    if (info.kind == v1::PEER_KIND_SUPERVISOR || info.in_process) continue;
    if (now - info.last_seen > limit) {
      expired.emplace_back(peer, info.kind);
    } else {
      send_to(peer, beat);
    }
  }
  for (const auto& [peer, kind] : expired) {
    if (kind == v1::PEER_KIND_WORKER) {
      worker_lost(peer, "it missed " + std::to_string(options_.liveness) + " heartbeats");
    } else if (kind == v1::PEER_KIND_CLIENT) {
      logger().warn("coordinator: client lost: it missed {} heartbeats", options_.liveness);
      client_gone(peer);
    }
    peers_.erase(peer);
  }
}

}  // namespace taskmill::coordinator
