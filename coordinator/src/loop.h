// loop.h: the coordinator's event loop, shared by the files that implement
// it: coordinator.cpp (the loop, jobs, dispatch, sending), peers.cpp (peers
// arriving, leaving and falling silent, and their jobs then) and queries.cpp
// (the query protocol: jobs, lists, workers, catalog, stats).
// Not thread-safe: everything but stop() runs on the loop's thread.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog.h"
#include "finished_jobs.h"
#include "job_table.h"
#include "link_listener.h"
#include "journal.h"
#include "outbox.h"
#include "run_times.h"
#include "socket_file.h"
#include "status_report.h"
#include "taskmill/coordinator/coordinator.h"
#include "taskmill/annotations.h"
#include "taskmill/detail/stream_link.h"
#include "taskmill/detail/wake_fd.h"
#include "taskmill/status.h"
#include "taskmill/v1/taskmill.pb.h"
#include "taskmill/wire.h"
#include "throughput.h"
#include "worker_table.h"
#include "zap_handler.h"

namespace taskmill::coordinator {

namespace v1 = taskmill::v1;

class Coordinator::Loop {
 public:
  Loop(zmq::context_t& context, CoordinatorOptions options);
  ~Loop();
  void run();
  void stop() noexcept {
    stopping_.store(true);
    wake_.notify();
  }
  const std::vector<std::string>& endpoints() const noexcept { return endpoints_; }
  void adopt_link(int fd) {
    {
      std::lock_guard lock(adopt_mu_);
      adopted_.push_back(fd);
    }
    wake_.notify();
  }

 private:
  struct Peer {
    v1::PeerKind kind = v1::PEER_KIND_UNSPECIFIED;
    Clock::time_point last_seen;
    // A client in this very process (embedded mode): if it is silent, it is
    // busy (or starved of CPU), not gone; it leaves with Bye.
    bool in_process = false;
  };

  // Reads what the router holds, within a time budget; false if it stopped
  // with more to read.
  bool receive_all();
  void receive_local();
  // Links (adopt_link, and the Unix socket's): takes the new ones, reads and writes the ready ones
  // (`ready`: the poll items of links_, in its order), and ends the closed.
  void adopt_links();
  void serve_links(const zmq::pollitem_t* ready);
  void link_closed(const std::string& peer, const std::string& error);
  void on_frame(const std::string& peer, const zmq::message_t& frame, wire::Attachments& attachments);
  void on_envelope(const std::string& peer, v1::Envelope& envelope, wire::Attachments& attachments);
  void restore();
  void on_hello(const std::string& peer, v1::Hello& hello);
  void on_submit(const std::string& peer, v1::Submit& submit, wire::Attachments& attachments);
  void on_cancel(const std::string& peer, const v1::Cancel& cancel);
  void on_results(const std::string& peer, v1::Results& results, wire::Attachments& attachments);
  void on_started(const std::string& peer, const v1::Started& started);
  void on_progress(const std::string& peer, v1::Progress& progress);
  void on_returned(const std::string& peer, const v1::Returned& returned);
  void on_worker_exited(const v1::WorkerExited& exited);
  void on_bye(const std::string& peer, v1::PeerKind kind);
  void on_query(const std::string& peer, v1::Query& query);
  void answer_jobs(const v1::JobsQuery& query, v1::Answer& answer);
  void answer_list(const v1::ListQuery& query, v1::Answer& answer);
  v1::Stats stats(Clock::time_point now) const;

  void dispatch();
  void rebalance();
  void unpark(const Worker& worker);
  void cancel_job(std::uint64_t id);
  // Ends job `id` with `result`: to its client, or kept if detached. Erases it.
  // `framed_reply`: the reply, when it came as a frame of its own.
  void finish(std::uint64_t id, v1::JobResult&& result, Payload framed_reply = {});
  void end_unrun(std::uint64_t id, v1::Outcome outcome, const std::string& message, const char* error_type = "");
  // `peer` by value: callers pass names owned by the tables this erases from.
  void worker_lost(std::string peer, const std::string& why, bool counts_as_attempt = true);
  void client_gone(std::string peer);
  void cancel_on_worker(const Job& job, std::uint64_t id);
  void tick(Clock::time_point now);
  void flush();
  // To a peer: through the socket, or handed to the local client.
  void send_to(const std::string& peer, v1::Envelope& envelope, wire::Attachments* attachments = nullptr);
  void reply_error(const std::string& peer, StatusCode code, const std::string& message);
  void say_goodbye();

  CoordinatorOptions options_;
  std::unique_ptr<ZapHandler> zap_;  // outlives router_: asked during its handshakes
  zmq::socket_t router_;
  LocalClient* local_;  // may be null
  detail::WakeFd wake_;
  std::atomic<bool> stopping_{false};
  std::vector<std::string> endpoints_;
  std::vector<SocketFile> socket_files_;  // of the ipc:// endpoints, removed with the loop

  std::mutex adopt_mu_;
  std::vector<int> adopted_ TASKMILL_GUARDED_BY(adopt_mu_);
  // Links (embedded workers', and the Unix socket's workers and clients), by
  // the peer name each is known by (link_names_ and a number). Ordered, so
  // the poll items follow it.
  std::map<std::string, std::unique_ptr<detail::StreamLink>> links_;
  std::unique_ptr<LinkListener> listener_;  // options_.unix_socket's, if any
  std::vector<int> accepted_;  // from listener_, adopted at the next turn's start
  std::string link_names_;  // what links' peer names start with (coordinator.cpp)
  std::uint64_t links_made_ = 0;
  // Linked peers that said goodbye: their link may yet end in a reset (a
  // heartbeat lay unread when they exited), which is how they left, not a fault.
  std::unordered_set<std::string> links_left_;

  std::unordered_map<std::string, Peer> peers_;
  JobTable jobs_;
  WorkerTable workers_;
  RunTimes run_times_;
  std::string run_peer_;  // the worker dispatch gives short jobs to in a row
  int run_left_ = 0;      // and how many more it should get
  FinishedJobs finished_;
  std::unique_ptr<Journal> journal_;
  // Clients whose attached jobs came back from the journal: those that do not
  // say hello again within the liveness window are gone, and so are their jobs.
  std::unordered_set<std::string> restored_clients_;
  Clock::time_point restored_clients_deadline_;
  Catalog catalog_;
  Throughput throughput_;
  std::unordered_map<std::uint64_t, JobProgress> progress_;  // running jobs that reported some
  const Clock::time_point started_ = Clock::now();
  std::unordered_map<std::string, std::deque<std::uint64_t>> parked_;  // by job name: no worker offers it now
  // Workers whose process exited recycled (WorkerExited.recycled): lost at
  // this time unless their goodbye, which may still be on its way on their
  // own connection, arrives first. Also linked workers whose link closed:
  // lost then unless the report of their exit, which says how, comes first.
  struct Exiting {
    std::string peer;
    std::string why;  // as worker_lost says it
    Clock::time_point deadline;
  };
  std::vector<Exiting> exiting_;
  // Linked workers whose exit was reported while their link still had
  // messages to read: why, for when the link closes.
  std::unordered_map<std::string, std::string> exit_reasons_;
  // Batches built during one loop turn, sent at its end: one message per peer and kind.
  OutboxArena out_arena_;
  Outbox assign_out_{out_arena_}, accepted_out_{out_arena_}, started_out_{out_arena_}, progress_out_{out_arena_},
      results_out_{out_arena_};
  // The payload frames of a peer's batch: its Assign's (a worker) or its
  // Results' (a client); no peer gets both.
  std::unordered_map<std::string, wire::Attachments> frames_out_;
  Clock::time_point next_tick_;
  bool behind_ = false;  // the last receive_all() left messages unread
};

}  // namespace taskmill::coordinator
